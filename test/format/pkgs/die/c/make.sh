{% extends '../std.sh' %}

{% block bld_tool %}
bld/make
bld/sh
{{ super() }}
{% endblock %}

{% block step_unpack %}
{% for u in self.fetch() | parse_urls %}
tar -xf "$src/{{ u.url | basename }}"
{% endfor %}
{% endblock %}

{% block step_build %}
make -j "$make_thrs" {{ self.make_flags().strip() }}
{% endblock %}

{% block step_install %}
make PREFIX="$out" install
{% endblock %}

{% block make_flags %}
{% endblock %}
