/**
 * The directories the environment chooses (IX_ROOT, IX_CACHE_DIR, XDG_DATA_HOME, XDG_CACHE_HOME,
 * XDG_CONFIG_HOME, HOME), checked before anything is created in them: a path under /proc or /sys
 * (where Node 20's recursive mkdirSync loops forever), a path through a regular file, or a
 * directory that cannot be written (permissions, a read-only file system) is one line naming the
 * variable and the path, exit 3 (EnvironmentError), instead of a hang, a stack trace or a command
 * that quietly finds nothing.
 *
 * Must not depend on: the engine, the store, the core.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { EnvironmentError, resolveRoot } from '../common';
import { cacheDir } from './cache';

const PSEUDO = /^\/(proc|sys)(\/|$)/;

/** The variable a directory comes from, for messages ("IX_ROOT=/x", or "HOME=/root (~/.cache/ix)"). */
function origin(env: Record<string, string | undefined>, vars: string[], fallback: string): string {
  for (const v of vars) if (env[v]) return `${v}=${env[v]}`;
  return fallback;
}

/**
 * Checks `dir` (it may not exist yet): not under /proc or /sys, every existing component a
 * directory, and (if `write`) the deepest existing one writable. `what` names where it comes from.
 */
export function checkDir(dir: string, what: string, write: boolean, unwritable?: (at: string, why: string) => string): void {
  const abs = resolve(dir);
  const pseudo = () => new EnvironmentError(`${what}: ${abs} is under /proc or /sys, where ix cannot keep files: choose a directory on an ordinary file system`);
  if (PSEUDO.test(abs)) throw pseudo();
  let p = abs;
  for (;;) {
    let st;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR') throw new EnvironmentError(`${what}: cannot look at ${p} (${code ?? 'error'})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new EnvironmentError(`${what}: ${p} is not a directory`);
      if (PSEUDO.test(realpathSync(p))) throw pseudo();
      if (write) {
        try {
          accessSync(p, constants.W_OK);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          const why = code === 'EROFS' ? 'read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? 'error';
          throw new EnvironmentError(unwritable ? unwritable(p, why) : `${what}: ${abs} is not writable (${why} at ${p})`);
        }
      }
      return;
    }
    const up = dirname(p);
    if (up === p) return;
    p = up;
  }
}

/** Where each directory comes from, in messages. */
export function rootOrigin(env: Record<string, string | undefined>): string {
  return origin(env, ['IX_ROOT', 'XDG_DATA_HOME', 'HOME'], 'the ix root');
}

/** The cache directory (IX_CACHE_DIR, XDG_CACHE_HOME, HOME), checked for writing. */
export function checkCacheDir(env: Record<string, string | undefined>): void {
  const dir = resolve(cacheDir(env));
  checkDir(dir, origin(env, ['IX_CACHE_DIR', 'XDG_CACHE_HOME', 'HOME'], 'the cache directory'), true,
    (at, why) => `the cache directory ${dir} is not writable (${why} at ${at}): set IX_CACHE_DIR to a writable directory`);
}

/** The ix root (IX_ROOT, /ix as root, XDG_DATA_HOME, HOME); `write` for verbs that change it. */
export function checkRootDir(env: Record<string, string | undefined>, write: boolean): void {
  const root = resolveRoot(env);
  // the same words as the store's own check (store/store.ts), which catches what appears later
  checkDir(root, env.IX_ROOT || process.getuid?.() !== 0 ? rootOrigin(env) : 'the ix root', write,
    (at, why) => `the ix root ${root} is not writable (${why} at ${at}): set IX_ROOT to a writable directory`);
}

/** XDG_CONFIG_HOME (read only: the config file), when set. */
export function checkConfigDir(env: Record<string, string | undefined>): void {
  const base = env.XDG_CONFIG_HOME || resolve(env.HOME || homedir(), '.config');
  checkDir(base, origin(env, ['XDG_CONFIG_HOME', 'HOME'], 'the config directory'), false);
}

/** Verbs that only read the store; every other verb using the store may write it. */
const READS_STORE = new Set(['list', 'log', 'diff', 'why-alive', 'store']);
/** Verbs that never touch the store (they plan, or need nothing). */
const NO_STORE = new Set(['plan', 'graph', 'why-depends', 'render', 'help', 'version', 'key', 'lsp', '--version', '--help', '-h']);
const NO_CACHE = new Set(['help', 'version', 'key', 'lsp', '--version', '--help', '-h', 'list', 'diff', 'why-alive', 'purge', 'root', 'gc', 'store']);

/**
 * The checks `verb` needs, before it creates anything (main.ts and the fast path both call it);
 * `rest` are its arguments (a --dry-run only reads the store).
 */
export function checkEnvironmentDirs(env: Record<string, string | undefined>, verb: string, rest: readonly string[] = []): void {
  if (!NO_CACHE.has(verb)) checkCacheDir(env);
  if (!NO_STORE.has(verb)) checkRootDir(env, !READS_STORE.has(verb) && !rest.includes('--dry-run'));
  if (!NO_STORE.has(verb)) checkConfigDir(env);
}
