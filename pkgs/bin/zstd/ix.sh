{# The zstd program 1.5.4, static, with gzip (zlib), xz/lzma (liblzma) and lz4 (liblz4)
   formats; runs upstream's short test suite (what `make check` runs: tests/playTests.sh) on the
   binary it installs. #}
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
{% block build %}
make -j "$make_thrs" -C programs zstd {{ self.make_flags() | parse_list | join(' ') }}
{% endblock %}
{% block test %}
{% if native %}
# `make check` (tests/Makefile: check -> shortest -> test-zstd) first recompiles programs/zstd with
# debug flags (DEBUGLEVEL=2, -g), and `make install` would then install that debug build. Run the
# same step on the release binary instead: build the test's data generator, then playTests.sh
# with an empty ZSTDRTTEST, exactly as test-zstd does, minus its informational `file` call.
make -j "$make_thrs" -C tests datagen
(cd tests && EXE_PREFIX= ZSTD_BIN=../programs/zstd DATAGEN_BIN=./datagen ./playTests.sh)
{% endif %}
{% endblock %}
{% block install %}
make -C programs PREFIX="$out" {{ self.make_flags() | parse_list | join(' ') }} install
{% endblock %}
