#!/usr/bin/env python3
"""Plan recipes with IX's own planner, for bench/ix-compat/plan.mjs --compare.

Usage: ix-plan.py IX_CHECKOUT TARGET < packages (one name a line)
Writes one JSON object a line: {"pkg", "ok", "error"?}. Loads each package with IX's package
manager (which renders and loads its whole closure, memoised across packages), with the same
fixed host-dependent values as ix-render.py (imported from there). Nothing of IX is part of
this file; IX's modules are imported from IX_CHECKOUT at run time.
"""
import json
import os
import sys

sys.argv = [sys.argv[0], sys.argv[1]] + sys.argv[2:3]
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
os.environ['IX_COMPAT_NO_MAIN'] = '1'
import importlib.util  # noqa: E402
spec = importlib.util.spec_from_file_location('ix_render', os.path.join(here, 'ix-render.py'))
ixr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ixr)

target = ixr.targets[0]
for line in sys.stdin:
    pkg = line.strip()
    if not pkg:
        continue
    try:
        ixr.mngr.load_package({'name': pkg, 'flags': {'target': ixr.cc.arch(target)}}, {'name': 'request'})
        out = {'pkg': pkg, 'ok': True}
    except RecursionError:
        out = {'pkg': pkg, 'ok': False, 'error': 'RecursionError'}
    except Exception as e:  # every failure of IX's planner is a result here
        out = {'pkg': pkg, 'ok': False, 'error': ixr.why(e)}
    sys.stdout.write(json.dumps(out) + '\n')
    sys.stdout.flush()
