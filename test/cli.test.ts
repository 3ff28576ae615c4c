// End-to-end tests of the ./ix launcher: plan, build --dry-run, graph, why-depends, render,
// --version, errors and exit codes, recipe-root layering, flags, and cache independence.
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Plan, PlanWire } from '../engine/api';
import { expandPlan } from '../engine/plan/expand';
import { ensureCoreBuilt, ix, outDir, recipe, repoRoot, tempDir, world, writeTree } from './support/cli';

let root: string;
beforeAll(() => {
  ensureCoreBuilt();
  root = writeTree(world);
});

const plan = (...args: string[]) => {
  const r = ix(['plan', ...args, '--json', '--recipes', root]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as PlanWire;
};
/** The plan as `ix plan --expand` prints it: closures and scripts inlined. */
const expanded = (...args: string[]) => {
  const r = ix(['plan', ...args, '--expand', '--recipes', root]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Plan;
};

const noStack = (err: string) => {
  expect(err).not.toMatch(/\n\s+at /);
  expect(err.trim().split('\n')).toHaveLength(1);
};

describe('ix plan', () => {
  test('prints the store path of each requested package, in request order', () => {
    const r = ix(['plan', 'bin/lone', 'bin/app', '--recipes', root]);
    expect(r.code).toBe(0);
    const p = plan('bin/lone', 'bin/app');
    expect(r.out).toBe(`${p.roots[0].out}\n${p.roots[1].out}\n`);
    expect(p.roots[1].out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-app$/);
  });

  test('--json is the canonical JSON of the plan plus a newline', () => {
    const r = ix(['plan', 'bin/app', '--json', '--recipes', root]);
    expect(r.code).toBe(0);
    expect(r.out.endsWith('\n')).toBe(true);
    const body = r.out.slice(0, -1);
    expect(canonicalize(JSON.parse(body))).toBe(body);
    const p = JSON.parse(body) as PlanWire;
    expect(p.format).toBe('ix-plan/4');
    expect(p.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['bin/app', 'lib/z', 'lib/zz', 'bld/tool']));
    const app = p.nodes.find((n) => n.name === 'bin/app')!;
    expect(p.scripts[app.cmd!.script]).toMatch(/^echo /);
  });

  test('--expand prints the plan with closures and scripts inlined, as engine/plan/expand makes it', () => {
    const r = ix(['plan', 'bin/app', '--expand', '--recipes', root]);
    expect(r.code).toBe(0);
    const body = r.out.slice(0, -1);
    expect(canonicalize(JSON.parse(body))).toBe(body);
    const e = JSON.parse(body) as Plan;
    expect(e.format).toBe('ix-plan/4-expanded');
    expect(body).toBe(canonicalize(expandPlan(plan('bin/app'))));
    const app = e.nodes.find((n) => n.name === 'bin/app')!;
    const out = (name: string) => e.nodes.find((n) => n.name === name)!.out;
    // lib/z links lib/zz: bin/app reads both, though it names lib/z alone
    expect(app.inputs).toEqual(expect.arrayContaining([out('lib/z'), out('lib/zz'), out('bld/tool')]));
    expect((app as unknown as PlanWire['nodes'][number]).libs).not.toContain(out('lib/zz'));
    expect(app.cmd!.stdin).toMatch(/^echo /);
  });

  test('--keep-going: each package plans or fails alone; one line per failure with file, line and chain; exit 2', () => {
    const dir = writeTree({
      'bin/broken/ix.sh': recipe({ script: 'echo broken', deps: ['bld/missing'] }),
      'bin/bad/ix.sh': recipe({ script: 'echo bad', lib: ['lib/bad'] }),
      'lib/bad/ix.sh': '{"bld": {"script": {"kind": "sh", "data": "{{ undefined_var.x }}"}}}\n',
    });
    const args = ['plan', 'bin/lone', 'bin/broken', 'bin/app', 'bin/bad', '--keep-going', '--recipes', dir, '--recipes', root];
    const r = ix(args);
    expect(r.code).toBe(2);
    const p = plan('bin/lone', 'bin/app');
    expect(r.out).toBe(`${p.roots[0].out}\n${p.roots[1].out}\n`);
    expect(r.err.split('\n')).toEqual([
      "ix: error: unknown package 'bld/missing' (package bin/broken)",
      "ix: error: lib/bad/ix.sh:1: attribute 'x' of an undefined value (package bin/bad -> lib/bad)",
      'ix: 2 of 4 packages failed to plan',
      '',
    ]);
    const j = ix([...args, '--json']);
    expect(j.code).toBe(2);
    const jp = JSON.parse(j.out) as Plan;
    expect(jp.roots.map((x) => [x.request, x.error === undefined])).toEqual([['bin/lone', true], ['bin/broken', false], ['bin/app', true], ['bin/bad', false]]);
    // without --keep-going the first failure stops the plan, as before
    const one = ix(['plan', 'bin/lone', 'bin/broken', '--recipes', dir, '--recipes', root]);
    expect(one.code).toBe(2);
    expect(one.out).toBe('');
  });

  test('a hub prints the store paths of its members', () => {
    const r = ix(['plan', 'set/all', '--recipes', root]);
    expect(r.code).toBe(0);
    const members = plan('set/all').roots[0].members ?? [];
    expect(members.length).toBe(2);
    expect(r.out).toBe(members.map((m) => m + '\n').join(''));
  });

  test('build --dry-run shows the same view as plan', () => {
    const dry = ix(['build', '--dry-run', 'bin/app', '--recipes', root]);
    expect(dry.code).toBe(0);
    expect(dry.out).toBe(ix(['plan', 'bin/app', '--recipes', root]).out);
  });

  test('a flag changes the package id; global or attached flags mean the same for one package; --k=- removes', () => {
    const base = plan('bin/app').roots[0].out;
    const after = plan('bin/app', '--opt=3').roots[0].out;
    expect(after).not.toBe(base);
    expect(plan('--opt=3', 'bin/app').roots[0].out).toBe(after);
    expect(plan('--opt=3', 'bin/app', '--opt=-').roots[0].out).toBe(base);
    expect(plan('bin/app', '--opt').roots[0].out).toBe(plan('bin/app', '--opt=1').roots[0].out);
  });

  test('a flag attaches to the last package named', () => {
    const p = plan('bin/lone', 'bin/app', '--opt=3');
    expect(p.roots[0].out).toBe(plan('bin/lone').roots[0].out);
    expect(p.roots[1].out).toBe(plan('bin/app', '--opt=3').roots[0].out);
  });

  test('--target changes the plan and is recorded in it', () => {
    const p = plan('bin/app', '--target=linux-aarch64');
    expect(p.target).toBe('linux-aarch64');
    expect(p.roots[0].out).not.toBe(plan('bin/app').roots[0].out);
  });

  test('--recipes roots layer: the first root that has a package wins; others still resolve', () => {
    const top = writeTree({ 'bin/lone/ix.sh': recipe({ script: 'echo other lone' }) });
    const layered = ix(['plan', 'bin/lone', 'bin/app', '--json', '--recipes', top, '--recipes', root]);
    expect(layered.code).toBe(0);
    const p = JSON.parse(layered.out) as Plan;
    expect(p.roots[0].out).not.toBe(plan('bin/lone').roots[0].out);
    expect(p.roots[1].out).toBe(plan('bin/app').roots[0].out);
    const swapped = JSON.parse(ix(['plan', 'bin/lone', '--json', `--recipes=${root}`, '--recipes', top]).out) as Plan;
    expect(swapped.roots[0].out).toBe(plan('bin/lone').roots[0].out);
  });

  test('relative --recipes resolve against the working directory, and cwd does not reach the plan', () => {
    const a = ix(['plan', 'bin/app', '--json', '--recipes', '.'], { cwd: root });
    expect(a.code).toBe(0);
    expect(a.out).toBe(ix(['plan', 'bin/app', '--json', '--recipes', root], { cwd: tempDir() }).out);
  });

  test('the cache directory never changes plan bytes, cold or warm; the cache uses a versioned layout', () => {
    const c1 = tempDir('ix-c1-');
    const c2 = tempDir('ix-c2-');
    const run = (dir: string) => ix(['plan', 'set/all', '--json', '--recipes', root], { env: { IX_CACHE_DIR: dir } }).out;
    const cold = run(c1);
    expect(run(c1)).toBe(cold);
    expect(run(c2)).toBe(cold);
    const xdg = tempDir('ix-xdg-');
    expect(ix(['plan', 'set/all', '--json', '--recipes', root], { env: { IX_CACHE_DIR: '', XDG_CACHE_HOME: xdg } }).out).toBe(cold);
    expect(readdirSync(c1)).toEqual(['v4']);
    expect(readdirSync(join(xdg, 'ix'))).toEqual(['v4']);
  });
});

describe('ix graph', () => {
  test('--format=json lists every plan node and the edges to its inputs', () => {
    const r = ix(['graph', 'bin/app', '--format=json', '--recipes', root]);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out) as { format: string; nodes: { name: string; out: string }[]; edges: [string, string][] };
    const p = expanded('bin/app');
    expect(g.format).toBe('ix-graph/1');
    expect(g.nodes.map((n) => n.out)).toEqual(p.nodes.map((n) => n.out));
    const expected = p.nodes.flatMap((n) => n.inputs.filter((i) => p.nodes.some((m) => m.out === i)).map((i) => [n.out, i]));
    expect(g.edges).toEqual(expected);
    const out = (name: string) => p.nodes.find((n) => n.name === name)?.out;
    expect(g.edges).toContainEqual([out('lib/z'), out('lib/zz')]);
    expect(canonicalize(g)).toBe(r.out.trimEnd());
  });

  test('--format=dot (the default) has one labelled vertex per node and one edge per dependency', () => {
    const r = ix(['graph', 'bin/app', '--recipes', root]);
    expect(r.code).toBe(0);
    const p = plan('bin/app');
    expect(r.out.startsWith('digraph ix {')).toBe(true);
    for (const n of p.nodes) expect(r.out).toContain(`"${n.out}" [label="${n.name}"`);
    const z = p.nodes.find((n) => n.name === 'lib/z');
    const zz = p.nodes.find((n) => n.name === 'lib/zz');
    expect(r.out).toContain(`"${z?.out}" -> "${zz?.out}";`);
    expect(ix(['graph', 'bin/app', '--format=svg', '--recipes', root]).code).toBe(2);
  });
});

describe('ix why-depends', () => {
  test('prints the shortest chain of store paths with package names', () => {
    const r = ix(['why-depends', 'bin/app', 'lib/zz', '--recipes', root]);
    expect(r.code).toBe(0);
    const p = plan('bin/app');
    const names = r.out.trimEnd().split('\n').map((l) => l.split(' ').pop());
    expect(names[0]).toBe('bin/app');
    expect(names[names.length - 1]).toBe('lib/zz');
    for (const line of r.out.trimEnd().split('\n')) {
      const [, path, name] = /(\/ix\/store\/\S+) (\S+)$/.exec(line) ?? [];
      expect(p.nodes.find((n) => n.out === path)?.name).toBe(name);
    }
  });

  test('--json gives the path; no dependency is exit 1, not an error', () => {
    const j = ix(['why-depends', 'bin/app', 'lib/z', '--json', '--recipes', root]);
    expect(j.code).toBe(0);
    expect((JSON.parse(j.out) as { path: { name: string }[] }).path.map((n) => n.name)).toEqual(['bin/app', 'lib/z']);
    const none = ix(['why-depends', 'bin/lone', 'lib/zz', '--recipes', root]);
    expect(none.code).toBe(1);
    expect(none.err).toBe('ix: bin/lone does not depend on lib/zz\n');
    expect(ix(['why-depends', 'bin/app', '--recipes', root]).code).toBe(2);
  });
});

describe('ix render', () => {
  test('prints exactly the bytes the template chain produced', () => {
    // Odd spacing, a tab, trailing blanks: all kept. Like Jinja2, one final newline is dropped.
    const tail = '\t"run": {"deps": [], "data": []}, "lib": {"deps": []}, "ind": {"deps": []}, "fix": {"deps": []}, "net": false, "task_pool": "slot"}  ';
    const head = (data: string) => `{"bld": {"fetch": [],  "script": {"kind": "sh", "data": "${data}"}, "deps": [], "host_libs": [], "target_libs": [], "data": []},\n`;
    const dir = writeTree({ 'bin/t/ix.sh': head('x{% if opt %} opt={{ opt }}{% endif %}') + tail + '\n' });
    const plain = ix(['render', 'bin/t', '--recipes', dir]);
    expect(plain.err).toBe('');
    expect(plain.stdout.equals(Buffer.from(head('x') + tail))).toBe(true);
    const flagged = ix(['render', 'bin/t', '--opt=7', '--recipes', dir]);
    expect(flagged.out).toBe(head('x opt=7') + tail);
  });

  test('keeps IX\'s md5 key; --normalised shows the descriptor the planner reads', () => {
    const sum = 'ab'.repeat(32);
    const src = `{"bld": {"fetch": {{ 'https://h/a.tgz sha:${sum}' | parse_urls | jd }}, "script": {"kind": "sh", "data": "x"}}}\n`;
    const dir = writeTree({ 'bin/t/ix.sh': src });
    const raw = ix(['render', 'bin/t', '--recipes', dir]);
    expect(raw.out).toBe(`{"bld": {"fetch": [{"url": "https://h/a.tgz", "md5": "${sum}"}], "script": {"kind": "sh", "data": "x"}}}`);
    for (const args of [['render', 'bin/t', '--normalised'], ['render', '--normalised', 'bin/t']]) {
      const n = ix([...args, '--recipes', dir]);
      expect(n.err).toBe('');
      const d = JSON.parse(n.out) as { bld: { fetch: unknown[]; deps: unknown[] }; task_pool: string };
      expect(d.bld.fetch).toEqual([{ url: 'https://h/a.tgz', sha256: sum }]);
      expect(d.bld.deps).toEqual([]);
      expect(d.task_pool).toBe('cpu');
    }
  });

  test('--boot=FILE gives the build host as IX bootstrap recipes see it; never detected', () => {
    const dir = writeTree({ 'bld/boot/t/ix.sh': '{"bld": {"script": {"kind": "sh", "data": "cc={{ ix_boot_tool(\'gcc\') }} path={{ ix_boot_path }}"}}}\n' });
    const file = join(tempDir('ix-boot-'), 'boot.json');
    writeFileSync(file, JSON.stringify({ path: '/opt/b/bin', tools: { gcc: '/opt/b/bin/gcc' } }));
    const plain = JSON.parse(ix(['render', 'bld/boot/t', '--recipes', dir]).out);
    expect(plain.bld.script.data).toBe('cc=/usr/bin/gcc path=/ix/realm/boot/bin:/bin:/usr/bin:/usr/local/bin');
    const r = ix(['render', 'bld/boot/t', `--boot=${file}`, '--recipes', dir]);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).bld.script.data).toBe('cc=/opt/b/bin/gcc path=/opt/b/bin');
    const p1 = ix(['plan', 'bld/boot/t', '--recipes', dir]);
    const p2 = ix(['plan', 'bld/boot/t', '--boot', file, '--recipes', dir]);
    expect(p2.code).toBe(0);
    expect(p2.out).not.toBe(p1.out);
    const bad = ix(['plan', 'bld/boot/t', '--boot=/nonexistent/boot.json', '--recipes', dir]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('ix: error: --boot=/nonexistent/boot.json: cannot read it (ENOENT)\n');
    writeFileSync(file, '{"tools": 1}');
    const wrong = ix(['plan', 'bld/boot/t', `--boot=${file}`, '--recipes', dir]);
    expect(wrong.code).toBe(2);
    noStack(wrong.err);
    expect(wrong.err).toContain('request field boot: tools must map names to paths');
    writeFileSync(file, '{"path": ');
    const notJson = ix(['plan', 'bld/boot/t', `--boot=${file}`, '--recipes', dir]);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toBe(`ix: error: --boot=${file}: not JSON (expected an object such as {"path": "/usr/bin:/bin", "tools": {"gcc": "/usr/bin/gcc"}})\n`);
  });

  test('renders for the requested target', () => {
    const r = ix(['render', 'lib/z', '--target=linux-aarch64', '--recipes', root]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).bld.script.data).toBe('echo z aarch64');
  });
});

describe('ix --version and help', () => {
  test('--version prints the ix version and the BLAKE3 of the built component', async () => {
    const r = ix(['--version']);
    expect(r.code).toBe(0);
    const { blake3 } = await import('hash-wasm');
    const hash = await blake3(readFileSync(join(outDir, 'core.wasm')));
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(r.out).toMatch(new RegExp(`^ix ${version.replace(/\./g, '\\.')}\ncore (as|quickjs|starlingmonkey) blake3:${hash} `));
    expect(createHash('sha256').update(r.out).digest('hex')).toBe(createHash('sha256').update(ix(['--version']).out).digest('hex'));
  });

  test('help lists the verbs', () => {
    const r = ix(['help']);
    expect(r.code).toBe(0);
    for (const v of ['plan', 'build', 'graph', 'why-depends', 'render']) expect(r.out).toContain(v);
  });
});

describe('errors: one line on stderr, exit 2, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown package', ['plan', 'bin/nope'], /bin\/nope/],
    ['unknown verb', ['frobnicate', 'bin/app'], /unknown verb 'frobnicate'/],
    ['unknown option', ['plan', '-x', 'bin/app'], /unknown option '-x'/],
    ['not a package', ['plan', 'zstd'], /'zstd' is not a package/],
    ['no package', ['plan'], /needs at least one package/],
    ['option not taken by verb', ['render', 'bin/app', '--json'], /does not take --json/],
    ['unknown target', ['plan', 'bin/app', '--target=plan9-mips'], /plan9-mips/],
  ];
  for (const [what, args, msg] of cases) {
    test(what, () => {
      const r = ix([...args, '--recipes', root]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^ix: error: /);
      expect(r.err).toMatch(msg);
      noStack(r.err);
    });
  }

  test('a broken template names the file and line', () => {
    const dir = writeTree({ 'bin/bad/ix.sh': 'ok\n{% if %}\n' });
    const r = ix(['plan', 'bin/bad', '--recipes', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ix: error: .*bin\/bad\/ix\.sh:2/);
    noStack(r.err);
  });

  test('an unbuilt core is a clear environment error (exit 3), not a crash', () => {
    const r = ix(['plan', 'bin/app', '--recipes', root], { env: { IX_CORE_DIR: tempDir('ix-nocore-') } });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/WASM core is not built/);
    noStack(r.err);
  });
});
