{# The C toolchain for linux-x86_64: Debian gcc-12 + binutils, musl (lib/c), static. #}
{% extends '//die/cc.sh' %}
{% block gcc_seed %}bld/boot/gcc/x86_64{% endblock %}
{% block gnu_prefix %}x86_64-linux-gnu{% endblock %}
{% block triple %}x86_64-linux-musl{% endblock %}
