{# Linux 6.1.4 for a Stalix image: `make tinyconfig`, then the fragment of the target's
   architecture beside this recipe (<arch>.config) and the fragments the flags ask for
   (virtio=1: virtio.config; kconfig=CONFIG_A=y CONFIG_B=y: any options), then a check that every
   option asked for is in the final .config (Kconfig drops an option whose dependencies are not
   met, silently). Built with the relocated gcc seed for the kernel and the store's musl cc for
   Kbuild's host programs; flex, bison and bc come from the store. Output: $out/bzImage and the
   $out/config it was built from. Time, user, host and version are pinned, so rebuilds give the
   same bytes. The source is Debian's original tarball, a repack of upstream's (non-free firmware
   removed), so its sum is Debian's. #}
{% extends '//die/c/base.sh' %}
{% block fetch %}
https://deb.debian.org/debian/pool/main/l/linux/linux_6.1.4.orig.tar.xz
sha:7afd8b43469411a88e328d40926684ce6b450269d3c0528d212a3ec2665e7566
{% endblock %}
{% block bld_tool %}
{{ super() }}
{% if linux and x86_64 %}
bld/boot/gcc/x86_64
{% else %}
{{ ix.error('sys/linux: no kernel configuration for ' + target.name) }}
{% endif %}
bld/flex
bld/bison
bld/bc
{% endblock %}
{% block setup %}
# Kbuild takes its flags from its own variables: the C packages' ones would leak into the kernel
unset CFLAGS CPPFLAGS LDFLAGS CC CPP AR RANLIB NM STRIP OBJCOPY LD
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:01 UTC 1970' KBUILD_BUILD_USER=ix \
    KBUILD_BUILD_HOST=ix KBUILD_BUILD_VERSION=1
kmake="make ARCH=x86 CROSS_COMPILE=x86_64-linux-gnu- CC=x86_64-linux-gnu-gcc-12 HOSTCC=cc HOSTLD=ld V=0"
{% endblock %}
{% block patch %}
# Kconfig runs $(shell,...) through popen(), i.e. /bin/sh, which builds do not have: prepend
# die/c/shell-shim.c (popen through $SHELL) to it
base64 -d > ix-shell-shim.c << 'IX_EOF'
{% include '//die/c/shell-shim.c/base64' %}

IX_EOF
{ cat ix-shell-shim.c; printf '#define popen ix_test_popen\n#define pclose ix_test_pclose\n'; cat scripts/kconfig/preprocess.c; } > preprocess.c.new
mv preprocess.c.new scripts/kconfig/preprocess.c
rm ix-shell-shim.c
# objtool (an ELF rewriter run on every object) needs libelf, which the store does not have, and
# x86_64 selects it whatever the configuration says. Without HAVE_OBJTOOL x86_64 builds as 32-bit
# x86 does: no ORC unwinder (the guess unwinder, set below), static calls through trampolines,
# no compile-time validation of noinstr and uaccess rules.
sed -i '/^\tselect HAVE_OBJTOOL[[:space:]]*if X86_64$/d' arch/x86/Kconfig
if grep -q 'select HAVE_OBJTOOL[[:space:]]*if X86_64' arch/x86/Kconfig; then
    echo "sys/linux: could not drop HAVE_OBJTOOL from arch/x86/Kconfig" >&2
    exit 1
fi
{% endblock %}
{% block configure %}
base64 -d > kernel/configs/ix.config << 'IX_EOF'
{% include 'x86_64.config/base64' %}
IX_EOF
{% if virtio %}
base64 -d >> kernel/configs/ix.config << 'IX_EOF'
{% include 'virtio.config/base64' %}
IX_EOF
{% endif %}
{% if kconfig %}
for opt in {{ kconfig }}; do
    echo "$opt" >> kernel/configs/ix.config
done
{% endif %}
$kmake tinyconfig >/dev/null
$kmake ix.config >/dev/null
missing=$(grep '^CONFIG_' kernel/configs/ix.config | while read -r opt; do
    grep -qx "$opt" .config || echo "$opt"
done)
if grep -q '^CONFIG_OBJTOOL=y' .config; then
    missing="$missing (and CONFIG_OBJTOOL is on)"
fi
if [ -n "$missing" ]; then
    echo "sys/linux: Kconfig dropped these options (unmet dependencies?): $missing" >&2
    exit 1
fi
{% endblock %}
{% block build %}
# host programs (vdso2c, relocs) include Linux's user-space headers, which a host system has in
# /usr/include and the store's C library does not carry: install the tree's own and point at them
$kmake headers >/dev/null
$kmake "HOSTCFLAGS=-isystem $PWD/usr/include" -j "$make_thrs" bzImage
{% endblock %}
{% block install %}
mkdir -p "$out"
cp arch/x86/boot/bzImage "$out/bzImage"
cp .config "$out/config"
{% endblock %}
{% block finish %}
# the tree is 1.5 GB of small files: removing it here, natively, is much faster than the
# executor's clean-up of the build directory
cd "$tmp"
rm -rf src
{% endblock %}
