/**
 * `ix key generate NAME [--dir=D]`: a fresh ed25519 signing key for binary caches. Writes
 * D/NAME.secret (mode 0600; never overwrites one) and D/NAME.public (one line `NAME:<base64>`,
 * what other machines list as a trusted key); D defaults to the current directory.
 *
 * Must not depend on: the engine's code, the store, the executor.
 */
import path from 'node:path';
import { UsageError } from '../args';
import type { Context } from '../context';
import { generateKeyFiles } from '../cache/keys';

export async function runKey(argv: string[], base: Omit<Context, 'args'>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'generate') throw new UsageError(`'ix key' knows generate (got ${sub === undefined ? 'nothing' : `'${sub}'`})`);
  let dir = base.cwd;
  const words: string[] = [];
  for (const a of rest) {
    if (a.startsWith('--dir=')) dir = path.resolve(base.cwd, a.slice(6));
    else if (a.startsWith('-')) throw new UsageError(`'ix key generate' takes NAME and --dir=D (got '${a}')`);
    else words.push(a);
  }
  if (words.length !== 1) throw new UsageError(`'ix key generate' takes one key NAME (e.g. ix key generate ci-1)`);
  const k = await generateKeyFiles(words[0], dir);
  base.stdout(`secret key ${k.secretFile} (keep it private)\npublic key ${k.publicFile}:\n${k.publicKey}\n`);
  return 0;
}
