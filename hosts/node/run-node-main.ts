/**
 * Process entry of hosts/linux-sandbox/run-node: the sandbox's command line (its cli.ts) with
 * `--commit` wired to this host's store, so the sandbox host never opens a store itself. A
 * failed node's output is aborted (its $tmp kept with --keep-tmp) and its exit status returned.
 *
 * Must not depend on: the executor, the planner, the rest of the CLI (only its option tokenizer).
 */
import { safeText } from '../common';
import { cli, type CommitNode, type RunNodeArgs, type RunNodeResult } from '../linux-sandbox';
import { readWords } from './options';
import { Store } from './store';

export const commitNode: CommitNode = async (node, root, keepTmp, run) => {
  const store = new Store({ root });
  await store.init();
  let r: RunNodeResult | undefined;
  const how = await store.realise(node, async (o) => {
    r = await run({ layout: store.layout, outDir: o.tmpOut, tmpDir: o.tmpBuild });
    return r.ok ? undefined : { failed: r.reason ?? 'failed' };
  }, { keepBuild: keepTmp });
  if (how !== 'built' && how !== 'present') {
    process.stderr.write(safeText(`run-node: ${node.name} failed: ${how.failed}`) + '\n');
    return r?.exitCode && r.exitCode > 0 ? r.exitCode : 1;
  }
  process.stdout.write(`${node.out}\n`);
  return 0;
};

/** run-node's arguments, read by the CLI's tokenizer from its declared options (options.ts TOOLS). */
function readRunNodeArgs(argv: string[]): RunNodeArgs {
  const a = readWords('run-node', argv);
  const one = (k: string) => a.options.get(k)?.at(-1);
  const r: RunNodeArgs = { help: a.options.has('help'), 'keep-tmp': a.options.has('keep-tmp'), commit: a.options.has('commit'), words: a.words };
  const root = one('root');
  const timeout = one('timeout');
  if (root !== undefined) r.root = root;
  if (timeout !== undefined) r.timeout = timeout;
  return r;
}

const io = { env: process.env, stdout: (s: string) => void process.stdout.write(s), stderr: (s: string | Uint8Array) => void process.stderr.write(s) };
void cli(() => readRunNodeArgs(process.argv.slice(2)), io, commitNode).then((code) => { process.exitCode = code; });
