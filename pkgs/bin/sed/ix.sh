{# GNU sed 4.9, static; runs `make check`, all of it. Six upstream tests run a shell from C
   (popen() for sed's `e` command, system() in two gnulib tests), i.e. /bin/sh, which a build
   sandbox does not have. So `make check` builds and runs with those calls redirected to
   die/c/shell-shim.c (which runs $SHELL, the store's sh), sed itself relinked for it
   from one recompiled object; then the sed built before is put back and installed. #}
{% extends '//die/c/configure.sh' %}
{% block fetch %}
https://ftp.gnu.org/gnu/sed/sed-4.9.tar.xz
sha:6e226b732e1cd739464ad6862bd1a1aba42d7982922da7a53519631d24975181
{% endblock %}
{% block configure_flags %}
--without-selinux --disable-acl
{% endblock %}
{% block test %}
{% if native %}
base64 -d > ix-test-shell.c << 'IX_EOF'
{% include '//die/c/shell-shim.c/base64' %}

IX_EOF
$CC $CFLAGS -c -o ix-test-shell.o ix-test-shell.c
mv sed/sed-execute.o sed/sed-execute.o.keep
mv sed/sed sed/sed.keep
make -j "$make_thrs" check CFLAGS="$CFLAGS -Dpopen=ix_test_popen -Dpclose=ix_test_pclose -Dsystem=ix_test_system" \
    LDFLAGS="${LDFLAGS-} $PWD/ix-test-shell.o"
# back to the sed that gets installed (the kept files keep their times, so make sees it built)
rm -f sed/sed sed/sed-execute.o
mv sed/sed-execute.o.keep sed/sed-execute.o
mv sed/sed.keep sed/sed
{% endif %}
{% endblock %}
