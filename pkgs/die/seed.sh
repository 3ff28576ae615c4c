{# Fixed-output bootstrap seed: the one kind of node that runs the build host's own tools (its
   /bin/sh, dpkg-deb or ar and tar) and sees the host's /usr, /bin, /lib read-only. Whatever those
   tools are, they cannot change what lands under the seed's store path: the recipe pins the
   output's tree hash in `fixed` (the hash `ix store verify` checks), the store refuses any other
   output, and the node's id hashes that pin and its name only (engine/plan/node.ts). Only
   bld/boot/busybox uses it; every other bootstrap package runs pinned tools (die/boot.sh). #}
{% extends 'base.json' %}
{% block seed %}1{% endblock %}
{% block script_args %}/bin/sh -s{% endblock %}
