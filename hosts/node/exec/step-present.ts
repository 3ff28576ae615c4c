/**
 * Step one of a node's job: its output is in the store already, so there is nothing to do but
 * say so (one `done` event with status `cached`).
 *
 * Must not depend on: the store, the CLI, the terminal (events go through `emit`).
 */
import type { PlanNode } from '../../../engine/api';
import type { ExecEvent } from './events';
import type { Outcome } from './scheduler';

export function present(emit: (e: ExecEvent) => void, n: PlanNode): Outcome {
  emit({ event: 'done', id: n.id, name: n.name, out: n.out, status: 'cached' });
  return 'cached';
}
