{% extends '//die/std.sh' %}
{% block script %}
{% set lst %}
# a list block
lib/a lib/b

  lib/c
{% endset %}
parse_list={{ lst | parse_list | fjoin(',') }}
fix_list=[{{ lst | fix_list }}]
list_to_json={{ lst | list_to_json }}
ix.parse_list={{ ix.parse_list(lst) | length }} ix.fix_list={{ ix.fix_list(lst) }}
defined={{ name | defined('name') }}
b64e={{ 'ix: héllo' | b64e }} b64d={{ 'aXg6IGjDqWxsbw==' | b64d }}
field={{ '1.22.333' | field(1) }} last={{ '1.22.333' | field(-1) }}
dirname={{ 'a/b/c.tar.gz' | dirname }} basename={{ 'a/b/c.tar.gz' | basename }}
strip=[{{ '  x \n' | strip }}]
jd={{ {'k': ['v', 1, true, none], 'u': 'é'} | jd }}
jl={{ ('{"a": [1, 2]}' | jl).a[1] }}
pad={{ '12' | pad(5) }} add={{ '40' | add(2) }}
lines={{ ' l1\nl2 \n' | lines }}
parse_urls={{ ('https://h/x.tgz sha256:' ~ ('cd' | pad(64))) | parse_urls | jd }}
urls_to_json={{ ix.urls_to_json('http://h/y.zip\nsha:' ~ ('0' | pad(64))) }}
string_to_json={{ ix.string_to_json('q"uote\n') }}
builtin: {{ ['b', 'a'] | sort | join('+') }} {{ 'ab' | upper }} {{ [1, 2, 3] | length }} {{ nothing | default('dflt') }}
base64 include:
{% include 'payload.txt/base64' %}
{% endblock %}
