{% extends '//die/std.sh' %}
{% block script %}
{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(2) %}{% endfor %}{% endfor %}{% endfor %}
{% endblock %}
