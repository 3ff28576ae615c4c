{# The zstd program 1.5.4, static, with gzip (zlib), xz/lzma (liblzma) and lz4 (liblz4)
   formats; runs upstream's short test suite (`make check`). #}
{% extends '//lib/zstd/ix.sh' %}
{% block lib_deps %}
lib/z
lib/lz4
lib/lzma
{% endblock %}
{% block make_flags %}
HAVE_ZLIB=1
HAVE_LZMA=1
HAVE_LZ4=1
HAVE_THREAD=1
{% endblock %}
{% block patch %}
# tests/Makefile prints `file $(ZSTD)` for information; builds have no file(1)
sed -i '/^[[:space:]]*file \$(ZSTD)$/d' tests/Makefile
{% endblock %}
{% block build %}
make -j "$make_thrs" -C programs zstd {{ self.make_flags() | parse_list | join(' ') }}
{% endblock %}
{% block test %}
{% if native %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }} check
{% endif %}
{% endblock %}
{% block install %}
make -C programs PREFIX="$out" {{ self.make_flags() | parse_list | join(' ') }} install
{% endblock %}
