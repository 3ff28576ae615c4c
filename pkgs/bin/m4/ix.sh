{# GNU m4 1.4.19, static; runs `make check`. #}
{% extends '//die/c/configure.sh' %}
{% block fetch %}
https://ftp.gnu.org/gnu/m4/m4-1.4.19.tar.xz
sha:63aede5c6d33b6d9b13511cd0be2cac046f2e70fd0a07aa9573a04a82783af96
{% endblock %}
