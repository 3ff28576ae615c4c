/**
 * `ix copy --to=URL PKG|PATH... [--secret-key=FILE] [--target=T] [--recipes DIR]`: uploads the
 * runtime closure of each package's output (or store path) to a binary cache, signed, skipping
 * what the cache already has; the closure comes from the store's records (their references,
 * transitively), so everything named must be built here. That is what others need to download
 * the package instead of building it. With `--build-closure`, every output of the packages'
 * plans (toolchain, libraries, sources: everything a build of them realises), so that a cache
 * also serves someone who changes a recipe near the top and builds only that.
 * `ix copy --from=URL PATH...`: imports store paths (and their references) from a cache without
 * building: each record must be signed by a trusted key (configuration), each archive and tree
 * verified, each path committed atomically under its lock like a build.
 * `ix copy --to=ssh://[user@]host PKG|PATH...`: the same closure into a remote builder's store over
 * the builder protocol (hosts/node/remote/copy.ts; no signing key needed: the builder verifies).
 * Exit: 0 done, 1 something could not be copied (one line each), 2 bad input.
 *
 * Must not depend on: the engine's code (types only); the executor.
 */
import type { Context } from '../context';
import { planOf, planRequest } from '../context';
import { copyFrom, copyTo, cacheSettings, checkCacheUrl, configFiles } from '../subst';
import { storeFor } from './build';
import { configReader } from './config';
import { rootPaths } from '../plan-view';
import { BuilderDown, copyToSsh } from '../remote';
import { IxError } from '../../../engine/errors';
import { safeText, UsageError, parseStorePath, STORE_PREFIX } from '../../common';

export async function runCopy(ctx: Context): Promise<number> {
  const { args } = ctx;
  const one = (k: string) => args.options.get(k)?.at(-1);
  const c = { to: one('to'), from: one('from'), secretKey: one('secret-key') };
  if (!!c.to === !!c.from) throw new UsageError("'ix copy' needs exactly one of --to=URL or --from=URL");
  if (!args.packages.length) throw new UsageError(`'ix copy' needs packages or store paths, e.g. ix copy ${c.to ? '--to=file:///srv/cache bin/zstd' : '--from=file:///srv/cache /ix/store/...'}`);
  // ssh://[user@]host: a remote builder's store, over the builder protocol (hosts/node/remote/copy.ts).
  const ssh = c.to?.startsWith('ssh://') === true;
  const url = ssh ? c.to! : checkCacheUrl((c.to ?? c.from)!, c.to ? '--to' : '--from');
  const settings = cacheSettings(ctx.env, { secretKey: c.secretKey }, ctx.cwd, configFiles(ctx.env), configReader(ctx));
  const paths: string[] = [];
  const direct = args.packages.filter((p) => p.name.startsWith(STORE_PREFIX));
  for (const p of direct) {
    if (!parseStorePath(p.name) || p.flags.size) throw new UsageError(`not a store path: ${p.name}`);
    paths.push(p.name);
  }
  const buildClosure = args.options.has('build-closure');
  if (buildClosure && (c.from || ssh || direct.length)) throw new UsageError("'ix copy --build-closure' takes packages and --to=URL of a binary cache: it copies what their plans build");
  if (direct.length < args.packages.length) {
    if (c.from) throw new UsageError("'ix copy --from' takes store paths (/ix/store/...), not packages: it never plans");
    const pkgs = { ...ctx, args: { ...args, packages: args.packages.filter((p) => !p.name.startsWith(STORE_PREFIX)) } };
    const { plan } = await planOf(pkgs, planRequest(pkgs));
    paths.push(...(buildClosure ? plan.nodes.map((n) => n.out) : rootPaths(plan)));
  }
  const store = await storeFor(ctx);
  const print = (line: string) => ctx.stderr(`${safeText(line)}\n`);
  if (ssh) {
    try {
      const r = await copyToSsh(store, url, paths, ctx.env, print);
      ctx.stderr(`ix: copied ${r.sent} paths to ${url} (${r.present} already there)\n`);
      return 0;
    } catch (e) {
      if (!(e instanceof BuilderDown || e instanceof IxError)) throw e;
      ctx.stderr(safeText(`ix: copy to ${url} failed: ${e.message.split('\n')[0]}`) + '\n');
      return 1;
    }
  }
  if (c.to) {
    if (!settings.secretKeyFile) throw new UsageError("'ix copy --to' signs what it uploads: give --secret-key=FILE (or \"secret-key-file\" in the config)");
    const r = await copyTo(store, url, paths, settings.secretKeyFile, print, ctx.env);
    ctx.stderr(`ix: copied ${r.uploaded} paths to ${url} (${r.skipped} already there)${r.failed.length ? `, ${r.failed.length} failed` : ''}\n`);
    return r.failed.length ? 1 : 0;
  }
  if (!settings.trustedKeys.length) throw new UsageError(`'ix copy --from' accepts only records signed by a trusted key, and none is configured ("trusted-public-keys" in ${settings.origin.trustedKeys ?? 'the config file'})`);
  const r = await copyFrom(store, url, settings.trustedKeys, paths, print, ctx.env);
  ctx.stderr(`ix: imported ${r.imported} paths from ${url} (${r.present} already here)${r.failed.length ? `, ${r.failed.length} failed` : ''}\n`);
  return r.failed.length ? 1 : 0;
}
