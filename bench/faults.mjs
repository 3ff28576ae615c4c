#!/usr/bin/env node
/**
 * Faults, measured: kills `ix build` with SIGKILL at random moments of a multi-package build
 * (a seed toolchain from the host's busybox and eight packages that write files and sleep,
 * --packages=N for fewer), and
 * separately kills a sandboxed build process and the flock helper holding a node's lock. After
 * every kill: `ix store verify` finds nothing modified, unrecorded or abnormal (a record whose
 * path is missing is a crash leftover that does not count as built), no lock is left held, and
 * the next `ix build` finishes. A killed lock helper must fail its node ("was lost"), never let
 * it commit unlocked. Prints one JSON line of counts; exits 1 when any check failed.
 *   node bench/faults.mjs [--kills=50] [--sandbox-kills=10] [--lock-kills=10] [--packages=8] [--seed=N]
 * Needs Linux, bwrap, busybox-static, util-linux flock and a built core (npm run build).
 *
 * Must not depend on: anything outside this repository and its node_modules.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (k, d) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const opts = { packages: arg('packages', 8), kills: arg('kills', 50), sandboxKills: arg('sandbox-kills', 10), lockKills: arg('lock-kills', 10), seed: arg('seed', 1) };

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

const recipes = tree();
const ixArgs = (root, args) => ({ cmd: process.execPath, argv: [join(repo, 'ix'), ...args, ...(args[0] === 'store' ? [] : ['--recipes', recipes])], env: { ...process.env, IX_ROOT: root, IX_PROGRESS: 'plain', IX_CACHE_DIR: join(root, '.cache') } });
const ixSync = (root, args) => {
  const a = ixArgs(root, args);
  return spawnSync(a.cmd, a.argv, { env: a.env, encoding: 'utf8' });
};
const newRoot = () => {
  const r = mkdtempSync(join(tmpdir(), 'ix-faults-root-'));
  chmodSync(r, 0o755); // the sandbox's build user must reach the store when run as root
  return r;
};

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
  const again = ixSync(root, ['build', 'set/all']);
  if (again.status !== 0) problems.push(`the next build failed (exit ${again.status}): ${again.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const v2 = ixSync(root, ['store', 'verify']);
  if (v2.status !== 0) problems.push(`store verify after the next build: ${v2.stdout.trim()}`);
  return problems;
}

/** Starts `ix build set/all`; resolves with {code, signal, stderr} when it ends. */
function startBuild(root) {
  const a = ixArgs(root, ['build', 'set/all']);
  const child = spawn(a.cmd, a.argv, { env: a.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((res) => child.on('close', (code, signal) => res({ code, signal, stderr })));
  return { child, done };
}

async function main() {
  const counts = { kills: 0, sandboxKills: 0, lockKills: 0, lockKillsFailedTheNode: 0, corruptPaths: 0, stuckLocks: 0, failedRebuilds: 0, problems: [] };
  // How long a full build takes, so kills land anywhere in it.
  const r0 = newRoot();
  const t0 = performance.now();
  const first = ixSync(r0, ['build', 'set/all']);
  if (first.status !== 0) throw new Error(`the reference build failed: ${first.stderr}`);
  const full = performance.now() - t0;
  rmSync(r0, { recursive: true, force: true });
  const record = (problems) => {
    for (const p of problems) {
      counts.problems.push(p);
      if (p.startsWith('locks still held')) counts.stuckLocks++;
      else if (p.startsWith('store verify')) counts.corruptPaths++;
      else counts.failedRebuilds++;
    }
  };

  for (let i = 0; i < opts.kills; i++) {
    const root = newRoot();
    const b = startBuild(root);
    await sleep(random() * full);
    b.child.kill('SIGKILL');
    await b.done;
    counts.kills++;
    record(await check(root));
    rmSync(root, { recursive: true, force: true });
  }

  const sleeping = (ds) => ds.some((p) => p.args[0]?.endsWith('sleep'));
  // Kill what runs inside the sandbox (the build's own processes): that node fails, nothing breaks.
  // Then the flock helper holding a running node's output lock: the node must fail, not commit.
  const targeted = [
    { n: opts.sandboxKills, count: 'sandboxKills', pick: (ds) => ds.find((p) => p.args[0]?.endsWith('sleep')),
      judge: (r) => (r.code === 1 ? undefined : `a killed build process did not fail the build (exit ${r.code})`) },
    { n: opts.lockKills, count: 'lockKills', pick: (ds) => (sleeping(ds) ? ds.find((p) => p.args[0] === 'flock' && p.args.some((a) => a.includes('/var/lock/v1/'))) : undefined),
      judge: (r) => {
        if (r.code === 1 && /was lost/.test(r.stderr)) { counts.lockKillsFailedTheNode++; return undefined; }
        return `a killed lock helper did not fail its node (exit ${r.code})`;
      } },
  ];
  for (const k of targeted) {
    for (let i = 0; i < k.n; i++) {
      const root = newRoot();
      const b = startBuild(root);
      let victim;
      for (let t = 0; t < 200 && !victim; t++) {
        await sleep(25);
        victim = k.pick(descendants(b.child.pid));
      }
      if (victim) { process.kill(victim.pid, 'SIGKILL'); counts[k.count]++; }
      const r = await b.done;
      const bad = victim ? k.judge(r) : undefined;
      if (bad) counts.problems.push(bad);
      record(await check(root));
      rmSync(root, { recursive: true, force: true });
    }
  }
  rmSync(recipes, { recursive: true, force: true });
  console.log(JSON.stringify({ ...counts, fullBuildMs: Math.round(full) }));
  process.exit(counts.problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`bench/faults: ${e.stack ?? e}`);
  process.exit(1);
});
