{% extends '//die/std.sh' %}
{% block bld_tool %}
{% endblock %}
{% block script %}
tool={{ tool }} boot={{ boot }} bin={{ bin }} uniq_id={{ uniq_id }} native={{ native }}
{% endblock %}
