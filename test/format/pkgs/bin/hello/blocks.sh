
{% block bld_libs %}
lib/intl
{% include '//die/c/extra-libs.sh' %}
{% endblock %}

{% block pool %}{{ super() }}-small{% endblock %}

