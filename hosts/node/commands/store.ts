/**
 * `ix store verify [--json]`: re-hashes every store path against its record (store/verify.ts)
 * and prints the paths that are modified, missing, unrecorded or not in normal form.
 * Exit 0 when everything is intact, 1 otherwise. Takes its raw arguments (sub-verbs are not
 * packages, so the package grammar of args.ts does not apply).
 *
 * Must not depend on: the engine's code.
 */
import type { Context } from '../context';
import { UsageError } from '../args';
import { describeOptions, tokenize } from '../options';
import { resolveRoot, verifyStore } from '../store';

export async function runStore(argv: string[], ctx: Omit<Context, 'args'>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify') throw new UsageError(`'ix store' knows one sub-command: verify (got ${sub === undefined ? 'nothing' : `'${sub}'`})`);
  const toks = tokenize('store verify', rest);
  const json = toks.some((t) => t.kind === 'option' && t.name === 'json');
  const bad = toks.find((t) => t.kind !== 'option');
  if (bad) throw new UsageError(`'ix store verify' does not take '${bad.text}' (its options: ${describeOptions('store verify')})`);
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
