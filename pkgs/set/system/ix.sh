{# A hub: the default contents of the realm `system` (`ix mut system` starts from it).
   Core tools first, then the compression programs. #}
{% extends '//die/hub.json' %}
{% block run_deps %}
bin/busybox
bin/sed
bin/zstd
bin/xz
bin/lz4
bin/bzip2
bin/gzip
{% endblock %}
