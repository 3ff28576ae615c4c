/**
 * One benchmark measurement in a fresh process (spawned by bench/run.mjs): loads the core
 * (the V8 bundle, or the component through hosts/node's loader), plans `pkg` over a recipe
 * directory with the real filesystem HostIO, digest and disk cache, twice, and prints JSON:
 * { loadMs, firstMs, againMs, cpuMs (load + first plan), nodes, bytes, sha256, maxRssKb }. The clock is read here, never in the core.
 * Argument: JSON { engine: "v8"|"component", outDir, tree, cache|null, pkg, target? }.
 *
 * Must not depend on: anything but bench/.tmp/host.mjs (the bundled hosts/node pieces) and outDir.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const o = JSON.parse(process.argv[2]);
const host = await import(pathToFileURL(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '.tmp', 'host.mjs')).href);
const digest = await host.loadDigest();
const io = host.fsHostIO([o.tree], { digest, cache: o.cache ? host.diskCache(o.cache) : undefined });
const req = { packages: [o.pkg], ...(o.target ? { target: o.target } : {}) };

const t0 = performance.now();
const c0 = process.cpuUsage();
let plan;
if (o.engine === 'v8') {
  const mod = await import(pathToFileURL(join(o.outDir, 'core.bundle.js')).href);
  const core = mod.createCore(io);
  plan = () => { const out = core.plan(JSON.stringify(req)); return out.tag === 'text' ? Buffer.from(out.val, 'utf8') : out.val; }; // as hosts/node does
} else {
  const core = await host.loadCore(o.outDir);
  plan = () => core.plan(io, req);
}
const t1 = performance.now();
const a = plan();
const t2 = performance.now();
const c2 = process.cpuUsage(c0);
const b = plan();
const t3 = performance.now();
const sha = (x) => createHash('sha256').update(x).digest('hex');
if (sha(a) !== sha(b)) throw new Error('bench: a re-plan gave other bytes');
const nodes = JSON.parse(new TextDecoder().decode(a)).nodes.length;
// peak resident memory of the whole process (load + both plans), in KiB
const maxRssKb = process.resourceUsage().maxRSS;
// CPU time (user+sys, all threads) of load + first plan: less sensitive to load than wall time
const cpuMs = (c2.user + c2.system) / 1000;
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, firstMs: t2 - t1, againMs: t3 - t2, cpuMs, nodes, bytes: a.length, sha256: sha(a), maxRssKb }) + '\n');
