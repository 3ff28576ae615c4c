{% extends '//die/std.sh' %}
{% block script %}
name={{ name }} basename={{ basename }} uniq_id={{ uniq_id }}
native={{ native }} tool={{ tool }} boot={{ boot }} lib={{ lib }} bin={{ bin }}
os flags: linux={{ linux }} darwin={{ darwin }} aarch64={{ aarch64 }} x86_64={{ x86_64 }}
host={{ host.name }} {{ host.gnu.three }} target={{ target.name }} {{ target.gnu.three }} {{ target.rust }} {{ target.go_arch }}
cmake={{ target.cmake_system_name }} uname={{ target.uname_s }}/{{ target.uname_m }} bits={{ target.bits }} ptr={{ target.ptrlen }}
flag={{ opt }} kind={{ kind }}
{% endblock %}
