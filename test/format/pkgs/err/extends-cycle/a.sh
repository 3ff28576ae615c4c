{% extends 'b.sh' %}
