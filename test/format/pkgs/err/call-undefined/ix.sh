{% extends '//die/std.sh' %}
{% block script %}
echo ok
{{ assert_linux_only() }}
{% endblock %}
