{% include 'ix.sh' %}
