{# GNU bc 1.07.1 for the build host (Linux computes kernel/time/timeconst.h with it), from pinned
   Debian bookworm amd64 packages with the readline it links, relocated like bld/boot/tools. #}
{% extends '//die/boot.sh' %}
{% block fetch %}
apt:bc=1.07.1-3+b1/amd64 sha:baaa4e935c5e3bcd57d4f2f4e7a1ddc67bd4eb8629d98f97a696548849ae01ac
apt:libreadline8=8.2-1.3/amd64 sha:e02ebbd3701cf468dbf98d6d917fbe0325e881f07fe8b316150c8d2a64486e66
apt:libtinfo6=6.4-4/amd64 sha:072d908f38f51090ca28ca5afa3b46b2957dc61fe35094c0b851426859a49a51
apt:libc6=2.36-9+deb12u14/amd64 sha:ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
{% endblock %}
{% block relocated %}
rm -f "$out/bin/dc"
{% endblock %}
