{# A toolchain slot for a target that has no toolchain in this tree yet. Plans fine, so
   plans can be inspected; building it stops at once with a clear message. #}
{% extends 'sh.sh' %}
{% block bld_tool %}
bld/boot/tools
{% endblock %}
{% block script %}
echo "ix: {{ name | dirname }}: {{ self.why().strip() }}" >&2
exit 1
{% endblock %}
