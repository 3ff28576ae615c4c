{% extends '//die/std.sh' %}
{% block pool %}"broken{% endblock %}
