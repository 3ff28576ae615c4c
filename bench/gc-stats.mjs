/**
 * Prints the compiled core's collector counters (wasm/as/gc-stats.ts) when a process ends:
 * preloaded with `node --import`, it wraps WebAssembly.Instance so that it keeps the last
 * instance exporting `gc_stats`, and at exit reads its counters. Works for any host that loads
 * the core, without touching it:
 *   NODEFLAGS="--import $PWD/bench/gc-stats.mjs" IX_GC_STATS_OUT=/tmp/gc.json /tmp/cold.sh $PWD
 *   node bench/ix-core.mjs /tmp/pg83 --skip-render --core-only --gc-stats
 * Object counts need a core built with IX_AS_GC_STATS=1 (else they print as "-"). Keeping the
 * last instance keeps its memory until exit: read peak RSS from runs without this module.
 * Writes one JSON line to IX_GC_STATS_OUT (a file, appended) or to stderr.
 *
 * Must not depend on: anything of the repository (it reads the core's memory layout only).
 */
import { appendFileSync } from 'node:fs';

const NAMES = ['collections', 'spanBeforeSum', 'spanMax', 'spanAfterLast', 'spanNow', 'memoryNow', 'walked', 'objectsMarked', 'bytesMarked', 'objectsAllocated', 'bytesAllocated', 'objectsNow', 'bytesNow', 'spanAfterSum', 'liveBytesMax'];

const Original = WebAssembly.Instance;
let last;
class Instance extends Original {
  constructor(module, imports) {
    super(module, imports);
    if (typeof this.exports.gc_stats === 'function') last = this;
  }
}
WebAssembly.Instance = Instance;

/** The counters of the last core instance, or undefined. */
export function readGcStats() {
  if (!last) return undefined;
  const at = last.exports.gc_stats() >>> 0;
  const f = new Float64Array(last.exports.memory.buffer, at, NAMES.length);
  const r = {};
  NAMES.forEach((n, i) => (r[n] = f[i]));
  // then the first 64 collections: the span before each and (stats build) the bytes it kept
  const log = new Float64Array(last.exports.memory.buffer, at + 16 * 8, 128);
  r.log = [];
  for (let i = 0; i < Math.min(64, r.collections); i++) r.log.push([Math.round(log[2 * i] / 2 ** 20), Math.round(log[2 * i + 1] / 2 ** 20)]);
  return r;
}

/** One line: collections, objects marked/allocated, spans and memory in MB. */
export function formatGcStats(r) {
  const mb = (b) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const n = (x) => (r.walked ? x.toLocaleString('en-US') : '-');
  return `gc: ${r.collections} collections, objects marked ${n(r.objectsMarked)} (${r.walked ? mb(r.bytesMarked) : '-'}), ` +
    `allocated ${n(r.objectsAllocated)} (${r.walked ? mb(r.bytesAllocated) : '-'}), largest live ${r.walked ? mb(r.liveBytesMax) : '-'}; ` +
    `span max ${mb(r.spanMax)}, mean before ${mb(r.collections ? r.spanBeforeSum / r.collections : 0)}, mean after ${mb(r.collections ? r.spanAfterSum / r.collections : 0)}, ` +
    `at end ${mb(r.spanNow)}; memory ${mb(r.memoryNow)}; MB span before/kept: ${r.log.map((x) => x.join('/')).join(' ')}`;
}

process.on('exit', () => {
  const r = readGcStats();
  if (!r) return;
  const line = JSON.stringify({ ...r, text: formatGcStats(r) }) + '\n';
  if (process.env.IX_GC_STATS_OUT) appendFileSync(process.env.IX_GC_STATS_OUT, line);
  else process.stderr.write(line);
});
