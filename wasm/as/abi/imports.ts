/**
 * The host imports (placeholder until abi/ lowers them onto the component's canonical ABI):
 * each traps, so code that reaches one before the ABI exists fails loudly.
 */
export function readFile(path: string): Uint8Array | null { unreachable(); return null; }
export function listDir(path: string): Array<string> | null { unreachable(); return null; }
export function fileDigests(paths: Array<string>): Array<Uint8Array | null> | null { unreachable(); return null; }
export function cacheGet(key: string): Uint8Array | null { unreachable(); return null; }
export function cachePut(key: string, value: string): void { unreachable(); }
