/**
 * A flag set (string keys to string values) kept sorted by key in code-unit order: every
 * consumer of flags in the oracle sorts them (instance keys, canonical JSON, messages), so equal
 * sets are equal arrays and the instance key is written without sorting.
 *
 * Must not depend on: anything else of the core but hash/.
 */
import { hashUnits, StrBuilder, writeStr } from '../hash/index';

export class Flags {
  /**
   * The entries, sorted by key. Private (AssemblyScript does not check `private`, so the names
   * are used by nothing outside this file): every change goes through a method that drops the
   * derived state (forget), and readers use keyAt/valAt.
   */
  private keyList: Array<string>;
  private valList: Array<string>;
  /**
   * writeJsonKindTarget's text for the kind and target it was last asked with, kept from the
   * second time it is asked (a set given to many lookups is written once; a fresh one-use set
   * makes no string). Every change of the set drops it (forget).
   */
  private ktKind: string | null = null;
  private ktTarget: string | null = null;
  private ktJson: string | null = null;
  private ktUses: i32 = 0;
  /** hashUnits of ktJson (set with it). */
  private ktHashV: u32 = 0;
  /** The values of `kind` and `target` (null: absent), once looked up (ktLook). */
  private ktLooked: bool = false;
  private kindV: string | null = null;
  private targetV: string | null = null;

  /** An empty set, or a copy of `from`'s entries (at their exact size). */
  constructor(from: Flags | null = null) {
    if (from !== null) {
      this.keyList = from.keyList.slice(0);
      this.valList = from.valList.slice(0);
    } else {
      this.keyList = new Array<string>();
      this.valList = new Array<string>();
    }
  }

  get size(): i32 {
    return this.keyList.length;
  }

  /** The key of entry `i` (0 <= i < size, in key order). */
  keyAt(i: i32): string {
    return this.keyList[i];
  }

  /** The value of entry `i`. */
  valAt(i: i32): string {
    return this.valList[i];
  }

  /** Position of `k`, or -(insertion point) - 1. */
  find(k: string): i32 {
    const ks = this.keyList;
    let lo = 0;
    let hi = ks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = unchecked(ks[mid]);
      if (m == k) return mid;
      if (m < k) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  has(k: string): bool {
    return this.find(k) >= 0;
  }

  /** The value of `k`, or null. */
  get(k: string): string | null {
    const i = this.find(k);
    return i >= 0 ? unchecked(this.valList[i]) : null;
  }

  /** Drops what was derived from the entries (each change calls it). */
  private forget(): void {
    this.ktJson = null;
    this.ktKind = null;
    this.ktTarget = null;
    this.ktUses = 0;
    this.ktLooked = false;
  }

  private ktLook(): void {
    if (this.ktLooked) return;
    this.kindV = this.get('kind');
    this.targetV = this.get('target');
    this.ktLooked = true;
  }

  /** get('kind'), looked up once per set (every instance lookup asks). */
  kind(): string | null {
    this.ktLook();
    return this.kindV;
  }

  /** get('target'), likewise. */
  target(): string | null {
    this.ktLook();
    return this.targetV;
  }

  set(k: string, v: string): Flags {
    this.forget();
    const i = this.find(k);
    if (i >= 0) {
      unchecked((this.valList[i] = v));
      return this;
    }
    const at = -i - 1;
    const ks = this.keyList;
    const vs = this.valList;
    ks.push(k);
    vs.push(v);
    for (let j = ks.length - 1; j > at; j--) {
      unchecked((ks[j] = ks[j - 1]));
      unchecked((vs[j] = vs[j - 1]));
    }
    unchecked((ks[at] = k));
    unchecked((vs[at] = v));
    return this;
  }

  /** Inserts a key known to sort after every present key. */
  push(k: string, v: string): void {
    this.forget();
    this.keyList.push(k);
    this.valList.push(v);
  }

  /** Two keys known to be in order and absent (`a` < `b`), for small literal flag sets. */
  push2(a: string, va: string, b: string, vb: string): Flags {
    this.forget();
    this.keyList.push(a);
    this.valList.push(va);
    this.keyList.push(b);
    this.valList.push(vb);
    return this;
  }

  delete(k: string): void {
    const i = this.find(k);
    if (i < 0) return;
    this.forget();
    this.keyList.splice(i, 1);
    this.valList.splice(i, 1);
  }

  copy(): Flags {
    return new Flags(this);
  }

  /** A copy with `o`'s entries set on top. */
  merged(o: Flags): Flags {
    const f = this.copy();
    for (let i = 0; i < o.keyList.length; i++) f.set(unchecked(o.keyList[i]), unchecked(o.valList[i]));
    return f;
  }

  /** k0, v0, k1, v1, ... (the evaluator's RenderInput.flags). */
  pairs(): Array<string> {
    const out = new Array<string>(this.keyList.length * 2);
    for (let i = 0; i < this.keyList.length; i++) {
      unchecked((out[2 * i] = this.keyList[i]));
      unchecked((out[2 * i + 1] = this.valList[i]));
    }
    return out;
  }

  /**
   * writeJsonKindTarget's text for `kind` and `target` if this set keeps it (it was asked for
   * them before), else null; ktHash is then its hashUnits.
   */
  keptKindTarget(kind: string, target: string): string | null {
    const kept = this.ktJson;
    if (kept !== null && this.ktKind! == kind && this.ktTarget! == target) return kept;
    return null;
  }

  /** hashUnits of the text keptKindTarget gave. */
  get ktHash(): u32 {
    return this.ktHashV;
  }

  /**
   * Canonical JSON of these flags with `kind` and `target` set to the values given, written
   * without building that set (the instance key of a lookup that usually hits).
   */
  writeJsonKindTarget(sb: StrBuilder, kind: string, target: string): void {
    const kept = this.ktJson;
    if (kept !== null && this.ktKind! == kind && this.ktTarget! == target) {
      sb.str(kept);
      return;
    }
    const from = sb.len;
    this.writeKindTarget(sb, kind, target);
    if (++this.ktUses >= 2) {
      const json = sb.slice(from);
      this.ktJson = json;
      this.ktHashV = hashUnits(changetype<usize>(json), json.length);
      this.ktKind = kind;
      this.ktTarget = target;
    }
  }

  private writeKindTarget(sb: StrBuilder, kind: string, target: string): void {
    sb.ch(123);
    let n = 0;
    let kindDone = false;
    let targetDone = false;
    for (let i = 0; i < this.keyList.length; i++) {
      const k = unchecked(this.keyList[i]);
      if (!kindDone && k >= 'kind') {
        n = pair(sb, n, 'kind', kind);
        kindDone = true;
        if (k == 'kind') continue;
      }
      if (!targetDone && k >= 'target') {
        n = pair(sb, n, 'target', target);
        targetDone = true;
        if (k == 'target') continue;
      }
      n = pair(sb, n, k, unchecked(this.valList[i]));
    }
    if (!kindDone) n = pair(sb, n, 'kind', kind);
    if (!targetDone) pair(sb, n, 'target', target);
    sb.ch(125);
  }

  /** Canonical JSON of the flags (keys are sorted already). */
  writeJson(sb: StrBuilder): void {
    sb.ch(123);
    for (let i = 0; i < this.keyList.length; i++) {
      if (i > 0) sb.ch(44);
      writeStr(sb, unchecked(this.keyList[i]));
      sb.ch(58);
      writeStr(sb, unchecked(this.valList[i]));
    }
    sb.ch(125);
  }
}

/** Writes one `"k":"v"` member (after a comma unless it is the first); returns the count. */
function pair(sb: StrBuilder, n: i32, k: string, v: string): i32 {
  if (n > 0) sb.ch(44);
  writeStr(sb, k);
  sb.ch(58);
  writeStr(sb, v);
  return n + 1;
}
