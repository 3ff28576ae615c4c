/**
 * The host's plan memo: a plan request whose last answer is still valid is answered without
 * loading the WASM core. The memo holds the core's own plan bytes for the request, stored with
 * every recipe path the core read (`readFile`) or asked a digest of (`fileDigests`) during that
 * call and the BLAKE3 of what it got (null: absent), and every directory it listed (`listDir`)
 * with the listing it got (null: absent). The core sees nothing else of the host (no clock, no
 * environment), so equal answers for every recorded path and directory mean the core would plan
 * the same bytes again. Listings feed the "did you mean" of unknown packages, so a keep-going plan
 * of a whole tree lists every directory once; a lookup lists them again through the command's
 * snapshot HostIO (io.ts), which answers a directory of the first root from its stat when an
 * earlier command remembered its listing under exactly that stat (stat-table.ts: a listing
 * holding a symbolic link is never remembered, as a link can turn into a directory without its
 * parent changing), and reads every other directory.
 *
 * A lookup re-checks each path through the current recipe roots (first root wins, as in io.ts).
 * Stat data stands in for re-reading a file only where that is safe: the entry keeps a file's
 * (device, inode, size, mtime, ctime) only when its mtime and ctime were older than the start
 * of the core call minus MARGIN_MS, so the file cannot have changed between the core reading it
 * and the stat, nor within the same timestamp tick as the recorded times (the "racy git" case).
 * Any later change moves ctime, which no user call can set back (`utimes` sets it to now), and a
 * replaced file has another inode or ctime. Every other path is re-read and re-hashed; when all
 * match, stats that have become safe are written back (the next lookup only stats). Assumes the
 * recipe tree's filesystem clock is within MARGIN_MS of this host's.
 *
 * Three DiskCache entries per request (namespaced by the core's hash like every cache entry), so
 * that `ix plan` and a no-op `ix build` never read the plan itself (22 MB for 5,000 recipes):
 *   `memo1-<h>`  "ix-plan-memo/4\n" + JSON {key, body, files: [[path, hexBlake3 | null,
 *                stat | null], ...], dirs: [[path, listing JSON | null], ...], roots, outs}
 *                (`outs`: each node's output path). An answer of roots only (a request with
 *                `output: "roots"`, which reads the same files) is a head alone, with `body` and
 *                `outs` null: it answers a later roots-only request, never a whole-plan one,
 *                while a whole plan's head answers both. So the key is the request without
 *                its `output` (memoRequest).
 *   `memob-<h>`  "ix-plan-memo-body/2 <body>\n" + the plan bytes
 *   `memos-<h>`  "ix-plan-memo-summary/1 <body>\n" + the plan's summary (plan-summary.ts; with the
 *                head's roots and outs, what `ix build --dry-run` reads instead of the plan)
 * <h> is FNV-1a (64-bit) of the key text (format, recipe roots, request), a file name only: the
 * entry holds the whole key text and a lookup compares it. <body> is a token unique to one write;
 * a body whose token differs from its head's (a concurrent rewrite) reads as a miss. Every
 * failure reads as a miss.
 *
 * Must not depend on: the engine's code (types only), the WASM core; hash-wasm is loaded only
 * when a file has to be re-hashed.
 */
import { statSync, type Stats } from 'node:fs';
import type { HostIO, Plan, PlanRequest } from '../../engine/api';
import type { DiskCache } from './cache';
import { loadDigest, type Digest } from './digest';
import { answeredStat, fsHostIO, logical } from './io';
import { MARGIN_MS, settled, statKey } from './stat-table';
import { decodeSummary, encodeSummary, type PlanSummary, type SummarySource } from './plan-summary';

/**
 * What the memo keeps of a plan besides its bytes: its roots, and its nodes' outputs and what the
 * summary reads (a Plan is one; so is what plan-scan.ts reads of the bytes, without the rest).
 */
export type MemoSource = SummarySource & { roots: Plan['roots'] };

const FORMAT = 'ix-plan-memo/4';
const HEADER = FORMAT + '\n';
const BODY_FORMAT = 'ix-plan-memo-body/2 ';
const SUMMARY_LINE = 'ix-plan-memo-summary/1 ';
/** How old a file's mtime and ctime must be, before the core call started, to trust its stat. */
export { MARGIN_MS };

/** Where memo entries of this invocation live and which recipe roots they are checked against. */
export interface MemoSite {
  cache: DiskCache;
  /** Recipe roots, highest priority first (absolute). */
  roots: string[];
}

/** A valid memo entry: what `ix plan` / a no-op `ix build` print, and the plan bytes on demand. */
export interface MemoHit {
  roots: Plan['roots'];
  /** False for an answer of roots only: no outs, no bytes, no summary. */
  whole: boolean;
  /** Each node's output path (empty when not `whole`). */
  outs: string[];
  /** The plan bytes, or undefined if the body entry is gone or from another write (a miss). */
  bytes(): Uint8Array | undefined;
  /** The plan's summary, or undefined if that entry is gone, malformed or from another write. */
  summary(): PlanSummary | undefined;
  /** Writes the summary of `plan`, which must be this entry's plan (read from its bytes). */
  putSummary(plan: SummarySource): void;
}

type FileRow = [path: string, digest: string | null, stat: string | null];
type DirRow = [path: string, listing: string | null];
interface Head {
  key: string;
  /** The body token, null for an answer of roots only. */
  body: string | null;
  files: FileRow[];
  dirs: DirRow[];
  roots: Plan['roots'];
  /** Null exactly when `body` is. */
  outs: string[] | null;
}

const hex = (d: Uint8Array) => Buffer.from(d.buffer, d.byteOffset, d.length).toString('hex');

/**
 * FNV-1a 64-bit of a string's UTF-16 code units, as hex: only names the entry files (the key text
 * is compared). In two 32-bit halves (the prime is 2^40 + 0x1b3; every product below is exact in
 * a double): BigInt arithmetic took ~7 ms for a whole-tree request's 60 kB key.
 */
export function fnv64(text: string): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    const m = lo * 0x1b3;
    hi = (Math.imul(hi, 0x1b3) + Math.floor(m / 0x100000000) + (lo << 8)) >>> 0;
    lo = m >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

type MemoKey = { text: string; head: string; body: string; summary: string };
/** The last key made, by its request and roots: a command looks its request up, then stores it (a whole tree's key text is ~90 kB). */
let lastKey: { reqJson: string; roots: string[]; key: MemoKey } | undefined;

/** The key text of a request over a root list, and the names of its two entries. */
function memoKey(site: MemoSite, reqJson: string): MemoKey {
  if (lastKey && lastKey.reqJson === reqJson && lastKey.roots.length === site.roots.length && lastKey.roots.every((r, i) => r === site.roots[i])) return lastKey.key;
  const text = JSON.stringify([FORMAT, site.roots, reqJson]);
  const h = fnv64(text);
  const key = { text, head: `memo1-${h}`, body: `memob-${h}`, summary: `memos-${h}` };
  lastKey = { reqJson, roots: [...site.roots], key };
  return key;
}

/** The file a logical path resolves to through the roots (stat only), or undefined if unsure/absent. */
function resolveStat(roots: string[], path: string): Stats | undefined {
  if (!logical(path) || path === '' || path.endsWith('/')) return undefined;
  for (const r of roots) {
    let st: Stats | undefined;
    try {
      // `path` is logical (no '.', '..' or empty segments) and roots are resolved: plain
      // concatenation is join() without its normalisation (a third of a 5k-file lookup)
      st = statSync(`${r}/${path}`, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOTDIR') continue;
      return undefined;
    }
    if (!st) continue; // readFile treats it as "not in this root"
    return st.isFile() ? st : undefined; // a directory is an error for readFile: never memoised
  }
  return undefined;
}

function parseHead(raw: Uint8Array, keyText: string): Head | undefined {
  if (raw.length < HEADER.length || Buffer.from(raw.buffer, raw.byteOffset, HEADER.length).toString('latin1') !== HEADER) return undefined;
  let head: Head;
  try {
    head = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset + HEADER.length, raw.length - HEADER.length).toString('utf8')) as Head;
  } catch {
    return undefined;
  }
  if (!head || head.key !== keyText) return undefined;
  if (head.body === null ? head.outs !== null : typeof head.body !== 'string' || !Array.isArray(head.outs)) return undefined;
  if (!Array.isArray(head.files) || !Array.isArray(head.dirs) || !Array.isArray(head.roots)) return undefined;
  for (const d of head.dirs) {
    if (!Array.isArray(d) || typeof d[0] !== 'string' || (d[1] !== null && typeof d[1] !== 'string')) return undefined;
  }
  for (const f of head.files) {
    if (!Array.isArray(f) || typeof f[0] !== 'string' || (f[1] !== null && typeof f[1] !== 'string') || (f[2] !== null && typeof f[2] !== 'string')) return undefined;
  }
  return head;
}

/** A listing as recorded: JSON of the names in the order given, null when the directory is absent. */
const listingOf = (l: readonly string[] | undefined): string | null => (l === undefined ? null : JSON.stringify(l));

const encodeHead = (head: Head) => Buffer.from(HEADER + JSON.stringify(head), 'utf8');

/** The plan bytes of body entry `raw` if it belongs to the head with token `body`. */
function bodyBytes(raw: Uint8Array | undefined, body: string, format = BODY_FORMAT): Uint8Array | undefined {
  if (!raw) return undefined;
  const line = format + body + '\n';
  if (raw.length < line.length || Buffer.from(raw.buffer, raw.byteOffset, line.length).toString('latin1') !== line) return undefined;
  return raw.subarray(line.length);
}

/**
 * The text a request is memoised under: its JSON without `output` (a whole plan's entry answers
 * a request for its roots too).
 */
export function memoRequest(req: PlanRequest): string {
  if (req.output === undefined) return JSON.stringify(req);
  const rest = { ...req };
  delete rest.output;
  return JSON.stringify(rest);
}

/**
 * The memoised answer to `reqJson` (memoRequest of the request) if every recorded file is
 * unchanged, else undefined: a whole plan or, `whole` false, only its roots. Never loads the
 * core; throws nothing. `startedMs`: when the lookup started (Date.now()), for the stat rule.
 */
export async function lookupPlan(site: MemoSite, reqJson: string, startedMs = Date.now()): Promise<MemoHit | undefined> {
  try {
    const key = memoKey(site, reqJson);
    const raw = site.cache.get(key.head);
    if (!raw) return undefined;
    const head = parseHead(raw, key.text);
    if (!head) return undefined;
    const started = startedMs;
    // a snapshot over the cache: a directory unchanged since a command remembered its listing
    // (stat-table.ts, io.ts) is answered from its stat instead of a readdir (~4,000 of them for
    // a whole IX tree, most of an unchanged re-plan)
    const plain = fsHostIO(site.roots, { cache: site.cache, snapshot: true, startedMs: started });
    let digest: Digest | undefined;
    let refreshed = false;
    for (const row of head.files) {
      const [path, want, stat] = row;
      const st = resolveStat(site.roots, path);
      if (stat !== null && st && statKey(st) === stat) continue;
      const bytes = plain.readFile(path);
      if (bytes === undefined || want === null) {
        if (bytes === undefined && want === null) continue;
        return undefined;
      }
      digest ??= await loadDigest();
      if (hex(digest(bytes)) !== want) return undefined;
      // Unchanged content: keep a stat taken before the read once it is old enough to be safe.
      const next = st && settled(st, started) ? statKey(st) : null;
      if (next !== stat) {
        row[2] = next;
        refreshed = true;
      }
    }
    for (const [path, want] of head.dirs) if (listingOf(plain.listDir(path)) !== want) return undefined;
    if (refreshed) site.cache.put(key.head, encodeHead(head));
    const body = head.body;
    const outs = head.outs ?? [];
    if (body === null) return { roots: head.roots, whole: false, outs, bytes: () => undefined, summary: () => undefined, putSummary: () => {} };
    return {
      roots: head.roots, whole: true, outs, bytes: () => bodyBytes(site.cache.get(key.body), body),
      summary: () => {
        const b = bodyBytes(site.cache.get(key.summary), body, SUMMARY_LINE);
        return b && decodeSummary(b, head.roots, outs);
      },
      putSummary: (plan) => putSummary(site.cache, key.summary, body, plan),
    };
  } catch {
    return undefined;
  }
}

let writes = 0;

/** Stores the summary of `plan` under `key` for the head whose body token is `body`. */
function putSummary(cache: DiskCache, key: string, body: string, plan: SummarySource): void {
  try {
    const summary = encodeSummary(plan);
    if (summary !== undefined) cache.put(key, [Buffer.from(SUMMARY_LINE + body + '\n', 'latin1'), summary]);
  } catch {
    // best-effort, like every cache write
  }
}

/** What a recording HostIO saw during one core call. */
export interface Recording {
  /** Logical path -> hex BLAKE3 of what the core got (null: absent). */
  files: Map<string, string | null>;
  /** Logical directory -> the listing the core got (listingOf). */
  dirs: Map<string, string | null>;
  /** False when the answer must not be memoised (a file or listing that changed mid-call, no digest). */
  usable(): boolean;
  /** The stat a path's answer was read under, when the wrapped HostIO knows it (io.ts answeredStat). */
  statOf?: (path: string) => Stats | undefined;
}

/** Wraps a HostIO (with `digest`) so that everything the core reads is recorded for the memo. */
export function recordingIO(io: HostIO): { io: HostIO; rec: Recording } {
  const files = new Map<string, string | null>();
  const dirs = new Map<string, string | null>();
  let ok = io.digest !== undefined;
  const note = (p: string, d: string | null) => {
    if (files.has(p) && files.get(p) !== d) ok = false;
    files.set(p, d);
  };
  const rec: HostIO = {
    readFile: (p) => {
      const b = io.readFile(p);
      if (io.digest) note(p, b === undefined ? null : hex(io.digest(b)));
      return b;
    },
    listDir: (p) => {
      const l = io.listDir(p);
      const got = listingOf(l);
      if (dirs.has(p) && dirs.get(p) !== got) ok = false;
      dirs.set(p, got);
      return l;
    },
  };
  if (io.digest) rec.digest = (d) => io.digest!(d);
  if (io.digestText) rec.digestText = (s) => io.digestText!(s);
  if (io.fileDigests) {
    // the same digest object comes back for a path asked again (io.ts): its hex once
    const hexes = new WeakMap<Uint8Array, string>();
    const hexOf = (d: Uint8Array) => {
      let h = hexes.get(d);
      if (h === undefined) hexes.set(d, (h = hex(d)));
      return h;
    };
    rec.fileDigests = (ps) => {
      const got = io.fileDigests!(ps);
      if (got) ps.forEach((p, i) => note(p, got[i] ? hexOf(got[i]!) : null));
      return got;
    };
  }
  if (io.cacheGet) rec.cacheGet = (k, into) => io.cacheGet!(k, into);
  if (io.cachePut) rec.cachePut = (k, v) => io.cachePut!(k, v);
  if (io.cachePutUtf16) rec.cachePutUtf16 = (k, v) => io.cachePutUtf16!(k, v);
  const statOf = answeredStat(io);
  return { io: rec, rec: statOf ? { files, dirs, usable: () => ok, statOf } : { files, dirs, usable: () => ok } };
}

/**
 * Stores the core's answer `bytes` (`plan` is the plan or what plan-scan.ts read of it) to
 * `reqJson`, made by a core call that started at `startedMs` (Date.now()) and read what `rec`
 * recorded. Best-effort, like every cache write.
 */
export function storePlan(site: MemoSite, reqJson: string, bytes: Uint8Array, plan: MemoSource, rec: Recording, startedMs: number): void {
  if (!rec.usable()) return;
  try {
    const key = memoKey(site, reqJson);
    // the body first: a head is only ever read with the body it names
    const body = `${process.pid}-${Date.now()}-${++writes}`;
    site.cache.put(key.body, [Buffer.from(BODY_FORMAT + body + '\n', 'latin1'), bytes]); // no copy of the plan
    putSummary(site.cache, key.summary, body, plan);
    site.cache.put(key.head, encodeHead({ key: key.text, body, files: fileRows(site, rec, startedMs), dirs: dirRows(rec), roots: plan.roots, outs: plan.nodes.map((n) => n.out) }));
  } catch {
    // the memo is best-effort: a failed write is a later miss
  }
}

/**
 * Stores the core's answer of roots only to `reqJson` (memoRequest), made as for storePlan: a
 * head without body, summary or outs. Best-effort.
 */
export function storeRoots(site: MemoSite, reqJson: string, roots: Plan['roots'], rec: Recording, startedMs: number): void {
  if (!rec.usable()) return;
  try {
    const key = memoKey(site, reqJson);
    site.cache.put(key.head, encodeHead({ key: key.text, body: null, files: fileRows(site, rec, startedMs), dirs: dirRows(rec), roots, outs: null }));
  } catch {
    // the memo is best-effort: a failed write is a later miss
  }
}

/**
 * The head's file rows: every recorded path, its digest and its stat once that is safe. The stat
 * is the one the file was read (or its digest matched) under when the HostIO kept it: taken before
 * the read, it is as safe as one taken after the call (a change after it moves ctime, and no
 * later stat matches), and it saves a stat of every file. Otherwise the file is stat-ed now.
 */
function fileRows(site: MemoSite, rec: Recording, startedMs: number): FileRow[] {
  return [...rec.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, d]) => {
    const st = d === null ? undefined : (rec.statOf?.(p) ?? resolveStat(site.roots, p));
    return [p, d, st && settled(st, startedMs) ? statKey(st) : null];
  });
}

const dirRows = (rec: Recording): DirRow[] => [...rec.dirs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
