#!/usr/bin/env python3
"""Write the recipes IX serves virtually under pip/ into a directory ix can layer as a recipe root.

Usage: materialize-pip.py IX_CHECKOUT OUT_DIR
IX generates pip/<name>/ix.sh (and pip/<name>/t/ix.sh) on the fly from pkgs/pip/pypi.json through
a Python plugin in the tree (pkgs/pip/mount.py). ix reads recipe files only, so this runs that
plugin of the checkout once and writes what it serves as files under OUT_DIR/pip/. Nothing of
IX is part of this file; the output stays under bench/.tmp/.
"""
import json
import os
import sys

ix_root, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
pip = os.path.join(ix_root, 'pkgs', 'pip')
sys.path.insert(0, ix_root)
import core.vfs as cv  # noqa: E402

fs = cv.load_vfs(pip)
names = json.load(open(os.path.join(pip, 'pypi.json')))
n = 0
for key in names:
    for path in (key, key.replace('/ix.sh', '/t/ix.sh')):
        dst = os.path.join(out, 'pip', path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, 'wb') as f:
            f.write(fs.serve(path))
        n += 1
print(f'materialize-pip: {n} files under {out}/pip', file=sys.stderr)
