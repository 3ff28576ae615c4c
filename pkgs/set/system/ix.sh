{# A hub: the default contents of the realm `system` (`ix mut system` starts from it). #}
{% extends '//die/hub.json' %}
{% block run_deps %}
bin/zstd
bin/xz
bin/lz4
bin/bzip2
bin/gzip
bin/sed
bin/m4
bin/busybox
{% endblock %}
