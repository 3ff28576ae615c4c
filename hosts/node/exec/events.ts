/**
 * What the executor reports while it runs: a stream of events ("ix-events/1"), and the three ways
 * to show them: `--json` (one JSON object per line), plain lines (pipes, CI logs), and a live
 * status display on a terminal (running nodes with their current step, done/total, elapsed).
 * Events: begin, start, step, done (status built | substituted | cached | failed | skipped),
 * refused (a binary cache's copy was not used), needed (a failed download brought a node's
 * inputs back), pushed (an upload of --push-to), end, check, outputs. Nodes the wanted outputs
 * do not need (top-down realisation) get no events: `begin.needed` and `end.unneeded` count them. Additions to ix-events/1 are additive (new events, new optional fields): readers
 * ignore what they do not know. A download from a cache shows as `step` lines with bytes and rate.
 *
 * Must not depend on: the store, the sandbox, the scheduler.
 */
import { safeText } from '../../common';

export const EVENTS_FORMAT = 'ix-events/1';

/**
 * How a node ended: `built` here, `substituted` (downloaded from a binary cache, verified and
 * committed like a build; the done event names the cache and the archive's bytes), `cached`
 * (already in the store), `failed`, or `skipped` (a node it needs failed).
 */
export type NodeStatus = 'built' | 'substituted' | 'cached' | 'failed' | 'skipped';

export type ExecEvent =
  /** `total`: nodes of the plan; `needed`: those this run realises or finds (the rest are not needed). */
  | { event: 'begin'; format: typeof EVENTS_FORMAT; total: number; cores: number; needed?: number }
  | { event: 'start'; id: string; name: string; out: string; pool: string; log: string }
  | { event: 'step'; id: string; name: string; line: string }
  /** `cache` and `bytes` (the compressed archive downloaded) come with status `substituted`. */
  | { event: 'done'; id: string; name: string; out: string; status: NodeStatus; ms?: number; reason?: string; log?: string; tail?: string[]; reproduce?: string; cache?: string; bytes?: number }
  /** A cache's copy of a path was refused (one line naming cache, path and reason); the node is built instead. */
  | { event: 'refused'; id: string; name: string; out: string; line: string }
  /** A path built by this run was uploaded to a cache (`--push-to`), or the upload failed (`error`). */
  | { event: 'pushed'; name: string; out: string; cache: string; error?: string }
  /** The download of a node failed, so it is built: `added` more nodes (its inputs, decided top-down) are needed. */
  | { event: 'needed'; id: string; name: string; out: string; added: number }
  /** `unneeded`: plan nodes this run did not need (only to build something present or downloadable). */
  | { event: 'end'; ok: boolean; built: number; substituted: number; cached: number; failed: number; skipped: number; unneeded?: number; ms: number }
  /** `ix build --check`: whether a rebuild gave the same bytes. */
  | { event: 'check'; id: string; name: string; out: string; identical: boolean; expected?: string; actual?: string; differ?: string[]; reason?: string }
  /** A node was given to a builder ("here" or ssh://user@host; again after a builder failed). */
  | { event: 'placed'; id: string; name: string; builder: string }
  /** Bytes moved to (`sent`) and from (`received`) a remote builder for a node: its inputs, its log and output. */
  | { event: 'moved'; id: string; name: string; builder: string; sent: number; received: number }
  /** A remote builder failed (one line: the builder and the cause) and is not used again in this run. */
  | { event: 'builder'; builder: string; status: 'down'; reason: string; name?: string }
  /** The store paths a command produced or found, in request order (last event of `ix build --json`). */
  | { event: 'outputs'; paths: string[] };

export interface Reporter {
  emit(e: ExecEvent): void;
  /** Stop timers, clear the live display. */
  close(): void;
}

/** A writable text sink (process.stdout / stderr or a test buffer). */
export interface Sink {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A log line made safe for one status row: control characters (colours, \r) are shown escaped. */
const printable = (s: string): string => safeText(s.trim()).replace(/\n/g, '\\n');

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const kb = (n: number) => (n < 10_000 ? `${n} B` : n < 10_000_000 ? `${Math.round(n / 1000)} kB` : `${Math.round(n / 1e6)} MB`);

/** Bytes for people: "12.3 MB" (decimal units, like download tools). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** "12.3 MB at 45.6 MB/s": a download's size and rate (no rate when it took no measurable time). */
export function formatTransfer(bytes: number, ms: number): string {
  return ms > 0 ? `${formatBytes(bytes)} at ${formatBytes(Math.round((bytes * 1000) / ms))}/s` : formatBytes(bytes);
}

/** One JSON object per line; "step" events are left out unless `steps`. */
export function jsonReporter(out: Sink, steps = false): Reporter {
  return {
    emit(e) {
      if (e.event === 'step' && !steps) return;
      out.write(`${JSON.stringify(e)}\n`);
    },
    close() {},
  };
}

function failureText(e: Extract<ExecEvent, { event: 'done' }>): string {
  let s = `FAILED ${e.name} ${e.out}: ${e.reason ?? 'failed'}\n`;
  if (e.tail?.length) s += `  last lines of the log:\n${e.tail.map((l) => `  | ${l}`).join('\n')}\n`;
  if (e.log) s += `  log: ${e.log}\n`;
  if (e.reproduce) s += `  reproduce: ${e.reproduce}\n`;
  return s;
}

/**
 * Plain lines, one per finished node; failures with their log tail and reproduce command. Every
 * line goes through safeText: names, log lines and reasons carry recipe-derived text.
 */
export function plainReporter(sink: Sink, opts: { starts?: boolean } = {}): Reporter {
  const out = { write: (s: string) => sink.write(safeText(s)) };
  const starts = opts.starts ?? true;
  let total = 0;
  let done = 0;
  /** Remote builder and bytes moved, per node id (shown with "built"). */
  const remote = new Map<string, { builder: string; sent: number; received: number }>();
  const where = (id: string) => {
    const r = remote.get(id);
    return r ? ` on ${r.builder}, ${kb(r.sent)} sent, ${kb(r.received)} received` : '';
  };
  return {
    emit(e) {
      if (e.event === 'begin') total = e.needed ?? e.total;
      else if (e.event === 'needed') {
        total += e.added;
        out.write(`ix: ${e.name} is built instead, so ${e.added} more node${e.added === 1 ? ' is' : 's are'} needed\n`);
      } else if (e.event === 'placed') {
        if (e.builder === 'here') remote.delete(e.id);
        else remote.set(e.id, { builder: e.builder, sent: 0, received: 0 });
        if (starts && e.builder !== 'here') out.write(`[${done}/${total}] ${e.name} goes to ${e.builder}\n`);
      } else if (e.event === 'moved') {
        const r = remote.get(e.id);
        if (r) { r.sent += e.sent; r.received += e.received; }
      } else if (e.event === 'builder') out.write(`ix: builder ${e.builder} failed: ${e.reason}; not using it again in this run${e.name ? ` (${e.name} goes elsewhere)` : ''}\n`);
      else if (e.event === 'start' && starts) out.write(`[${done}/${total}] start ${e.name} (${e.pool})\n`);
      else if (e.event === 'done') {
        done++;
        if (e.status === 'failed') out.write(failureText(e));
        else if (e.status === 'skipped') out.write(`[${done}/${total}] skipped ${e.name}: ${e.reason ?? ''}\n`);
        else if (e.status === 'built') out.write(`[${done}/${total}] built ${e.name} ${e.out} (${secs(e.ms ?? 0)}${where(e.id)})\n`);
        else if (e.status === 'substituted') out.write(`[${done}/${total}] substituted ${e.name} ${e.out} from ${e.cache} (${formatTransfer(e.bytes ?? 0, e.ms ?? 0)})\n`);
      } else if (e.event === 'refused') {
        out.write(`ix: ${e.line}; building ${e.name} instead\n`);
      } else if (e.event === 'pushed') {
        if (e.error) out.write(`ix: push of ${e.out} to ${e.cache} failed: ${e.error}\n`);
      } else if (e.event === 'check') {
        if (e.reason) out.write(`check ${e.name}: could not rebuild: ${e.reason}\n`);
        else if (e.identical) out.write(`check ${e.name}: rebuilt bit-identical (${e.expected})\n`);
        else out.write(`check ${e.name}: NOT reproducible: ${e.expected} before, ${e.actual} now; differing: ${(e.differ ?? []).join(', ') || '?'}\n`);
      } else if (e.event === 'end') {
        out.write(`${e.ok ? 'done' : 'FAILED'}: ${e.built} built, ${e.substituted ? `${e.substituted} substituted, ` : ''}${e.cached} already there, ${e.failed} failed, ${e.skipped} skipped${e.unneeded ? `, ${e.unneeded} not needed` : ''} in ${secs(e.ms)}\n`);
      }
    },
    close() {},
  };
}

/**
 * Live terminal display: permanent lines (built/failed) scroll above a status block that is
 * redrawn in place: "[done/total 12.3 s] N running" and one line per running node with its
 * last log line. `now` is injectable for tests.
 */
export function ttyReporter(out: Sink, now: () => number = () => performance.now(), refreshMs = 200): Reporter {
  const plain = plainReporter({ write: (s) => permanent.push(s) }, { starts: false });
  const permanent: string[] = [];
  const running = new Map<string, { name: string; since: number; step: string }>();
  let total = 0;
  let done = 0;
  let start = now();
  let drawn = 0;
  const width = () => Math.max(40, out.columns ?? 100);
  const cut = (s: string) => (s.length > width() - 1 ? `${s.slice(0, width() - 2)}…` : s);
  const draw = () => {
    let s = drawn ? `\x1b[${drawn}A\r\x1b[J` : '';
    s += permanent.splice(0).join('');
    const lines = [`[${done}/${total} ${secs(now() - start)}] ${running.size} running`];
    for (const r of running.values()) lines.push(cut(`  ${r.name} ${secs(now() - r.since)}  ${r.step}`));
    s += lines.join('\n') + '\n';
    drawn = lines.length;
    out.write(s);
  };
  const timer = setInterval(draw, refreshMs);
  timer.unref?.();
  return {
    emit(e) {
      plain.emit(e);
      if (e.event === 'begin') { total = e.needed ?? e.total; start = now(); }
      if (e.event === 'needed') total += e.added;
      if (e.event === 'start') running.set(e.id, { name: safeText(e.name), since: now(), step: '' });
      if (e.event === 'placed') { const r = running.get(e.id); if (r) r.name = safeText(e.builder === 'here' ? e.name.split(' ')[0] : `${e.name.split(' ')[0]} on ${e.builder}`); }
      if (e.event === 'step') { const r = running.get(e.id); if (r) r.step = printable(e.line); }
      if (e.event === 'done') { running.delete(e.id); done++; }
      if (e.event !== 'step') draw();
    },
    close() {
      clearInterval(timer);
      if (drawn) out.write(`\x1b[${drawn}A\r\x1b[J`);
      drawn = 0;
      out.write(permanent.splice(0).join(''));
    },
  };
}

/** Pick the reporter: --json, a live display on a terminal, plain lines otherwise. */
export function pickReporter(out: Sink, json: boolean): Reporter {
  if (json) return jsonReporter(out);
  return out.isTTY ? ttyReporter(out) : plainReporter(out);
}
