/**
 * What every host shares below hosts/node and hosts/linux-sandbox: the store's on-disk layout and
 * path grammar (layout.ts), the user-facing errors with their exit codes (user-error.ts, and the
 * environment error, env-error.ts), the one way to remove a
 * read-only tree (tree.ts) and the Runner a build host offers the executor (runner.ts).
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
