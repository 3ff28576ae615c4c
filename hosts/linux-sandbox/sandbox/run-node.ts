/**
 * runNode: runs one command node of a plan in a bubblewrap sandbox (see bwrap-args.ts for what the
 * node sees), with a timeout, streaming its stdout+stderr to a callback. Every process of the node
 * dies with it: the pid namespace ends when its first process exits, and bwrap's
 * --die-with-parent ends the namespace if ix itself dies.
 *
 * It is the Linux host's Runner (hosts/common/runner.ts). Must not depend on: hosts/node.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readlinkSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { PlanNode } from '../../../engine/api';
import { IxError } from '../../../engine/errors';
import { bwrapArgs, NET_HOST_FILES, resolveProgram, SEED_HOST_DIRS, type SandboxDirs } from './bwrap-args';
import { storeBase, type Layout } from '../../common';
import type { Runner, RunOptions, RunResult } from '../../common';
import { emptyDirSync, removeTreeSync } from '../../common';
import { buildUid, machine, requireSandbox, SandboxUnavailable, type SandboxEnv } from './probe';
import { chownTree, untraversable } from './tree';
import { checkNode } from './node-check';

/** The Runner's options plus the sandbox's own. */
export interface RunNodeOptions extends RunOptions {
  /**
   * The invocation's environment: its PATH (or IX_BWRAP) finds bwrap, IX_BUILD_UID names the
   * build user. Only read for what `bwrap` and `buildUid` leave open; the node itself gets an
   * empty environment.
   */
  env: SandboxEnv;
  /** bwrap to use; default: probe the host once (throws SandboxUnavailable with a fix). */
  bwrap?: string;
  /** Host uid (and gid) to run the sandbox as; 0 = as ix itself. Default: probe.ts buildUid(). */
  buildUid?: number;
}

export type RunNodeResult = RunResult;

export const DEFAULT_TIMEOUT_MS = 6 * 3600 * 1000;

/** Physical sandbox directories for a node under a layout. */
export function sandboxDirs(node: PlanNode, l: Layout, outDir: string, tmpDir: string): SandboxDirs {
  const seedDirs: { path: string; symlinkTo?: string }[] = [];
  if (node.seed) {
    for (const p of SEED_HOST_DIRS) {
      if (!existsSync(p)) continue;
      const st = lstatSync(p);
      seedDirs.push(st.isSymbolicLink() ? { path: p, symlinkTo: readlinkSync(p) } : { path: p });
    }
  }
  const netFiles = node.net && node.fixedFiles ? NET_HOST_FILES.filter((f) => existsSync(f)) : [];
  return { storeDir: (e) => join(l.store, e), outDir, tmpDir, seedDirs, netFiles };
}

function isProgram(phys: string): boolean {
  try {
    const st = lstatSync(phys);
    return st.isSymbolicLink() || (st.isFile() && (st.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

/** Check that every input of the node is present in the store before starting. */
function checkInputs(node: PlanNode, dirs: SandboxDirs): void {
  for (const input of node.inputs) {
    const phys = dirs.storeDir(storeBase(input));
    if (!existsSync(phys)) throw new IxError(`input ${input} is not in the store (expected at ${phys})`, { pkg: node.name });
  }
}

/** The Linux Runner for an invocation with environment `env` (what the command line hands the executor). */
export function sandboxRunner(env: SandboxEnv): Runner {
  return (node, opts) => runNode(node, { ...opts, env });
}

export async function runNode(node: PlanNode, opts: RunNodeOptions): Promise<RunNodeResult> {
  checkNode(node);
  if (!node.cmd) throw new IxError('runNode: a fetch node is performed by the fetcher, not the sandbox', { pkg: node.name });
  const bwrap = opts.bwrap ?? requireSandbox(opts.env);
  const tmpDir = opts.tmpDir ?? opts.layout.tmpBuild(node.id);
  mkdirSync(tmpDir, { recursive: true });
  emptyDirSync(tmpDir);
  const dirs = sandboxDirs(node, opts.layout, opts.outDir, tmpDir);
  checkInputs(node, dirs);
  const program = resolveProgram(node, dirs, isProgram);
  const cores = opts.cores ?? availableParallelism();
  const args = bwrapArgs(node, dirs, program, cores);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const asUid = opts.buildUid !== undefined ? opts.buildUid || undefined : buildUid(machine(opts.env));
  if (asUid !== undefined) prepareForBuildUser(node, dirs, asUid);
  const ids = asUid !== undefined ? { uid: asUid, gid: asUid } : {};
  const started = performance.now();
  try {
    return await new Promise<RunNodeResult>((resolve, reject) => {
      const child = spawn(bwrap, args, { stdio: ['pipe', 'pipe', 'pipe'], env: {}, cwd: '/', ...ids });
      let timedOut = false;
      let aborted = false;
      const kill = () => child.kill('SIGKILL');
      const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; kill(); }, timeoutMs) : undefined;
      const onAbort = () => { aborted = true; kill(); };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
      const out = (c: Buffer) => opts.output?.(c);
      child.stdout.on('data', out);
      child.stderr.on('data', out);
      child.stdin.on('error', () => { /* the script may exit without reading its stdin */ });
      child.stdin.end(node.cmd!.stdin);
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const ms = Math.round(performance.now() - started);
        const ok = code === 0 && !timedOut && !aborted;
        let reason: string | undefined;
        if (timedOut) reason = `timed out after ${Math.round(timeoutMs / 1000)} s`;
        else if (aborted) reason = 'aborted';
        else if (sig) reason = `killed by ${sig}`;
        else if (code !== 0) reason = `exit code ${code}`;
        resolve({ ok, exitCode: code, signal: sig, timedOut, aborted, ms, argv: [bwrap, ...args], reason });
      });
    });
  } finally {
    if (asUid !== undefined) {
      // Give the output back to ix before the store checks it: the build user must own nothing.
      chownTree(opts.outDir, process.getuid!(), process.getgid!());
      if (opts.keepTmp) chownTree(tmpDir, process.getuid!(), process.getgid!());
    }
    if (!opts.keepTmp) removeTreeSync(tmpDir);
  }
}

/** Hand $out and $tmp to the build user and check it can reach every directory it mounts. */
function prepareForBuildUser(node: PlanNode, dirs: SandboxDirs, uid: number): void {
  const mounts = [dirs.outDir, dirs.tmpDir, ...node.inputs.map((i) => dirs.storeDir(storeBase(i)))];
  for (const m of mounts) {
    const bad = untraversable(m, uid);
    if (bad) {
      throw new SandboxUnavailable(`the build user (uid ${uid}) cannot enter ${bad.dir} (mode ${bad.mode.toString(8)})`,
        `Run: chmod o+x ${bad.dir} (or set IX_BUILD_UID=0 to build as root, less isolated).`);
    }
  }
  chownTree(dirs.outDir, uid, uid);
  chownTree(dirs.tmpDir, uid, uid);
}
