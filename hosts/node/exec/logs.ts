/**
 * Per-node build logs at <root>/var/log/v1/<id>.log (format "ix-log/1": a header of "# " lines,
 * then the node's stdout+stderr as it came), and beside it <id>.node.json, the node itself, so a
 * failed node can be re-run alone with hosts/linux-sandbox/run-node. The latest attempt wins.
 *
 * Must not depend on: the sandbox, the scheduler, the terminal.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, fstatSync, writeSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanNode } from '../../../engine/api';
import { safeText } from '../../common';

export const LOG_FORMAT = 'ix-log/1';

export function logPath(logsDir: string, id: string): string {
  return join(logsDir, `${id}.log`);
}

export function nodeFilePath(logsDir: string, id: string): string {
  return join(logsDir, `${id}.node.json`);
}

/** An open log: append bytes, then close. Writes are synchronous (small, ordered, crash-safe enough). */
export interface NodeLog {
  path: string;
  nodeFile: string;
  /** Appends; a failing write (disk full) stops the log and is kept in `error`, never thrown. */
  write(chunk: Buffer | string): void;
  /** The first write error, if any (the executor reports it as the run's cause). */
  readonly error: unknown;
  /** The last line written so far (without its newline), for "which step" displays. */
  lastLine(): string;
  close(): void;
}

/** Open (truncate) the log of a node; `suffix` keeps side logs apart (".check" for --check rebuilds). */
export function openLog(logsDir: string, node: PlanNode, suffix = ''): NodeLog {
  mkdirSync(logsDir, { recursive: true });
  const path = logPath(logsDir, node.id + suffix);
  const nodeFile = nodeFilePath(logsDir, node.id);
  writeFileSync(nodeFile, `${JSON.stringify(node, null, 1)}\n`);
  const fd = openSync(path, 'w', 0o644);
  // the header is ix's own text: the node's name is recipe-derived, so it is escaped
  writeSync(fd, `# ${LOG_FORMAT}\n# node ${safeText(node.name)}\n# out ${node.out}\n`);
  let partial = '';
  let last = '';
  let open = true;
  let error: unknown;
  return {
    path,
    nodeFile,
    get error() { return error; },
    write(chunk) {
      if (!open || error !== undefined) return;
      try {
        if (typeof chunk === 'string') writeSync(fd, chunk);
        else writeSync(fd, chunk);
      } catch (e) {
        error = e;
        return;
      }
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i].trim()) { last = lines[i]; break; }
      }
    },
    lastLine: () => (partial.trim() ? partial : last),
    close() {
      if (open) { open = false; closeSync(fd); }
    },
  };
}

/** The last `n` lines of a file (reads at most the last 64 KiB). */
export function tailFile(path: string, n: number): string[] {
  if (!existsSync(path)) return [];
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 65536);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (len === size) while (lines.length && lines[0].startsWith('# ')) lines.shift(); // the header
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/** Read a whole log, or undefined when the node never ran here. */
export function readLog(logsDir: string, id: string): string | undefined {
  const p = logPath(logsDir, id);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** The run-node entry of this checkout (found by walking up from this module, also when bundled). */
export function runNodeCommand(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const cand = join(dir, 'hosts', 'linux-sandbox', 'run-node');
    if (existsSync(cand)) return cand;
    const up = resolve(dir, '..');
    if (up === dir) return 'hosts/linux-sandbox/run-node';
    dir = up;
  }
}

/** The one command that re-runs a node by itself, printed with every failure. */
export function reproduceCommand(logsDir: string, id: string, root: string): string {
  return `IX_ROOT=${root} ${runNodeCommand()} ${nodeFilePath(logsDir, id)}`;
}
