# Relocation of pinned Debian packages (included textually by die/boot.sh; pinned tools only:
# busybox applets and patchelf, found on the node's PATH of store paths).
# Unpacks every .deb of $src into one tree, moves its usr/, lib/, bin/ into $out,
# and points every dynamic ELF file at the glibc carried inside $out, so the result
# runs in a sandbox that has no host /usr, /lib or /bin.
set -eu
umask 022
root="$tmp/root"
mkdir -p "$root" "$out"
for d in $src; do
    for f in "$d"/*.deb; do
        dpkg-deb -x "$f" "$root"
    done
done
for d in usr bin sbin lib lib64; do
    [ -d "$root/$d" ] || continue
    if [ "$d" = usr ]; then dest="$out"; else dest="$out/$d"; fi
    mkdir -p "$dest"
    cp -a "$root/$d/." "$dest/"
done
rm -rf "$out/share/doc" "$out/share/man" "$out/share/info" "$out/share/lintian" \
    "$out/share/locale" "$out/share/bug" "$out/share/menu" "$out/share/gdb" "$out/etc"
libdir="$out/lib/x86_64-linux-gnu"
interp="$libdir/ld-linux-x86-64.so.2"
# absolute symlinks become links inside $out
find "$out" -type l | while read -r l; do
    t=$(readlink "$l")
    case "$t" in
        /*) ln -sfn "$out$t" "$l" ;;
    esac
done
find "$out" -type f | sort | while read -r f; do
    case "$f" in
        */ld-linux-x86-64.so.2|*/libc.so.6|*.o|*.a|*.h) continue ;;
    esac
    if patchelf --print-interpreter "$f" >/dev/null 2>&1; then
        patchelf --set-interpreter "$interp" --force-rpath --set-rpath "$libdir" "$f"
    elif patchelf --print-needed "$f" >/dev/null 2>&1; then
        patchelf --force-rpath --set-rpath "$libdir" "$f"
    fi
done
# scripts: interpreters move into $out (the package of shell tools provides bin/sh)
for f in "$out/bin"/*; do
    [ -f "$f" ] && [ ! -L "$f" ] || continue
    if head -c 2 "$f" | grep -q '^#!'; then
        sed -i -E "1s,^#! *(/usr)?/bin/,#!$out/bin/," "$f"
    fi
done
