{# zlib 1.2.13. Source: Debian's repacked tarball (1.2.13.dfsg: upstream minus non-free
   contrib files, re-compressed as .tar.bz2), so the sha256 pinned here is Debian's, not the
   one of the upstream file at this URL; fetch it through the source cache or a mirror. #}
{% extends '//die/c/make.sh' %}
{% block fetch %}
https://zlib.net/fossils/zlib-1.2.13.tar.gz
sha:71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
{% endblock %}
{% block configure %}
./configure --prefix="$out" --static
{% endblock %}
{% block test_target %}test{% endblock %}
