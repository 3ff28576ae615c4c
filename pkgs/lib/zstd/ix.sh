{# libzstd 1.5.4 (static library, headers, pkg-config file). Source: Debian's repacked
   tarball (1.5.4+dfsg2: upstream minus files Debian cannot ship), so the sha256 pinned here is
   Debian's, not the one of the upstream file at this URL. #}
{% extends '//die/c/make.sh' %}
{% block fetch %}
https://github.com/facebook/zstd/releases/download/v1.5.4/zstd-1.5.4.tar.gz
sha:8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953
{% endblock %}
{% block build %}
make -j "$make_thrs" -C lib libzstd.a libzstd.pc
{% endblock %}
{% block install %}
make -C lib PREFIX="$out" install-static install-includes install-pc
{% endblock %}
