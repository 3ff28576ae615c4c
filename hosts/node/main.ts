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
import { forceLockHelper } from './store';
import { runBuild } from './commands/build';
import { runDryRun } from './commands/build-dry-run';
import { runCopy } from './commands/copy';
import { runDiff } from './commands/diff';
import { runGc } from './commands/gc';
import { runGraph } from './commands/graph';
import { runBoot, runImage } from './commands/image';
import { HELP, runHelp, runVersion } from './commands/info';
import { runKey } from './commands/key';
import { runLet } from './commands/let';
import { runList } from './commands/list';
import { runLog } from './commands/log';
import { noArgs } from './commands/mut';
import { runMut } from './commands/mut';
import { runPlan } from './commands/plan';
import { runPurge } from './commands/purge';
import { runRender } from './commands/render';
import { runRoot } from './commands/root';
import { runRun } from './commands/run';
import { runStore } from './commands/store';
import { runWhyAlive } from './commands/why-alive';
import { runWhyDepends } from './commands/why-depends';
/** For the ./ix launcher: compile the host's BLAKE3 before it restricts V8 to Liftoff (see ./ix). */
export { loadDigest as prepareHashing } from './digest';

type Handler<V extends VerbName> = (a: VerbArgs<V>, inv: Invocation) => Promise<number> | number;

/** A handler of the package grammar: it gets its arguments in the context, as the planning helpers read them. */
const withArgs = (run: (ctx: Context) => Promise<number> | number) => (args: Context['args'], inv: Invocation) => run({ ...inv, args });

/**
 * Each verb's handler. Its options and grammar are declared in options.ts VERBS; this table must
 * name exactly those verbs (the compiler checks it).
 */
const HANDLERS: { [V in VerbName]: Handler<V> } = {
  plan: withArgs(runPlan),
  build: withArgs((ctx) => (ctx.args.dryRun ? runDryRun(ctx) : runBuild(ctx))),
  graph: withArgs(runGraph),
  'why-depends': withArgs(runWhyDepends),
  render: withArgs(runRender),
  log: withArgs(runLog),
  copy: withArgs(runCopy),
  run: runRun,
  mut: runMut,
  let: runLet,
  image: runImage,
  boot: runBoot,
  list: runList,
  diff: runDiff,
  purge: runPurge,
  gc: runGc,
  root: runRoot,
  'why-alive': runWhyAlive,
  store: runStore,
  key: runKey,
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
