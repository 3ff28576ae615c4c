#!/usr/bin/env node
/**
 * Whole-IX-tree re-planning through the CLI: one keep-going `ix plan` of every recipe of a copy of
 * an IX checkout's pkgs/ (names holding a '/', as `ix plan` takes them), in a fresh cache
 * directory, then again after appending a comment to a leaf recipe (aux/entropy/ix.sh) and after
 * appending one to the template every C recipe extends (die/base.sh). Each step is a new process
 * (`/usr/bin/time` gives user, system and peak RSS); its stdout goes to a file or /dev/null
 * (`--discard`), so the split between planning and writing shows. The plan bytes of every step
 * are compared with a cold plan of the same edited tree in another fresh cache (`--check`).
 * The load average is printed before and after.
 *
 *   node bench/ix-replan.mjs IX_CHECKOUT [--target=linux-x86_64] [--discard] [--check] [--json]
 *
 * Must not depend on: the network; writes only under bench/.tmp/ix-replan/.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, openSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recipes } from './ix-compat/common.mjs';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(repo, 'bench', '.tmp', 'ix-replan');
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const args = process.argv.slice(2);
const checkout = args.find((a) => !a.startsWith('--'));
if (!checkout) {
  process.stderr.write('usage: node bench/ix-replan.mjs IX_CHECKOUT [--target=T] [--discard] [--check] [--json]\n');
  process.exit(2);
}
const target = (args.find((a) => a.startsWith('--target=')) ?? '--target=linux-x86_64').slice(9);
const discard = args.includes('--discard');
const check = args.includes('--check');
// --json: `ix plan --json` writes the whole plan, so --check compares every node's bytes
const json = args.includes('--json');

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const tree = join(dir, 'pkgs');
cpSync(join(checkout, 'pkgs'), tree, { recursive: true });
const names = recipes(tree).filter((n) => n.includes('/'));

/** One `ix plan` in cache `cache`: wall, CPU, peak RSS, the plan's sha256 (unless discarded). */
function plan(cache, out) {
  const fd = openSync(out, 'w');
  const t0 = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', join(repo, 'ix'), 'plan', ...(json ? ['--json'] : []), '--keep-going', '--recipes', tree, `--target=${target}`, ...names], {
    env: { ...process.env, IX_CACHE_DIR: cache, NODE_EXTRA_CA_CERTS: '' }, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', fd, 'pipe'],
  });
  closeSync(fd);
  const wall = (Date.now() - t0) / 1000;
  const last = r.stderr.trim().split('\n').at(-1).split(' ');
  const cpu = Number(last[0]) + Number(last[1]);
  const sha = out === '/dev/null' ? '-' : createHash('sha256').update(readFileSync(out)).digest('hex').slice(0, 16);
  return { wall, cpu, rss: Math.round(Number(last[2]) / 1024), sha, status: r.status };
}

const cache = join(dir, 'cache');

/** Files and MB under a cache directory. */
function cacheSize(d) {
  let files = 0;
  let bytes = 0;
  const walk = (x) => {
    for (const e of readdirSync(x, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(x, e.name));
      else {
        files++;
        bytes += statSync(join(x, e.name)).size;
      }
    }
  };
  walk(d);
  return `${files} files, ${(bytes / 1e6).toFixed(0)} MB`;
}
const rows = [];
const step = (label) => {
  // --check compares bytes, so the plan is written to a file even with --discard
  const out = discard && !check ? '/dev/null' : join(dir, 'plan.json');
  const r = plan(cache, out);
  let cold = '';
  if (check) {
    const c = plan(join(dir, `cold-${rows.length}`), join(dir, 'cold.json'));
    cold = c.sha === r.sha ? ' (= cold)' : ` (COLD DIFFERS: ${c.sha})`;
  }
  rows.push(`| ${label} | ${r.wall.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${r.rss} MB | ${r.sha}${cold} | ${r.status} | ${cacheSize(cache)} |`);
};
process.stdout.write(`${names.length} packages, ${target}, stdout ${discard ? '/dev/null' : 'a file'}; load before ${load()}\n\n`);
process.stdout.write('| step | wall | CPU | peak RSS | plan sha256 | exit | cache after |\n|---|---|---|---|---|---|---|\n');
step('cold, empty cache');
step('again, nothing changed');
appendFileSync(join(tree, 'aux/entropy/ix.sh'), '\n{# a comment #}\n');
step('after a comment appended to aux/entropy/ix.sh');
appendFileSync(join(tree, 'die/base.sh'), '\n{# a comment #}\n');
step('after a comment appended to die/base.sh');
appendFileSync(join(tree, 'aux/entropy/ix.sh'), '\n{# another comment #}\n');
step('after one more comment in aux/entropy/ix.sh');
process.stdout.write(rows.join('\n') + `\n\nload after ${load()}\n`);
