{% extends '//die/std.sh' %}
{% block script %}
{{ self.script() }}
{% endblock %}
