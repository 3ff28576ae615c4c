{% extends '//die/std.sh' %}
{% include 'inc.sh' %}
