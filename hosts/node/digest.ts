/**
 * The Node host's fast BLAKE3-256 (hash-wasm), handed to the core as its `digest` import.
 * It must give exactly the engine's pure-JS BLAKE3 bytes; test/wasm-digest.test.ts pins both.
 *
 * Must not depend on: the engine's internals, the filesystem.
 */
/** A synchronous BLAKE3-256 function. */
export type Digest = (data: Uint8Array) => Uint8Array;

let ready: Promise<Digest> | undefined;

/**
 * Loads hash-wasm's BLAKE3 once per process and returns a synchronous digest function. The import
 * is dynamic so that commands which never hash (ix --version, a plan answered from the memo with
 * every stat unchanged) do not pay for loading hash-wasm's modules.
 */
export function loadDigest(): Promise<Digest> {
  ready ??= import('./blake3-wasm')
    .then(({ createBLAKE3 }) => createBLAKE3(256))
    .then((h) => (data: Uint8Array) => h.init().update(data).digest('binary'));
  return ready;
}
