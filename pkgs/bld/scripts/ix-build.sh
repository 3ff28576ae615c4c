# ix-build.sh: shell functions shared by every build script of the ix recipe tree.
# Installed by bld/scripts as $out/bin/ix-build.sh; scripts load it with `. ix-build.sh`
# (found on PATH). POSIX sh only; uses only the bootstrap tools (bld/boot/tools).
# Format version: ix-build/1.

# Store directories of this node's dependencies, tools first, then host and target libraries.
# Uses the planner's MIX_B_DIR/MIX_H_DIR/MIX_T_DIR (':'-separated); without them, every
# environment variable whose value is one store path (sorted, so the order is stable).
ix_dep_dirs() {
    if [ -n "${MIX_B_DIR-}${MIX_H_DIR-}${MIX_T_DIR-}" ]; then
        printf '%s\n' "${MIX_B_DIR-}" "${MIX_H_DIR-}" "${MIX_T_DIR-}" | tr ':' '\n'
    else
        env | sed -n 's|^[A-Za-z_][A-Za-z0-9_]*=\(/ix/store/[^/ ]*\)$|\1|p' | sort -u
    fi | grep -v -x -e '' -e "$out" || true
}

# Shell, temp dirs, and the `env` file of every dependency (libraries export their flags there).
ix_setup() {
    SHELL=$(command -v sh)
    CONFIG_SHELL=$SHELL
    export SHELL CONFIG_SHELL
    mkdir -p "$HOME"
    for _d in $(ix_dep_dirs); do
        if [ -f "$_d/env" ]; then
            . "$_d/env"
        fi
    done
}

# Rewrite '#!/bin/sh' script interpreters under a directory (default .) to the store's sh:
# builds have no /bin. Only files whose first line is such a line are touched, and they keep
# their mtime (make compares generated files with their sources).
ix_fix_shebangs() {
    grep -rlI '^#! */bin/sh' "${1:-.}" 2>/dev/null | while IFS= read -r _f; do
        if head -n 1 "$_f" | grep -q '^#! */bin/sh'; then
            touch -r "$_f" "$tmp/.ix-mtime"
            sed -i "1s|^#! */bin/sh|#!$SHELL|" "$_f"
            touch -r "$tmp/.ix-mtime" "$_f"
        fi
    done
}

# Unpack every archive of $src (tar detects the compression) into $tmp/src and enter the
# source directory (the single top-level directory, if there is one). Plain files are copied.
ix_unpack() {
    mkdir -p "$tmp/src"
    cd "$tmp/src"
    for _d in $src; do
        for _f in "$_d"/*; do
            case "$_f" in
                *.tar|*.tar.*|*.tgz|*.tbz2|*.txz) tar -xf "$_f" ;;
                *) cp "$_f" . ;;
            esac
        done
    done
    set -- *
    if [ $# -eq 1 ] && [ -d "$1" ]; then
        cd "$1"
    fi
    ix_fix_shebangs .
}

# After install: drop documentation and libtool files; for a library write $out/env with the
# flags its users need; for a program drop headers and static libraries.
ix_finish() {
    rm -rf "$out/share/man" "$out/share/info" "$out/share/doc" "$out/share/locale"
    find "$out" -name '*.la' -exec rm -f {} +
    case "${1-}" in
        lib)
            : > "$out/env"
            if [ -d "$out/include" ]; then
                echo "export CPPFLAGS=\"-I$out/include \${CPPFLAGS-}\"" >> "$out/env"
            fi
            if [ -d "$out/lib" ]; then
                echo "export LDFLAGS=\"-L$out/lib \${LDFLAGS-}\"" >> "$out/env"
            fi
            if [ -d "$out/lib/pkgconfig" ]; then
                echo "export PKG_CONFIG_PATH=\"$out/lib/pkgconfig:\${PKG_CONFIG_PATH-}\"" >> "$out/env"
            fi
            rm -rf "$out/bin"
            ;;
        bin)
            rm -rf "$out/include" "$out/lib"
            ;;
    esac
    # installed scripts run on the target system: give them its /bin/sh back (the store's sh
    # is a build tool, not a run-time dependency)
    for _f in "$out"/bin/*; do
        if [ -f "$_f" ] && [ ! -L "$_f" ] && head -n 1 "$_f" | grep -q "^#!$SHELL"; then
            sed -i "1s|^#!$SHELL|#!/bin/sh|" "$_f"
        fi
    done
    rmdir "$out/share" 2>/dev/null || true
}
