{# flex 2.6.4 for the build host (Linux's Kconfig lexer), with the m4 it runs, from pinned Debian
   bookworm amd64 packages relocated like bld/boot/tools. Its env file points flex at that m4:
   Debian's flex names /usr/bin/m4, which builds do not have. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
apt:flex=2.6.4-8.2/amd64 sha:da3fd55dbb6aff4f7b3187580813e0ef707d0c596402e37c8fd144df60003636
apt:m4=1.4.19-3/amd64 sha:b2dd7bfca426712416e651bb5ff6dabe7d05e4caebbac61d714dbe261b31e4c3
apt:libc6=2.36-9+deb12u14/amd64 sha:ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
{% endblock %}
{% block relocated %}
rm -rf "$out/lib/x86_64-linux-gnu/"*.a "$out/include" "$out/share"
echo "export M4=$out/bin/m4" > "$out/env"
{% endblock %}
