{% extends '//die/std.sh' %}
{% block script %}
{% if not linux %}
{{ ix.error('only builds for linux') }}
{% endif %}
{% endblock %}
