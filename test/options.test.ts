// Execution options can never change a plan: every documented option of every verb that plans,
// given before and after the package, through the real ./ix launcher; the store paths (and for
// build --dry-run --json the plan bytes) are those of plain `ix plan`.
import { beforeAll, describe, expect, test } from 'vitest';
import type { Plan } from '../engine/api';
import { OPTIONS, PENDING, VERB_OPTIONS } from '../hosts/node/options';
import { ensureCoreBuilt, ix, tempDir, world, writeTree } from './support/cli';
import { generateKeyFiles } from '../hosts/node/cache/keys';

let root: string;
/** A real secret key: --dry-run reads it as the run would. */
let secretKey = '';
let base: Plan;
let baseBytes: string;
beforeAll(async () => {
  ensureCoreBuilt();
  root = writeTree(world);
  secretKey = (await generateKeyFiles('opt-test', tempDir('ix-key-'))).secretFile;
  const r = ix(['plan', 'bin/app', '--opt=7', '--json', '--recipes', root]);
  expect(r.code).toBe(0);
  baseBytes = r.out;
  base = JSON.parse(r.out) as Plan;
});

/** `--name` or `--name=value` with a value the verb accepts. */
function written(name: string): string {
  const spec = OPTIONS[name];
  if (spec.kind === 'switch') return `--${name}`;
  // values a real run accepts too: --dry-run checks them as the run would
  const value: Record<string, string> = { jobs: '3', timeout: '50', format: 'json', substituters: 'file:///nonexistent', 'push-to': 'file:///nonexistent', 'secret-key': secretKey, builders: 'ssh://builder.invalid' };
  return `--${name}=${value[name] ?? 'x'}`;
}

const execOptions = (verb: string) => VERB_OPTIONS[verb].filter((n) => OPTIONS[n].exec && !PENDING.has(n));

describe('execution options never change a plan', () => {
  test('every verb lists only known options, and plan/build/graph/mut have execution options to test', () => {
    for (const names of Object.values(VERB_OPTIONS)) for (const n of names) expect(OPTIONS[n]).toBeDefined();
    expect(execOptions('build')).toEqual(expect.arrayContaining(['jobs', 'keep-going', 'check', 'timeout', 'dry-run', 'json']));
    expect(execOptions('plan')).toEqual(['json', 'expand', 'keep-going']);
  });

  /** stderr lines other than `ix build --dry-run`'s "present|download|build NAME PATH" per node and its summary. */
  const notDryRunLines = (err: string) => err.split('\n').filter((l) => l && !/^(present|download|build) \S+ \/ix\/store\/|^would download /.test(l));

  for (const opt of execOptions('build').filter((o) => o !== 'dry-run' && o !== 'json')) {
    test(`ix build --dry-run --json with ${written(opt)} before and after the package: the same plan bytes`, () => {
      // a push target needs the key that signs uploads, in a dry run as in the run
      const extra = opt === 'push-to' ? [written('secret-key')] : [];
      for (const args of [[written(opt), 'bin/app', '--opt=7'], ['bin/app', '--opt=7', written(opt)]]) {
        const r = ix(['build', '--dry-run', '--json', ...args, ...extra, '--recipes', root]);
        expect(notDryRunLines(r.err), args.join(' ')).toEqual([]);
        expect(r.out, args.join(' ')).toBe(baseBytes);
      }
    });
  }

  test('ix build --dry-run prints the roots of ix plan whatever execution options it gets', () => {
    const all = execOptions('build').filter((o) => o !== 'json').map(written);
    const r = ix(['build', ...all, 'bin/app', '--opt=7', ...all, '--recipes', root]);
    expect(notDryRunLines(r.err)).toEqual([]);
    expect(r.err).toContain(`build bin/app ${base.roots[0].out}`);
    expect(r.out).toBe(`${base.roots[0].out}\n`);
  });

  for (const opt of execOptions('plan')) {
    test(`ix plan ${written(opt)} before and after the package: the same plan bytes when every package plans`, () => {
      for (const args of [[written(opt), 'bin/app', '--opt=7'], ['bin/app', '--opt=7', written(opt)]]) {
        const r = ix(['plan', '--json', ...args, '--recipes', root]);
        expect(r.err, args.join(' ')).toBe('');
        if (opt !== 'expand') expect(r.out, args.join(' ')).toBe(baseBytes);
        else {
          // the expanded form of the same plan: the same roots and nodes, closures inlined
          const e = JSON.parse(r.out) as Plan;
          expect(e.roots).toEqual(base.roots);
          expect(e.nodes.map((n) => n.out)).toEqual(base.nodes.map((n) => n.out));
        }
      }
    });
  }

  for (const opt of execOptions('graph')) {
    test(`ix graph ${written(opt)}: the nodes of the plan`, () => {
      const r = ix(['graph', written(opt), 'bin/app', '--opt=7', '--recipes', root]);
      expect(r.code).toBe(0);
      for (const n of base.nodes) expect(r.out).toContain(n.out);
    });
  }

  for (const opt of execOptions('why-depends')) {
    test(`ix why-depends ${written(opt)}: the paths of the plan`, () => {
      const r = ix(['why-depends', 'bin/app', '--opt=7', 'lib/zz', written(opt), '--recipes', root]);
      expect(r.code).toBe(0);
      const outs = (JSON.parse(r.out) as { path: { out: string }[] }).path.map((p) => p.out);
      expect(outs[0]).toBe(base.roots[0].out);
      for (const o of outs) expect(base.nodes.map((n) => n.out)).toContain(o);
    });
  }

  test('ix mut --dry-run: execution options are not package flags of the realm', () => {
    const env = { IX_ROOT: tempDir('ix-root-') };
    const all = execOptions('mut').filter((o) => o !== 'dry-run').map(written);
    const r = ix(['mut', 'demo', ...all, 'bin/app', '--opt=7', ...all, '--dry-run', '--recipes', root], { env });
    expect(r.err).toBe('');
    expect(r.out).toBe('bin/app --opt=7\n');
  });

  test('an option whose code is not in this version is an error, not silently ignored', () => {
    for (const n of VERB_OPTIONS.build.filter((o) => PENDING.has(o))) {
      const r = ix(['build', '--dry-run', 'bin/app', written(n), '--recipes', root]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`ix: error: option --${n} of 'ix build' is not available in this version of ix yet\n`);
    }
  });

  test("another verb's option is an error naming this verb's options, exit 2", () => {
    const r = ix(['plan', 'bin/app', '--check', '--recipes', root]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("ix: error: 'ix plan' does not take --check (its options: --json, --expand, --keep-going, --target=T, --host=T, --recipes=DIR, --boot=FILE)\n");
    const j = ix(['plan', '--jobs=4', 'bin/app', '--recipes', root]);
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/^ix: error: 'ix plan' does not take --jobs/);
  });
});
