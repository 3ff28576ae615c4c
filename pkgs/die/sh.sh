{# Shell build steps on top of base.json. The script sources the shared shell library
   (bld/scripts, found on PATH) instead of carrying its text, so nodes stay small.
   Steps, in order; override the ones you need: setup, unpack, patch, configure, build,
   test, install, finish. Must not know about compilers (see c/). #}
{% extends 'base.json' %}
{% block bld_tool %}
bld/boot/tools
{% if name != 'bld/scripts/ix.sh' %}
bld/scripts
{% endif %}
{% endblock %}
{% block script %}
set -eu
export SOURCE_DATE_EPOCH=1 LC_ALL=C TZ=UTC0 HOME="$tmp/home"
{% if name == 'bld/scripts/ix.sh' %}
{% block self_setup %}{% endblock %}
{% else %}
. ix-build.sh
ix_setup
{% endif %}
{% block setup %}{% endblock %}
{% block unpack %}
{% if self.fetch().strip() %}
ix_unpack
{% endif %}
{% endblock %}
{% block patch %}{% endblock %}
{% block configure %}{% endblock %}
{% block build %}{% endblock %}
{% if not notest %}
{% block test %}{% endblock %}
{% endif %}
{% block install %}{% endblock %}
{% block finish %}
{% if name != 'bld/scripts/ix.sh' %}
ix_finish {{ kind }}
{% endif %}
{% endblock %}
{% endblock %}
