{# C packages with a GNU configure script: static only, --host for cross builds, then
   make, make <test_target> (default check; native builds only), make install.
   Recipe blocks: configure_flags, make_flags, test_target. --host is the triple our cross gcc
   is named by: <arch>-linux-musl on Linux (target.gnu.three there is IX's <arch>-unknown-linux,
   which config.sub reads as glibc), target.gnu.three elsewhere. #}
{% extends 'base.sh' %}
{% block configure %}
./configure --prefix="$out" --disable-shared --enable-static --disable-nls \
{% if not native %}
    --host={{ self.host_triple().strip() }} \
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
{% if false %}
{% block host_triple %}{% if linux %}{{ target.gnu_arch }}-linux-musl{% else %}{{ target.gnu.three }}{% endif %}{% endblock %}
{% endif %}
