{% extends '//die/base.json' %}
{# second level: turns list blocks into JSON, the script into a string #}
{% set tools %}
{% block bld_tool %}
{% endblock %}
{% endset %}

{% block bld_fetch %}
{{ ix.urls_to_json(self.fetch()) }}
{% endblock %}

{% block bld_deps_json %}
{{ ix.list_to_json(tools) }}
{% endblock %}

{% block bld_target_libs_json %}
{{ self.bld_libs() | list_to_json }}
{% endblock %}

{% block lib_deps_json %}
{{ ix.list_to_json(self.lib_deps()) }}
{% endblock %}

{% block bld_script %}
{"kind": "sh", "args": ["sh", "-s"], "data": {{ ix.string_to_json(self.script()) }}}
{% endblock %}

{% block fetch %}
{% endblock %}

{% block bld_libs %}
{% endblock %}

{% block lib_deps %}
{% endblock %}

{% block script %}
set -eu
{% block step_unpack %}
{% endblock %}
{% block step_build %}
{% endblock %}
{% block step_install %}
{% endblock %}
{% endblock %}
