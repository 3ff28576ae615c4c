{# The first tool of every build: Debian bookworm's static busybox (sh, dpkg-deb, tar, xz, cp,
   find, sed, grep, sort...), as bin/busybox plus one symlink per applet. The only node that runs
   host tools (the host's sh and dpkg-deb, or ar and tar, to unpack the pinned .deb); its output
   is fixed: `fixed` pins the tree hash, so another host's tools can fail this build but never
   change its bytes. Every other bootstrap package runs these applets (die/boot.sh). #}
{% extends '//die/seed.sh' %}
{% block fetch %}
apt:busybox-static=1:1.35.0-4+deb12u1+b1/amd64 sha:3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744
{% endblock %}
{% block fixed %}
blake3:f12b82f4643e0bbcb1daccdff8b3c78229cf76652ba37faf5704d01a299f3f35
{% endblock %}
{% block script %}
set -eu
export PATH=/usr/bin:/bin LC_ALL=C
umask 022
root="$tmp/root"
mkdir -p "$root" "$out/bin"
for d in $src; do
    for f in "$d"/*.deb; do
        if command -v dpkg-deb >/dev/null 2>&1; then
            dpkg-deb -x "$f" "$root"
        else
            (cd "$tmp" && ar x "$f" data.tar.xz && xz -dc data.tar.xz | tar -xf - -C "$root")
        fi
    done
done
cp "$root/bin/busybox" "$out/bin/busybox"
chmod 755 "$out/bin/busybox"
cd "$out/bin"
# the applet list comes from the pinned binary itself, so it is fixed too
for a in $(./busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$a"
done
{% endblock %}
