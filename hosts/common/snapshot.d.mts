// Types of snapshot.mjs (plain JavaScript so that setup can run it before anything is built).
export declare const DEFAULT_SNAPSHOT: string;
export declare class SnapshotError extends Error {
  readonly retry: boolean;
  constructor(message: string, retry: boolean);
}
export declare function snapshotGet(url: string, timeoutMs: number, maxBytes?: number): Promise<Buffer>;
export declare function snapshotIndexUrl(base: string, name: string, version: string): string;
export declare function snapshotFileUrl(base: string, name: string, version: string, arch: string, timeoutMs?: number): Promise<string>;
export declare function snapshotOrigs(base: string, source: string, version: string, timeoutMs?: number): Promise<{ url: string; name: string }[]>;
export declare function snapshotDownload(url: string, timeoutMs?: number): Promise<Buffer>;
