#!/bin/sh
# fill-source-cache.sh: put every source the recipe tree pins into ix's source cache, offline
# except for Debian's archive, using only the ordinary apt client:
#   - the upstream source tarballs, taken from Debian's original tarballs (`apt-get source
#     --download-only`; a deb-src entry is added if missing, copied from the existing deb entry),
#   - the pinned toolchain .debs of bld/boot/* (`apt-get download NAME:ARCH=VERSION`, else Debian's
#     snapshot archive, which keeps every version: snapshot-get.mjs).
# Each file is stored as <cache>/sha256/<hex>, the layout ix's fetcher consults first
# (cache dir: $IX_SOURCE_CACHE, else <ix root>/cache/sources; ix root: $IX_ROOT, else /ix as root,
# else ${XDG_DATA_HOME:-~/.local/share}/ix). Every file is verified against the sha256 pinned in
# pkgs/ before it enters the cache. Idempotent: files already cached are skipped.
# Usage: fill-source-cache.sh [RECIPE_DIR]   (default: the pkgs/ of this checkout)
# Needs: apt-get and node (dpkg-source is not); run as root for the deb-src entry and apt-get update.
set -eu

die() { echo "fill-source-cache: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
pkgs=${1:-$here/../../pkgs}
[ -d "$pkgs" ] || die "no recipe directory at $pkgs"

if [ -n "${IX_SOURCE_CACHE-}" ]; then
    cache=$IX_SOURCE_CACHE
else
    if [ -n "${IX_ROOT-}" ]; then root=$IX_ROOT
    elif [ "$(id -u)" = 0 ]; then root=/ix
    else root=${XDG_DATA_HOME:-$HOME/.local/share}/ix
    fi
    cache=$root/cache/sources
fi
mkdir -p "$cache/sha256"

# Debian source packages whose original tarball is one of our sources. NAME=VERSION asks for that
# version only: Linux's tarball is 137 MB, and trying every listed version newest first would
# download several before reaching the pinned one.
SRC_PKGS="musl zlib lz4 xz-utils bzip2 libzstd m4 sed gzip busybox linux=6.1.4-1"

# Every pinned sha256 in the tree, and the apt: sources with theirs.
pinned=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$work" "$pinned"' EXIT INT TERM
grep -rhoE 'sha:[0-9a-f]{64}' "$pkgs" | sed 's/^sha://' | sort -u > "$pinned"

store() { # file -> cache if its sha256 is pinned; prints nothing when already there
    sum=$(sha256sum "$1" | cut -d' ' -f1)
    if grep -qx "$sum" "$pinned"; then
        if [ ! -f "$cache/sha256/$sum" ]; then
            cp "$1" "$cache/sha256/$sum.tmp.$$"
            mv "$cache/sha256/$sum.tmp.$$" "$cache/sha256/$sum"
        fi
        return 0
    fi
    return 1
}

missing() { # sha -> true when not cached
    [ ! -f "$cache/sha256/$1" ]
}

# 1. apt: sources (toolchain .debs), "apt:NAME=VERSION/ARCH sha:HEX" on one line in the recipes:
#    each names its exact version. Every missing one in a single apt-get call; when the archive
#    no longer has some version (ordinary mirrors drop superseded ones), each is tried alone and
#    then from Debian's snapshot archive, which keeps every version ($IX_DEBIAN_SNAPSHOT: bases,
#    space-separated, default https://snapshot.debian.org; "none" for none; file:// for a
#    snapshot-shaped tree on disk; see snapshot-get.mjs). Each file is checked against its pin.
grep -rhoE 'apt:[^ ]+ +sha:[0-9a-f]{64}' "$pkgs" | sort -u > "$work/apt.list" || true
specs=""
while read -r url sum; do
    missing "${sum#sha:}" || continue
    spec=${url#apt:}
    name=${spec%%=*}; rest=${spec#*=}
    specs="$specs ${name}:${rest##*/}=${rest%/*}"
done < "$work/apt.list"
if [ -n "$specs" ]; then
    mkdir -p "$work/deb" && cd "$work/deb"
    # shellcheck disable=SC2086 # one word per package
    if ! apt-get download -q=2 $specs >/dev/null 2>&1; then
        apt-get update -q=2 >/dev/null 2>&1 || true
        apt-get download -q=2 $specs >/dev/null 2>&1 || true
    fi
    for f in ./*.deb; do
        [ -f "$f" ] || continue
        store "$f" || die "$f has sha256 $(sha256sum "$f" | cut -d' ' -f1), which no recipe pins"
    done
    cd "$here"
fi
snapshots=${IX_DEBIAN_SNAPSHOT-https://snapshot.debian.org}
while read -r url sum; do
    sum=${sum#sha:}
    missing "$sum" || continue
    spec=${url#apt:}
    name=${spec%%=*}; rest=${spec#*=}; version=${rest%/*}; arch=${rest##*/}
    d="$work/one/$sum"; mkdir -p "$d"
    tried=""
    if (cd "$d" && apt-get download -q=2 "$name:$arch=$version" </dev/null >"$d/apt.err" 2>&1); then
        f=$(ls "$d"/*.deb 2>/dev/null | head -n1)
        got=$(sha256sum "$f" | cut -d' ' -f1)
        if [ "$got" = "$sum" ]; then store "$f"; continue; fi
        tried="apt-get download $name:$arch=$version (sha256 $got)"
    else
        tried="apt-get download $name:$arch=$version ($(grep '^E:' "$d/apt.err" | tail -n1 | sed 's/^E: //'))"
    fi
    for base in $snapshots; do
        if [ "$base" = none ]; then break; fi
        if node "$here/snapshot-get.mjs" deb "$base" "$name" "$version" "$arch" "$d/snap.deb" </dev/null >"$d/snap.url" 2>"$d/snap.err"; then
            got=$(sha256sum "$d/snap.deb" | cut -d' ' -f1)
            if [ "$got" = "$sum" ]; then
                store "$d/snap.deb"
                echo "fill-source-cache: $name=$version from $(cat "$d/snap.url")"
                break
            fi
            tried="$tried; $(cat "$d/snap.url") (sha256 $got)"
        else
            tried="$tried; snapshot $(head -n1 "$d/snap.err")"
        fi
    done
    if missing "$sum"; then die "$name=$version ($arch): no place has the .deb with sha256 $sum (tried: $tried)"; fi
done < "$work/apt.list"

# 2. source tarballs from Debian's original tarballs.
all_cached=1
for s in $(cat "$pinned"); do
    grep -q "sha:$s" "$work/apt.list" && continue
    missing "$s" && all_cached=0
done
if [ "$all_cached" = 0 ]; then
    if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ 2>/dev/null &&
       ! grep -qs '^deb-src' /etc/apt/sources.list 2>/dev/null; then
        [ -f /etc/apt/sources.list.d/debian.sources ] || die "no deb-src entry and no debian.sources to copy one from"
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/ix-deb-src.sources ||
            die "cannot add a deb-src entry (run as root)"
        apt-get update -q=2 >/dev/null 2>&1 || die "apt-get update failed"
    fi
    # A source is found by the sha256 it must have, never by "the newest": every version the
    # archive lists for the source package (main and security suites alike; Debian revisions
    # share one original tarball) is tried, newest first, until one downloads whose original
    # tarball is pinned. A listed version whose files are not served (a 404) is asked of the
    # snapshot archive, then skipped.
    apt-cache showsrc zlib >/dev/null 2>&1 || apt-get update -q=2 >/dev/null 2>&1 || true
    still_missing() { # pinned source sums (not .debs) not yet cached
        for s in $(cat "$pinned"); do
            grep -q "sha:$s" "$work/apt.list" || ! missing "$s" || printf '%s ' "$s"
        done
    }
    for p in $SRC_PKGS; do
        [ -n "$(still_missing)" ] || break
        case "$p" in
            *=*) versions=${p#*=}; p=${p%%=*} ;;
            *) versions=$(apt-cache showsrc "$p" 2>/dev/null | sed -n 's/^Version: //p' | awk '!seen[$0]++') ;;
        esac
        [ -n "$versions" ] || die "source package $p: apt-cache showsrc lists no version (is a deb-src entry present?)"
        found=""; tried=""
        for v in $versions; do
            tried="$tried $v"
            d="$work/src/$p/$v"; mkdir -p "$d"
            if ! (cd "$d" && apt-get source --download-only -q=2 "$p=$v" </dev/null >/dev/null 2>&1); then
                # Not served (any more): the snapshot archive keeps every version's files.
                from=""
                for base in $snapshots; do
                    if [ "$base" = none ]; then break; fi
                    if node "$here/snapshot-get.mjs" orig "$base" "$p" "$v" "$d" </dev/null >"$d/snap.url" 2>"$d/snap.err"; then from=$base; break; fi
                    tried="$tried (snapshot: $(head -n1 "$d/snap.err"))"
                done
                [ -n "$from" ] || continue
                tried="$tried (from $from)"
            fi
            for f in "$d"/*.orig.tar.*; do
                case "$f" in *.asc|*'*'*) continue ;; esac
                store "$f" && found=$v
            done
            [ -n "$found" ] && break
        done
        if [ -z "$found" ]; then
            sums=$(for f in "$work"/src/"$p"/*/*.orig.tar.*; do [ -f "$f" ] && sha256sum "$f" | cut -d' ' -f1; done | sort -u | tr '\n' ' ')
            die "source package $p: no version's original tarball has a pinned sha256 (tried:$tried; got: ${sums:-nothing downloaded}); still needed: $(still_missing)"
        fi
        echo "fill-source-cache: $p=$found"
    done
fi

# 3. everything pinned must now be cached (files beside recipes are not sources).
bad=0
for s in $(cat "$pinned"); do
    if missing "$s"; then
        echo "fill-source-cache: not found in Debian's archive: sha256 $s ($(grep -rl "sha:$s" "$pkgs" | head -n1))" >&2
        bad=1
    fi
done
[ "$bad" = 0 ] || exit 1
