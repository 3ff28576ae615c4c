{% extends '//die/std.sh' %}
{% block net %}"yes"{% endblock %}
