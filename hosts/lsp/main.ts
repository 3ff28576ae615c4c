/**
 * `ix lsp [--recipes DIR]... [--target=T]`: the language server over stdio. Loads the same WASM
 * core as the CLI (wasm/out, or IX_CORE_DIR), the same layered recipe roots (`--recipes` first,
 * pkgs/ last) and reads the CLI's disk cache of compiled templates (never writes buffers to it).
 * Bundled by wasm/build.mjs into wasm/out/lsp.js, which the CLI loads only for this verb.
 *
 * Must not depend on: the executor, the store, the sandbox, the engine's code (types only).
 */
import { resolve } from 'node:path';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { coreCacheFor, coreFor } from '../node/context';
import { loadDigest } from '../node/digest';
import { defaultRecipes } from '../node/paths';
import { startServer, TARGETS } from './server';
import { Workspace } from './workspace';

export const LSP_HELP = `usage: ix lsp [--recipes DIR]... [--target=${TARGETS.join('|')}]
  a Language Server Protocol server on stdin/stdout for recipe files (ix.sh, die/ templates)
`;

/** Parses the verb's arguments; returns an error line for a bad one. */
export function lspArgs(argv: string[], cwd: string): { recipes: string[]; target?: string; watch: boolean } | string {
  const recipes: string[] = [];
  let target: string | undefined;
  let watch = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--recipes' && i + 1 < argv.length) recipes.push(resolve(cwd, argv[++i]));
    else if (a.startsWith('--recipes=')) recipes.push(resolve(cwd, a.slice('--recipes='.length)));
    else if (a.startsWith('--target=')) {
      target = a.slice('--target='.length);
      if (!TARGETS.includes(target)) return `ix lsp: unknown target '${target}' (${TARGETS.join(', ')})`;
    }
    else if (a === '--no-watch') watch = false;
    else if (a === '--stdio') continue; // what many clients add; stdio is the only transport
    else return `ix lsp: unknown argument '${a}' (${LSP_HELP.split('\n')[0]})`;
  }
  return { recipes, target, watch };
}

/** Runs the server until the client exits it; returns the exit code for bad arguments. */
export async function runLsp(argv: string[], env: Record<string, string | undefined>, cwd: string): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(LSP_HELP);
    return 0;
  }
  const a = lspArgs(argv, cwd);
  if (typeof a === 'string') {
    process.stderr.write(`ix: error: ${a}\n`);
    return 2;
  }
  const [core, digest] = await Promise.all([coreFor(env), loadDigest()]);
  const cache = coreCacheFor(env);
  const ws = new Workspace([...a.recipes, defaultRecipes], digest, cache);
  const conn = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  // a bug in a feature must not take the editor's server down: say it on stderr, keep serving
  const report = (e: unknown) => process.stderr.write(`ix lsp: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
  startServer(conn, core, ws, { target: a.target, watch: a.watch });
  // the `exit` notification ends the process (vscode-languageserver); a client that dies without
  // it closes our stdin: end then too, or the root watchers would keep an orphan server alive
  return new Promise<number>((done) => process.stdin.once('end', () => done(0))).then((code) => process.exit(code));
}
