/**
 * `run-node [--root=DIR] [--timeout=SECONDS] [--keep-tmp] [--commit] NODE.json|-`: runs one plan
 * node alone in the sandbox, with its output on this terminal. This is the command every build
 * failure prints to reproduce a node. By default the output goes to a scratch directory
 * (<root>/build/<id>.repro, kept for inspection); --commit builds it into the store instead.
 * Exit status: the node's own (1 if killed), 2 for bad input or a host that cannot sandbox.
 * Committing into the store is the caller's (`commit`, handed in by hosts/node/run-node-main.ts),
 * so this host never opens a store.
 *
 * Must not depend on: hosts/node (the store, the executor, the CLI).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';
import { Layout, removeTreeSync, resolveRoot, safeText, UserError } from '../../common';
import { checkNode } from './node-check';
import { requireSandbox, SandboxUnavailable } from './probe';
import { runNode, type RunNodeOptions, type RunNodeResult } from './run-node';

/**
 * `--commit`: build `node` into the store at `root`, running it with `run` into the pending
 * output's directories; resolves to the exit status (printing the store path on success).
 */
export type CommitNode = (
  node: PlanNode, root: string, keepTmp: boolean,
  run: (dirs: { layout: Layout; outDir: string; tmpDir: string }) => Promise<RunNodeResult>,
) => Promise<number>;

/**
 * What run-node reads of its process, handed in by its entry (hosts/node/run-node-main.ts), so
 * this module runs the same in-process (a test) as from the command line.
 */
export interface RunNodeIO {
  env: Record<string, string | undefined>;
  stdout(s: string): void;
  /** The node's own output arrives as raw bytes (a character may span two chunks). */
  stderr(s: string | Uint8Array): void;
}

const USAGE = 'usage: run-node [--root=DIR] [--timeout=SECONDS] [--keep-tmp] [--commit] NODE.json|-';

/**
 * run-node's arguments as its entry read them: its options are declared beside the CLI's verbs
 * (hosts/node/options.ts TOOLS) and read by the same tokenizer (hosts/node/run-node-main.ts).
 */
export interface RunNodeArgs {
  help: boolean;
  root?: string;
  timeout?: string;
  'keep-tmp': boolean;
  commit: boolean;
  /** The words: one NODE.json or `-`. */
  words: string[];
}

export async function main(opt: RunNodeArgs, io: RunNodeIO, commit?: CommitNode): Promise<number> {
  if (opt.help) { io.stdout(`${USAGE}\n`); return 0; }
  if (opt.words.length !== 1) throw new IxError(USAGE);
  const file = opt.words[0];
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new IxError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new IxError(`not JSON: ${(e as Error).message}`, { file });
  }
  const node = checkNode(json, file === '-' ? '<stdin>' : file);
  if (!node.cmd) throw new IxError('this is a fetch node: the host fetches it natively (use ix build)', { pkg: node.name });
  const timeout = opt.timeout !== undefined ? Number(opt.timeout) : undefined;
  if (timeout !== undefined && !(timeout >= 0)) throw new IxError(`--timeout must be a number of seconds, got ${opt.timeout}`);
  const bwrap = requireSandbox(io.env);
  const common: Omit<RunNodeOptions, 'outDir' | 'layout'> = {
    env: io.env, bwrap, keepTmp: !!opt['keep-tmp'],
    timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
    output: (c) => io.stderr(c),
  };
  const root = opt.root ?? resolveRoot(io.env);
  if (opt.commit) {
    if (!commit) throw new IxError('--commit needs the store: use hosts/linux-sandbox/run-node');
    return commit(node, root, !!opt['keep-tmp'], (dirs) => runNode(node, { ...common, ...dirs }));
  }
  const layout = new Layout(root);
  const outDir = `${layout.build}/${node.id}.repro`;
  const tmpDir = `${layout.build}/${node.id}.repro-tmp`;
  removeTreeSync(outDir);
  mkdirSync(outDir, { recursive: true });
  const r = await runNode(node, { ...common, layout, outDir, tmpDir });
  io.stderr(safeText(r.ok
    ? `run-node: ${node.name} succeeded; output (not in the store) in ${outDir}`
    : `run-node: ${node.name} failed: ${r.reason}; partial output in ${outDir}${opt['keep-tmp'] ? `, $tmp in ${tmpDir}` : ''}`) + '\n');
  return r.ok ? 0 : r.exitCode && r.exitCode > 0 ? r.exitCode : 1;
}

/**
 * run-node as a command: one-line errors, exit 2 for bad input or an unusable host, never a
 * stack trace. Resolves to the exit status (never rejects); the entry sets it on the process.
 */
export function cli(read: () => RunNodeArgs, io: RunNodeIO, commit?: CommitNode): Promise<number> {
  return Promise.resolve().then(() => main(read(), io, commit)).then((code) => code, (e: unknown) => {
    if (e instanceof IxError || e instanceof SandboxUnavailable || e instanceof UserError) {
      io.stderr(safeText(`run-node: ${e.message.split('\n')[0]}`) + '\n');
      return e instanceof UserError ? e.exitCode : 2;
    }
    io.stderr(`run-node: internal error (a bug in ix): ${e instanceof Error ? e.stack : String(e)}\n`);
    return 70;
  });
}
