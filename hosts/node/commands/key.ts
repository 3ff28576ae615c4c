/**
 * `ix key generate NAME [--dir=D]`: a fresh ed25519 signing key for binary caches. Writes
 * D/NAME.secret (mode 0600; never overwrites one) and D/NAME.public (one line `NAME:<base64>`,
 * what other machines list as a trusted key); D defaults to the current directory.
 *
 * Must not depend on: the engine's code, the store, the executor.
 */
import path from 'node:path';
import { UsageError } from '../../common';
import type { Invocation } from '../context';
import type { SubArgs } from './grammar';
import { generateKeyFiles } from '../cache/index';

export async function runKey({ words, options }: SubArgs, base: Invocation): Promise<number> {
  const d = options.get('dir')?.at(-1);
  const dir = d === undefined ? base.cwd : path.resolve(base.cwd, d);
  if (words.length !== 1) throw new UsageError(`'ix key generate' takes one key NAME (e.g. ix key generate ci-1)`);
  const k = await generateKeyFiles(words[0], dir);
  base.stdout(`secret key ${k.secretFile} (keep it private)\npublic key ${k.publicFile}:\n${k.publicKey}\n`);
  return 0;
}
