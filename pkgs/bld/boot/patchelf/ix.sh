{# patchelf (Debian bookworm 0.14.3) with the glibc, libstdc++ and libgcc it runs on, relocated
   into $out: the ELF editor the other bootstrap packages (die/boot.sh) relocate with. It
   relocates itself: the unpacked patchelf runs through the loader of the glibc it came with. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
apt:patchelf=0.14.3-1+b1/amd64 sha:0364b90e81faabbb9569076063952c7bcbf07f83d954a2f2602a163d65be60e6
apt:libstdc++6=12.2.0-14+deb12u1/amd64 sha:5cd3171216d4ab0fc911cfe9c35509bf2dd8f47761c43b7f6a4296701551a24d
apt:libgcc-s1=12.2.0-14+deb12u1/amd64 sha:3016e62cb4b7cd8038822870601f5ed131befe942774d0f745622cc77d8a88f7
apt:libc6=2.36-9+deb12u14/amd64 sha:ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
{% endblock %}
{% block bld_tool %}
bld/boot/busybox
{% endblock %}
{% block patchelf %}
patchelf() {
    "$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
        --library-path "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" \
        "$root/usr/bin/patchelf" "$@"
}
{% endblock %}
{% block relocated %}
# only bin/patchelf and the libraries it loads are used: drop the rest
rm -rf "$out/share" "$out/sbin" "$out/lib64" "$out/libexec" "$out/include" \
    "$out/lib/x86_64-linux-gnu/gconv" "$out/lib/x86_64-linux-gnu/audit"
find "$out/bin" ! -name patchelf ! -type d -exec rm -f {} +
{% endblock %}
