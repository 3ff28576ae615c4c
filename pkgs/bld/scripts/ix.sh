{# The shared shell library every build script loads with `. ix-build.sh`. #}
{% extends '//die/sh.sh' %}
{% block self_setup %}
mkdir -p "$out/bin"
base64 -d > "$out/bin/ix-build.sh" << 'IX_EOF'
{% include 'ix-build.sh/base64' %}

IX_EOF
chmod 644 "$out/bin/ix-build.sh"
{% endblock %}
