/**
 * The `ix` command line: dispatches a verb; every failure goes through the one error path
 * (errors.ts: one line on stderr, exit 2 for the user's mistakes, 3 for the environment, 70 for
 * bugs in ix, with the stack only under IX_DEBUG=1).
 * Bundled by wasm/build.mjs into wasm/out/cli.js, which the ./ix launcher imports.
 *
 * Must not depend on: the engine's code (types only); planning goes through the WASM core.
 */
import { parseArgs } from './args';
import { UsageError, report } from './errors';
import { checkEnvironmentDirs } from './env-dirs';
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
// --- Stalix: a realm's bootable image, booted in QEMU
import { runBoot, runImage } from './commands/image';
RAW_VERBS.image = runImage;
RAW_VERBS.boot = runBoot;
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

/**
 * `ix lsp`: the language server (hosts/lsp/, bundled apart as wasm/out/lsp.js beside this CLI
 * bundle), loaded only for this verb so other commands start as fast as before.
 */
async function runLspVerb(argv: string[], ctx: Omit<Context, 'args'>): Promise<number> {
  const entry = './lsp.js'; // a variable: the bundler leaves it to run time
  const lsp = (await import(entry)) as { runLsp(argv: string[], env: Context['env'], cwd: string): Promise<number> };
  return lsp.runLsp(argv, ctx.env, ctx.cwd);
}

/** Runs one command; returns the exit code. */
export async function main(argv: string[], ctx: Omit<Context, 'args'>): Promise<number> {
  const debug = ctx.env.IX_DEBUG === '1';
  try {
    const [verb, ...rest] = argv;
    if (verb === undefined) {
      ctx.stderr(HELP);
      return 2;
    }
    if (verb === 'lsp') return await runLspVerb(rest, ctx);
    // before any directory is created (a recursive mkdir under /proc never returns)
    checkEnvironmentDirs(ctx.env, verb, rest);
    if (verb === '--version' || verb === 'version') return runVersion({ ...ctx, args: parseArgs(rest, 'version') });
    if (verb === '--help' || verb === '-h') return runHelp({ ...ctx, args: parseArgs([], 'help') });
    if (Object.hasOwn(RAW_VERBS, verb)) return verb !== 'run' && rest.includes('--help') ? runHelp({ ...ctx, args: parseArgs([], 'help') }) : await RAW_VERBS[verb](rest, ctx);
    const run = Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
    if (!run) throw new UsageError(`unknown verb '${verb}' (try 'ix help')`);
    const args = parseArgs(rest, verb);
    if (args.help) return runHelp({ ...ctx, args });
    return await run({ ...ctx, args });
  } catch (e) {
    return report(e, ctx.stderr, debug);
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
