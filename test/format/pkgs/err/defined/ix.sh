{% extends '//die/std.sh' %}
{% block script %}
{{ compiler | defined('compiler') }}
{% endblock %}
