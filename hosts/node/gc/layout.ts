/**
 * Where the garbage collector keeps its state (versioned paths):
 *   <root>/var/lock/v1/gc.lock             shared by processes registering held paths, exclusive for a collection
 *   <root>/var/gc/v1/holds/<tag>.json      paths a live process uses (ix-gc-hold/1)
 *   <root>/var/gc/v1/holds/<tag>.lock      flock'ed by that process while it lives
 *   <root>/var/gc/v1/roots/<base>.json     explicit roots from `ix root add` (ix-gc-root/1)
 *
 * Must not depend on: the engine's evaluator, the sandbox, the CLI.
 */
import path from 'node:path';
import type { Layout } from '../../common';

export class GcLayout {
  readonly gcLock: string;
  readonly holds: string;
  readonly roots: string;
  constructor(readonly store: Layout) {
    this.gcLock = path.join(store.locks, 'gc.lock');
    this.holds = path.join(store.root, 'var', 'gc', 'v1', 'holds');
    this.roots = path.join(store.root, 'var', 'gc', 'v1', 'roots');
  }
}
