/**
 * Builders that must sign: with `trust=KEYFILE` in a builder's spec (a public key file written by
 * `ix key generate`, one `NAME:<base64>` line), every record the builder sends must carry a valid
 * ed25519 signature by one of those keys over the binary cache's fingerprint (hosts/node/cache/
 * record.ts), which names the store path, so a signature cannot be replayed for another output.
 * The builder signs with `ix store serve --stdio --secret-key=FILE`. The check itself is the
 * cache's (receiveInto with these keys); anything else is refused and the builder counts as failed.
 *
 * Must not depend on: the executor, anything Linux-only.
 */
import { readFileSync } from 'node:fs';
import { parsePublicKey, type PublicKey } from '../cache/index';
import { BuilderDown } from './session';
import type { BuilderSpec } from './spec';

/** The public keys a spec trusts (read once per builder); a bad file is one line naming it. */
export function trustedKeys(spec: BuilderSpec): PublicKey[] {
  return spec.trust.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new BuilderDown(`cannot read its trusted key ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      return parsePublicKey(text, file);
    } catch (e) {
      throw new BuilderDown((e as Error).message);
    }
  });
}
