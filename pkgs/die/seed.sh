{# Bootstrap seeds (bld/boot/* only): a node that may use the build host's /usr, /bin and /lib
   to unpack pinned Debian packages (fetched as apt: sources) and relocate them into $out.
   Runs the host's /bin/sh (a fixed path, the same on every host, so no host detail reaches
   an id). The output must not refer to the host: relocate.sh rewrites interpreters, rpaths,
   symlinks and script interpreters. #}
{% extends 'base.json' %}
{% block seed %}1{% endblock %}
{% block script_args %}/bin/sh -s{% endblock %}
{% block script %}
export SOURCE_DATE_EPOCH=1 LC_ALL=C TZ=UTC0
{% include 'boot/relocate.sh' %}
{% block relocated %}{% endblock %}
{% endblock %}
