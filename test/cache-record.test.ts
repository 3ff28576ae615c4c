// ix-cache-record/1 and keys: canonical encoding, signatures over the versioned fingerprint,
// refusal of untrusted keys, tampered records and a record replayed for another path; key files
// (`ix key generate`) with a private secret.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CACHE_RECORD_FORMAT, checkSignature, encodeRecord, fingerprint, generateKey, generateKeyFiles, parsePublicKey, parseRecord, parseSecretKey,
  readSecretKey, RecordError, signRecord, KeyError, type CacheRecord,
} from '../hosts/node/cache/index';
import { canonicalJson } from '../engine/hash';
import { ensureCoreBuilt, ix, tempDir } from './support/cli';

const P = '/ix/store/0123456789abcdfghijklmnpqrsvwxyz-zstd';
const OTHER = '/ix/store/zyxwvsrqpnmlkjihgfdcba9876543210-zstd';
const REF = '/ix/store/00000000000000000000000000000000-musl';
const H = (c: string) => `blake3:${c.repeat(64)}`;

function rec(over: Partial<CacheRecord> = {}): CacheRecord {
  return {
    format: CACHE_RECORD_FORMAT, path: P, treeHash: H('a'), treeSize: 10,
    archive: { hash: H('b'), size: 100, compression: 'zstd', unpackedSize: 2048 },
    refs: [REF], node: { id: '0123456789abcdfghijklmnpqrsvwxyz', name: 'zstd' }, signatures: [], ...over,
  };
}

describe('records', () => {
  const a = parseSecretKey(generateKey('a').secret);
  const b = parseSecretKey(generateKey('b').secret);

  it('encodes as canonical JSON and parses back', () => {
    const r = signRecord(rec(), a);
    const text = encodeRecord(r);
    expect(text).toBe(canonicalJson(JSON.parse(text)));
    expect(parseRecord(text)).toEqual(r);
  });

  it('pins the fingerprint string', () => {
    expect(fingerprint(rec({ refs: [REF, '/ix/store/11111111111111111111111111111111-b'] }))).toBe(
      `ix-cache-fingerprint/1;${P};${H('a')};${H('b')};100;zstd;2048;${REF},/ix/store/11111111111111111111111111111111-b`,
    );
  });

  it('accepts a signature by a trusted key and names the key', () => {
    expect(checkSignature(signRecord(signRecord(rec(), b), a), [a.public])).toBe('a');
  });

  it('refuses a record signed only by an untrusted key', () => {
    expect(() => checkSignature(signRecord(rec(), b), [a.public])).toThrow(/not signed by a trusted key \(signed by b\)/);
    expect(() => checkSignature(rec(), [a.public])).toThrow(/unsigned/);
  });

  it('refuses a tampered record (archive hash, size, refs, tree hash)', () => {
    const s = signRecord(rec(), a);
    for (const t of [
      { ...s, archive: { ...s.archive, hash: H('c') } },
      { ...s, archive: { ...s.archive, unpackedSize: 1 << 30 } },
      { ...s, refs: [] },
      { ...s, treeHash: H('d') },
    ]) expect(() => checkSignature(t, [a.public])).toThrow(/bad signature by trusted key a/);
  });

  it('refuses a signed record replayed for another path', () => {
    const s = signRecord(rec(), a);
    expect(() => checkSignature({ ...s, path: OTHER }, [a.public])).toThrow(RecordError);
  });

  it('refuses a key that shares a trusted name but not its bytes', () => {
    const impostor = parseSecretKey(generateKey('a').secret);
    expect(() => checkSignature(signRecord(rec(), impostor), [a.public])).toThrow(/bad signature by trusted key a/);
  });

  it('refuses malformed and newer records with one line', () => {
    expect(() => parseRecord('{')).toThrow('record is not JSON');
    expect(() => parseRecord(JSON.stringify({ ...rec(), format: 'ix-cache-record/2' }))).toThrow(/record format ix-cache-record\/2 is newer than this ix reads/);
    expect(() => parseRecord(JSON.stringify({ ...rec(), path: '/etc/passwd' }))).toThrow('record has a bad path');
    expect(() => parseRecord(JSON.stringify({ ...rec(), archive: { ...rec().archive, compression: 'lzma' } }))).toThrow(/compression "lzma"/);
    expect(() => parseRecord(JSON.stringify({ ...rec(), archive: { ...rec().archive, size: -1 } }))).toThrow('record has a bad archive size');
  });
});

describe('keys', () => {
  it('round-trips the text forms and refuses bad ones', () => {
    const k = generateKey('ci-1');
    expect(k.public).toMatch(/^ci-1:[A-Za-z0-9+/]{43}=$/);
    expect(parseSecretKey(k.secret).public.text).toBe(k.public);
    expect(parsePublicKey(k.public).text).toBe(k.public);
    expect(() => parsePublicKey('nocolon')).toThrow(KeyError);
    expect(() => parsePublicKey('x:AAAA')).toThrow(/not 32 bytes/);
    expect(() => parsePublicKey('bad name:AAAA')).toThrow(/bad key name/);
    expect(() => generateKey('../evil')).toThrow(/bad key name/);
  });

  it('writes the secret with mode 0600 and never overwrites it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ix-keys-'));
    const k = await generateKeyFiles('m', dir);
    expect((await fs.stat(k.secretFile)).mode & 0o777).toBe(0o600);
    expect((await fs.readFile(k.publicFile, 'utf8')).trim()).toBe(k.publicKey);
    expect((await readSecretKey(k.secretFile)).public.text).toBe(k.publicKey);
    await expect(generateKeyFiles('m', dir)).rejects.toThrow(/exists already/);
    await fs.rm(dir, { recursive: true });
  });
});

describe('ix key generate', () => {
  beforeAll(() => ensureCoreBuilt(), 300_000);

  it('writes NAME.secret and NAME.public into --dir and prints the public key', async () => {
    const dir = tempDir('ix-keycli-');
    const r = ix(['key', 'generate', 'laptop', `--dir=${dir}`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const pub = (await fs.readFile(path.join(dir, 'laptop.public'), 'utf8')).trim();
    expect(r.out).toContain(pub);
    expect((await fs.stat(path.join(dir, 'laptop.secret'))).mode & 0o777).toBe(0o600);
    const again = ix(['key', 'generate', 'laptop', `--dir=${dir}`]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/^ix: error: .*laptop\.secret exists already; not overwriting a secret key\n$/);
    expect(ix(['key', 'generate']).err).toMatch(/^ix: error: 'ix key generate' takes one key NAME/);
    await fs.rm(dir, { recursive: true });
  });
});
