{% extends '//die/std.sh' %}
{% block script %}
{{ range(100000000) | length }}
{% endblock %}
