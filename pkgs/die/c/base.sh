{# C packages: the toolchain for the target (bld/cc/<os>/<arch>, which injects lib/c) as a
   build tool, and compiler flags in the environment. Cross builds (host != target) get
   --host/CROSS settings from the blocks below and skip the test step. Recipe blocks:
   c_flags (extra CFLAGS words). #}
{% extends '//die/sh.sh' %}
{% block bld_tool %}
{{ super() }}
bld/cc/{{ target.os }}/{{ target.arch }}
{% endblock %}
{% block setup %}
export CFLAGS="-O2 -ffile-prefix-map=$tmp=/ix/build {{ self.c_flags() | parse_list | join(' ') }}"
{% endblock %}
{% if false %}
{% block c_flags %}{% endblock %}
{% block make_flags %}{% endblock %}
{% block test_target %}{% endblock %}
{% block configure_flags %}{% endblock %}
{% endif %}
