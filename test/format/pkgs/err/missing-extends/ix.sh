{% extends 'nope/base.sh' %}
