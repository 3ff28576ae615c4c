{% extends '//die/std.sh' %}
{% block script %}
{% if x %}
echo {{ x }
{% endblock %}
