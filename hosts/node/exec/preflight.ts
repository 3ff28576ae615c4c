/**
 * Checks made before anything runs, so an impossible plan stops with one clear line instead of
 * failing halfway: the build host must be Linux (the sandbox runs Linux programs), and no node may
 * be a "no toolchain" marker. Recipes mark a target without a toolchain by making the toolchain
 * they would use resolve to a package named bld/unsupported (or bld/unsupported/<anything>), whose
 * node is never run: the planner stays target-agnostic, the executor refuses before building.
 *
 * Must not depend on: the store, the sandbox, the terminal.
 */
import type { PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';

export const UNSUPPORTED_MARKER = 'bld/unsupported';

function isMarker(n: PlanNode): boolean {
  return n.name === UNSUPPORTED_MARKER || n.name.startsWith(`${UNSUPPORTED_MARKER}/`);
}

/** Throws IxError when the plan cannot be built on this host. */
export function checkPlanRunnable(nodes: PlanNode[], host?: string): void {
  if (host !== undefined && !host.startsWith('linux-')) {
    throw new IxError(`cannot build for build host ${host}: the sandbox runs Linux programs only (use --host=linux-<arch>)`);
  }
  const marker = nodes.find(isMarker);
  if (!marker) return;
  const users = nodes.filter((n) => n.inputs.includes(marker.out)).map((n) => n.name);
  // The marker is a build tool (planned for the build host): the target is its users'.
  const target = users.map((u) => nodes.find((n) => n.name === u)?.flags.target).find(Boolean) ?? marker.flags.target ?? 'this target';
  const who = users.length ? ` (needed by ${[...new Set(users)].sort().slice(0, 3).join(', ')}${users.length > 3 ? ', ...' : ''})` : '';
  throw new IxError(`target ${target} has no toolchain in this recipe tree${who}; nothing was built`, { pkg: marker.name });
}
