/**
 * `ix why-depends A B [--target=T] [--k=v] [--json]`: the shortest dependency path from package A
 * to package B (matched by name, or by store path) through A's plan, one node per line:
 * `<store path> <package name>`. Exit 1 (not an error) when A does not depend on B; exit 2 when B
 * is no package of the recipe roots.
 *
 * Must not depend on: the engine's code (types only).
 */
import canonicalize from 'canonicalize';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, safeText } from '../../common';
import { planOf, planRequest, recipeRoots, type Context } from '../context';
import { rootOuts, shortestPath } from '../plan-view';

export async function runWhyDepends(ctx: Context): Promise<number> {
  const [a, b] = ctx.args.packages;
  if (ctx.args.packages.length !== 2) throw new UsageError("'ix why-depends' takes exactly two packages: A B");
  if (b.flags.size) throw new UsageError(`why-depends matches ${b.name} by name: flags after it are not allowed`);
  // B must name a package (or a store path): a typo is "unknown package", not "does not depend"
  if (!b.name.startsWith('/')) {
    const bare = b.name.endsWith('/ix.sh') ? b.name.slice(0, -'/ix.sh'.length) : b.name;
    if (!recipeRoots(ctx).some((r) => existsSync(join(r, bare, 'ix.sh')))) throw new UsageError(`unknown package '${b.name}' (no ${bare}/ix.sh in the recipe roots)`);
  }
  const req = planRequest({ ...ctx, args: { ...ctx.args, packages: [a] } });
  const { plan } = await planOf(ctx, req);
  const from = rootOuts(plan.roots[0]);
  const path = shortestPath(plan, from, b.name);
  if (ctx.args.json) {
    const nodes = (path ?? []).map((n) => ({ name: n.name, out: n.out }));
    ctx.stdout(canonicalize({ from: a.name, to: b.name, path: nodes }) + '\n');
    return path ? 0 : 1;
  }
  if (!path) {
    ctx.stderr(`ix: ${safeText(a.name)} does not depend on ${safeText(b.name)}\n`);
    return 1;
  }
  ctx.stdout(path.map((n, i) => `${i ? '  '.repeat(i - 1) + '└─ ' : ''}${n.out} ${safeText(n.name)}\n`).join(''));
  return 0;
}
