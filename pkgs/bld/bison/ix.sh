{# GNU bison 3.8.2 for the build host (Linux's Kconfig parser), with the m4 it runs, from pinned
   Debian bookworm amd64 packages relocated like bld/boot/tools. Its env file points bison at its
   skeletons and that m4 (Debian's bison names /usr/share/bison and /usr/bin/m4). Debian's source
   is a repack (+dfsg); the binary package is what we pin. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
apt:bison=2:3.8.2+dfsg-1+b1/amd64 sha:a414afd7519c53bfa33415ba5b951bc8b4906877004c49723ffda50a6033c3e8
apt:m4=1.4.19-3/amd64 sha:b2dd7bfca426712416e651bb5ff6dabe7d05e4caebbac61d714dbe261b31e4c3
apt:libc6=2.36-9+deb12u14/amd64 sha:ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
{% endblock %}
{% block relocated %}
rm -f "$out/bin/yacc" "$out/bin/bison.yacc"
printf 'export BISON_PKGDATADIR=%s/share/bison M4=%s/bin/m4\n' "$out" "$out" > "$out/env"
{% endblock %}
