{# liblzma from XZ Utils 5.4.1 (static library and headers). Upstream's test suite runs once,
   in bin/xz (the same source); a library build does not run it again. #}
{% extends '//die/c/configure.sh' %}
{% block fetch %}
https://github.com/tukaani-project/xz/releases/download/v5.4.1/xz-5.4.1.tar.xz
sha:5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5
{% endblock %}
{% block configure_flags %}
--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo
--disable-lzma-links --disable-scripts --disable-doc
{% endblock %}
{% block test %}{% endblock %}
