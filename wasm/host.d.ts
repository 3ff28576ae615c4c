/** Types of the WIT `host` import as the guest sees it (see wasm/core.wit). */
declare module 'ix:core/host' {
  export function readFile(path: string): Uint8Array | undefined;
  export function listDir(path: string): string[] | undefined;
  export function digest(data: Uint8Array): Uint8Array | undefined;
  export function digestText(text: string): Uint8Array | undefined;
  export function fileDigests(paths: string[]): (Uint8Array | undefined)[] | undefined;
  export function cacheGet(key: string): Uint8Array | undefined;
  export function cachePut(key: string, value: string): void;
}
