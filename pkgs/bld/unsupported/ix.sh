{# The "no toolchain" marker. Toolchain slots of targets this tree cannot build for (see
   bld/cc/freebsd/x86_64) list it in their run_deps, so it lands among the build tools of every
   package of such a target. The executor (hosts/node/exec/preflight.ts) refuses any
   plan that holds a node named bld/unsupported before it fetches or runs anything; the script
   below only fails loudly in case something runs it anyway. #}
{% extends '//die/sh.sh' %}
{% block build %}
echo "ix: this plan needs a toolchain that does not exist in this recipe tree (bld/unsupported)" >&2
exit 1
{% endblock %}
{% block finish %}{% endblock %}
