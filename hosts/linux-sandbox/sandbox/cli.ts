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
import { Layout, resolveRoot } from '../../common';
import { removeTreeSync, safeText } from '../../common';
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

const USAGE = 'usage: run-node [--root=DIR] [--timeout=SECONDS] [--keep-tmp] [--commit] NODE.json|-';

export async function main(argv: string[], commit?: CommitNode): Promise<number> {
  const opt: Record<string, string> = {};
  const files: string[] = [];
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m) opt[m[1]] = m[2] ?? '1';
    else files.push(a);
  }
  const known = new Set(['root', 'timeout', 'keep-tmp', 'commit', 'help']);
  const bad = Object.keys(opt).find((k) => !known.has(k));
  if (opt.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  if (bad || files.length !== 1) throw new IxError(bad ? `unknown option --${bad}. ${USAGE}` : USAGE);
  const file = files[0];
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
  const bwrap = requireSandbox();
  const common: Omit<RunNodeOptions, 'outDir' | 'layout'> = {
    bwrap, keepTmp: !!opt['keep-tmp'],
    timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
    output: (c) => process.stderr.write(c),
  };
  const root = opt.root ?? resolveRoot();
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
  process.stderr.write(safeText(r.ok
    ? `run-node: ${node.name} succeeded; output (not in the store) in ${outDir}`
    : `run-node: ${node.name} failed: ${r.reason}; partial output in ${outDir}${opt['keep-tmp'] ? `, $tmp in ${tmpDir}` : ''}`) + '\n');
  return r.ok ? 0 : r.exitCode && r.exitCode > 0 ? r.exitCode : 1;
}

/** Entry: one-line errors, exit 2 for bad input or an unusable host, never a stack trace. */
export function cli(argv: string[], commit?: CommitNode): void {
  main(argv, commit).then((code) => { process.exitCode = code; }, (e) => {
    if (e instanceof IxError || e instanceof SandboxUnavailable) {
      process.stderr.write(safeText(`run-node: ${e.message}`) + '\n');
      process.exitCode = 2;
    } else {
      process.stderr.write(`run-node: internal error (a bug in ix): ${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 70;
    }
  });
}
