/**
 * The `ix` command line: dispatches a verb, and turns every failure into one line on stderr
 * with a meaningful exit code: 2 for the user's mistakes (bad arguments, IxError from the core,
 * unreadable recipe files), 70 for bugs in ix (stack trace only with IX_DEBUG=1).
 * Bundled by wasm/build.mjs into wasm/out/cli.js, which the ./ix launcher imports.
 *
 * Must not depend on: the engine's code (types only); planning goes through the WASM core.
 */
import { UsageError, parseArgs } from './args';
import { runBuild } from './commands/build';
import { runGraph } from './commands/graph';
import { HELP, runHelp, runVersion } from './commands/info';
import { runPlan } from './commands/plan';
import { runRender } from './commands/render';
import { runWhyDepends } from './commands/why-depends';
import { runLog } from './commands/log';
import { runRun } from './commands/run';
import { runStore } from './commands/store';
import type { Context } from './context';
import { CoreError, HostError } from './core';
// --- realm and gc verbs (realm/gc engineer): they parse their own arguments (IX's +/- grammar).
import { runMut } from './commands/mut';
import { runLet } from './commands/let';
import { runList } from './commands/list';
import { runPurge } from './commands/purge';
import { runGc } from './commands/gc';
import { runRoot } from './commands/root';
import { runWhyAlive } from './commands/why-alive';
import { runDiff } from './commands/diff';

const RAW_VERBS: Record<string, (argv: string[], ctx: Omit<Context, 'args'>) => Promise<number>> = {
  // `run PROG ARGS…` passes everything after PROG to the program; `store` has its own sub-verbs.
  run: runRun, store: runStore,
  mut: runMut, let: runLet, list: runList, purge: runPurge, gc: runGc, root: runRoot, 'why-alive': runWhyAlive, diff: runDiff,
};
// --- end of realm and gc verbs
// --- binary cache verbs
import { runKey } from './commands/key';
import { runCopy } from './commands/copy';
RAW_VERBS.key = runKey;
RAW_VERBS.copy = runCopy;
// --- end of binary cache verbs
/** For the ./ix launcher: compile the host's BLAKE3 before it restricts V8 to Liftoff (see ./ix). */
export { loadDigest as prepareHashing } from './digest';

const VERBS: Record<string, (ctx: Context) => Promise<number> | number> = {
  plan: runPlan,
  build: runBuild,
  graph: runGraph,
  'why-depends': runWhyDepends,
  render: runRender,
  log: runLog,
  help: runHelp,
};

/** Runs one command; returns the exit code. */
export async function main(argv: string[], ctx: Omit<Context, 'args'>): Promise<number> {
  const debug = ctx.env.IX_DEBUG === '1';
  try {
    const [verb, ...rest] = argv;
    if (verb === undefined) {
      ctx.stderr(HELP);
      return 2;
    }
    if (verb === '--version' || verb === 'version') return runVersion({ ...ctx, args: parseArgs([]) });
    if (verb === '--help' || verb === '-h') return runHelp({ ...ctx, args: parseArgs([]) });
    if (Object.hasOwn(RAW_VERBS, verb)) return verb !== 'run' && rest.includes('--help') ? runHelp({ ...ctx, args: parseArgs([]) }) : await RAW_VERBS[verb](rest, ctx);
    const run = VERBS[verb];
    if (!run) throw new UsageError(`unknown verb '${verb}' (try 'ix help')`);
    const args = parseArgs(rest);
    if (args.help) return runHelp({ ...ctx, args });
    return await run({ ...ctx, args });
  } catch (e) {
    if (e instanceof UsageError || e instanceof HostError || (e instanceof CoreError && !e.internal)) {
      ctx.stderr(`ix: error: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    const [first, ...more] = msg.split('\n');
    ctx.stderr(`ix: internal error: ${first}\n`);
    if (debug) ctx.stderr(`${more.join('\n')}\n${e instanceof Error && !(e instanceof CoreError) ? e.stack ?? '' : ''}\n`);
    else ctx.stderr('ix: this is a bug in ix; rerun with IX_DEBUG=1 for details\n');
    return 70;
  }
}

/** Entry used by the ./ix launcher: process in, exit code out. */
export async function run(): Promise<void> {
  // A closed pipe (`ix plan ... | head`) ends the output quietly, like other Unix tools.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  process.exitCode = await main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (d) => void process.stdout.write(d),
    stderr: (d) => void process.stderr.write(d),
  });
}
