{# The C cross toolchain for linux-aarch64 on linux-x86_64: Debian gcc-12-aarch64-linux-gnu +
   binutils-aarch64-linux-gnu, musl built from source for aarch64 (lib/c), static. #}
{% extends '//die/cc.sh' %}
{% block gcc_seed %}bld/boot/gcc/aarch64{% endblock %}
{% block gnu_prefix %}aarch64-linux-gnu{% endblock %}
{% block triple %}aarch64-linux-musl{% endblock %}
