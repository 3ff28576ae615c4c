/**
 * Process entry of hosts/linux-sandbox/run-node: the sandbox's command line (its cli.ts) with
 * `--commit` wired to this host's store, so the sandbox host never opens a store itself. A
 * failed node's output is aborted (its $tmp kept with --keep-tmp) and its exit status returned.
 *
 * Must not depend on: the executor, the planner, the rest of the CLI.
 */
import { cli, type CommitNode, type RunNodeResult } from '../linux-sandbox';
import { Store } from './store/store';
import { safeText } from '../common';

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

cli(process.argv.slice(2), commitNode);
