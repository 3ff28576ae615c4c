{# The bzip2 and bzip2recover programs 1.0.8, static; runs upstream's round-trip tests
   (`make test`, the only run of them: lib/bz2, from the same source, skips it). #}
{% extends '//lib/bz2/ix.sh' %}
{% block build %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }} CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64" libbz2.a bzip2 bzip2recover
{% endblock %}
{% block test %}
{% if native %}
make {{ self.make_flags() | parse_list | join(' ') }} CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64" test
{% endif %}
{% endblock %}
{% block install %}
make {{ self.make_flags() | parse_list | join(' ') }} CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64" PREFIX="$out" install
# upstream installs its helper scripts as copies and links with absolute paths: keep programs
rm -f "$out/bin/bzgrep" "$out/bin/bzegrep" "$out/bin/bzfgrep" "$out/bin/bzmore" "$out/bin/bzless" \
    "$out/bin/bzdiff" "$out/bin/bzcmp"
{% endblock %}
