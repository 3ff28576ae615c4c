/**
 * Signing keys: ed25519 through node:crypto. A key is named, and its text form is one line
 * `NAME:<base64>`: for a public key the 32 raw public bytes, for a secret key the 32-byte seed.
 * `ix key generate NAME` writes NAME.secret (mode 0600) and NAME.public; which public keys are
 * trusted is configuration (a list of `NAME:<base64>` strings).
 *
 * Must not depend on: the store, the cache backends, the CLI.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../common';

/** DER prefixes that turn 32 raw ed25519 bytes into an X.509 SubjectPublicKeyInfo or a PrivateKeyInfo (Node's 'pkcs8' key format). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A key file or configuration string that cannot be used; `message` is one line (exit 2). */
export class KeyError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

export interface PublicKey {
  name: string;
  key: KeyObject;
  /** `NAME:<base64>` */
  text: string;
}
export interface SecretKey {
  name: string;
  key: KeyObject;
  /** The matching public key. */
  public: PublicKey;
}

export function checkKeyName(name: string): string {
  if (!NAME_RE.test(name)) throw new KeyError(`bad key name '${name}' (letters, digits, '.', '_', '-'; starting with a letter or digit)`);
  return name;
}

function split(text: string, what: string): { name: string; raw: Buffer } {
  const t = text.trim();
  const i = t.indexOf(':');
  if (i <= 0) throw new KeyError(`${what}: not of the form NAME:<base64>`);
  const name = t.slice(0, i);
  if (!NAME_RE.test(name)) throw new KeyError(`${what}: bad key name '${name}'`);
  const b64 = t.slice(i + 1);
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== b64) throw new KeyError(`${what}: key ${name} is not 32 bytes of base64`);
  return { name, raw };
}

/** Parse a trusted key `NAME:<base64>`; `what` names where it came from in messages. */
export function parsePublicKey(text: string, what = 'public key'): PublicKey {
  const { name, raw } = split(text, what);
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  return { name, key, text: `${name}:${raw.toString('base64')}` };
}

/** Parse a secret key `NAME:<base64 seed>`. */
export function parseSecretKey(text: string, what = 'secret key'): SecretKey {
  const { name, raw } = split(text, what);
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { name, key, public: { name, key: createPublicKey(key), text: `${name}:${pub.toString('base64')}` } };
}

/** Read a secret key file (as written by generateKeyFiles). */
export async function readSecretKey(file: string): Promise<SecretKey> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new KeyError(`${file}: cannot read the secret key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSecretKey(text, file);
}

/** A fresh key pair named `name`, as text. */
export function generateKey(name: string): { secret: string; public: string } {
  checkKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { secret: `${name}:${seed.toString('base64')}`, public: `${name}:${pub.toString('base64')}` };
}

/**
 * Write `<dir>/<name>.secret` (0600, never overwriting) and `<dir>/<name>.public`.
 * Returns the two paths and the public key text.
 */
export async function generateKeyFiles(name: string, dir: string): Promise<{ secretFile: string; publicFile: string; publicKey: string }> {
  const k = generateKey(name);
  const secretFile = path.join(dir, `${name}.secret`);
  const publicFile = path.join(dir, `${name}.public`);
  let fh;
  try {
    fh = await fs.open(secretFile, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KeyError(code === 'EEXIST' ? `${secretFile} exists already; not overwriting a secret key` : `${secretFile}: cannot create (${code})`);
  }
  try {
    await fh.chmod(0o600);
    await fh.writeFile(`${k.secret}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.writeFile(publicFile, `${k.public}\n`, { mode: 0o644 });
  return { secretFile, publicFile, publicKey: k.public };
}

/** ed25519 signature (base64) of `message` (UTF-8). */
export function signText(key: SecretKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), key.key).toString('base64');
}

/** True when `sig` (base64) is `key`'s signature of `message`. */
export function verifyText(key: PublicKey, message: string, sig: string): boolean {
  const raw = Buffer.from(sig, 'base64');
  if (raw.length !== 64) return false;
  return verify(null, Buffer.from(message, 'utf8'), key.key, raw);
}
