{# b64: a tiny base64 filter whose C source (b64.c) sits beside this recipe and reaches the
   script inlined as base64. Its test round-trips data and compares with coreutils' base64. #}
{% extends '//die/c/base.sh' %}
{% block unpack %}
base64 -d > b64.c << 'IX_EOF'
{% include 'b64.c/base64' %}

IX_EOF
{% endblock %}
{% block build %}
$CC $CFLAGS -o b64 b64.c
{% endblock %}
{% block test %}
{% if native %}
head -c 10000 /dev/urandom > data
./b64 < data > data.b64
base64 < data | cmp - data.b64
./b64 -d < data.b64 | cmp - data
{% endif %}
{% endblock %}
{% block install %}
mkdir -p "$out/bin"
cp b64 "$out/bin/b64"
{% endblock %}
