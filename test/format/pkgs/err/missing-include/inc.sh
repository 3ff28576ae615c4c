{% block script %}
echo
{% endblock %}
{% include "//die/none.sh" %}
