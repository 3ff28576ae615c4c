{# There is no FreeBSD toolchain (compiler, C library, sysroot) in this tree yet. C packages for
   freebsd-x86_64 still plan, so their plans can be inspected; building this node fails at once
   with the message below, before any C package of that target is built. #}
{% extends '//die/unsupported.sh' %}
{% block why %}no C toolchain for freebsd-x86_64 exists in this recipe tree (it would need a FreeBSD sysroot and libc); plan only{% endblock %}
