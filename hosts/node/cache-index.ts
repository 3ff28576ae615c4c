/**
 * The disk cache's view of a directory's pack indexes (format: hosts/node/cache-pack.ts): key ->
 * its latest span, as loadIndexes gives it, without parsing every index for a command that reads
 * a handful of entries. A warm whole-tree `ix build --dry-run` reads two entries from an index of
 * ~41,000 lines (the node memo's entries of a whole IX tree): parsing it all was ~50 ms and most
 * of the run's garbage. So the index files are read once, as bytes, and the first LOOKUPS gets
 * search them for the key's lines; the get after that parses them all (a plan making thousands of
 * gets pays one parse, as before, plus a few searches).
 *
 * Both ways give the same span: a search applies parseIndex's rules to the same lines, in the
 * same order (packs by name, lines in file order), with the same `newer`.
 *
 * Must not depend on: the engine; anything but node:fs and ./cache-pack.
 */
import { readFileSync } from 'node:fs';
import { INDEX_HEADER, newer, packIds, parseIndex, type Span } from './cache-pack';

/** Searches before the index is parsed whole (a search costs ~1/20 of a parse, both linear in size). */
export const LOOKUPS = 8;

/** The lookup of a cache directory's indexes, read at the first get. */
export class CacheIndex {
  private raw: { id: string; bytes: Buffer }[] | undefined;
  private spans: Map<string, Span> | undefined;
  private searches = 0;
  /** Keys whose entry must read as absent (a rewrite of them failed in this process). */
  private readonly dropped = new Set<string>();

  /** `beforeRead` runs just before the index files are read (the writer's gathered puts are written then). */
  constructor(
    private readonly base: string,
    private readonly beforeRead?: () => void,
  ) {}

  get(key: string): Span | undefined {
    if (this.dropped.has(key)) return undefined;
    if (this.spans) return this.spans.get(key);
    const raw = (this.raw ??= this.read());
    if (++this.searches > LOOKUPS) {
      this.spans = new Map();
      for (const r of raw) parseIndex(r.id, r.bytes.toString('latin1'), this.spans);
      this.raw = [];
      return this.spans.get(key);
    }
    let best: Span | undefined;
    for (const r of raw) best = search(r.id, r.bytes, key, best);
    return best;
  }

  /** Makes `key` read as absent from now on. */
  delete(key: string): void {
    this.dropped.add(key);
    this.spans?.delete(key);
  }

  private read(): { id: string; bytes: Buffer }[] {
    this.beforeRead?.();
    const out: { id: string; bytes: Buffer }[] = [];
    for (const id of packIds(this.base)) {
      try {
        out.push({ id, bytes: readFileSync(`${this.base}/${id}.idx`) });
      } catch {
        // removed by a compaction meanwhile
      }
    }
    return out;
  }
}

const HEADER = Buffer.from(INDEX_HEADER, 'latin1');

/** `best` or a newer span of `key` among index `bytes`' complete lines (parseIndex's rules). */
function search(pack: string, bytes: Buffer, key: string, best: Span | undefined): Span | undefined {
  if (bytes.length < HEADER.length || !HEADER.equals(bytes.subarray(0, HEADER.length))) return best;
  // the header ends with '\n', so every line, the first included, follows one
  const needle = Buffer.from(`\n${key} `, 'latin1');
  for (let at = bytes.indexOf(needle, HEADER.length - 1); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const start = at + 1;
    const nl = bytes.indexOf(10, start);
    if (nl < 0) break; // a torn last line is not an entry
    const line = new Map<string, Span>();
    parseIndex(pack, INDEX_HEADER + bytes.toString('latin1', start, nl + 1), line);
    const span = line.get(key);
    if (span && (!best || newer(span, best))) best = span;
  }
  return best;
}
