/**
 * The `ix` command line: reads a verb's arguments by the grammar its declaration names
 * (options.ts VERBS, read by commands/grammar.ts) and runs the verb's handler from this file's table;
 * every failure goes through the one error path (errors.ts: one line on stderr, the exit code
 * the error carries: 2 for the user's mistakes, 3 for the environment, 70 for bugs in ix, with
 * the stack only under IX_DEBUG=1).
 * `run` builds the one invocation of a process (env, cwd, stdio and the terminal's facts); it and
 * the entry files (launch.ts, launch-fast.ts, ix.cjs) are the only readers of `process` (lint).
 * Bundled by wasm/build.mjs into wasm/out/cli.js, which the ./ix launcher imports.
 *
 * Must not depend on: the engine's code (types only); planning goes through the WASM core.
 */
import { resolve } from 'node:path';
import { UsageError } from '../common';
import { report } from './errors';
import { withBareNameHint } from './bare-name';
import { checkEnvironmentDirs } from './env-dirs';
import { readArgs, type VerbArgs, type WordArgs } from './commands/grammar';
import { isVerb, type VerbName } from './options';
import { once, type Context, type Invocation } from './context';
import { forceLockHelper } from './store/lock-helper';
import { HELP, runHelp, runVersion } from './commands/info';
import { noArgs } from './args';
/** For the ./ix launcher: compile the host's BLAKE3 before it restricts V8 to Liftoff (see ./ix). */
export { loadDigest as prepareHashing } from './digest';

type Handler<V extends VerbName> = (a: VerbArgs<V>, inv: Invocation) => Promise<number> | number;

/** A handler of the package grammar: it gets its arguments in the context, as the planning helpers read them. */
const withArgs = (run: (ctx: Context) => Promise<number> | number) => (args: Context['args'], inv: Invocation) => run({ ...inv, args });

/**
 * Each verb's handler. Its options and grammar are declared in options.ts VERBS; this table must
 * name exactly those verbs (the compiler checks it). Each verb's module is imported when the verb
 * runs, so a command loads only its own code (the bundler gives each its own chunks: a warm
 * `ix build --dry-run` or a cold `ix plan` no longer compiles the builder, the remote protocol, the
 * image writer and the cache transfer code).
 */
const HANDLERS: { [V in VerbName]: Handler<V> } = {
  plan: withArgs(async (ctx) => (await import('./commands/plan')).runPlan(ctx)),
  build: withArgs(async (ctx) => (ctx.args.dryRun ? (await import('./commands/build-dry-run')).runDryRun(ctx) : (await import('./commands/build')).runBuild(ctx))),
  graph: withArgs(async (ctx) => (await import('./commands/graph')).runGraph(ctx)),
  'why-depends': withArgs(async (ctx) => (await import('./commands/why-depends')).runWhyDepends(ctx)),
  render: withArgs(async (ctx) => (await import('./commands/render')).runRender(ctx)),
  log: withArgs(async (ctx) => (await import('./commands/log')).runLog(ctx)),
  copy: withArgs(async (ctx) => (await import('./commands/copy')).runCopy(ctx)),
  run: async (a, inv) => (await import('./commands/run')).runRun(a, inv),
  mut: async (a, inv) => (await import('./commands/mut')).runMut(a, inv),
  let: async (a, inv) => (await import('./commands/let')).runLet(a, inv),
  image: async (a, inv) => (await import('./commands/image')).runImage(a, inv),
  boot: async (a, inv) => (await import('./commands/image')).runBoot(a, inv),
  list: async (a, inv) => (await import('./commands/list')).runList(a, inv),
  diff: async (a, inv) => (await import('./commands/diff')).runDiff(a, inv),
  purge: async (a, inv) => (await import('./commands/purge')).runPurge(a, inv),
  gc: async (a, inv) => (await import('./commands/gc')).runGc(a, inv),
  root: async (a, inv) => (await import('./commands/root')).runRoot(a, inv),
  'why-alive': async (a, inv) => (await import('./commands/why-alive')).runWhyAlive(a, inv),
  store: async (a, inv) => (await import('./commands/store')).runStore(a, inv),
  key: async (a, inv) => (await import('./commands/key')).runKey(a, inv),
  lsp: runLspVerb,
  help: (_a, inv) => runHelp({ ...inv, args: noArgs('help') }),
  version: (_a, inv) => runVersion({ ...inv, args: noArgs('version') }),
};

/**
 * `ix lsp`: the language server (hosts/lsp/, bundled apart as wasm/out/lsp.js beside this CLI
 * bundle), loaded only for this verb so other commands start as fast as before.
 */
/** What hosts/lsp/main.ts's runLsp takes (that bundle is loaded at run time, not imported). */
interface LspArgs {
  recipes: string[];
  target?: string;
  watch: boolean;
}

async function runLspVerb(a: WordArgs, inv: Invocation): Promise<number> {
  if (a.words.length) throw new UsageError(`'ix lsp' takes no words (got '${a.words[0]}')`);
  const entry = './lsp.js'; // a variable: the bundler leaves it to run time
  const lsp = (await import(entry)) as { runLsp(a: LspArgs, env: Invocation['env'], stderr: (s: string) => void): Promise<number> };
  const opts: LspArgs = { recipes: (a.options.get('recipes') ?? []).map((d) => resolve(inv.cwd, d)), watch: !a.options.has('no-watch') };
  const target = a.options.get('target')?.at(-1);
  if (target !== undefined) opts.target = target;
  return lsp.runLsp(opts, inv.env, inv.stderr);
}

/** The verb a command line names (`--version`, `-h`: spellings of verbs). */
function verbOf(word: string): string {
  return word === '--version' ? 'version' : word === '--help' || word === '-h' ? 'help' : word;
}

/**
 * Runs one command; returns the exit code. `inv.memo` may hold what the fast path (launch.ts)
 * already computed for this command line: its arguments and its plan-memo lookup.
 */
export async function main(argv: string[], inv: Invocation): Promise<number> {
  const debug = inv.env.IX_DEBUG === '1';
  const ctx: Invocation = { ...inv, memo: inv.memo ?? new Map() };
  try {
    if (argv[0] === undefined) {
      ctx.stderr(HELP);
      return 2;
    }
    const [verb, rest] = [verbOf(argv[0]), argv.slice(1)];
    if (!isVerb(verb)) throw new UsageError(`unknown verb '${verb}' (try 'ix help')`);
    // before any directory is created (a recursive mkdir under /proc never returns)
    once(ctx, 'environment-dirs', () => checkEnvironmentDirs(ctx.env, verb, rest));
    const a = once(ctx, 'args', () => readArgs(verb, rest));
    if (a === 'help') return runHelp({ ...ctx, args: noArgs('help') });
    return await (HANDLERS[verb] as Handler<VerbName>)(a, ctx);
  } catch (e) {
    return report(withBareNameHint(e, ctx.cwd), ctx.stderr, debug);
  }
}

/** The invocation of this process: the one place the CLI reads `process`'s streams and state. */
export function processInvocation(): Invocation {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (d) => void process.stdout.write(d),
    stderr: (d) => void process.stderr.write(d),
    terminal: { isTTY: process.stderr.isTTY === true, columns: process.stderr.columns },
    stdio: { stdin: process.stdin, stdout: process.stdout },
    onSignal: (signal, handler) => {
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    memo: new Map(),
  };
}

/** Entry used by the ./ix launcher: process in, exit code out; `memo`: what launch.ts found. */
export async function run(memo?: Map<string, unknown>): Promise<void> {
  // The S3 SDK warns on every first use under Node 20 that *future* SDK versions will need Node
  // 22; ours is pinned in package.json, so the warning would only be noise in `ix build` output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  forceLockHelper(process.env.IX_LOCK_HELPER);
  // A closed pipe (`ix plan ... | head`) ends the output quietly, like other Unix tools.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  process.exitCode = await main(process.argv.slice(2), { ...processInvocation(), ...(memo ? { memo } : {}) });
}
