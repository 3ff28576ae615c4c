/**
 * Render sharing by read set: a package's template chain is a pure function of its files, the
 * package name, kind, host, target and boot environment (fixed per graph) and the values of the
 * context names it looks up. A render records those names (engine/eval IxContext.lookup); two
 * instances of one package whose flags agree on every flag behind those names render the same
 * text, so the second one reuses the first render instead of evaluating the chain again.
 *
 * The proof is by induction over the evaluation: both renders start from the same template and
 * see the same value at every context lookup, so they take the same branches, look up the same
 * names and emit the same text. Only the render is shared: instance keys, node ids and store
 * paths still hash every flag, so no store path can change. A render that called intro() read
 * another package's node (which hashes all flags): it is never shared.
 *
 * Keys: level one is (package, kind, target) — host and boot are the graph's; level two is the
 * read set (the flags behind the names read, sorted) with their values in this instance.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { Flags } from '../api';

/**
 * The flags whose values the looked-up context names carry (engine/eval/context.ts): a flag sets
 * the name of the same key, except `target` and `kind` (level one of the key) and `host` (never a
 * flag in the context); `setx` also follows the `boot` flag.
 */
export function flagsBehind(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const n of names) {
    if (n === 'target' || n === 'kind' || n === 'host') continue;
    out.add(n);
    if (n === 'setx') out.add('boot');
  }
  return [...out].sort();
}

/** The values of `reads` in `flags` (null: the flag is absent), as a key. */
export function readValues(reads: readonly string[], flags: Flags): string {
  return JSON.stringify(reads.map((k) => (Object.prototype.hasOwnProperty.call(flags, k) ? flags[k] : null)));
}

/** Level one of the key: the package as far as it is not given by flags. */
export function packageKey(name: string, kind: string, targetId: string): string {
  return `${name}\0${kind}\0${targetId}`;
}

/** Renders of one graph shared by read set. */
export class RenderShare<R> {
  /** Level one -> the distinct read sets its renders had. */
  private readonly shapes = new Map<string, string[][]>();
  private readonly renders = new Map<string, R>();
  /** Chain evaluations and reuses, for benchmarks. */
  renderCount = 0;
  sharedCount = 0;

  /** The read sets seen for package key `pk` (so a caller can merge ones it knows from elsewhere). */
  readSets(pk: string): string[][] {
    let s = this.shapes.get(pk);
    if (!s) {
      s = [];
      this.shapes.set(pk, s);
    }
    return s;
  }

  /** A render of `pk` whose read set has the same values in `flags`, if any. */
  find(pk: string, flags: Flags): R | undefined {
    const s = this.shapes.get(pk);
    if (!s) return undefined;
    for (const reads of s) {
      const r = this.renders.get(pk + '\0' + JSON.stringify(reads) + '\0' + readValues(reads, flags));
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** Records `r` as the render of `pk` for every flags agreeing with `flags` on `reads`; true if the read set is new. */
  add(pk: string, reads: string[], flags: Flags, r: R): boolean {
    const s = this.readSets(pk);
    const id = JSON.stringify(reads);
    const fresh = !s.some((x) => JSON.stringify(x) === id);
    if (fresh) s.push(reads);
    this.renders.set(pk + '\0' + id + '\0' + readValues(reads, flags), r);
    return fresh;
  }
}
