{# A C toolchain for one target, used as a build tool: `cc` (also `gcc` and `<triple>-gcc`)
   wraps a relocated gcc seed so that it sees no host headers, links statically, and takes the
   C library from $IX_LIBC (set by lib/c's env file). The wrapper injects lib/c into the target
   libraries of every package that uses it (ind_deps), built for that package's target.
   A recipe sets: gcc_seed (the bld/boot package), gnu_prefix (Debian's tool prefix),
   triple (the target's gnu triple). #}
{% extends 'sh.sh' %}
{% block bld_tool %}
{{ super() }}
{{ self.gcc_seed().strip() }}
{% endblock %}
{% block run_deps %}
bld/boot/tools
{{ self.gcc_seed().strip() }}
{% endblock %}
{% block ind_deps %}
lib/c
{% endblock %}
{% block setup %}
gcc=$(command -v {{ self.gnu_prefix().strip() }}-gcc-12)
gdir=${gcc%/bin/*}
ginc=$($gcc -print-file-name=include)
{% endblock %}
{% block install %}
mkdir -p "$out/bin"
cat > "$out/bin/cc" << EOF
#!$SHELL
# ix C compiler for {{ self.triple().strip() }}: static executables against the C library in \$IX_LIBC
if [ -z "\${IX_LIBC-}" ]; then
    echo "cc: IX_LIBC is not set: no lib/c among this build's libraries" >&2
    exit 1
fi
# header paths reach __FILE__ (assert): keep store paths of build-time headers out of outputs
exec $gcc -nostdinc -isystem "\$IX_LIBC/include" -isystem $ginc -ffile-prefix-map=/ix/store/=/ix/hdr/ "\$@" -B"\$IX_LIBC/lib" -L"\$IX_LIBC/lib" -static
EOF
chmod 755 "$out/bin/cc"
ln -s cc "$out/bin/gcc"
ln -s cc "$out/bin/{{ self.triple().strip() }}-gcc"
ln -s cc "$out/bin/{{ self.triple().strip() }}-cc"
for t in ar as ld nm objcopy objdump ranlib readelf size strings strip; do
    ln -s "$gdir/bin/{{ self.gnu_prefix().strip() }}-$t" "$out/bin/$t"
    ln -s "$gdir/bin/{{ self.gnu_prefix().strip() }}-$t" "$out/bin/{{ self.triple().strip() }}-$t"
done
cat > "$out/env" << EOF
export CC=cc CPP="cc -E" AR=ar RANLIB=ranlib NM=nm STRIP=strip OBJCOPY=objcopy LD=ld
EOF
{% endblock %}
{% block finish %}{% endblock %}
