{% extends '//die/std.sh' %}
{% block script %}
{{ self.nonexistent().strip() }}
{% endblock %}
