/**
 * `ix copy --to ssh://[user@]host PKG|PATH...` over the builder protocol: sends the runtime
 * closure of the given store paths (their records' references, transitively) to the builder's
 * store, skipping what it has, each path as the binary cache's archive, verified and committed
 * there like any received input. The `ix copy` command (hosts/node/commands/copy.ts) calls this
 * for ssh:// destinations.
 *
 * Must not depend on: the CLI, the executor, anything Linux-only.
 */
import { IxError } from '../../../engine/errors';
import type { Store } from '../store';
import { Session } from './session';
import { parseBuilder } from './spec';
import { packForWire } from './transfer';

export interface CopyReport {
  sent: number;
  present: number;
  bytes: number;
}

/**
 * The runtime closure of `paths` in `store`, references before the paths that refer to them (so
 * the receiving store never holds a path without its references); a path not built here is an error.
 */
export async function closureOf(store: Store, paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = async (p: string): Promise<void> => {
    if (state.has(p)) return; // 'open': a self-reference or cycle, already on the way out
    const rec = await store.record(p);
    if (!rec) throw new IxError(`${p} is not built here, so it cannot be copied`);
    state.set(p, 'open');
    for (const r of [...rec.refs].sort()) await visit(r);
    state.set(p, 'done');
    out.push(p);
  };
  for (const p of [...paths].sort()) await visit(p);
  return out;
}

/** Copy the closure of `paths` to the builder `url` (ssh://...); `print` gets one line per path sent. */
export async function copyToSsh(store: Store, url: string, paths: string[], env: Record<string, string | undefined>, print: (line: string) => void = () => undefined): Promise<CopyReport> {
  const spec = parseBuilder(url, '--to');
  const all = await closureOf(store, paths);
  const s = await Session.open(spec, env);
  try {
    const there = await s.have(all);
    let sent = 0;
    const before = s.bytes.sent;
    for (const p of all) {
      if (there.has(p)) continue;
      const packed = await packForWire(store, p);
      await s.put(packed.record, packed.bytes);
      print(`copied ${p} to ${spec.name} (${packed.bytes.length} bytes)`);
      sent++;
    }
    return { sent, present: there.size, bytes: s.bytes.sent - before };
  } finally {
    await s.close();
  }
}
