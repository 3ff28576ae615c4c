{# C packages with a GNU configure script: static only, --host for cross builds, then
   make, make <test_target> (default check; native builds only), make install.
   Recipe blocks: configure_flags, make_flags, test_target. #}
{% extends 'base.sh' %}
{% block configure %}
./configure --prefix="$out" --disable-shared --enable-static --disable-nls \
{% if not native %}
    --host={{ target.gnu.three }} \
{% endif %}
    {{ self.configure_flags() | parse_list | join(' ') }}
{% endblock %}
{% block build %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }}
{% endblock %}
{% block test %}
{% if native %}
make -j "$make_thrs" {{ self.make_flags() | parse_list | join(' ') }} {{ self.test_target().strip() or 'check' }}
{% endif %}
{% endblock %}
{% block install %}
make {{ self.make_flags() | parse_list | join(' ') }} install
{% endblock %}
