{# libbz2 from bzip2 1.0.8 (static library and header). Upstream's round-trip tests run once,
   in bin/bzip2 (the same source), which also builds the programs; this builds only the library. #}
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
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }} CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64" libbz2.a
{% endblock %}
{% block install %}
mkdir -p "$out/lib" "$out/include"
cp libbz2.a "$out/lib/"
cp bzlib.h "$out/include/"
{% endblock %}
