/**
 * The graph's instances by key (the name, \x00, then the canonical JSON of the flags with kind
 * and target set), found without putting the key together: a key's hash joins its name's hash
 * and its JSON's, and a flag set keeps its JSON and that JSON's hash for the kind and target it
 * was last asked with (Flags#keptKindTarget), so a lookup by a set seen before hashes only the
 * name and compares the key in place. Only a new key is written out (lastKey).
 *
 * Must not depend on: graph.ts, the renderer, abi/.
 */
import { hashUnits, KeyTable, StrBuilder } from '../hash/index';
import { Flags } from './flags';
import { Instance } from './instance';

/** A key's hash from its name's hashUnits and its JSON's. */
function joinHash(name: u32, json: u32): u32 {
  return (name * 0x9e3779b1) ^ json;
}

/**
 * The hash of a whole key (as find joins it from the two parts), split at its last \x00: the
 * JSON part never holds one (canonical JSON escapes control characters).
 */
function keyHash(key: string): u32 {
  const n = key.lastIndexOf('\x00');
  const p = changetype<usize>(key);
  return joinHash(hashUnits(p, n), hashUnits(p + ((<usize>n + 1) << 1), key.length - n - 1));
}

export class InstanceKeys {
  private table: KeyTable<Instance> = new KeyTable<Instance>();
  private buf: StrBuilder = new StrBuilder(256);
  /** The name and JSON of the last lookup (what lastKey puts together). */
  private lastName: string = '';
  private lastJson: string | null = null;

  /** The instance of `name` with `given` flags and this kind and target, or null (lastKey is its key). */
  find(name: string, given: Flags, kind: string, target: string): Instance | null {
    const hn = hashUnits(changetype<usize>(name), name.length);
    const json = given.keptKindTarget(kind, target);
    this.lastName = name;
    this.lastJson = json;
    let at: i32;
    if (json !== null) at = this.table.findJoined(name, 0, json, joinHash(hn, given.ktHash));
    else {
      // a set asked for the first time: its JSON is written (the set keeps it from the second time)
      const b = this.buf;
      b.clear();
      b.str(name);
      b.ch(0);
      given.writeJsonKindTarget(b, kind, target);
      const from = name.length + 1;
      const hj = hashUnits(b.ptr + (<usize>from << 1), b.len - from);
      at = this.table.findUnitsHashed(b.ptr, b.len, joinHash(hn, hj));
    }
    return at >= 0 ? this.table.valueAt(at) : null;
  }

  /** The key of the last find (that missed). */
  lastKey(): string {
    const json = this.lastJson;
    if (json === null) return this.buf.toString();
    // one string of the two parts (a concatenation of three makes two)
    const name = this.lastName;
    const na = <usize>name.length << 1;
    const nj = <usize>json.length << 1;
    const s = changetype<string>(__new(na + 2 + nj, idof<string>()));
    const p = changetype<usize>(s);
    memory.copy(p, changetype<usize>(name), na);
    store<u16>(p + na, 0);
    memory.copy(p + na + 2, changetype<usize>(json), nj);
    return s;
  }

  /** The instance of a whole key, or null. */
  get(key: string): Instance | null {
    const at = this.table.findUnitsHashed(changetype<usize>(key), key.length, keyHash(key));
    return at >= 0 ? this.table.valueAt(at) : null;
  }

  /** Adds `x` by its key, which no instance has yet. */
  add(x: Instance): void {
    this.table.addHashed(x.key, x, keyHash(x.key));
  }
}
