/**
 * `ix store verify [--json]`: re-hashes every store path against its record (store/verify.ts)
 * and prints the paths that are modified, missing, unrecorded or not in normal form.
 * Exit 0 when everything is intact, 1 otherwise.
 * `ix store serve --stdio [--secret-key=FILE]`: the builder side of remote builds
 * (hosts/node/remote/serve.ts), the command an SSH client runs (or a forced command in
 * authorized_keys); stdout carries the protocol; with a key it signs the outputs it sends; the
 * binary caches of its configuration (substituters, trusted keys) supply inputs before a client
 * sends them. Takes its raw arguments (sub-verbs are not
 * packages, so the package grammar of args.ts does not apply).
 *
 * Must not depend on: the engine's code.
 */
import { UsageError, resolveRoot } from '../../common';
import type { Invocation } from '../context';
import { configReader } from './config';
import { describeOptions } from '../options';
import type { SubArgs } from './grammar';
import { verifyStore } from '../store';
import { serve } from '../remote';
import { readSecretKey } from '../cache/index';
import { fetchFromCaches, cacheSettings, configFiles } from '../subst';
import { sandboxRunner } from '../../linux-sandbox';

export async function runStore(a: SubArgs, ctx: Invocation): Promise<number> {
  if (a.sub === 'serve') {
    const bad = a.words[0];
    if (bad !== undefined || !a.options.has('stdio') || !ctx.stdio) throw new UsageError(`'ix store serve' takes --stdio and --secret-key=FILE${bad !== undefined ? ` (got '${bad}')` : ''}`);
    const keyFile = a.options.get('secret-key')?.at(-1);
    const secretKey = keyFile ? await readSecretKey(keyFile) : undefined;
    // The builder's own binary caches (its config files), for inputs a client would send.
    const settings = cacheSettings(ctx.env, {}, ctx.cwd, configFiles(ctx.env), configReader(ctx));
    const note = (l: string) => ctx.stderr(`${l}\n`);
    return serve(ctx.stdio.stdin, ctx.stdio.stdout, {
      root: resolveRoot(ctx.env), note, secretKey, substitute: (store, paths) => fetchFromCaches(store, settings, paths, note), run: sandboxRunner(ctx.env),
    });
  }
  const json = a.options.has('json');
  if (a.words.length) throw new UsageError(`'ix store verify' does not take '${a.words[0]}' (its options: ${describeOptions('store verify')})`);
  const root = resolveRoot(ctx.env);
  const entries = await verifyStore(root);
  const broken = entries.filter((e) => e.status !== 'ok');
  if (json) {
    ctx.stdout(`${JSON.stringify({ format: 'ix-verify/1', root, entries })}\n`);
  } else {
    for (const e of broken) {
      const hash = e.status === 'modified' && e.actual ? ` (recorded ${e.expected}, found ${e.actual})` : '';
      ctx.stdout(`${e.status} ${e.path}${hash}${e.problems.length ? `: ${e.problems.join('; ')}` : ''}\n`);
    }
    ctx.stderr(`ix: ${entries.length} store paths checked in ${root}: ${broken.length ? `${broken.length} with problems` : 'all intact'}\n`);
  }
  return broken.length ? 1 : 0;
}
