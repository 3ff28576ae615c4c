#!/usr/bin/env python3
# Regenerates test/format/jinja-cases.expected.json from jinja-cases.src.json with real Jinja2
# (python3-jinja2), using the loader rules of pkgs/README.md §2 (//root names, relative names,
# textual line-wise includes stripped of surrounding whitespace) and the 3-newline post-pass.
# Usage: python3 test/format/jinja_expect.py    (ix's own tests never need Python)
import json, os, posixpath, sys
import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))

def render(files):
    def resolve(name, parent):
        if name.startswith('//'):
            return posixpath.normpath(name[2:])
        return posixpath.normpath(posixpath.join(posixpath.dirname(parent), name))

    def expand(path):
        out = []
        for line in files[path].split('\n'):
            t = line.strip()
            if t.startswith('{% include'):
                target = t[t.find("'") + 1:]
                target = target[:target.find("'")]
                out.append(expand(resolve(target, path)).strip())
            else:
                out.append(line)
        return '\n'.join(out)

    class Loader(jinja2.BaseLoader):
        def get_source(self, env, name):
            return expand(name), name, lambda: True

    class Env(jinja2.Environment):
        def join_path(self, template, parent):
            return resolve(template, parent)

    env = Env(loader=Loader(), trim_blocks=True, lstrip_blocks=True)
    text = env.get_template('a/ix.sh').render({})
    while '\n\n\n' in text:
        text = text.replace('\n\n\n', '\n\n')
    return text

cases = json.load(open(os.path.join(HERE, 'jinja-cases.src.json')))
expected = {name: render(files) for name, files in cases.items()}
with open(os.path.join(HERE, 'jinja-cases.expected.json'), 'w') as f:
    json.dump({'_generated': 'by test/format/jinja_expect.py from Jinja2 ' + jinja2.__version__ + '; do not edit', **expected}, f, indent=1, sort_keys=True)
    f.write('\n')
print('wrote', len(expected), 'cases', file=sys.stderr)
