{# libbz2 from bzip2 1.0.8 (static library and header). Its Makefile runs the upstream
   round-trip tests as part of the default target. #}
{% extends '//die/c/make.sh' %}
{% block fetch %}
https://sourceware.org/pub/bzip2/bzip2-1.0.8.tar.gz
sha:ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269
{% endblock %}
{% block make_flags %}
CC=cc
AR=ar
RANLIB=ranlib
{% endblock %}
{% block build %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }} CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64"{% if not native %} libbz2.a bzip2 bzip2recover{% endif %}

{% endblock %}
