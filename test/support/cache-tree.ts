// A two-package recipe tree (bin/d depends on bin/c; the die template includes a text file) for the
// warm-plan tests: small enough to assert every host call the engine makes.
const die = '{"bld": {"script": {"kind": "sh", "data": "{% block build %}{% endblock %} {% include \'v.txt\' %}"}, "deps": [{% block deps %}{% endblock %}]}}\n';

export const tree = (): Record<string, string> => ({
  'die/base.json': die,
  'die/v.txt': 'v1',
  'bin/c/ix.sh': "{% extends '//die/base.json' %}\n{% block build %}echo c{% endblock %}\n",
  'bin/d/ix.sh': "{% extends '//die/base.json' %}\n{% block deps %}\"bin/c\"{% endblock %}\n{% block build %}echo d{% endblock %}\n",
});

export const req = { packages: ['bin/d'] };
