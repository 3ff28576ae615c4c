/**
 * `ix plan PKG... [--target=T] [--host=T] [--k=v] [--json] [--expand] [--keep-going]`: prints each
 * requested package's store path (a hub prints its members' paths; the core is asked for the
 * roots only, engine/api.ts PlanRoots), or with --json the whole plan
 * as the core's canonical JSON bytes (ix-plan/4: direct references, a script table) plus a newline,
 * or with --expand the plan with every node's closures and script inlined (ix-plan/4-expanded,
 * canonical JSON; the closures come from engine/plan/expand.ts through planOf). With --keep-going each package plans or fails on its
 * own (one plan call, shared work: whole IX trees): the paths of those that plan are printed, each
 * failure is one stderr line naming file, line and package chain, and the exit code is 2 (bad
 * input) when any failed.
 *
 * Must not depend on: the engine's code (types only).
 */
import canonicalize from 'canonicalize';
import type { Plan, PlanRequest } from '../../../engine/api';
import { planOf, planRequest, planRootsOf, type Context } from '../context';
import { rootPaths } from '../plan-view';
import { safeText, UsageError } from '../../common';

/** What `ix plan` prints: the plan bytes (--json), or each root's store path (a hub's members). */
export function printPlan(ctx: Context, bytes: Uint8Array, roots: Plan['roots'], expanded?: Plan): void {
  if (expanded) {
    ctx.stdout(canonicalize(expanded) as string);
    ctx.stdout('\n');
    return;
  }
  if (ctx.args.json) {
    ctx.stdout(bytes);
    ctx.stdout('\n');
    return;
  }
  ctx.stdout(rootPaths({ roots } as Plan).map((l) => l + '\n').join(''));
}

/**
 * The request of `ix plan` (and of the verbs that print a plan): --keep-going plans each package
 * alone; without --json or --expand only the roots are asked for (nothing else is printed).
 */
export function planVerbRequest(ctx: Context, verb: string): PlanRequest {
  const req = planRequest(ctx);
  if (verb === 'plan' && ctx.args.options.has('keep-going')) req.keepGoing = true;
  if (verb === 'plan' && !ctx.args.json && !ctx.args.options.has('expand')) req.output = 'roots';
  return req;
}

/** Prints the plan, then one line per package that failed to plan and a count; the exit code. */
export function answerPlan(ctx: Context, bytes: Uint8Array, roots: Plan['roots'], expanded?: Plan): number {
  const failed = roots.filter((r) => r.error !== undefined);
  printPlan(ctx, bytes, roots, expanded);
  for (const r of failed) ctx.stderr(`ix: error: ${safeText(r.error!.split('\n')[0])}\n`);
  if (failed.length) ctx.stderr(`ix: ${failed.length} of ${roots.length} packages failed to plan\n`);
  return failed.length ? 2 : 0;
}

export async function runPlan(ctx: Context, verb = 'plan'): Promise<number> {
  // `ix plan` never touches the network: binary-cache options are not in its table (options.ts).
  if (!ctx.args.packages.length) throw new UsageError(`'ix ${verb}' needs at least one package, e.g. ix ${verb} bin/zstd`);
  const req = planVerbRequest(ctx, verb);
  // store paths only: the core writes no node, the memo keeps no plan
  if (req.output === 'roots') return answerPlan(ctx, new Uint8Array(), await planRootsOf(ctx, req));
  // the plan's objects are built only for --expand (a whole IX tree's are several times its bytes)
  const answer = await planOf(ctx, req);
  return answerPlan(ctx, answer.bytes, answer.roots, ctx.args.options.has('expand') ? answer.plan : undefined);
}
