{# The bzip2 program 1.0.8, static (same build as lib/bz2, keeping the programs). #}
{% extends '//lib/bz2/ix.sh' %}
{% block install %}
{{ super() }}
# upstream installs its helper scripts as copies and links with absolute paths: keep programs
rm -f "$out/bin/bzgrep" "$out/bin/bzegrep" "$out/bin/bzfgrep" "$out/bin/bzmore" "$out/bin/bzless" \
    "$out/bin/bzdiff" "$out/bin/bzcmp"
{% endblock %}
