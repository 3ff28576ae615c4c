{# BusyBox 1.35.0, static, with a small applet set and ash, which runs its applets without links
   (FEATURE_SH_STANDALONE: a realm links only bin/busybox) (small.config beside this recipe, merged
   over allnoconfig) so it builds in well under a minute. Kconfig's host programs are built with the
   target compiler, so only native builds work for now. #}
{% extends '//die/c/make.sh' %}
{% block fetch %}
https://busybox.net/downloads/busybox-1.35.0.tar.bz2
sha:faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694
{% endblock %}
{% block patch %}
# Kbuild's host tool split-include runs `find` through popen(), i.e. /bin/sh, which builds do not
# have: prepend die/c/shell-shim.c (popen through $SHELL) to it
base64 -d > ix-shell-shim.c << 'IX_EOF'
{% include '//die/c/shell-shim.c/base64' %}

IX_EOF
{ cat ix-shell-shim.c; printf '#define popen ix_test_popen\n#define pclose ix_test_pclose\n'; cat scripts/basic/split-include.c; } > split-include.c.new
mv split-include.c.new scripts/basic/split-include.c
{% endblock %}
{% block configure %}
make allnoconfig >/dev/null
cat > ix-small.config << 'IX_EOF'
{% include 'small.config' %}

IX_EOF
# Kconfig keeps the first of two settings of a symbol: drop allnoconfig's line for each one we set
sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' ix-small.config | while read -r sym; do
    sed -i -e "/^# $sym is not set\$/d" -e "/^$sym=/d" .config
done
cat ix-small.config >> .config
yes '' | make oldconfig >/dev/null
{% endblock %}
{% block make_flags %}
V=0
SKIP_STRIP=y
KCONFIG_NOTIMESTAMP=1
{% endblock %}
{% block test %}
{% if native %}
# upstream's testsuite (make check) is not run: its busybox.tests needs `which` and applets this
# small config leaves out; these checks exercise the built binary instead
test "$(./busybox echo ok)" = ok
test "$(echo abc | ./busybox sha256sum)" = "$(echo abc | sha256sum)"
{% endif %}
{% endblock %}
{% block install %}
mkdir -p "$out/bin"
cp busybox "$out/bin/busybox"
{% endblock %}
