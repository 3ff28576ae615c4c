/**
 * Helpers for CLI and WASM-core tests: build the core once if needed, run the real `./ix`
 * launcher as a child process (or a command in-process with a capturing context), and write small
 * recipe trees to temporary directories.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ParsedArgs } from '../../hosts/node/args';
import type { Context } from '../../hosts/node/context';

export const repoRoot = resolve(__dirname, '..', '..');
export const outDir = join(repoRoot, 'wasm', 'out');

/** Builds wasm/out (node wasm/build.mjs) unless a built core is already there. */
export function ensureCoreBuilt(): void {
  if (existsSync(join(outDir, 'manifest.json')) && existsSync(join(outDir, 'cli.js'))) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'wasm', 'build.mjs'), '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wasm/build.mjs failed: ${r.stderr}`);
}

export interface IxRun {
  code: number;
  stdout: Buffer;
  out: string;
  err: string;
}

/** Runs ./ix with `args`; the cache goes to a fresh temp dir unless env sets IX_CACHE_DIR. */
export function ix(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): IxRun {
  const env: Record<string, string | undefined> = { ...process.env, IX_CACHE_DIR: tempDir('ix-cache-'), IX_DEBUG: '', ...opts.env };
  const r = spawnSync(process.execPath, [join(repoRoot, 'ix'), ...args], { cwd: opts.cwd ?? repoRoot, env, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

/**
 * Runs ./ix as a child without blocking this process (long real builds run beside other work);
 * `env` is its whole environment.
 */
export function ixAsync(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(repoRoot, 'ix'), ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') }));
  });
}

/** The source cache as the fill script resolves it (IX_SOURCE_CACHE, else <ix root>/cache/sources). */
export function sourceCache(): string {
  if (process.env.IX_SOURCE_CACHE) return process.env.IX_SOURCE_CACHE;
  const root = process.env.IX_ROOT
    ?? (process.getuid?.() === 0 ? '/ix' : join(process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '/', '.local', 'share'), 'ix'));
  return join(root, 'cache', 'sources');
}

/** A new empty temporary directory. */
export function tempDir(prefix = 'ix-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes { "bin/x/ix.sh": text } under a new temp dir (or `dir`) and returns the directory. */
export function writeTree(files: Record<string, string>, dir = tempDir('ix-recipes-')): string {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

/** A recipe whose template renders a complete descriptor (pkgs/README.md §4). */
export function recipe(o: { script?: string; deps?: string[]; lib?: string[]; run?: string[]; fetch?: { url: string; sha256: string }[] }): string {
  return JSON.stringify({
    bld: {
      fetch: o.fetch ?? [],
      script: o.script === undefined ? {} : { kind: 'sh', data: o.script },
      deps: o.deps ?? [],
      host_libs: [],
      target_libs: [],
      data: [],
    },
    run: { deps: o.run ?? [], data: [] },
    lib: { deps: o.lib ?? [] },
    ind: { deps: [] },
    fix: { deps: [] },
    net: false,
    task_pool: 'slot',
  }) + '\n';
}

/** A small world: a program with a tool, a library chain, a fetch, a hub; and a lone program. */
export const world: Record<string, string> = {
  'bin/app/ix.sh': recipe({
    script: 'echo app opt={{ opt }}',
    deps: ['bld/tool'],
    lib: ['lib/z'],
    fetch: [{ url: 'https://example.org/app-1.0.tar.gz', sha256: 'a'.repeat(64) }],
  }),
  'bld/tool/ix.sh': recipe({ script: 'echo tool' }),
  'lib/z/ix.sh': recipe({ script: 'echo z {{ target.arch }}', lib: ['lib/zz'] }),
  'lib/zz/ix.sh': recipe({ script: 'echo zz' }),
  'bin/lone/ix.sh': recipe({ script: 'echo lone' }),
  'set/all/ix.sh': recipe({ run: ['bin/app', 'bin/lone'] }),
};

/** A context for running a command in-process (runBuild, runLog, ...) that keeps what it prints. */
export function captureContext(args: ParsedArgs, env: Record<string, string | undefined>): Context & { out: string; err: string } {
  const c = {
    args, env, cwd: process.cwd(), out: '', err: '',
    stdout(d: string | Uint8Array) { c.out += typeof d === 'string' ? d : new TextDecoder().decode(d); },
    stderr(d: string) { c.err += d; },
  };
  return c;
}

/**
 * Prefixes of the cache entries the built core writes, and one whose forged content would reach
 * the plan (`plan`): the compiled core keeps descriptors, nodes and their scripts under its own
 * keys (`as-desc1-`, `as-node1-`, `as-script1-`; no compiled templates, no whole plans), the
 * interpreted one writes `tpl1-`, `desc1-`, `node1-` (a node with its script). The host's plan memo adds
 * `memo1-`/`memob-`.
 */
export function coreEntryKinds(): { core: string[]; plan: string } {
  const m = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { backend?: string };
  return m.backend === 'as'
    ? { core: ['as-desc1-', 'as-node1-', 'as-script1-'], plan: 'as-script1-' }
    : { core: ['tpl1-', 'desc1-', 'node1-'], plan: 'node1-' };
}
