{# The xz and xzdec programs of XZ Utils 5.4.1, static; runs `make check`. #}
{% extends '//lib/lzma/ix.sh' %}
{% block configure_flags %}
--disable-lzmadec --disable-lzmainfo --disable-scripts --disable-doc
{% endblock %}
