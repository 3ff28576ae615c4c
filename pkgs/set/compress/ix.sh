{# A hub: the compression programs of this tree. #}
{% extends '//die/hub.json' %}
{% block run_deps %}
bin/zstd
bin/xz
bin/lz4
bin/bzip2
bin/gzip
{% endblock %}
