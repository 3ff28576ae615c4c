/**
 * Binary caches for the commands that build: turns the settings (config.ts) into the
 * executor's Substituter and Pusher seams over hosts/node/cache, says what a build would
 * download (`ix build --dry-run`), and copies closures to and from a cache (`ix copy`).
 * Caches are opened lazily: a run that finds everything built never reads a cache's info file.
 *
 * Must not depend on: the CLI grammar, the terminal, the sandbox.
 */
import type { PlanNode } from '../../../engine/api';
import {
  nodeOfRecord, openCache, orderCaches, parsePublicKey, parseRecord, pushPath, readSecretKey, readSmall, recordKey, refusal, substituteInto, trustedRecords,
  type CacheBackend, type CacheRecord, type PublicKey, type SecretKey,
} from '../cache/index';
import type { Pusher, Substituter, SubstituteHit } from '../exec';
import { formatBytes, TopDown, type RefTable, type TopDownIO } from '../exec';
import type { OutputNode, Store } from '../store';
import { ConfigError, type CacheSettings } from './config';

export {
  CONFIG_FORMAT, ConfigError, checkCacheUrl, configFiles, readConfigFile, urlList, cacheSettings, builderSettings,
  type CacheSettings, type CacheOptions, type ConfigReader,
} from './config';

/** The open caches of a run, in the order they are asked (the cache's own priority first). */
async function openAll(urls: string[], env: Record<string, string | undefined> | undefined): Promise<CacheBackend[]> {
  return Promise.all(urls.map((u) => openCache(u, env ? { env } : {})));
}

/** Parses the trusted keys; a bad one is a ConfigError naming where it came from. */
export function trustedKeys(settings: Pick<CacheSettings, 'trustedKeys' | 'origin'>): PublicKey[] {
  return settings.trustedKeys.map((k) => {
    try {
      return parsePublicKey(k);
    } catch (e) {
      throw new ConfigError(`${settings.origin.trustedKeys ?? 'configuration'}: key "trusted-public-keys": ${(e as Error).message}`);
    }
  });
}

/** The secret key that signs uploads, read and checked (ConfigError naming where it is set). */
export async function secretKey(settings: CacheSettings): Promise<SecretKey> {
  if (!settings.secretKeyFile) {
    throw new ConfigError(`${settings.origin.pushTo ?? '--push-to'}: uploads are signed: give --secret-key=FILE (or "secret-key-file" in the config)`);
  }
  try {
    return await readSecretKey(settings.secretKeyFile);
  } catch (e) {
    throw new ConfigError(`${settings.origin.secretKeyFile ?? '--secret-key'}: ${(e as Error).message}`);
  }
}

interface Hit extends SubstituteHit {
  backend: CacheBackend;
}

/** What a lookup reads of a plan node (`fixed`: a seed's record must carry that tree hash). */
type Node = Pick<PlanNode, 'id' | 'out' | 'name' | 'inputs' | 'runtime' | 'fixed'>;

/**
 * The first cache (by its priority, then configured order) with a record for node.out that a
 * trusted key signed and whose references the plan declares; refusals go to `onRefused`.
 * `havePath` says whether a reference is present (at run time: the store; for --dry-run: yes,
 * since the references would be downloaded first). Reads records only, never archives.
 */
async function lookup(node: Node, ordered: CacheBackend[], keys: PublicKey[], onRefused: (l: string) => void, havePath: (p: string) => Promise<boolean>, asked?: () => void): Promise<{ cache: CacheBackend; record: CacheRecord } | undefined> {
  for await (const hit of trustedRecords(node, ordered, keys, { onRefused, havePath, asked })) return hit;
  return undefined;
}

/**
 * The executor's view of the configured caches (their info files are read once, on first use).
 * A lookup accepts a record whose references are not in the store yet (the executor realises
 * them first); the download checks them against the store (`havePath`) before anything is read.
 * `requests` counts the record reads (for --dry-run and the benchmarks).
 */
export function substituter(store: Pick<Store, 'isBuilt'>, caches: CacheBackend[], keys: PublicKey[], havePath = (p: string) => store.isBuilt(p)): Substituter & { requests(): number } {
  let ordered: Promise<CacheBackend[]> | undefined;
  const refusedCaches: string[] = [];
  let requests = 0;
  const order = () => (ordered ??= orderCaches(caches, (l) => refusedCaches.push(l)).then((xs) => xs.map((x) => x.cache)));
  return {
    requests: () => requests + caches.length * (ordered ? 1 : 0),
    async lookup(node, hooks) {
      const first = !ordered;
      const cs = await order();
      if (first) for (const l of refusedCaches) hooks.onRefused(l); // an unusable cache: said once
      const found = await lookup(node, cs, keys, hooks.onRefused, async () => true, () => requests++);
      if (!found) return undefined;
      const hit: Hit = { cache: found.cache.url, bytes: found.record.archive.size, refs: found.record.refs, backend: found.cache };
      return hit;
    },
    async fetch(node, hit, o, hooks) {
      const r = await substituteInto(node, o, [(hit as Hit).backend], keys, { onRefused: hooks.onRefused, onProgress: hooks.onProgress, havePath });
      return r ? { cache: r.cache, bytes: r.bytes, expectHash: r.expectHash } : undefined;
    },
  };
}

/** Uploads each path to every push target, one path at a time (in build order). */
export function pusher(store: Store, caches: CacheBackend[], key: SecretKey): Pusher {
  let queue: Promise<unknown> = Promise.resolve();
  return (node: PlanNode) => {
    const run = queue.then(async () => {
      const out: { cache: string; error?: string }[] = [];
      for (const c of caches) {
        try {
          await pushPath(store, node.out, c, key);
          out.push({ cache: c.url });
        } catch (e) {
          out.push({ cache: c.url, error: (e as Error).message.split('\n')[0] });
        }
      }
      return out;
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

/** The seams for one run; `warn` gets one line per configuration problem that is not fatal. */
export async function cachesFor(store: Store, settings: CacheSettings, warn: (line: string) => void): Promise<{ substituter?: Substituter; push?: Pusher }> {
  const r: { substituter?: Substituter; push?: Pusher } = {};
  if (settings.substituters.length) {
    const keys = trustedKeys(settings);
    if (!keys.length) warn(`no trusted public keys are configured, so nothing from ${settings.substituters.join(', ')} can be accepted; building instead`);
    else r.substituter = substituter(store, await openAll(settings.substituters, settings.env), keys);
  }
  if (settings.pushTo.length) r.push = pusher(store, await openAll(settings.pushTo, settings.env), await secretKey(settings));
  return r;
}

/** What --dry-run reads of a node: a plan's summary has it (hosts/node/plan-summary.ts). */
export type DryRunNode = Pick<PlanNode, 'id' | 'name' | 'out' | 'inputs' | 'runtime' | 'fixed'>;

/**
 * `ix build --dry-run`: exactly what a build of `wanted` (output paths, or positions in `nodes`
 * from exec's wantedAt, which need no index by path) would do, decided top-down as the
 * executor decides (exec/topdown.ts): one line per needed node in plan order (present, download
 * with cache and bytes, or build), refusals as `ix:` lines, then a summary with the download
 * total and the number of plan nodes not needed. Reads records only; changes nothing.
 */
export async function dryRun(
  store: Pick<Store, 'isBuilt'> & Pick<TopDownIO<SubstituteHit>, 'absentNow'>, nodes: readonly DryRunNode[], wanted: string[] | { at: readonly number[] }, settings: CacheSettings, print: (line: string) => void, refTable?: RefTable,
): Promise<{ requests: number }> {
  const keys = settings.substituters.length ? trustedKeys(settings) : [];
  const caches = keys.length ? await openAll(settings.substituters, settings.env) : [];
  const sub = caches.length ? substituter(store, caches, keys) : undefined;
  const refused = new Map<string, string[]>();
  const hooks = (n: DryRunNode) => ({
    onRefused: (l: string) => refused.set(n.id, [...(refused.get(n.id) ?? []), l]), onProgress: () => undefined, signal: new AbortController().signal,
  });
  const td = new TopDown<SubstituteHit, DryRunNode>(nodes, { isBuilt: (p) => store.isBuilt(p), absentNow: store.absentNow, lookup: sub ? (n) => sub.lookup(n, hooks(n)) : undefined }, refTable);
  await (Array.isArray(wanted) ? td.need(wanted) : td.needAt(wanted.at));
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k];
    const d = td.decisionAt(k);
    if (refused.size) for (const l of refused.get(n.id) ?? []) print(`ix: ${l}`);
    if (!d) continue;
    if (d.mode === 'present') print(`present ${n.name} ${n.out}`);
    else if (d.mode === 'download') print(`download ${n.name} ${n.out} from ${d.hit.cache} (${formatBytes(d.hit.bytes)})`);
    else print(`build ${n.name} ${n.out}`);
  }
  const c = td.counts();
  const unneeded = nodes.length - td.decidedCount;
  print(`would download ${c.download} path${c.download === 1 ? '' : 's'} (${formatBytes(c.bytes)}), build ${c.build}, ${c.present} present; ${unneeded} of ${nodes.length} plan nodes not needed`);
  return { requests: sub?.requests() ?? 0 };
}

/** The runtime closure of `paths` from the store's records; every path must be built here. */
export async function closureOf(store: Store, paths: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = async (p: string, from?: string): Promise<void> => {
    if (seen.has(p)) return;
    seen.add(p);
    const rec = await store.record(p);
    if (!rec) throw new ConfigError(`${p}${from ? ` (a reference of ${from})` : ''} is not in this store: build it first`);
    for (const r of rec.refs) if (r !== p) await visit(r, p);
    order.push(p); // references first
  };
  for (const p of paths) await visit(p);
  return order;
}

/** `ix copy --to`: uploads the closures, skipping paths the cache has. */
export async function copyTo(store: Store, url: string, paths: string[], keyFile: string, print: (line: string) => void, env: Record<string, string | undefined>): Promise<{ uploaded: number; skipped: number; failed: string[] }> {
  const key = await secretKey({ substituters: [], trustedKeys: [], pushTo: [url], secretKeyFile: keyFile, origin: { secretKeyFile: '--secret-key' } });
  const [cache] = await openAll([url], env);
  const r = { uploaded: 0, skipped: 0, failed: [] as string[] };
  for (const p of await closureOf(store, paths)) {
    try {
      const done = await pushPath(store, p, cache, key);
      if (done.status === 'present') r.skipped++;
      else r.uploaded++;
    } catch (e) {
      const line = `${url}: ${p}: ${(e as Error).message.split('\n')[0]}`;
      r.failed.push(line);
      print(`ix: ${line}`);
    }
  }
  return r;
}

/**
 * `ix copy --from`: imports paths and their references, verified, each under its lock.
 * `quiet`: say nothing of paths the cache does not have (another cache may).
 */
export async function copyFrom(store: Store, url: string, keyTexts: string[], paths: string[], print: (line: string) => void, env: Record<string, string | undefined> | undefined, quiet = false): Promise<{ imported: number; present: number; failed: string[] }> {
  const keys = trustedKeys({ trustedKeys: keyTexts, origin: {} });
  const [cache] = await openAll([url], env);
  const r = { imported: 0, present: 0, failed: [] as string[] };
  const seen = new Set<string>();
  const importOne = async (p: string): Promise<boolean> => {
    if (seen.has(p)) return store.isBuilt(p);
    seen.add(p);
    if (await store.isBuilt(p)) { r.present++; return true; }
    const refused: string[] = [];
    // The record lists the path's references; they are the declared inputs of its node.
    let node: OutputNode | undefined;
    try {
      const text = await readSmall(cache, recordKey(p));
      if (text !== undefined) node = nodeOfRecord(parseRecord(text));
    } catch (e) {
      refused.push(refusal(url, p, e));
    }
    const found = node ? await lookup(node, [cache], keys, (l) => refused.push(l), async () => true) : undefined;
    if (!found || !node) {
      r.failed.push(p);
      if (refused.length || !quiet) print(`ix: ${refused[0] ?? `${url}: ${p}: not in this cache`}`);
      return false;
    }
    const n = node;
    for (const ref of found.record.refs) {
      if (ref !== p && !(await importOne(ref))) {
        r.failed.push(p);
        print(`ix: ${url}: ${p}: its reference ${ref} could not be imported`);
        return false;
      }
    }
    let got: Error | undefined;
    try {
      await store.realise(n, async (o) => {
        const s = await substituteInto(n, o, [cache], keys, { onRefused: (l) => refused.push(l), havePath: (x) => store.isBuilt(x) });
        if (!s) throw new Error(refused[0] ?? `${url}: ${p}: refused`);
        return { expectHash: s.expectHash };
      });
    } catch (e) {
      got = e as Error;
    }
    if (got instanceof Error) {
      r.failed.push(p);
      print(`ix: ${got.message.split('\n')[0]}`);
      return false;
    }
    r.imported++;
    return true;
  };
  for (const p of paths) await importOne(p);
  return r;
}

/**
 * Imports whichever of `paths` (with their references) the configured caches hold, each cache
 * in turn for what is still missing, verified like any substitution (a remote builder filling
 * its store from the caches it trusts before its client sends anything). Resolves to the paths
 * now in the store; refusals go to `note`.
 */
export async function fetchFromCaches(store: Store, settings: CacheSettings, paths: string[], note: (line: string) => void): Promise<string[]> {
  const missing = async () => {
    const r: string[] = [];
    for (const p of paths) if (!(await store.isBuilt(p))) r.push(p);
    return r;
  };
  let left = await missing();
  if (settings.substituters.length && settings.trustedKeys.length) {
    for (const url of settings.substituters) {
      if (!left.length) break;
      try {
        await copyFrom(store, url, settings.trustedKeys, left, note, settings.env, true);
      } catch (e) {
        note(`ix: cache ${url}: ${(e as Error).message.split('\n')[0]}`);
      }
      left = await missing();
    }
  }
  return paths.filter((p) => !left.includes(p));
}
