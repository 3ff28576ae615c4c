{# The C library of every target package: musl 1.2.3, static, built from source with the bare
   gcc seed of the target (it cannot use bld/cc, which injects this very package).
   Its env file sets IX_LIBC, which the bld/cc wrappers read. #}
{% extends '//die/sh.sh' %}
{% block fetch %}
https://musl.libc.org/releases/musl-1.2.3.tar.gz
sha:7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4
{% endblock %}
{% block bld_tool %}
{{ super() }}
{% if linux and (x86_64 or aarch64) %}
bld/boot/gcc/{{ target.arch }}
{% else %}
{{ ix.error('lib/c: no musl toolchain for ' + target.name) }}
{% endif %}
{% endblock %}
{% block configure %}
./configure --prefix="$out" --target={{ target.arch }}-linux-musl --disable-shared --disable-wrapper \
    CC={{ target.arch }}-linux-gnu-gcc-12 CROSS_COMPILE={{ target.arch }}-linux-gnu- \
    CFLAGS="-O2 -ffile-prefix-map=$tmp=/ix/build"
{% endblock %}
{% block build %}
make -j "$make_thrs"
{% endblock %}
{% block install %}
make install
{% endblock %}
{% block finish %}
echo "export IX_LIBC=$out" > "$out/env"
{% endblock %}
