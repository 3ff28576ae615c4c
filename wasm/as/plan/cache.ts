/**
 * The compiled core's descriptor cache through host.cacheGet/cachePut (engine/plan/cache.ts, under
 * keys of its own, "as-desc1-", so they never meet the V8 engine's entries): rendered descriptors
 * per package instance. A hit counts only if every recipe file it was made from still has the
 * recorded BLAKE3 (one host.fileDigests batch when the host offers it, else read and hashed here).
 * Caches never change plan bytes. Nodes are memoised in node-memo.ts; whole plans are not cached
 * here (the host keeps them: hosts/node/plan-memo.ts).
 *
 * Values, versioned:
 *  - descriptor: "ix-as-descriptor-cache/3\n" + the text's hex BLAKE3 (part of its nodes' memo
 *    keys: node-memo.ts) + "\n" + canonical JSON [[path, hex | null], ...] + "\n" + the text, as
 *    is (only the files list is parsed on a hit; the text is normalised again: a parse, cheap
 *    beside a render);
 *  - read sets (plan/reads.ts): canonical JSON {"format": "ix-as-descriptor-reads/1", "reads": [[flag, ...], ...]},
 *    every read set a package's renders had; a render's key then hashes one read set and its values.
 *
 * Must not depend on: anything else of the core but host, hash, errors.
 */
import * as host from '../host';
import { IxErr } from '../errors';
import {
  StrBuilder, writeStr, hexOfBytes, toHex, parseJson, utf8DecodeAt, J_ARR, J_STR, J_NULL, J_OBJ, JValue,
} from '../hash/index';

export const ENGINE_VERSION = 'ix-as-engine/0.3.0';
const DESC_HEADER = 'ix-as-descriptor-cache/3\n';
const READS_FORMAT = 'ix-as-descriptor-reads/1';

/** Per-plan memo of file content hashes. */
export class FileHashes {
  private memo: Map<string, string | null> = new Map<string, string | null>();

  prefetch(paths: Array<string>): void {
    const todo = new Array<string>();
    for (let i = 0; i < paths.length; i++) if (!this.memo.has(paths[i])) todo.push(paths[i]);
    if (todo.length == 0) return;
    const got = host.fileDigests(todo);
    if (got === null || got.length != todo.length) return;
    for (let i = 0; i < todo.length; i++) {
      const d = got[i];
      if (d === null) this.memo.set(todo[i], null);
      else if (d.length == 32) this.memo.set(todo[i], toHex(d));
    }
  }

  /** Why the last get() found nothing though a recipe mount decides the path (host.readFault), else null; not remembered. */
  fault: IxErr | null = null;

  /** Paths asked for, while a root's walk records them (Graph.rec); a mount fault makes it `faulted`. */
  log: Array<string> | null = null;
  faulted: bool = false;

  get(path: string): string | null {
    this.fault = null;
    const log = this.log;
    if (log !== null) log.push(path);
    if (this.memo.has(path)) return this.memo.get(path);
    const b = host.readFile(path);
    if (b === null) {
      this.fault = host.readFault();
      if (this.fault !== null) {
        this.faulted = true;
        return null;
      }
    }
    const h: string | null = b === null ? null : hexOfBytes(b);
    this.memo.set(path, h);
    return h;
  }

  /** True when every [path, hash] of a cached files list still holds. */
  valid(files: JValue): bool {
    if (files.kind != J_ARR) return false;
    const it = files.items!;
    const paths = new Array<string>(it.length);
    for (let i = 0; i < it.length; i++) {
      const f = it[i];
      if (f.kind != J_ARR || f.items!.length < 2 || f.items![0].kind != J_STR) return false;
      paths[i] = f.items![0].s;
    }
    this.prefetch(paths);
    for (let i = 0; i < it.length; i++) {
      const want = it[i].items![1];
      const got = this.get(paths[i]);
      if (got === null) {
        if (want.kind != J_NULL) return false;
      } else if (want.kind != J_STR || want.s != got) return false;
    }
    return true;
  }

  /** Canonical JSON [[path, hex | null], ...] of sorted paths. */
  writeFiles(sb: StrBuilder, paths: Array<string>): void {
    this.prefetch(paths);
    sb.ch(91);
    for (let i = 0; i < paths.length; i++) {
      if (i > 0) sb.ch(44);
      sb.ch(91);
      writeStr(sb, paths[i]);
      sb.ch(44);
      const h = this.get(paths[i]);
      if (h === null) sb.str('null');
      else writeStr(sb, h);
      sb.ch(93);
    }
    sb.ch(93);
  }
}

/** The JSON object cached under `key` when its "format" is `format`; null for a miss or a foreign value. */
function cachedObject(key: string, format: string): JValue | null {
  const raw = host.cacheGet(key);
  if (raw === null) return null;
  const v = parseJson(utf8DecodeAt(raw.dataStart, raw.length)).value;
  if (v === null || v.kind != J_OBJ) return null;
  const fmt = v.get('format');
  return fmt !== null && fmt.kind == J_STR && fmt.s == format ? v : null;
}

/** A cached render: its text and the text's hex BLAKE3. */
export class DescHit {
  text: string = '';
  digest: string = '';
  /** The files it was made from (the kept graph records them per instance). */
  files: Array<string> = [];
}

/** Index of byte 10 at or after `from`, or -1. */
function nl(raw: Uint8Array, from: i32): i32 {
  for (let i = from; i < raw.length; i++) if (unchecked(raw[i]) == 10) return i;
  return -1;
}

/** The cached text of a rendered descriptor, or null (miss, stale file, foreign value). */
export function descLookup(key: string, files: FileHashes): DescHit | null {
  const raw = host.cacheGet(key);
  if (raw === null) return null;
  const h = DESC_HEADER.length;
  if (raw.length < h) return null;
  for (let i = 0; i < h; i++) if (<i32>raw[i] != DESC_HEADER.charCodeAt(i)) return null;
  const e1 = nl(raw, h);
  if (e1 < 0) return null;
  const e2 = nl(raw, e1 + 1);
  if (e2 < 0) return null;
  const fl = parseJson(utf8DecodeAt(raw.dataStart + <usize>(e1 + 1), e2 - e1 - 1)).value;
  if (fl === null || !files.valid(fl)) return null;
  const hit = new DescHit();
  hit.digest = utf8DecodeAt(raw.dataStart + <usize>h, e1 - h);
  hit.text = utf8DecodeAt(raw.dataStart + <usize>(e2 + 1), raw.length - e2 - 1);
  const it = fl.items!;
  for (let i = 0; i < it.length; i++) hit.files.push(it[i].items![0].s);
  return hit;
}

/** One builder for every render stored (the host copies an entry's text during its cachePut). */
const descBuf = new StrBuilder(1 << 16);

/** Stores a fresh render (`digest`: its text's hex BLAKE3) with the content hashes of the files it read (sorted paths). */
export function descStore(key: string, text: string, digest: string, paths: Array<string>, files: FileHashes): void {
  const sb = descBuf;
  sb.clear();
  sb.str(DESC_HEADER);
  sb.str(digest);
  sb.ch(10);
  files.writeFiles(sb, paths);
  sb.ch(10);
  sb.str(text);
  host.cachePutUtf16(key, sb.ptr, sb.len);
}

/** The read sets stored under `key`; none for a miss or a foreign value. */
export function readSetsLookup(key: string): Array<Array<string>> {
  const out = new Array<Array<string>>();
  const v = cachedObject(key, READS_FORMAT);
  if (v === null) return out;
  const rs = v.get('reads');
  if (rs === null || rs.kind != J_ARR) return out;
  const it = rs.items!;
  for (let i = 0; i < it.length; i++) {
    if (it[i].kind != J_ARR) continue;
    const xs = it[i].items!;
    const r = new Array<string>();
    let ok = true;
    for (let j = 0; j < xs.length; j++) {
      if (xs[j].kind != J_STR) ok = false;
      else r.push(xs[j].s);
    }
    if (ok) out.push(r);
  }
  return out;
}

/** Stores every read set known for a package. */
export function readSetsStore(key: string, sets: Array<Array<string>>): void {
  const sb = new StrBuilder(256);
  sb.str('{"format":"' + READS_FORMAT + '","reads":[');
  for (let i = 0; i < sets.length; i++) {
    if (i > 0) sb.ch(44);
    sb.ch(91);
    for (let j = 0; j < sets[i].length; j++) {
      if (j > 0) sb.ch(44);
      writeStr(sb, sets[i][j]);
    }
    sb.ch(93);
  }
  sb.str(']}');
  host.cachePutUtf16(key, sb.ptr, sb.len);
}
