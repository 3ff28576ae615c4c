{# C packages built by a plain Makefile: `make`, `make <test_target>` (native builds only),
   `make install` with PREFIX and DESTDIR-free paths. Recipe blocks: make_flags (words passed
   to every make call), test_target (empty: no test). #}
{% extends 'base.sh' %}
{% block build %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }}
{% endblock %}
{% block test %}
{% if native and self.test_target().strip() %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }} {{ self.test_target().strip() }}
{% endif %}
{% endblock %}
{% block install %}
make {{ self.make_flags() | parse_list | join(' ') }} PREFIX="$out" prefix="$out" install
{% endblock %}
