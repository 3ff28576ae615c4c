{# GNU gzip 1.12, static; runs `make check`. Its help-version test runs zmore with PAGER unset,
   i.e. `more`, which the build tools do not have: a `more` that is cat goes at the end of PATH. #}
{% extends '//die/c/configure.sh' %}
{% block fetch %}
https://ftp.gnu.org/gnu/gzip/gzip-1.12.tar.xz
sha:ce5e03e519f637e1f814011ace35c4f87b33c0bbabeec35baf5fbd3479e91956
{% endblock %}
{% block test %}
{% if native %}
mkdir -p "$tmp/ix-pager"
printf '#!%s\nexec cat "$@"\n' "$SHELL" > "$tmp/ix-pager/more"
chmod 755 "$tmp/ix-pager/more"
PATH="$PATH:$tmp/ix-pager" make -j "$make_thrs" check
{% endif %}
{% endblock %}
