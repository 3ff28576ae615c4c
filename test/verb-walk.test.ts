// Every verb of `ix` (the declarations in hosts/node/options.ts VERBS) through the real launcher
// with a bad option, a bad cache URL (where the verb takes URLs) and an ix root that cannot be
// used: each mistake is one line on stderr naming what was wrong, with the exit code the error
// map gives it (2 bad input, 3 environment), no stack, no secret; a verb that never touches the
// store is not stopped by the root. A verb added to the table without a row here fails the first test.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { OPTIONS, VERBS, describeOptions } from '../hosts/node/options';
import { ensureCoreBuilt, ixAsync, tempDir } from './support/cli';

const SECRET = 'hunter2secret';
const CRED_URL = `https://u:${SECRET}@cache.invalid/`;
const CRED_LINE = (opt: string) => `ix: error: ${opt}: 'https://u:***@cache.invalid/': credentials do not belong in a cache URL (use netrc or the AWS credential chain)\n`;
const STORE_PATH = '/ix/store/00000000000000000000000000000000-bin-x';

interface Row {
  /** A command line with an option this verb (or sub-verb) does not take, and the option's name. */
  badOption: [string[], string, string];
  /** A command line with a cache URL holding a password, and the option that carries it. */
  badUrl?: [string[], string];
  /** A command line that needs the ix root (exit 3 when it cannot be used), or that must not (`needsRoot: false`). */
  root: string[];
  needsRoot: boolean;
}

const pkg = 'bin/zstd';
const keyDir = tempDir('ix-walk-keys-');
const ROWS: Record<string, Row> = {
  plan: { badOption: [['plan', pkg, '--jobs=2'], 'plan', 'jobs'], root: ['plan', pkg], needsRoot: false },
  build: { badOption: [['build', pkg, '--generations'], 'build', 'generations'], badUrl: [['build', `--substituters=${CRED_URL}`, pkg], '--substituters'], root: ['build', pkg], needsRoot: true },
  graph: { badOption: [['graph', pkg, '--jobs=2'], 'graph', 'jobs'], root: ['graph', pkg], needsRoot: false },
  'why-depends': { badOption: [['why-depends', pkg, 'lib/z', '--jobs=2'], 'why-depends', 'jobs'], root: ['why-depends', pkg, pkg], needsRoot: false },
  render: { badOption: [['render', pkg, '--jobs=2'], 'render', 'jobs'], root: ['render', pkg], needsRoot: false },
  log: { badOption: [['log', pkg, '--jobs=2'], 'log', 'jobs'], root: ['log', pkg], needsRoot: true },
  run: { badOption: [['run', '--generations', 'zstd'], 'run', 'generations'], badUrl: [['run', `--push-to=${CRED_URL}`, 'zstd'], '--push-to'], root: ['run', 'zstd'], needsRoot: true },
  mut: { badOption: [['mut', 'demo', pkg, '--generations'], 'mut', 'generations'], badUrl: [['mut', 'demo', pkg, `--substituters=${CRED_URL}`], '--substituters'], root: ['mut', 'demo', pkg], needsRoot: true },
  let: { badOption: [['let', 'demo', pkg, '--generations'], 'let', 'generations'], badUrl: [['let', 'demo', pkg, `--substituters=${CRED_URL}`], '--substituters'], root: ['let', 'demo', pkg], needsRoot: true },
  image: { badOption: [['image', 'demo', '--generations'], 'image', 'generations'], badUrl: [['image', 'demo', `--substituters=${CRED_URL}`], '--substituters'], root: ['image', 'demo'], needsRoot: true },
  boot: { badOption: [['boot', 'demo', '--generations'], 'boot', 'generations'], badUrl: [['boot', 'demo', `--push-to=${CRED_URL}`], '--push-to'], root: ['boot', 'demo'], needsRoot: true },
  list: { badOption: [['list', '--jobs=2'], 'list', 'jobs'], root: ['list'], needsRoot: true },
  diff: { badOption: [['diff', 'demo', '1', '2', '--jobs=2'], 'diff', 'jobs'], root: ['diff', 'demo', '1', '2'], needsRoot: true },
  purge: { badOption: [['purge', 'demo', '--json'], 'purge', 'json'], root: ['purge', 'demo'], needsRoot: true },
  gc: { badOption: [['gc', '--generations'], 'gc', 'generations'], root: ['gc', '--dry-run'], needsRoot: true },
  root: { badOption: [['root', 'list', '--jobs=2'], 'root list', 'jobs'], root: ['root', 'list'], needsRoot: true },
  'why-alive': { badOption: [['why-alive', STORE_PATH, '--jobs=2'], 'why-alive', 'jobs'], root: ['why-alive', STORE_PATH], needsRoot: true },
  store: { badOption: [['store', 'verify', '--jobs=2'], 'store verify', 'jobs'], root: ['store', 'verify'], needsRoot: true },
  copy: { badOption: [['copy', '--to=file:///nowhere', pkg, '--jobs=2'], 'copy', 'jobs'], badUrl: [['copy', `--from=${CRED_URL}`, STORE_PATH], '--from'], root: ['copy', '--from=file:///nowhere', STORE_PATH], needsRoot: true },
  key: { badOption: [['key', 'generate', 'k1', '--jobs=2'], 'key generate', 'jobs'], root: ['key', 'generate', 'k1', `--dir=${keyDir}`], needsRoot: false },
  lsp: { badOption: [['lsp', '--jobs=2'], 'lsp', 'jobs'], root: ['lsp'], needsRoot: false },
  help: { badOption: [['help', '--jobs=2'], 'help', 'jobs'], root: ['help'], needsRoot: false },
  version: { badOption: [['version', '--jobs=2'], 'version', 'jobs'], root: ['version'], needsRoot: false },
};

/** The verbs whose options take a cache URL. */
const takesUrls = (verb: string) => (VERBS as Record<string, { options: readonly string[] }>)[verb].options.some((o) => ['substituters', 'push-to', 'to', 'from'].includes(o));

let home = '';
const envFor = (root: string): Record<string, string | undefined> => ({
  PATH: process.env.PATH, HOME: home, IX_ROOT: root, IX_CACHE_DIR: tempDir('ix-walk-cache-'), XDG_CONFIG_HOME: join(home, 'config'), IX_DEBUG: '',
});

/** One line ending in a newline, no stack frame, no secret. */
function oneLine(err: string): void {
  expect(err.split('\n')).toHaveLength(2);
  expect(err).not.toMatch(/\n\s+at |internal error|this is a bug/);
  expect(err).not.toContain(SECRET);
}

let blocked = '';
let readOnly: string | undefined;
beforeAll(() => {
  ensureCoreBuilt();
  home = tempDir('ix-walk-home-');
  // a root below a regular file cannot be made by anyone, root included
  writeFileSync(join(home, 'afile'), '');
  blocked = join(home, 'afile', 'root');
  // a read-only directory stops everyone but root (who writes anywhere)
  if (process.getuid?.() !== 0) {
    readOnly = join(home, 'ro');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
  }
});

test('every verb of the table has a row, and a URL row exactly when it takes cache URLs', () => {
  expect(Object.keys(ROWS).sort()).toEqual(Object.keys(VERBS).sort());
  for (const [verb, row] of Object.entries(ROWS)) expect(row.badUrl !== undefined, verb).toBe(takesUrls(verb));
});

describe.concurrent('a bad option: one line naming the option and the verb\'s own, exit 2', () => {
  for (const [verb, row] of Object.entries(ROWS)) {
    test(verb, async () => {
      const [argv, shown, opt] = row.badOption;
      expect(OPTIONS[opt], opt).toBeDefined(); // an option of another verb, not a package flag
      const r = await ixAsync(argv, envFor(join(tempDir('ix-walk-root-'), 'root')));
      expect(r.err).toBe(`ix: error: 'ix ${shown}' does not take --${opt} (its options: ${describeOptions(shown)})\n`);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
    }, 10_000);
  }
});

describe.concurrent('a cache URL with a password: one line, the password hidden, exit 2', () => {
  for (const [verb, row] of Object.entries(ROWS)) {
    if (!row.badUrl) continue;
    test(verb, async () => {
      const [argv, opt] = row.badUrl!;
      const r = await ixAsync(argv, envFor(join(tempDir('ix-walk-root-'), 'root')));
      expect(r.err).toBe(CRED_LINE(opt));
      oneLine(r.err);
      expect(r.code).toBe(2);
      expect(r.out).not.toContain(SECRET);
    }, 10_000);
  }
});

describe.concurrent('an ix root that cannot be used: one line naming it, exit 3 (verbs that never use it run)', () => {
  for (const [verb, row] of Object.entries(ROWS)) {
    test(verb, async () => {
      const r = await ixAsync(row.root, envFor(blocked));
      if (!row.needsRoot) {
        expect(r.err, r.err).not.toContain(blocked);
        expect(r.code, r.err).not.toBe(3);
        return;
      }
      expect(r.err).toBe(`ix: error: IX_ROOT=${blocked}: ${join(home, 'afile')} is not a directory\n`);
      oneLine(r.err);
      expect(r.code).toBe(3);
      if (readOnly !== undefined && !['list', 'diff', 'log', 'why-alive', 'store'].includes(verb) && !row.root.includes('--dry-run')) {
        const ro = await ixAsync(row.root, envFor(join(readOnly, 'root')));
        expect(ro.err).toMatch(new RegExp(`^ix: error: the ix root ${join(readOnly, 'root')} is not writable \\(permission denied at ${readOnly}\\): set IX_ROOT to a writable directory\\n$`));
        expect(ro.code).toBe(3);
      }
    }, 10_000);
  }
});

test('a package outside a kind folder, named with its kind as the engine\'s messages suggest, is a package on the command line', async () => {
  const dir = tempDir('ix-walk-solo-');
  mkdirSync(join(dir, 'solo'));
  writeFileSync(join(dir, 'solo', 'ix.sh'), '{"bld": {"script": {"kind": "sh", "data": "echo solo"}}}\n');
  const env = envFor(join(tempDir('ix-walk-root-'), 'root'));
  const bare = await ixAsync(['render', 'solo', '--recipes', dir], env);
  expect(bare.err).toBe("ix: error: 'solo' is not a package (package names contain '/', e.g. bin/zstd, or name their kind: solo(kind=bin))\n");
  expect(bare.code).toBe(2);
  const r = await ixAsync(['render', 'solo(kind=bin)', '--recipes', dir], env);
  expect(r.err).toBe('');
  expect(r.out).toContain('echo solo');
  expect(r.code).toBe(0);
  const p = await ixAsync(['plan', 'solo(kind=bin)', '--recipes', dir], env);
  expect(p.out).toMatch(/^\/ix\/store\/[0-9a-z]{32}-bin-solo\n$/);
}, 10_000);
