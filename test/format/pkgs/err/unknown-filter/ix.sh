{% extends '//die/std.sh' %}
{% block script %}

{{ name | frobnicate }}
{% endblock %}
