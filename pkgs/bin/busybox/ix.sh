{# BusyBox 1.35.0, static, with a small applet set (small.config beside this recipe, merged
   over allnoconfig) so it builds in well under a minute. Kconfig's host programs are built
   with the target compiler, so only native builds work for now. #}
{% extends '//die/c/make.sh' %}
{% block fetch %}
https://busybox.net/downloads/busybox-1.35.0.tar.bz2
sha:faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694
{% endblock %}
{% block configure %}
make allnoconfig >/dev/null
cat >> .config << 'IX_EOF'
{% include 'small.config' %}

IX_EOF
yes '' | make oldconfig >/dev/null
{% endblock %}
{% block make_flags %}
V=0
SKIP_STRIP=y
KCONFIG_NOTIMESTAMP=1
{% endblock %}
{% block test %}
{% if native %}
test "$(./busybox echo ok)" = ok
test "$(echo abc | ./busybox sha256sum)" = "$(echo abc | sha256sum)"
{% endif %}
{% endblock %}
{% block install %}
mkdir -p "$out/bin"
cp busybox "$out/bin/busybox"
{% endblock %}
