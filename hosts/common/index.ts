/**
 * What every host shares below hosts/node and hosts/linux-sandbox: the store's on-disk layout and
 * path grammar (layout.ts), the user-facing errors with their exit codes (user-error.ts, and the
 * environment error, env-error.ts), text made safe for a terminal (safe-text.ts), the one way to
 * remove a read-only tree (tree.ts), the Runner a build host offers the executor (runner.ts) and
 * the Debian snapshot archive lookup of the fetcher and setup (snapshot.mjs).
 *
 * Must not depend on: hosts/node, hosts/linux-sandbox, wasm (only Node built-ins and the
 * engine's plan types).
 */
export * from './layout';
export * from './user-error';
export * from './env-error';
export * from './tree';
export * from './safe-text';
export type * from './runner';
export * from './snapshot.mjs';
