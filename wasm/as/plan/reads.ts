/**
 * Render sharing by read set (engine/plan/reads.ts, the same contract): a chain's text is a pure
 * function of its files, the package, kind, host, target and boot environment and the values of
 * the context names it looked up; instances of one package agreeing on the flags behind those
 * names reuse one render. Instance keys and node ids still hash every flag, so no store path
 * changes. Renders that called intro() or whose renderer reports no names are never shared.
 *
 * Must not depend on: anything of the core but plan/flags and the hash module's string builder
 * and key table.
 */
import { StrBuilder } from '../hash/builder';
import { KeyTable } from '../hash/keytable';
import { Flags } from './flags';

/** The flags behind the looked-up names: not target, kind, host; `setx` also follows `boot`. Sorted. */
export function flagsBehind(names: Array<string>): Array<string> {
  const s = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n == 'target' || n == 'kind' || n == 'host') continue;
    s.add(n);
    if (n == 'setx') s.add('boot');
  }
  const out = s.values();
  out.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

/**
 * `prefix`, \x00, then the read set and its values in `flags` (\x01: absent; \x00 separates), in
 * one shared buffer (the caller hashes it before the next call: no string per part or key).
 */
export function valuesKeyInto(prefix: string, reads: Array<string>, flags: Flags): StrBuilder {
  const b = keyBuf;
  b.clear();
  b.str(prefix);
  b.ch(0);
  valuesInto(b, reads, flags);
  return b;
}

/** Appends valuesKeyInto's part after its prefix to `b`. */
function valuesInto(b: StrBuilder, reads: Array<string>, flags: Flags): void {
  for (let i = 0; i < reads.length; i++) {
    const v = flags.get(reads[i]);
    b.str(reads[i]);
    b.ch(0);
    if (v === null) b.ch(1);
    else {
      b.ch(2);
      b.str(v!);
    }
    b.ch(0);
  }
}

/** The key of a shared render in keyBuf: pk, \x03, then valuesKeyInto's part (no string is made to look it up). */
function shareKeyInto(pk: string, reads: Array<string>, flags: Flags): StrBuilder {
  const b = keyBuf;
  b.clear();
  b.str(pk);
  b.ch(3);
  valuesInto(b, reads, flags);
  return b;
}

/** The keys' one buffer (a key is hashed or copied out before the next call). */
const keyBuf = new StrBuilder(1024);

/** Renders of one graph shared by read set, keyed by (package, kind, target) then the read values. */
export class RenderShare<R> {
  private shapes: KeyTable<Array<Array<string>>> = new KeyTable<Array<Array<string>>>();
  private renders: KeyTable<R> = new KeyTable<R>();
  renderCount: i32 = 0;
  sharedCount: i32 = 0;

  /** The read sets seen for `pk` (mutable: a caller merges ones stored by earlier plans). */
  readSets(pk: string): Array<Array<string>> {
    const at = this.shapes.findStr(pk);
    if (at >= 0) return this.shapes.valueAt(at);
    const s = new Array<Array<string>>();
    this.shapes.add(pk, s);
    return s;
  }

  /** A render of `pk` whose read set has the same values in `flags`, or null. */
  find(pk: string, flags: Flags): R | null {
    const at = this.shapes.findStr(pk);
    if (at < 0) return null;
    const s = this.shapes.valueAt(at);
    for (let i = 0; i < s.length; i++) {
      const k = this.renders.find(shareKeyInto(pk, unchecked(s[i]), flags));
      if (k >= 0) return this.renders.valueAt(k);
    }
    return null;
  }

  /** Records `r` for every flags agreeing with `flags` on `reads`; true if the read set is new. */
  add(pk: string, reads: Array<string>, flags: Flags, r: R): bool {
    const s = this.readSets(pk);
    const id = reads.join('\x00');
    let fresh = true;
    for (let i = 0; i < s.length; i++) if (s[i].join('\x00') == id) fresh = false;
    if (fresh) s.push(reads);
    const at = this.renders.find(shareKeyInto(pk, reads, flags));
    if (at >= 0) this.renders.setAt(at, r);
    else this.renders.add(keyBuf.toString(), r);
    return fresh;
  }
}
