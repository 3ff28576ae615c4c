/**
 * What a plan's walk has built so far: its build nodes, its fetch nodes (one per id, URLs
 * merged), its node errors, the scripts they run (by digest, in first-sighting order) and every
 * node's out path. node-task.ts's node task fills it; reuse.ts adds a kept graph's reused nodes.
 *
 * Must not depend on: abi/, planner.ts.
 */
import { IxErr } from '../errors';
import { NodeTask } from './graph-hooks';
import { PNode } from './instance';
import { OutTable } from './outpack';

export abstract class NodeSet extends NodeTask {
  built: Array<PNode> = [];
  fetchIds: Map<string, PNode> = new Map<string, PNode>();
  fetches: Array<PNode> = [];
  errs: Array<IxErr> = [];

  /** Scripts by digest, first sighting order (written sorted). */
  scripts: Map<string, string> = new Map<string, string>();
  scriptKeys: Array<string> = [];

  /** Every node's out path: nodes keep their JSON with these as tokens until the plan is written. */
  outs: OutTable = new OutTable();
}
