/**
 * `ix lsp [--recipes DIR]... [--target=T]`: the language server over stdio. Loads the same WASM
 * core as the CLI (wasm/out, or IX_CORE_DIR), the same layered recipe roots (`--recipes` first,
 * pkgs/ last) and reads the CLI's disk cache of compiled templates (never writes buffers to it).
 * Bundled by wasm/build.mjs into wasm/out/lsp.js, which the CLI loads only for this verb.
 *
 * Must not depend on: the executor, the store, the sandbox, the engine's code (types only).
 */
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { coreCacheFor, coreFor } from '../node/context';
import { loadDigest } from '../node/digest';
import { defaultRecipes } from '../node/paths';
import { isPlanWorker, runPlanWorker } from './plan-worker';
import { Planner } from './planner';
import { startServer, TARGETS } from './server';
import { Workspace } from './workspace';

/**
 * The verb's options as the CLI's verb table read them (hosts/node/options.ts: --recipes DIR
 * (repeatable, absolute here), --target=T, --no-watch, --stdio, which many clients add: stdio is
 * the only transport).
 */
export interface LspArgs {
  recipes: string[];
  target?: string;
  watch: boolean;
}

/**
 * Runs the server until the client exits it; returns the exit code for bad arguments, whose one
 * line goes to `stderr` (this bundle's error classes are not the CLI's, so it does not throw them).
 */
export async function runLsp(a: LspArgs, env: Record<string, string | undefined>, stderr: (s: string) => void): Promise<number> {
  if (a.target !== undefined && !TARGETS.includes(a.target)) {
    stderr(`ix: error: ix lsp: unknown target '${a.target}' (${TARGETS.join(', ')})\n`);
    return 2;
  }
  const [core, digest] = await Promise.all([coreFor(env), loadDigest()]);
  const cache = coreCacheFor(env);
  const roots = [...a.recipes, defaultRecipes];
  const ws = new Workspace(roots, digest, cache, env);
  // this bundle is also the planning thread's script (the entry check at the end of this file)
  const planner = new Planner(new URL(import.meta.url), roots, env, stderr);
  const conn = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  // a bug in a feature must not take the editor's server down: say it on stderr, keep serving
  const report = (e: unknown) => process.stderr.write(`ix lsp: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
  startServer(conn, core, ws, planner, { target: a.target, watch: a.watch });
  // the `exit` notification ends the process (vscode-languageserver); a client that dies without
  // it closes our stdin: end then too, or the root watchers would keep an orphan server alive
  return new Promise<number>((done) => process.stdin.once('end', () => done(0))).then((code) => process.exit(code));
}

if (isPlanWorker()) {
  runPlanWorker().catch((e: unknown) => {
    process.stderr.write(`ix lsp: the planning thread failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(70);
  });
}
