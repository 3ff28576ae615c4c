#!/usr/bin/env node
/**
 * Faults, measured: kills `ix build` with SIGKILL at random moments of a multi-package build, and
 * separately kills a sandboxed build process and the flock helper holding a node's lock. After
 * every kill: `ix store verify` finds nothing modified, unrecorded or abnormal (a record whose
 * path is missing is a crash leftover that does not count as built), no lock is left held, and
 * the next `ix build` finishes. A killed lock helper must fail its node ("was lost"), never let
 * it commit unlocked. Prints one JSON line of counts; exits 1 when any check failed.
 * Two workloads:
 *   synthetic (default): a seed toolchain from the host's busybox and eight packages that write
 *     files and sleep (--packages=N for fewer); a fresh root per round.
 *   --real[=lib/z,bin/m4,...]: real packages built from source on a toolchain substituted from a
 *     binary cache (bench/faults-real.mjs: --cache=file:///..., --public-key=FILE,
 *     --fresh-every=N, --sources=DIR for the source cache); each kill is counted by the phase it
 *     hit (substitution, sandbox setup, building, setup or commit, planning).
 * --aimed-kills=N adds kills aimed at the short moments random ones rarely hit, alternately a
 * sandbox being set up (a bwrap with nothing inside yet) and a node being committed (its sandbox
 * has just exited: the store hashes, records and renames the output).
 *   node bench/faults.mjs [--kills=50] [--aimed-kills=0] [--sandbox-kills=10] [--lock-kills=10] [--packages=8] [--seed=N] [--real[=PKGS]]
 * Needs Linux, bwrap, util-linux flock, a built core (npm run build), and busybox-static (synthetic)
 * or the binary cache (real).
 *
 * Must not depend on: anything outside this repository and its node_modules.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ixRunner, realWorkload } from './faults-real.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const strArg = (k) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const arg = (k, d) => Number(strArg(k) ?? d);
const real = process.argv.some((a) => a === '--real' || a.startsWith('--real='));
const opts = { packages: arg('packages', 8), kills: arg('kills', 50), aimedKills: arg('aimed-kills', 0), sandboxKills: arg('sandbox-kills', 10), lockKills: arg('lock-kills', 10), seed: arg('seed', 1) };

// A small deterministic PRNG (mulberry32), so a run can be repeated with --seed.
let state = opts.seed >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

function tree() {
  const dir = mkdtempSync(join(tmpdir(), 'ix-faults-recipes-'));
  const write = (p, t) => { mkdirSync(dirname(join(dir, p)), { recursive: true }); writeFileSync(join(dir, p), t); };
  const seed = 'set -e\nexport PATH=/usr/bin:/bin\nmkdir $out/bin\n/usr/bin/cp /usr/bin/busybox $out/bin/busybox\ncd $out/bin\nfor a in sh echo mkdir chmod cat sleep seq head dd; do ln -s busybox $a; done\n';
  write('bld/boot/bb/ix.sh', JSON.stringify({ bld: { script: { kind: 'sh', data: seed } }, seed: true }));
  const names = [];
  for (let i = 0; i < opts.packages; i++) {
    const script = `set -e\nmkdir -p $out/share\nfor i in $(seq 1 40); do echo ${i}-$i > $out/share/f$i; done\ndd if=/dev/zero of=$out/share/blob bs=64k count=${8 + i} 2>/dev/null\nsleep 0.${3 + (i % 4)}\necho done ${i}\n`;
    const deps = i >= 2 ? [`bin/p${i - 2}`] : [];
    write(`bin/p${i}/ix.sh`, JSON.stringify({ bld: { deps: ['bld/boot/bb', ...deps], script: { kind: 'sh', data: script } } }));
    names.push(`bin/p${i}`);
  }
  write('set/all/ix.sh', JSON.stringify({ run: { deps: names } }));
  return dir;
}

/** The synthetic workload: a fresh root per round, removed afterwards. */
function syntheticWorkload() {
  const recipes = tree();
  return {
    name: `synthetic: ${opts.packages} packages on a busybox seed`,
    buildArgs: ['build', 'set/all', '--recipes', recipes],
    builtNames: undefined,
    env: (root) => ({ IX_ROOT: root, IX_CACHE_DIR: join(root, '.cache') }),
    root: () => {
      const r = mkdtempSync(join(tmpdir(), 'ix-faults-root-'));
      chmodSync(r, 0o755); // the sandbox's build user must reach the store when run as root
      return { root: r, fresh: true };
    },
    done: (root) => rmSync(root, { recursive: true, force: true }),
    cleanup: () => rmSync(recipes, { recursive: true, force: true }),
  };
}

const ix = ixRunner(repo);
let work;
try {
  work = real
    ? realWorkload({ packages: strArg('real') ? strArg('real').split(',') : undefined, cache: strArg('cache'), publicKey: strArg('public-key'), freshEvery: arg('fresh-every', 4), sources: strArg('sources'), ix })
    : syntheticWorkload();
} catch (e) {
  console.error(`bench/faults: ${e.message}`);
  process.exit(1);
}
const ixSync = (root, args) => ix(root, args, work.env(root));

/** Direct and indirect children of `pid`: [{pid, comm, args}]. */
function descendants(pid) {
  const all = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter(Boolean);
      all.push({ pid: Number(e), ppid, args });
    } catch { /* gone */ }
  }
  const out = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop();
    for (const c of all) if (c.ppid === p) { out.push(c); todo.push(c.pid); }
  }
  return out;
}

/** Child pids of `pid` (Linux: /proc/PID/task/PID/children; node spawns from its main thread). */
const childPids = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const comm = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Lock files of the root that some process still holds (flock -n fails on them). */
async function heldLocks(root) {
  const files = [];
  const walk = (d) => { try { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.lock') && files.push(join(d, e.name)); } catch { /* none */ } };
  walk(join(root, 'var'));
  let held = files;
  for (let i = 0; i < 30 && held.length; i++) {
    held = held.filter((f) => spawnSync('flock', ['-n', '-x', f, 'true']).status !== 0);
    if (held.length) await sleep(100);
  }
  return held;
}

/** The checks after a kill; returns the problems found (none is a pass). */
async function check(root) {
  const problems = [];
  const held = await heldLocks(root);
  if (held.length) problems.push(`locks still held: ${held.join(' ')}`);
  const v = ixSync(root, ['store', 'verify', '--json']);
  try {
    const bad = JSON.parse(v.stdout).entries.filter((e) => e.status !== 'ok' && e.status !== 'missing');
    if (bad.length) problems.push(`store verify: ${bad.map((e) => `${e.status} ${e.path}`).join(', ')}`);
  } catch {
    problems.push(`store verify failed: ${v.stderr.trim()}`);
  }
  const again = ixSync(root, work.buildArgs);
  if (again.status !== 0) problems.push(`the next build failed (exit ${again.status}): ${again.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const v2 = ixSync(root, ['store', 'verify']);
  if (v2.status !== 0) problems.push(`store verify after the next build: ${v2.stdout.trim()}`);
  return problems;
}

/** Starts the workload's `ix build`; resolves with {code, signal, stderr} when it ends. */
function startBuild(root) {
  const child = spawn(process.execPath, [join(repo, 'ix'), ...work.buildArgs], { env: { ...process.env, IX_PROGRESS: 'plain', ...work.env(root) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((res) => child.on('close', (code, signal) => res({ code, signal, stderr })));
  return { child, done, stderr: () => stderr };
}

const isBwrap = (p) => /(^|\/)bwrap$/.test(p.args[0] ?? '');

/** What a build is doing right now, from its process tree and its progress lines. */
function phase(b) {
  const ds = descendants(b.child.pid);
  const bw = ds.filter(isBwrap);
  if (bw.length) return ds.some((p) => !isBwrap(p) && bw.some((w) => descendants(w.pid).some((c) => c.pid === p.pid))) ? 'building' : 'sandbox setup';
  const open = new Set();
  for (const line of b.stderr().split('\n')) {
    const m = /^\[\d+\/\d+\] (start|built|substituted|failed|skipped|cached) (\S+)/.exec(line);
    if (m) m[1] === 'start' ? open.add(m[2]) : open.delete(m[2]);
  }
  if (!open.size) return 'planning or between nodes';
  if (work.builtNames && [...open].every((n) => !work.builtNames.has(n))) return 'substitution';
  return 'setup or commit';
}

async function main() {
  const counts = { workload: work.name, kills: 0, aimedKills: 0, phases: {}, sandboxKills: 0, sandboxKillsFailedTheBuild: 0, lockKills: 0, lockKillsFailedTheNode: 0, corruptPaths: 0, stuckLocks: 0, failedRebuilds: 0, problems: [] };
  // How long a full build takes (from a fresh root, and again in a reused one), so kills land anywhere in it.
  const full = {};
  const timed = (root, fresh) => {
    const t0 = performance.now();
    const r = ixSync(root, work.buildArgs);
    if (r.status !== 0) throw new Error(`the reference build failed: ${r.stderr.trim().split('\n').slice(-5).join(' / ')}`);
    full[fresh ? 'fresh' : 'reused'] = performance.now() - t0;
  };
  const r0 = work.root();
  timed(r0.root, true);
  work.done(r0.root);
  const r1 = work.root();
  if (!r1.fresh) timed(r1.root, false);
  work.done(r1.root);
  const reference = { ...full };
  const record = (problems) => {
    for (const p of problems) {
      counts.problems.push(p);
      if (p.startsWith('locks still held')) counts.stuckLocks++;
      else if (p.startsWith('store verify')) counts.corruptPaths++;
      else counts.failedRebuilds++;
    }
  };

  // Rounds until opts.kills builds were killed (a build that finished first is no kill; at most 3x tries).
  for (let i = 0; counts.kills < opts.kills && i < opts.kills * 3; i++) {
    const { root, fresh } = work.root();
    const key = fresh || full.reused === undefined ? 'fresh' : 'reused';
    const t0 = performance.now();
    const b = startBuild(root);
    await sleep(random() * full[key]);
    const at = phase(b);
    b.child.kill('SIGKILL');
    const r = await b.done;
    if (r.signal === 'SIGKILL') {
      counts.kills++;
      counts.phases[at] = (counts.phases[at] ?? 0) + 1;
    } else {
      counts.phases['finished before the kill'] = (counts.phases['finished before the kill'] ?? 0) + 1;
      full[key] = Math.min(full[key], performance.now() - t0); // the machine got faster: aim within what a build takes now
    }
    record(await check(root));
    work.done(root);
    if (real) console.error(`round ${i + 1}, kills ${counts.kills}/${opts.kills}: ${r.signal === 'SIGKILL' ? at : 'finished first'}; problems so far ${counts.problems.length}`);
  }

  for (let i = 0; counts.aimedKills < opts.aimedKills && i < opts.aimedKills * 3; i++) {
    const aim = i % 2 ? 'commit' : 'sandbox setup';
    const { root, fresh } = work.root();
    const b = startBuild(root);
    await sleep(random() * 0.6 * (fresh ? full.fresh : full.reused ?? full.fresh));
    const seen = new Set();
    let at;
    while (b.child.exitCode === null && !at) {
      // ix's own sandboxes: its children named bwrap (one read of /proc per child: fast enough
      // to see a sandbox end before the store has committed what it made).
      const outer = childPids(b.child.pid).filter((c) => comm(c) === 'bwrap');
      if (aim === 'sandbox setup' && outer.some((w) => childPids(w).every((c) => comm(c) === 'bwrap' && childPids(c).length === 0))) at = phase(b);
      if (aim === 'commit' && [...seen].some((pid) => !outer.includes(pid))) at = phase(b);
      if (at) b.child.kill('SIGKILL');
      else {
        for (const w of outer) seen.add(w);
        await sleep(1);
      }
    }
    const r = await b.done;
    if (r.signal === 'SIGKILL') {
      counts.aimedKills++;
      counts.phases[`${at} (aimed at ${aim})`] = (counts.phases[`${at} (aimed at ${aim})`] ?? 0) + 1;
    }
    record(await check(root));
    work.done(root);
    if (real) console.error(`aimed ${counts.aimedKills}/${opts.aimedKills}: ${r.signal === 'SIGKILL' ? `${at} (aimed at ${aim})` : 'finished first'}; problems so far ${counts.problems.length}`);
  }

  // Kill what runs inside the sandbox (the build script's shell, or a process it started): that
  // node fails, nothing breaks. Then the flock helper holding a running node's output lock: the
  // node must fail, not commit.
  const inSandbox = (ds) => {
    const bw = ds.filter(isBwrap);
    const inside = ds.filter((p) => !isBwrap(p) && bw.some((w) => descendants(w.pid).some((c) => c.pid === p.pid)));
    return real ? inside[0] : inside.find((p) => p.args[0]?.endsWith('sleep'));
  };
  const targeted = [
    { n: opts.sandboxKills, count: 'sandboxKills', pick: inSandbox,
      judge: (r) => {
        if (r.code === 1) { counts.sandboxKillsFailedTheBuild++; return undefined; }
        return `a killed build process did not fail the build (exit ${r.code})`;
      } },
    { n: opts.lockKills, count: 'lockKills', pick: (ds) => (inSandbox(ds) ? ds.find((p) => p.args[0] === 'flock' && p.args.some((a) => a.includes('/var/lock/v1/'))) : undefined),
      judge: (r) => {
        if (r.code === 1 && /was lost/.test(r.stderr)) { counts.lockKillsFailedTheNode++; return undefined; }
        return `a killed lock helper did not fail its node (exit ${r.code})`;
      } },
  ];
  for (const k of targeted) {
    // Rounds until k.n victims were killed (a build that ended before one showed up is retried; at most 3x tries).
    for (let tries = 0; counts[k.count] < k.n && tries < k.n * 3; tries++) {
      const { root, fresh } = work.root();
      const b = startBuild(root);
      // Wait a random part of the build, then for the first moment a victim exists.
      await sleep(random() * 0.8 * (fresh ? full.fresh : full.reused ?? full.fresh));
      let victim;
      for (let t = 0; t < 4000 && !victim && b.child.exitCode === null; t++) {
        victim = k.pick(descendants(b.child.pid));
        try {
          if (victim) process.kill(victim.pid, 'SIGKILL');
        } catch {
          victim = undefined; // it ended between the look and the kill
        }
        if (!victim) await sleep(25);
      }
      if (victim) counts[k.count]++;
      const r = await b.done;
      const bad = victim ? k.judge(r) : undefined;
      if (bad) counts.problems.push(bad);
      record(await check(root));
      work.done(root);
      if (real) console.error(`${k.count} ${counts[k.count]}/${k.n}: ${victim ? victim.args.slice(0, 2).join(' ') : 'no victim found'}; problems so far ${counts.problems.length}`);
    }
  }
  work.cleanup();
  console.log(JSON.stringify({ ...counts, fullBuildMs: Object.fromEntries(Object.entries(reference).map(([k, v]) => [k, Math.round(v)])) }));
  process.exit(counts.problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`bench/faults: ${e.stack ?? e}`);
  work.cleanup();
  process.exit(1);
});
