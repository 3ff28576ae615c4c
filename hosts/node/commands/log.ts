/**
 * `ix log PKG... [--target=T] [--k=v]` or `ix log /ix/store/<id>-<name>`: prints the build log of
 * each package's node (also of failed builds: the log is kept). A store path needs no planning.
 * Exit 1 when a node has no log here (never built on this machine).
 *
 * Must not depend on: the engine's code (types only).
 */
import { UsageError, Layout, STORE_PREFIX, parseStorePath, resolveRoot } from '../../common';
import type { PlanNode } from '../../../engine/api';
import { planOf, planRequest, type Context } from '../context';
import { readLog } from '../exec';
import { rootPaths } from '../plan-view';

export async function runLog(ctx: Context): Promise<number> {
  if (!ctx.args.packages.length) throw new UsageError("'ix log' needs a package or store path, e.g. ix log bin/zstd");
  const logs = new Layout(resolveRoot(ctx.env)).logs;
  const wanted: { label: string; id: string }[] = [];
  const direct = ctx.args.packages.every((p) => p.name.startsWith(STORE_PREFIX));
  if (direct) {
    for (const p of ctx.args.packages) {
      const sp = parseStorePath(p.name);
      if (!sp) throw new UsageError(`not a store path: ${p.name}`);
      wanted.push({ label: p.name, id: sp.id });
    }
  } else {
    const { plan } = await planOf(ctx, planRequest(ctx));
    const byOut = new Map<string, PlanNode>(plan.nodes.map((n) => [n.out, n]));
    for (const out of rootPaths(plan)) {
      const n = byOut.get(out);
      if (n) wanted.push({ label: `${n.name} ${n.out}`, id: n.id });
    }
  }
  let missing = 0;
  for (const w of wanted) {
    const text = readLog(logs, w.id);
    if (text === undefined) {
      ctx.stderr(`ix: no log for ${w.label}: it was never built on this machine\n`);
      missing++;
      continue;
    }
    if (wanted.length > 1) ctx.stdout(`==> ${w.label} <==\n`);
    ctx.stdout(text);
  }
  return missing ? 1 : 0;
}
