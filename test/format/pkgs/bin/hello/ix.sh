{% extends '//die/c/make.sh' %}
{# third level: a program. The include below brings blocks in textually. #}
  {% include 'blocks.sh' %}

{% block version %}
  2.12.1
{% endblock %}

{% block fetch %}
https://example.org/hello-{{ self.version().strip() }}.tar.gz
sha:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
{% endblock %}

{% block lib_deps %}
lib/c
{% if linux %}
lib/linux/headers
{% endif %}
{% if darwin %}
lib/darwin/framework
{% endif %}
{% endblock %}

{% block make_flags %}
{% set opts %}
VERSION={{ self.version().strip() }}
{% for f in ['nls', 'threads'] %}
{% if f == 'nls' and not with_nls %}
--disable-{{ f }}
{% else %}
--enable-{{ f }}
{% endif %}
{% endfor %}
{% endset %}
{{ opts | fix_list }}{{ no_such_variable }}
{% endblock %}

{% block step_install %}
{{ super() }}
printf '%s' '{% include 'motd.txt/base64' %}' | base64 -d > "$out/share/motd"
{% endblock %}
