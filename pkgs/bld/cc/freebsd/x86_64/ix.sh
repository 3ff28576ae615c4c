{# There is no FreeBSD toolchain (compiler, C library, sysroot) in this tree yet. C packages for
   freebsd-x86_64 still plan, so their plans can be inspected. Its run_deps put the marker
   bld/unsupported among the build tools of every such package, so `ix build` stops before
   anything is fetched or run; this node's own script also fails at once, with the message. #}
{% extends '//die/unsupported.sh' %}
{% block run_deps %}
bld/unsupported
{% endblock %}
{% block why %}no C toolchain for freebsd-x86_64 exists in this recipe tree (it would need a FreeBSD sysroot and libc); plan only{% endblock %}
