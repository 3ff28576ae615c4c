/**
 * What every host shares below hosts/node and hosts/linux-sandbox: the store's on-disk layout and
 * path grammar (layout.ts), the environment error (env-error.ts), the one way to remove a
 * read-only tree (tree.ts), the Runner a build host offers the executor (runner.ts) and the
 * Debian snapshot archive lookup of the fetcher and setup (snapshot.mjs), and the one escaping
 * function for text ix shows (safe-text.ts).
 *
 * Must not depend on: hosts/node, hosts/linux-sandbox, wasm (only Node built-ins and the
 * engine's plan types).
 */
export * from './layout';
export * from './env-error';
export * from './tree';
export type * from './runner';
export * from './snapshot.mjs';
export * from './safe-text';
