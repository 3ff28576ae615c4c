/**
 * `run-node [--root=DIR] [--timeout=SECONDS] [--keep-tmp] [--commit] NODE.json|-`: runs one plan
 * node alone in the sandbox, with its output on this terminal. This is the command every build
 * failure prints to reproduce a node. By default the output goes to a scratch directory
 * (<root>/build/<id>.repro, kept for inspection); --commit builds it into the store instead.
 * Exit status: the node's own (1 if killed), 2 for bad input or a host that cannot sandbox.
 *
 * Must not depend on: the executor, the CLI of hosts/node.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { IxError } from '../../../engine/errors';
import { Store } from '../../node/store/store';
import { resolveRoot } from '../../node/store/layout';
import { checkNode } from './node-check';
import { requireSandbox, SandboxUnavailable } from './probe';
import { runNode, type RunNodeOptions } from './run-node';
import { removeTree } from './tree';
import { readWords } from '../../node/options';
import { UserError } from '../../node/user-error';

const USAGE = 'usage: run-node [--root=DIR] [--timeout=SECONDS] [--keep-tmp] [--commit] NODE.json|-';

export async function main(argv: string[]): Promise<number> {
  // its options are declared beside the CLI's verbs (hosts/node/options.ts TOOLS) and read by the same tokenizer
  const a = readWords('run-node', argv);
  const one = (k: string) => a.options.get(k)?.at(-1);
  const opt = { root: one('root'), timeout: one('timeout'), 'keep-tmp': a.options.has('keep-tmp'), commit: a.options.has('commit') };
  if (a.options.has('help')) { process.stdout.write(`${USAGE}\n`); return 0; }
  if (a.words.length !== 1) throw new IxError(USAGE);
  const file = a.words[0];
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
  const store = new Store({ root: opt.root ?? resolveRoot(process.env), onWait: (m) => process.stderr.write(`ix: ${m}\n`) });
  await store.init();
  const common: Omit<RunNodeOptions, 'outDir'> = {
    layout: store.layout, bwrap, keepTmp: !!opt['keep-tmp'],
    timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
    output: (c) => process.stderr.write(c),
  };
  if (opt.commit) {
    if (await store.isBuilt(node.out)) { process.stdout.write(`${node.out}\n`); return 0; }
    return store.withOutputLock(node.out, async () => {
      const o = await store.beginOutput(node);
      const r = await runNode(node, { ...common, outDir: o.tmpOut, tmpDir: o.tmpBuild });
      if (!r.ok) {
        await o.abort({ keepBuild: !!opt['keep-tmp'] });
        process.stderr.write(`run-node: ${node.name} failed: ${r.reason}\n`);
        return r.exitCode && r.exitCode > 0 ? r.exitCode : 1;
      }
      await o.commit();
      process.stdout.write(`${node.out}\n`);
      return 0;
    });
  }
  const outDir = `${store.layout.build}/${node.id}.repro`;
  const tmpDir = `${store.layout.build}/${node.id}.repro-tmp`;
  removeTree(outDir);
  mkdirSync(outDir, { recursive: true });
  const r = await runNode(node, { ...common, outDir, tmpDir });
  process.stderr.write(r.ok
    ? `run-node: ${node.name} succeeded; output (not in the store) in ${outDir}\n`
    : `run-node: ${node.name} failed: ${r.reason}; partial output in ${outDir}${opt['keep-tmp'] ? `, $tmp in ${tmpDir}` : ''}\n`);
  return r.ok ? 0 : r.exitCode && r.exitCode > 0 ? r.exitCode : 1;
}

/** Entry: one-line errors, exit 2 for bad input or an unusable host, never a stack trace. */
export function cli(argv: string[]): void {
  main(argv).then((code) => { process.exitCode = code; }, (e) => {
    if (e instanceof IxError || e instanceof SandboxUnavailable || e instanceof UserError) {
      process.stderr.write(`run-node: ${e.message.split('\n')[0]}\n`);
      process.exitCode = e instanceof UserError ? e.exitCode : 2;
    } else {
      process.stderr.write(`run-node: internal error (a bug in ix): ${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 70;
    }
  });
}
