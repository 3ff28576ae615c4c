/**
 * `ix run [ix options] PROG [ARGS...]`: finds the package that provides program PROG, builds it if
 * needed and runs it with ARGS outside the sandbox; the exit code is passed through (128+N for a
 * signal). Lookup: the package bin/PROG (PROG in its outputs' or run closure's bin/ dirs), else a
 * store path built earlier on this machine whose bin/ holds PROG. Everything after PROG belongs to
 * the program, even `--help` (the `program` grammar, grammar.ts).
 *
 * Must not depend on: the engine's code (types only).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../../engine/api';
import { hostIO, planOf, planRequest, type Context, type Invocation } from '../context';
import { HostError } from '../core';
import type { ProgramArgs } from './grammar';
import { execArgs, realisePlan, reporterFor } from './build';
import { rootPaths } from '../plan-view';
import { safeText, UsageError, Layout, STORE_PREFIX, resolveRoot, storeBase } from '../../common';

function isExecutable(p: string): boolean {
  try {
    const st = statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Store paths to search for bin/PROG in a plan: its roots first, then their run closures. */
export function candidatePaths(plan: Plan): string[] {
  const roots = rootPaths(plan);
  const byOut = new Map(plan.nodes.map((n) => [n.out, n]));
  const seen = new Set<string>(roots);
  const out = [...roots];
  for (const r of roots) {
    for (const p of byOut.get(r)?.runtime ?? []) if (!seen.has(p)) { seen.add(p); out.push(p); }
  }
  return out;
}

/** The first of `paths` (logical) whose physical bin/PROG is executable. */
export function findProgram(l: Layout, paths: string[], prog: string): string | undefined {
  for (const p of paths) {
    const phys = join(l.store, storeBase(p), 'bin', prog);
    if (isExecutable(phys)) return phys;
  }
  return undefined;
}

/** Built store paths providing bin/PROG, by store name then id (deterministic). */
export function searchStore(l: Layout, prog: string): string[] {
  if (!existsSync(l.store)) return [];
  const entries = readdirSync(l.store).filter((e) => /^[0-9a-z]{32}-/.test(e));
  entries.sort((a, b) => { const x = a.slice(33) + a.slice(0, 32); const y = b.slice(33) + b.slice(0, 32); return x < y ? -1 : x > y ? 1 : 0; });
  return entries.filter((e) => isExecutable(join(l.store, e, 'bin', prog))).map((e) => `${STORE_PREFIX}${e}`);
}

export async function runRun({ args, prog, progArgs }: ProgramArgs, base: Invocation): Promise<number> {
  const ctx: Context = { ...base, args };
  const x = execArgs(args.options);
  const l = new Layout(resolveRoot(ctx.env));
  let phys: string | undefined;
  const io = await hostIO(ctx);
  let recipe: Uint8Array | undefined;
  try {
    recipe = io.readFile(`bin/${prog}/ix.sh`);
  } catch (e) {
    // the recipe tree's own mistake (a directory, a pipe, a link loop where ix.sh belongs) is
    // bad input as it is inside a plan; a system error (EACCES, ...) goes on as it is
    if ((e as { code?: unknown }).code !== undefined) throw e;
    throw new HostError((e as Error).message);
  }
  if (recipe !== undefined) {
    const { plan } = await planOf(ctx, planRequest(ctx));
    const r = await realisePlan(ctx, plan, x, reporterFor(ctx, false));
    if (!r.ok) { ctx.stderr(safeText(`ix: run: could not build bin/${prog}: ${r.failures.join('; ')}`) + '\n'); return 1; }
    phys = findProgram(l, candidatePaths(plan), prog);
    if (!phys) throw new UsageError(`package bin/${prog} was built but provides no bin/${prog} (looked in ${candidatePaths(plan).join(' ')})`);
  } else {
    const found = searchStore(l, prog);
    if (!found.length) throw new UsageError(`no package bin/${prog} and no store path built here provides bin/${prog}`);
    if (found.length > 1) ctx.stderr(safeText(`ix: run: ${prog} from ${found[0]} (also in ${found.slice(1).join(' ')})`) + '\n');
    phys = join(l.store, storeBase(found[0]), 'bin', prog);
  }
  return runProgram(phys, progArgs, ctx.onSignal);
}

/** Run a program with the terminal; resolves to its exit code (128+signal number if killed). */
export function runProgram(path: string, args: string[], onSignal?: Invocation['onSignal']): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: 'inherit' });
    const forward = (s: NodeJS.Signals) => () => child.kill(s);
    const off = (['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]).map((s) => onSignal?.(s, forward(s)));
    child.on('error', (e) => reject(new UsageError(`cannot run ${path}: ${e.message}`)));
    child.on('close', (code, sig) => {
      for (const o of off) o?.();
      resolve(code ?? 128 + (sig ? (({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 } as Record<string, number>)[sig] ?? 1) : 1));
    });
  });
}

