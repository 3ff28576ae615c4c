/**
 * `ix render PKG [--target=T] [--host=T] [--k=v] [--normalised]`: the descriptor text that the
 * package's template chain renders, byte for byte (no newline added), with nothing but IX's own
 * post-pass applied. With `--normalised`: the descriptor as the planner reads it (parsed, checked,
 * defaults filled, checksums as sha256) in canonical JSON. Global and package flags merge into
 * the request's flags (the package's win; `--k=-` removes); `--normalised` is render's option
 * (hosts/node/options.ts), never a flag.
 *
 * Must not depend on: the engine's code (types only).
 */
import { UsageError } from '../../common';
import type { RenderRequest } from '../../../engine/api';
import { bootOf, core, hostIO, type Context } from '../context';

export async function runRender(ctx: Context): Promise<number> {
  if (ctx.args.packages.length !== 1) throw new UsageError("'ix render' takes exactly one package");
  const pkg = ctx.args.packages[0];
  // a Map, then own keys: a flag named `__proto__` is a flag, as in the engine
  const flags = new Map<string, string>();
  const normalised = ctx.args.options.has('normalised');
  for (const scope of [ctx.args.flags, pkg.flags]) {
    for (const [k, v] of scope) {
      if (v === null) flags.delete(k);
      else flags.set(k, v);
    }
  }
  const req: RenderRequest = { package: pkg.name };
  if (flags.size) req.flags = Object.fromEntries([...flags].sort(([a], [b]) => (a < b ? -1 : 1)));
  if (ctx.args.target !== undefined) req.target = ctx.args.target;
  if (ctx.args.host !== undefined) req.host = ctx.args.host;
  if (normalised) req.normalised = true;
  const boot = bootOf(ctx);
  if (boot !== undefined) req.boot = boot;
  const [c, io] = await Promise.all([core(ctx), hostIO(ctx)]);
  ctx.stdout(c.render(io, req));
  return 0;
}
