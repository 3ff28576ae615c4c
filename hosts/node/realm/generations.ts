/**
 * Realm generations and the atomic switch. Generation N of realm NAME is a (relative) symlink
 * var/realm/v1/NAME/N -> <root>/store/<id>-realm plus its record N.json (ix-realm-generation/1);
 * it is complete when both exist and agree. The active generation is whatever <root>/realm/NAME
 * points to, and switching is one rename(2) of a fresh symlink over it, so a crash at any moment
 * leaves the old or the new generation active, never a broken one: the new generation is complete
 * (and fsynced) before the rename, and an incomplete one is never pointed to and is cleaned later.
 * Callers hold the realm lock (lockRealm) around every change.
 *
 * Must not depend on: the engine's evaluator, the sandbox, the CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseStorePath } from '../../common';
import { IxError } from '../../../engine/errors';
import { syncDir, writeFileAtomic, pidAlive, lock, type HeldLock } from '../store';
import type { RealmLayout } from './layout';
import type { RealmSpec } from './spec';

export const GENERATION_FORMAT = 'ix-realm-generation/1';

export interface GenerationRecord {
  format: typeof GENERATION_FORMAT;
  realm: string;
  generation: number;
  /** Logical store path of the realm object. */
  path: string;
  /** When it was made (ISO 8601, UTC); informational, never hashed. */
  date: string;
  packages: RealmSpec['packages'];
  flags: RealmSpec['flags'];
  /** Platforms the realm was planned for, when not the defaults. */
  target?: string;
  host?: string;
  /** The generation that was active when this one was made (0: none). */
  from: number;
  added: string[];
  removed: string[];
  changed: string[];
}

/** Test seam: awaited at each named step of a change (a test kills the process there). */
export type FaultHook = (stage: string) => Promise<void> | void;

function missing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Take realm NAME's lock (waits for another ix changing the same realm). */
export function lockRealm(rl: RealmLayout, name: string, onWait?: (m: string) => void): Promise<HeldLock> {
  return fs.mkdir(rl.store.locks, { recursive: true }).then(() =>
    lock(rl.lockFile(name), (pid) => onWait?.(`waiting for realm ${name}${pid !== undefined ? ` (locked by process ${pid})` : ''}`)));
}

/** Names of realms that exist (have a public link), sorted. */
export async function listRealms(rl: RealmLayout): Promise<string[]> {
  const names = await fs.readdir(rl.links).catch((e) => (missing(e) ? [] : Promise.reject(e)));
  const out: string[] = [];
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const st = await fs.lstat(path.join(rl.links, n)).catch(() => undefined);
    if (st?.isSymbolicLink()) out.push(n);
  }
  return out.sort();
}

/** The active generation number of realm NAME, or undefined when the realm does not exist. */
export async function currentGeneration(rl: RealmLayout, name: string): Promise<number | undefined> {
  let t: string;
  try {
    t = await fs.readlink(rl.link(name));
  } catch (e) {
    if (missing(e)) return undefined;
    throw e;
  }
  const abs = path.resolve(rl.links, t);
  const n = Number(path.basename(abs));
  if (path.dirname(abs) !== rl.gensDir(name) || !Number.isInteger(n) || n < 1) throw new IxError(`realm ${name}: ${rl.link(name)} points to ${t}, not to one of its generations`);
  return n;
}

async function readGen(rl: RealmLayout, name: string, n: number): Promise<GenerationRecord | undefined> {
  let rec: GenerationRecord;
  try {
    rec = JSON.parse(await fs.readFile(rl.genRecord(name, n), 'utf8')) as GenerationRecord;
  } catch {
    return undefined;
  }
  if (rec.format !== GENERATION_FORMAT || rec.generation !== n) return undefined;
  const sp = parseStorePath(rec.path);
  const target = await fs.readlink(rl.genLink(name, n)).catch(() => undefined);
  return sp && target !== undefined && path.resolve(rl.gensDir(name), target) === rl.store.physical(sp) ? rec : undefined;
}

/** Every number that has a link or a record in the generations dir (complete or not). */
async function allNumbers(rl: RealmLayout, name: string): Promise<number[]> {
  const names = await fs.readdir(rl.gensDir(name)).catch((e) => (missing(e) ? [] : Promise.reject(e)));
  const ns = new Set<number>();
  for (const n of names) {
    const m = /^([1-9][0-9]*)(\.json)?$/.exec(n);
    if (m) ns.add(Number(m[1]));
  }
  return [...ns].sort((a, b) => a - b);
}

/** Complete generations of realm NAME, oldest first. */
export async function listGenerations(rl: RealmLayout, name: string): Promise<GenerationRecord[]> {
  const out: GenerationRecord[] = [];
  for (const n of await allNumbers(rl, name)) {
    const r = await readGen(rl, name, n);
    if (r) out.push(r);
  }
  return out;
}

/** Generation `n` of realm NAME, or a one-line error listing the ones that exist. */
export async function getGeneration(rl: RealmLayout, name: string, n: number): Promise<GenerationRecord> {
  const r = await readGen(rl, name, n);
  if (r) return r;
  const have = (await listGenerations(rl, name)).map((g) => g.generation);
  throw new IxError(`realm ${name} has no generation ${n}${have.length ? ` (it has ${have.join(', ')})` : ''}`);
}

async function removeGen(rl: RealmLayout, name: string, n: number): Promise<void> {
  // Record first: without it the generation is incomplete, hence invisible, at once.
  await fs.rm(rl.genRecord(name, n), { force: true });
  await fs.rm(rl.genLink(name, n), { force: true });
}


/** Remove temporary links `.<base>.<pid>.<rand>.tmp` that dead processes left beside `at`. */
async function cleanTmpLinks(at: string): Promise<void> {
  const dir = path.dirname(at);
  const prefix = `.${path.basename(at)}.`;
  for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const pid = Number(n.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || !pidAlive(pid))) await fs.rm(path.join(dir, n), { force: true });
  }
}

/** Replace (or create) symlink `at` -> `target` in one rename. */
async function atomicSymlink(target: string, at: string, hook?: FaultHook, stage?: string): Promise<void> {
  await cleanTmpLinks(at);
  const tmp = path.join(path.dirname(at), `.${path.basename(at)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await fs.symlink(target, tmp);
  if (stage) await hook?.(`${stage}-tmp`);
  await fs.rename(tmp, at);
  await syncDir(path.dirname(at));
}

/**
 * Record a new generation for realm object `storePath` (does not switch to it). Incomplete
 * leftovers of crashed changes are removed first. Returns the new record.
 */
export async function addGeneration(
  rl: RealmLayout, name: string, storePath: string,
  info: Pick<GenerationRecord, 'packages' | 'flags' | 'target' | 'host' | 'from' | 'added' | 'removed' | 'changed'>,
  date: Date, hook?: FaultHook,
): Promise<GenerationRecord> {
  const sp = parseStorePath(storePath);
  if (!sp) throw new IxError(`not a store path: ${storePath}`);
  const dir = rl.gensDir(name);
  await fs.mkdir(dir, { recursive: true });
  const current = await currentGeneration(rl, name);
  const numbers = await allNumbers(rl, name);
  for (const n of numbers) if (n !== current && !(await readGen(rl, name, n))) await removeGen(rl, name, n);
  const n = (numbers.length ? numbers[numbers.length - 1] : 0) + 1;
  // Relative links: the ix root can be moved or copied as a whole.
  await atomicSymlink(path.relative(dir, rl.store.physical(sp)), rl.genLink(name, n));
  await hook?.('gen-linked');
  const rec: GenerationRecord = { format: GENERATION_FORMAT, realm: name, generation: n, path: storePath, date: date.toISOString(), ...info };
  await writeFileAtomic(rl.genRecord(name, n), `${JSON.stringify(rec, null, 1)}\n`);
  await hook?.('gen-recorded');
  return rec;
}

/** Make generation `n` (complete) the active one: one atomic rename of <root>/realm/NAME. */
export async function switchTo(rl: RealmLayout, name: string, n: number, hook?: FaultHook): Promise<void> {
  await getGeneration(rl, name, n);
  await fs.mkdir(rl.links, { recursive: true });
  await atomicSymlink(path.relative(rl.links, rl.genLink(name, n)), rl.link(name), hook, 'switch');
  await hook?.('switched');
}

/**
 * Drop all but the newest `keep` generations (the active one is always kept, too).
 * Returns the numbers dropped (or that would be, with dryRun).
 */
export async function dropGenerations(rl: RealmLayout, name: string, keep: number, dryRun: boolean): Promise<number[]> {
  const gens = (await listGenerations(rl, name)).map((g) => g.generation);
  const current = await currentGeneration(rl, name);
  const kept = new Set(gens.slice(Math.max(0, gens.length - keep)));
  if (current !== undefined) kept.add(current);
  const drop = gens.filter((g) => !kept.has(g));
  if (!dryRun) for (const g of drop) await removeGen(rl, name, g);
  return drop;
}

/** Remove realm NAME: first its public link (one unlink: the realm is gone at once), then its generations. */
export async function purgeRealm(rl: RealmLayout, name: string): Promise<boolean> {
  const existed = (await currentGeneration(rl, name)) !== undefined;
  await fs.rm(rl.link(name), { force: true });
  await syncDir(rl.links).catch(() => undefined);
  await fs.rm(rl.gensDir(name), { recursive: true, force: true });
  return existed;
}
