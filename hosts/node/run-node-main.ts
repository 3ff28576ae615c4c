/**
 * Process entry of hosts/linux-sandbox/run-node: the sandbox's command line (its cli.ts) with
 * `--commit` wired to this host's store, so the sandbox host never opens a store itself. A
 * failed node's output is aborted (its $tmp kept with --keep-tmp) and its exit status returned.
 *
 * Must not depend on: the executor, the planner, the rest of the CLI.
 */
import { cli, type CommitNode, type RunNodeResult } from '../linux-sandbox';
import { Store } from './store/store';

/** Raised inside Store.realise so that the pending output is aborted; carries the run's result. */
class NodeFailed extends Error {
  constructor(readonly result: RunNodeResult) {
    super(result.reason ?? 'failed');
  }
}

export const commitNode: CommitNode = async (node, root, keepTmp, run) => {
  const store = new Store({ root });
  await store.init();
  try {
    await store.realise(node, async (o) => {
      const r = await run({ layout: store.layout, outDir: o.tmpOut, tmpDir: o.tmpBuild });
      if (!r.ok) throw new NodeFailed(r);
    }, { keepBuild: keepTmp });
  } catch (e) {
    if (!(e instanceof NodeFailed)) throw e;
    process.stderr.write(`run-node: ${node.name} failed: ${e.message}\n`);
    return e.result.exitCode && e.result.exitCode > 0 ? e.result.exitCode : 1;
  }
  process.stdout.write(`${node.out}\n`);
  return 0;
};

cli(process.argv.slice(2), commitNode);
