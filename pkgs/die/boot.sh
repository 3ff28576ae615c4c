{# Bootstrap packages (bld/boot/* besides the busybox seed): unpack pinned Debian packages
   (fetched as apt: sources) and relocate them into $out with pinned tools only: the applets of
   bld/boot/busybox (sh, dpkg-deb, cp, find, sed, grep, sort, readlink...) and bld/boot/patchelf.
   These are ordinary nodes: the sandbox shows them no host directory, and their ids name every
   tool they run. The output must not refer to the host: boot/relocate.sh rewrites interpreters,
   rpaths, symlinks and script interpreters. #}
{% extends 'base.json' %}
{% block bld_tool %}
bld/boot/busybox
bld/boot/patchelf
{% endblock %}
{% block script %}
export SOURCE_DATE_EPOCH=1 LC_ALL=C TZ=UTC0
{% block patchelf %}{% endblock %}
{% include 'boot/relocate.sh' %}
{% block relocated %}{% endblock %}
{% endblock %}
