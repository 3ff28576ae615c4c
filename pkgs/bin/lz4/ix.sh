{# The lz4 program 1.9.4, static; runs upstream's basic round-trip tests (tests/test-lz4-basic). #}
{% extends '//lib/lz4/ix.sh' %}
{% block build %}
make -j "$make_thrs" -C programs lz4
{% endblock %}
{% block test %}
{% if native %}
make -j "$make_thrs" -C tests test-lz4-basic
{% endif %}
{% endblock %}
{% block install %}
make -C programs PREFIX="$out" install
{% endblock %}
