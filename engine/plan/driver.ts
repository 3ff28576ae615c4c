/**
 * A small demand-driven task driver: computes "task `what` of item `x`" with an explicit stack
 * instead of JS recursion, so graph depth never exhausts the JS stack, and reports dependency
 * cycles with their path. The package graph (graph.ts) and the planner's nodes run on it.
 *
 * A step either computes and stores its result (returns null) or returns the tasks it needs first.
 * A frame whose step asked for needs is "expanded": every frame above it is something it waits
 * for, so a step needing an expanded frame closes a cycle.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import { IxError } from '../errors';

/** What the driver needs of an item: a unique key and a name for messages. */
export interface Item {
  key: string;
  name: string;
}

/** A task: compute `what` for `inst`. */
export interface Need<T extends Item> {
  inst: T;
  what: string;
}

/** Computes and stores a task's result (returns null), or returns the tasks it needs first. */
export type Step<T extends Item> = (p: T) => Need<T>[] | null;

export class TaskDriver<T extends Item> {
  /** Tasks to compute, outermost first. */
  protected readonly stack: Need<T>[] = [];
  /** Ids of stack frames whose step is waiting for the frames above them. */
  protected readonly expanded = new Set<string>();
  private readonly tasks = new Map<string, { step: Step<T>; done: (p: T) => boolean }>();

  /**
   * Registers another kind of task (the planner's nodes): `step` either computes and stores the
   * result, returning null, or returns the tasks it needs first; `done` says whether it is stored.
   */
  addTask(what: string, step: Step<T>, done: (p: T) => boolean): void {
    this.tasks.set(what, { step, done });
  }

  /**
   * Computes task `what` of `p` with an explicit stack, so graph depth never exhausts the JS stack.
   * A frame whose step asked for needs is "expanded": every frame above it is something it waits
   * for. A step needing an expanded frame is therefore a dependency cycle, reported with its path.
   */
  run(p: T, what: string): void {
    const task = this.task(what);
    if (task.done(p)) return;
    const base = this.stack.length;
    this.stack.push({ inst: p, what });
    try {
      while (this.stack.length > base) {
        const top = this.stack[this.stack.length - 1];
        const t = this.task(top.what);
        const id = top.what + '\0' + top.inst.key;
        if (t.done(top.inst)) {
          this.stack.pop();
          this.expanded.delete(id);
          continue;
        }
        const needs = t.step(top.inst);
        if (!needs || needs.length === 0) {
          if (!t.done(top.inst)) throw new Error(`plan: task ${top.what} of ${top.inst.name} stored nothing`);
          continue;
        }
        this.expanded.add(id);
        for (let i = needs.length - 1; i >= 0; i--) {
          const n = needs[i];
          if (this.expanded.has(n.what + '\0' + n.inst.key)) throw this.cycle(n);
          this.stack.push(n);
        }
      }
    } finally {
      for (const f of this.stack.splice(base)) this.expanded.delete(f.what + '\0' + f.inst.key);
    }
  }

  private task(what: string): { step: Step<T>; done: (p: T) => boolean } {
    const t = this.tasks.get(what);
    if (!t) throw new Error(`plan: unknown task ${what}`);
    return t;
  }

  /** The cycle error for a need that is already being computed lower on the stack. */
  private cycle(n: Need<T>): IxError {
    const from = this.stack.findIndex((s) => s.inst === n.inst && s.what === n.what && this.expanded.has(s.what + '\0' + s.inst.key));
    const names: string[] = [];
    for (const s of this.stack.slice(from)) {
      if (!this.expanded.has(s.what + '\0' + s.inst.key)) continue;
      if (names[names.length - 1] !== s.inst.name) names.push(s.inst.name);
    }
    if (names.length === 1 || names[names.length - 1] !== n.inst.name) names.push(n.inst.name);
    return new IxError(`dependency cycle: ${names.join(' -> ')}`);
  }

  /** "bin/a -> lib/b -> lib/c": the packages waiting on each other, ending at `p`; long chains elided. */
  chain(p: T): string {
    const names: string[] = [];
    for (const s of this.stack) {
      if (!this.expanded.has(s.what + '\0' + s.inst.key)) continue;
      if (names[names.length - 1] !== s.inst.name) names.push(s.inst.name);
    }
    if (names[names.length - 1] !== p.name) names.push(p.name);
    if (names.length > 6) names.splice(2, names.length - 5, '...');
    return names.join(' -> ');
  }
}
