/**
 * Builders that must sign: with `trust=KEYFILE` in a builder's spec, every record it sends must
 * carry a valid signature by one of those public keys (the binary cache's ed25519 keys and
 * signature scheme, hosts/node/cache), or the output is refused and the builder counts as failed.
 *
 * Must not depend on: the executor, anything Linux-only.
 */
import { BuilderDown } from './session';
import type { BuilderSpec } from './spec';

/** Throws BuilderDown when the spec asks for signatures and the record has none that verifies. */
export function verifyTrusted(record: unknown, spec: BuilderSpec): void {
  if (!spec.trust.length) return;
  const sigs = (record as { signatures?: unknown }).signatures;
  if (!Array.isArray(sigs) || !sigs.length) throw new BuilderDown(`sent ${String((record as { path?: unknown }).path)} unsigned, but trust= requires a signature`);
  throw new BuilderDown('signature checking needs the binary cache keys (hosts/node/cache), not available in this build');
}
