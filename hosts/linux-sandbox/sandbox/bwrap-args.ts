/**
 * Turns one plan node plus the physical directories chosen for it into a bubblewrap argv.
 * Pure apart from the `exists` callback used to look argv[0] up on the node's PATH.
 *
 * The sandbox (execution contract): every input store path read-only at its /ix/store path, the
 * output read-write at node.out, $tmp = /ix/build/<id> read-write, private /tmp, /proc, minimal
 * /dev, everything else read-only and empty; all namespaces unshared (no network), fixed hostname
 * `ix`, uid/gid 1000, exactly cmd.env (+ make_thrs) as environment, cwd $tmp, killed with its
 * parent. Seed nodes additionally see the host's /usr, /bin, /lib, /lib64 read-only (in pkgs/ the
 * only seed is fixed-output: the store checks its output against the tree hash its plan node pins).
 * Fixed-output build nodes (`net: true` with `fixedFiles`) keep the host's network namespace and
 * see the host's resolver files (/etc/resolv.conf, /etc/hosts) read-only: their output is checked
 * against the declared files before commit, so what they download cannot reach the store otherwise.
 *
 * Must not depend on: the store, the executor, the CLI, host facts other than the paths passed in.
 */
import type { PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';
import { parseStorePath } from '../../common';

/** The logical build directory: a node's $tmp is /ix/build/<id>. */
export const LOGICAL_BUILD = '/ix/build';

/** Host files a network (fixed-output build) node reads to resolve names (only those that exist). */
export const NET_HOST_FILES = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf'];

/** Host directories a seed node may read (only those that exist are mounted). */
export const SEED_HOST_DIRS = ['/usr', '/bin', '/lib', '/lib64', '/sbin'];

export interface SandboxDirs {
  /** Physical directory of a store entry name ("<id>-<name>"). */
  storeDir(entry: string): string;
  /** Physical directory bound read-write at node.out (empty at start). */
  outDir: string;
  /** Physical directory bound read-write at /ix/build/<id> (empty at start). */
  tmpDir: string;
  /** For seed nodes: host dirs to expose; each is a real dir (ro-bind) or a symlink (recreated). */
  seedDirs?: { path: string; symlinkTo?: string }[];
  /** For network nodes: host files to bind read-only at the same path (those of NET_HOST_FILES that exist). */
  netFiles?: string[];
}

/** Logical $tmp of a node. */
export function nodeTmp(node: PlanNode): string {
  return `${LOGICAL_BUILD}/${node.id}`;
}

/**
 * Resolve argv[0] like execvp would inside the sandbox, but on the host: a name without "/" is
 * looked up in the node's PATH, whose entries must lie inside the node's inputs (or, for seed
 * nodes, the host dirs it sees). `exists(physical)` says whether an executable is there.
 */
export function resolveProgram(node: PlanNode, dirs: SandboxDirs, exists: (physical: string) => boolean): string {
  const cmd = node.cmd!;
  const prog = cmd.argv[0];
  if (prog.includes('/')) return prog;
  const inputs = new Set(node.inputs);
  const tried: string[] = [];
  // Seed nodes run host tools: after their PATH, the host's /usr/bin and /bin (which they see).
  const path = (cmd.env.PATH ?? '').split(':').concat(node.seed ? ['/usr/bin', '/bin'] : []);
  for (const dir of path) {
    if (!dir.startsWith('/')) continue;
    const logical = `${dir.replace(/\/+$/, '')}/${prog}`;
    const phys = physicalOf(logical, node, inputs, dirs);
    if (phys === undefined) continue;
    tried.push(dir);
    if (exists(phys)) return logical;
  }
  const where = tried.length ? `PATH entries that are inputs: ${tried.join(':')}` : 'no PATH entry of the node is one of its inputs';
  throw new IxError(`program '${prog}' not found in the sandbox (${where})`, { pkg: node.name });
}

function physicalOf(logical: string, node: PlanNode, inputs: Set<string>, dirs: SandboxDirs): string | undefined {
  const m = /^(\/ix\/store\/[^/]+)(\/.*)?$/.exec(logical);
  if (m) {
    if (!inputs.has(m[1])) return undefined;
    return dirs.storeDir(parseStorePath(m[1])!.base) + (m[2] ?? '');
  }
  if (node.seed && dirs.seedDirs?.some((d) => logical.startsWith(d.path + '/'))) return logical;
  return undefined;
}

/** A node that keeps the network: only a fixed-output build node (fetch nodes never get here). */
function netNode(node: PlanNode): boolean {
  return node.net && node.fixedFiles !== undefined && node.fixedFiles.length > 0;
}

/** The full bwrap argv (without the bwrap path itself) for a command node. */
export function bwrapArgs(node: PlanNode, dirs: SandboxDirs, program: string, cores: number): string[] {
  const cmd = node.cmd;
  if (!cmd) throw new IxError('a fetch node has no command to run in the sandbox', { pkg: node.name });
  const a: string[] = [
    '--unshare-all', ...(netNode(node) ? ['--share-net'] : []), '--die-with-parent', '--new-session', '--clearenv',
    '--uid', '1000', '--gid', '1000', '--hostname', 'ix',
    // bwrap leaves /proc/sys writable when the directory itself is not: cover it, or a sandbox
    // user that maps to a privileged host uid could change host-wide sysctls.
    '--proc', '/proc', '--ro-bind', '/proc/sys', '/proc/sys', '--dev', '/dev', '--tmpfs', '/tmp',
  ];
  for (const input of node.inputs) a.push('--ro-bind', dirs.storeDir(parseStorePath(input)!.base), input);
  a.push('--bind', dirs.outDir, node.out);
  a.push('--bind', dirs.tmpDir, nodeTmp(node));
  if (node.seed) {
    for (const d of dirs.seedDirs ?? []) {
      if (d.symlinkTo !== undefined) a.push('--symlink', d.symlinkTo, d.path);
      else a.push('--ro-bind', d.path, d.path);
    }
  }
  if (netNode(node)) for (const f of dirs.netFiles ?? []) a.push('--ro-bind', f, f);
  // Everything not bound above (/, /ix, /ix/store) becomes read-only: nothing can be left behind.
  a.push('--remount-ro', '/');
  a.push('--chdir', nodeTmp(node));
  for (const k of Object.keys(cmd.env).sort()) a.push('--setenv', k, cmd.env[k]);
  a.push('--setenv', 'make_thrs', String(cores));
  a.push('--', program, ...cmd.argv.slice(1));
  return a;
}
