{% extends '//die/std.sh' %}
{% block script %}
{% set x = 'xxxxxxxxxxxxxxxx' %}
{% for i in range(64) %}{% set x = x ~ x %}{% endfor %}
{% endblock %}
