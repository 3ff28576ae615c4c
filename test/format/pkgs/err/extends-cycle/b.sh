{% extends 'a.sh' %}
