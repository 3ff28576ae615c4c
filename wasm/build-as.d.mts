/** Types of build-as.mjs (the build script is plain JavaScript run by Node). */
export const AS_ENTRY: string;
export const AS_RUNTIME: string;
export function inputsOf(): Uint8Array[];
export function ascArgs(entry: string, runtime?: string): string[];
export function compileAs(entry: string, runtime?: string): Promise<Uint8Array>;
export function renameExports(wasm: Uint8Array, renames?: Record<string, string>): Uint8Array;
export function componentize(coreModule: Uint8Array, witSource: string): Promise<Uint8Array>;
export function transpile(dir: string, quiet?: boolean): void;
export function buildAsCore(dir: string, opts?: { entry?: string; runtime?: string; quiet?: boolean }): Promise<Uint8Array>;
