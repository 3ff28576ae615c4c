/**
 * Entry of the bundled CLI (wasm/out/cli.js, which the ./ix launcher imports). It answers what
 * needs neither the WASM core nor most of the CLI from a small first chunk, and otherwise loads
 * main.ts (a separate chunk, see wasm/build.mjs) and runs it:
 *   - `ix --version`, `ix help` (exactly these forms);
 *   - `ix plan ...` whose memoised plan is still valid (plan-memo.ts; `--dry-run` goes to main.ts,
 *     which answers it from the memo's plan summary: commands/build-dry-run.ts);
 *   - a no-op `ix build ...`: memoised plan valid and every output already in the store.
 * Anything unusual (an option it does not know, a miss, any error) falls through to main.ts,
 * which does the whole job and reports errors, handed what was found here (the invocation's
 * memo: the arguments read, the directories checked, the manifest, the plan-memo lookup), so no
 * work is done twice; this file prints only answers (and the
 * executor's closing summary line of a no-op build), and only once it has them whole.
 * A no-op build takes no gc hold: it starts nothing and prints paths that were built when looked at.
 *
 * Must not depend on: the engine's code (types only), the WASM core, the executor, the sandbox,
 * the executor's modules beyond its event printer.
 */
import { statSync, writeSync } from 'node:fs';
import { Layout, parseStorePath, resolveRoot } from '../common';
import { parseArgs } from './args';
import { runHelp, runVersion } from './commands/info';
import { answerPlan, planVerbRequest } from './commands/plan';
import { memoLookup, memoSite, once, type Context, type Invocation } from './context';
// past the exec index on purpose: the index would bring the whole executor into this chunk
import { plainReporter } from './exec/events';
import { checkEnvironmentDirs } from './env-dirs';
import { readArgs } from './commands/grammar';

/** Options the fast path understands; any other (--check, --jobs, --dry-run, caches…) goes to main.ts. */
const FAST_OPTIONS: Record<string, readonly string[]> = { plan: ['json', 'keep-going', 'target', 'host', 'recipes'], build: ['target', 'host', 'recipes'] };

/** True when `out` is committed: its record exists and its directory is there, read-only (store/store.ts). */
function built(layout: Layout, out: string): boolean {
  const sp = parseStorePath(out);
  if (!sp) return false;
  const dir = statSync(layout.physical(sp), { throwIfNoEntry: false });
  // a writable committed root is left for the store's recovery to repair: not the fast path's job
  if (!dir || !dir.isDirectory() || (dir.mode & 0o222) !== 0) return false;
  return statSync(layout.record(sp.id), { throwIfNoEntry: false })?.isFile() === true;
}

/** `ix plan` / `ix build` answered from the memo, or undefined to let main.ts do it. */
async function fastPlan(verb: 'plan' | 'build', rest: string[], base: Invocation): Promise<number | undefined> {
  const t0 = performance.now();
  // read as main.ts reads them, under the same key: main.ts does not read them again
  const args = once(base, 'args', () => readArgs(verb, rest));
  if (args === 'help' || !args.packages.length) return undefined;
  const ctx: Context = { ...base, args };
  const a = ctx.args;
  if ([...a.options.keys()].some((k) => !FAST_OPTIONS[verb].includes(k))) return undefined;
  const building = verb === 'build';
  // `ix plan` without --json asks for roots only: any valid entry answers it (context.ts memoLookup)
  const hit = await memoLookup(ctx, memoSite(ctx), planVerbRequest(ctx, verb));
  if (!hit) return undefined;
  if (building) {
    const layout = new Layout(resolveRoot(ctx.env));
    if (!hit.outs.every((o) => built(layout, o))) return undefined;
    // the executor's closing line for a run where everything was already there (exec/events.ts)
    const n = hit.outs.length;
    plainReporter({ write: (s) => ctx.stderr(s) }).emit({ event: 'end', ok: true, built: 0, substituted: 0, cached: n, failed: 0, skipped: 0, ms: performance.now() - t0 });
  }
  // only --json prints the plan itself; otherwise its 22 MB (5,000 recipes) are never read
  const bytes = a.json ? hit.bytes() : new Uint8Array();
  if (!bytes) return undefined;
  // with --keep-going, the packages that failed to plan are in the memo's roots too
  return answerPlan(ctx, bytes, hit.roots);
}

/** The answer without main.ts, or undefined. Throws nothing. */
async function fast(argv: string[], base: Invocation): Promise<number | undefined> {
  try {
    const [verb, ...rest] = argv;
    if (rest.length === 0 && (verb === '--version' || verb === 'version')) return runVersion({ ...base, args: parseArgs([], 'version') });
    if (rest.length === 0 && (verb === 'help' || verb === '--help' || verb === '-h')) return runHelp({ ...base, args: parseArgs([], 'help') });
    if (verb === 'plan' || verb === 'build') {
      // the same checks as main.ts, so a bad directory is never answered from here
      once(base, 'environment-dirs', () => checkEnvironmentDirs(base.env, verb, rest));
      return await fastPlan(verb, rest, base);
    }
  } catch {
    // main.ts reports it
  }
  return undefined;
}

/** Entry used by the ./ix launcher: process in, exit code out. */
export async function run(): Promise<void> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const memo = new Map<string, unknown>();
  const code = await fast(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (d) => void out.push(typeof d === 'string' ? Buffer.from(d, 'utf8') : Buffer.from(d.buffer, d.byteOffset, d.length)),
    stderr: (s) => void err.push(s),
    memo,
  });
  if (code === undefined) {
    const main = await import('./main');
    return main.run(memo);
  }
  process.exitCode = code;
  try {
    if (err.length) writeAll(2, Buffer.from(err.join(''), 'utf8'));
    writeAll(1, Buffer.concat(out));
  } catch (e) {
    // a closed pipe (`ix plan ... | head`) ends the output quietly, like other Unix tools
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
  }
}

/**
 * Writes to a file descriptor directly: process.stdout would first load Node's stream modules
 * (~3 ms, more than the rest of `ix --version`). Retries while a non-blocking pipe is full.
 */
function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length;) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}
