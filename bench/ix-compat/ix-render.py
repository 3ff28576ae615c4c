#!/usr/bin/env python3
"""Render recipes with IX's own renderer, for bench/ix-compat/run.mjs.

Usage: ix-render.py IX_CHECKOUT TARGET [TARGET...] < packages (one name a line)
Writes one JSON object a line: {"pkg", "target", "ok", "text" | "error"}.

Imports IX's modules (and the Jinja2 IX vendors) from IX_CHECKOUT at run time; nothing of IX is
part of this file. The host-dependent values IX reads from the machine (its PATH, which tools
are on it, whether a host file exists, the interpreter's path) are fixed here to the defaults
ix documents in engine/eval/boot-env.ts, so both renderers see the same request.
"""
import json
import os
import sys
import types

ix_root = os.path.abspath(sys.argv[1])
targets = sys.argv[2:]
sys.setrecursionlimit(10000)
sys.dont_write_bytecode = True
sys.path.insert(0, ix_root)
for dep in ('jinja-3.1.6/src', 'markupsafe-3.0.3/src'):
    sys.path.insert(0, os.path.join(ix_root, 'deps', dep))
os.environ['IX_EXEC_KIND'] = 'local'
os.environ.pop('IX_FLAGS', None)

import core.config as cc  # noqa: E402
import core.manager as cmgr  # noqa: E402
import core.package as cp  # noqa: E402
import core.render_ctx as cr  # noqa: E402

# The defaults of engine/eval/boot-env.ts (keep in sync).
BOOT = json.loads(os.environ.get('IX_COMPAT_BOOT', '{}'))
BOOT_PATH = BOOT.get('path', '/ix/realm/boot/bin:/bin:/usr/bin:/usr/local/bin')
BOOT_TOOLS = BOOT.get('tools', {x: '/usr/bin/' + x for x in ('gcc', 'g++', 'cpp', 'ar', 'nm', 'ranlib', 'as', 'ld')})
EXTRACT = BOOT.get('extract', '/bin/bsdtar --no-same-permissions --no-same-owner -x -f')
HOST_FILES = set(BOOT.get('files', []))
HOST = BOOT.get('host', 'linux-x86_64')

cfg_args = [os.path.join(ix_root, 'ix'), [os.path.join(ix_root, 'pkgs')], '/ix', '', '', '']
try:
    cfg = cc.Config(*cfg_args)
except TypeError:  # stal-ix/ix's Config has no git revision argument
    cfg = cc.Config(*cfg_args[:-1])
cfg.__dict__['__cache_host__'] = cc.arch(HOST)
cfg.ops.boot_path = lambda: BOOT_PATH
cfg.ops.extract = lambda: EXTRACT.split(' ')
cfg.ops.flags = lambda: {}
cr.ix_which = lambda x, path: BOOT_TOOLS.get(x)
shim = types.SimpleNamespace(environ=os.environ, path=types.SimpleNamespace(
    isfile=lambda p: p in HOST_FILES, join=os.path.join, dirname=os.path.dirname, basename=os.path.basename))
cr.os = shim
mngr = cmgr.Manager(cfg)


def render(pkg, target):
    d = cp.Descriptor.__new__(cp.Descriptor)
    d.manager = mngr
    d.selector = cp.fix_selector({'name': pkg, 'flags': {'target': target}}, cfg)
    d.pkg_name = d.calc_pkg_name()
    text, _ = cr.RenderContext(d).template(d.name)
    return text


def why(e):
    parts = []
    while e is not None:
        parts.append(f'{type(e).__name__}: {e}')
        e = getattr(e, 'exception', None) or e.__cause__
        if len(parts) > 4:
            break
    return ' <- '.join(parts)


for line in ([] if os.environ.get('IX_COMPAT_NO_MAIN') else sys.stdin):
    pkg = line.strip()
    if not pkg:
        continue
    for t in targets:
        try:
            out = {'pkg': pkg, 'target': t, 'ok': True, 'text': render(pkg, t)}
        except RecursionError:
            out = {'pkg': pkg, 'target': t, 'ok': False, 'error': 'RecursionError'}
        except Exception as e:  # every failure of IX's renderer is a result here
            out = {'pkg': pkg, 'target': t, 'ok': False, 'error': why(e)}
        sys.stdout.write(json.dumps(out) + '\n')
