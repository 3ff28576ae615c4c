/**
 * The Nix reference point for bench/startup.mjs: `nix-instantiate --eval -E 1+1` from Debian's
 * `nix-bin` (bench-only, not in .ci/apt-packages: `apt-get install nix-bin`), run against a
 * single-user store in a temp dir under bench/.tmp (`--store DIR`, its own config dir and HOME),
 * so nothing of the machine's /nix is used. Returns { argv, env }, or { why } when nix-bin is missing.
 *
 * Must not depend on: the network.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tmpDir = join(dirname(fileURLToPath(import.meta.url)), '.tmp');

export function nixCommand(log = () => {}) {
  const which = spawnSync('sh', ['-c', 'command -v nix-instantiate'], { encoding: 'utf8' });
  if (which.status !== 0) return { why: "nix-instantiate not found (Debian: 'apt-get install nix-bin'; bench-only)" };
  const dir = join(tmpDir, 'nix');
  for (const d of ['store', 'etc', 'home']) mkdirSync(join(dir, d), { recursive: true });
  const env = { NIX_REMOTE: '', NIX_CONF_DIR: join(dir, 'etc'), HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'home', '.cache') };
  const argv = [which.stdout.trim(), '--store', join(dir, 'store'), '--eval', '-E', '1+1'];
  const r = spawnSync(argv[0], argv.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.trim() !== '2') return { why: `nix-instantiate did not evaluate 1+1 here: ${r.stderr.trim().split('\n')[0]}` };
  log(`nix: ${spawnSync(argv[0], ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
  return { argv, env };
}
