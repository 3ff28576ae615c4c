/**
 * The graph's closures and direct lists (graph.ts: tasks T_LIB .. T_LDIR of each instance) as
 * index ranges in one shared arena of instance numbers, not as an array per list.
 *
 * Why: the core's collector (gc.ts, the `minimal` runtime) marks every live object at each
 * collection, and an `Array<Instance>` is two objects (header and buffer). A whole IX tree kept
 * ~180 k non-empty lists (~360 k objects) and a memo table per instance (~48 k) alive; here they
 * are three arrays of i32 (the collector does not look inside them) and one of instances.
 *
 * Instances are numbered when first stored or listed (Instance.num); a number belongs to this
 * table only (an instance of another graph, whose number is another's, is numbered again). A
 * list, once stored, never changes (its readers copy).
 *
 * Must not depend on: the graph's driver (graph.ts), abi/.
 */
import { Instance, T_LDIR } from './instance';

/** Tasks with a list per instance (T_LIB .. T_LDIR; T_NODE is the instance's node). */
const TASKS: i32 = T_LDIR + 1;

export class Closures {
  /** Instances by number. */
  private insts: Array<Instance> = [];
  /** At num * TASKS + task: where its list starts in `items` (-1: not computed yet) and its length. */
  private start: Array<i32> = [];
  private len: Array<i32> = [];
  /**
   * Every list's members as instance numbers, one list after the other: the first `used`; its
   * length is its capacity, grown by doubling once per list (not checked per member by push).
   */
  private items: Array<i32> = [];
  private used: i32 = 0;

  /** The number of `p` in this table, given one if it has none here. */
  numOf(p: Instance): i32 {
    const n = p.num;
    if (n >= 0 && n < this.insts.length && unchecked(this.insts[n]) === p) return n;
    const m = this.insts.length;
    p.num = m;
    this.insts.push(p);
    for (let k = 0; k < TASKS; k++) {
      this.start.push(-1);
      this.len.push(0);
    }
    return m;
  }

  /** Where the list of task `k` of `p` is in start/len, or -1 when `p` has no number here. */
  @inline private slot(p: Instance, k: i32): i32 {
    const n = p.num;
    if (n < 0 || n >= this.insts.length || unchecked(this.insts[n]) !== p) return -1;
    return n * TASKS + k;
  }

  /** True once the list of task `k` of `p` is stored. */
  has(p: Instance, k: i32): bool {
    const s = this.slot(p, k);
    return s >= 0 && unchecked(this.start[s]) >= 0;
  }

  /** The length of the stored list of task `k` of `p` (0 when none is stored). */
  length(p: Instance, k: i32): i32 {
    const s = this.slot(p, k);
    return s >= 0 ? unchecked(this.len[s]) : 0;
  }

  /** Member `i` of the stored list of task `k` of `p` (i < length(p, k)). */
  at(p: Instance, k: i32, i: i32): Instance {
    const s = this.slot(p, k);
    return unchecked(this.insts[unchecked(this.items[unchecked(this.start[s]) + i])]);
  }

  /**
   * Where the stored list of task `k` of `p` starts in the arena (0 when none is stored, whose
   * length is 0): its member `i` is item(from(p, k) + i). A walk over a list checks `p` once,
   * not once per member as `at` does.
   */
  from(p: Instance, k: i32): i32 {
    const s = this.slot(p, k);
    return s >= 0 ? max(unchecked(this.start[s]), 0) : 0;
  }

  /** The instance at arena position `j` (from(p, k) + i, i < length(p, k)). */
  @inline item(j: i32): Instance {
    return unchecked(this.insts[unchecked(this.items[j])]);
  }

  /** Stores `list` as the list of task `k` of `p` (copied: the caller may reuse it). */
  set(p: Instance, k: i32, list: Array<Instance>): void {
    const s = this.numOf(p) * TASKS + k;
    const from = this.used;
    const n = list.length;
    const items = this.items;
    if (from + n > items.length) items.length = max(from + n, items.length << 1);
    for (let i = 0; i < n; i++) unchecked((items[from + i] = this.numOf(unchecked(list[i]))));
    this.used = from + n;
    unchecked((this.start[s] = from));
    unchecked((this.len[s] = n));
  }

  /** Appends the stored list of task `k` of `p` to `out`. */
  pushTo(out: Array<Instance>, p: Instance, k: i32): void {
    const s = this.slot(p, k);
    if (s < 0) return;
    const from = unchecked(this.start[s]);
    const n = unchecked(this.len[s]);
    for (let i = 0; i < n; i++) out.push(unchecked(this.insts[unchecked(this.items[from + i])]));
  }
}
