{# ix-init (init.c beside this recipe): process 1 of a Stalix image, static. It mounts /proc,
   /sys and /dev, runs a command (or a shell) from the realm the image holds, prints its exit
   status on the console and restarts the machine. Not a service manager: one command, then off. #}
{% extends '//die/c/base.sh' %}
{% block build %}
base64 -d > init.c << 'IX_EOF'
{% include 'init.c/base64' %}
IX_EOF
cc $CFLAGS -Wall -Werror -o ix-init init.c
{% endblock %}
{% block install %}
mkdir -p "$out/bin"
cp ix-init "$out/bin/ix-init"
{% endblock %}
