{% extends '//die/std.sh' %}
{% block fetch %}
https://h/a.tgz
md5:0123456789abcdef0123456789abcdef
{% endblock %}
