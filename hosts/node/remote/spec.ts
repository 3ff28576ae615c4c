/**
 * Builder specs: `ssh://[user@]host[:port]?jobs=4&targets=linux-x86_64,linux-aarch64&speed=2`,
 * several in one string separated by spaces or commas (a comma inside `targets=` belongs to the
 * spec; a new spec starts at `ssh://`). They come from `--builders=` or from the config file's
 * `"builders": [SPEC...]` (ix-config/1: ~/.config/ix/config.json, /etc/ix/config.json for root).
 * `--builders=` replaces the file's list; `--builders=` with nothing turns builders off.
 *
 * Parameters: jobs (slots, default 1), targets (default linux-x86_64), speed (a positive number,
 * default 1: a faster builder is preferred), ix (the command that runs ix on the builder, default
 * `ix`; a forced command in authorized_keys overrides it anyway), trust (comma-free name of a
 * public key file: the builder must sign what it sends with its secret key), timeout (seconds
 * without a word from the builder before it counts as dead, default 120).
 *
 * Must not depend on: the executor, the store, the sandbox, anything Linux-only.
 */
import { IxError } from '../../../engine/errors';

export interface BuilderSpec {
  /** The spec as written, without parameters: the builder's name in every message. */
  name: string;
  /** ssh destination: `user@host` (or `host`). */
  destination: string;
  port?: number;
  jobs: number;
  targets: string[];
  speed: number;
  /** Remote command that starts ix (before `store serve --stdio`). */
  ix: string;
  /** Public key file(s) the builder's records must be signed by (empty: no signature needed). */
  trust: string[];
  /** Silence (ms) after which the builder counts as dead. */
  timeoutMs: number;
}

const KNOWN = new Set(['jobs', 'targets', 'speed', 'ix', 'trust', 'timeout']);
const TARGET = /^[a-z0-9_]+-[a-z0-9_]+$/;
const HOST = /^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$/;
const USER = /^[A-Za-z0-9._-]+$/;

/** Parse one spec; `where` names its source in errors ("--builders", or the config file and key). */
export function parseBuilder(text: string, where = '--builders'): BuilderSpec {
  const bad = (why: string) => new IxError(`${where}: bad builder '${text}': ${why}`);
  if (!text.startsWith('ssh://')) throw bad("a builder is written ssh://[user@]host[:port][?jobs=N&targets=T,...&speed=S]");
  const q = text.indexOf('?');
  const auth = text.slice('ssh://'.length, q < 0 ? undefined : q).replace(/\/$/, '');
  const m = /^(?:([^@/]+)@)?([^@/]+?)(?::(\d+))?$/.exec(auth);
  if (!m || !HOST.test(m[2]) || (m[1] !== undefined && !USER.test(m[1]))) throw bad('expected [user@]host[:port]');
  const port = m[3] !== undefined ? Number(m[3]) : undefined;
  if (port !== undefined && !(port > 0 && port < 65536)) throw bad(`port ${m[3]} out of range`);
  const spec: BuilderSpec = {
    // ssh takes an IPv6 address without the brackets a URL needs around it.
    name: `ssh://${auth}`, destination: `${m[1] ? `${m[1]}@` : ''}${m[2].replace(/^\[(.*)\]$/, '$1')}`, port,
    jobs: 1, targets: ['linux-x86_64'], speed: 1, ix: 'ix', trust: [], timeoutMs: 120_000,
  };
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  for (const [k, v] of params) {
    if (!KNOWN.has(k)) throw bad(`unknown parameter '${k}' (known: ${[...KNOWN].join(', ')})`);
    if (k === 'jobs') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw bad(`jobs must be a whole number of at least 1, got '${v}'`);
      spec.jobs = Number(v);
    } else if (k === 'speed' || k === 'timeout') {
      const n = Number(v);
      if (!(n > 0)) throw bad(`${k} must be a positive number, got '${v}'`);
      if (k === 'speed') spec.speed = n;
      else spec.timeoutMs = n * 1000;
    } else if (k === 'targets') {
      const ts = v.split(',').filter(Boolean);
      const wrong = ts.find((t) => !TARGET.test(t));
      if (!ts.length || wrong !== undefined) throw bad(`targets are written os-arch (linux-x86_64), got '${wrong ?? v}'`);
      spec.targets = [...new Set(ts)].sort();
    } else if (k === 'ix') {
      if (!v) throw bad('ix needs a command');
      spec.ix = v;
    } else {
      spec.trust.push(v);
    }
  }
  return spec;
}

/** Split a list of specs: by whitespace, and by commas that start a new `ssh://`. */
export function splitBuilders(text: string): string[] {
  return text.split(/\s+|,(?=\s*ssh:\/\/)/).map((s) => s.trim()).filter(Boolean);
}

/** Parse a list of specs; the same builder named twice is an error. */
export function parseBuilders(text: string, where = '--builders'): BuilderSpec[] {
  const out: BuilderSpec[] = [];
  for (const s of splitBuilders(text)) {
    const b = parseBuilder(s, where);
    if (out.some((o) => o.name === b.name)) throw new IxError(`${where}: builder ${b.name} is named twice`);
    out.push(b);
  }
  return out;
}

/**
 * `--builders=` when given (empty: none), else the specs of the config file (`"builders"` in
 * ix-config/1, hosts/node/subst/config.ts), each error naming its file.
 */
export function resolveBuilders(flag: string | undefined, config?: { specs: string[]; file: string }): BuilderSpec[] {
  if (flag !== undefined) return parseBuilders(flag);
  if (!config) return [];
  return parseBuilders(config.specs.join(' '), `${config.file}: key "builders"`);
}
