{# The xz and xzdec programs of XZ Utils 5.4.1, static; runs upstream's `make check` (the only
   run of it: lib/lzma, from the same source, skips it). #}
{% extends '//lib/lzma/ix.sh' %}
{% block configure_flags %}
--disable-lzmadec --disable-lzmainfo --disable-scripts --disable-doc
{% endblock %}
{% block test %}
{% if native %}
make -j "$make_thrs" check
{% endif %}
{% endblock %}
