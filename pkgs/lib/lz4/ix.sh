{# liblz4 1.9.4 (static library, headers, pkg-config file). Upstream's `install` target always
   links the shared library too, which a static toolchain cannot: install by hand. #}
{% extends '//die/c/make.sh' %}
{% block fetch %}
https://github.com/lz4/lz4/archive/refs/tags/v1.9.4.tar.gz
sha:0b0e3aa07c8c063ddf40b082bdf7e37a1562bda40a0ff5272957f3e987e0e54b
{% endblock %}
{% block build %}
make -j "$make_thrs" -C lib liblz4.a
make -C lib PREFIX="$out" liblz4.pc
{% endblock %}
{% block install %}
mkdir -p "$out/lib/pkgconfig" "$out/include"
cp lib/liblz4.a "$out/lib/"
cp lib/liblz4.pc "$out/lib/pkgconfig/"
cp lib/lz4.h lib/lz4hc.h lib/lz4frame.h "$out/include/"
{% endblock %}
