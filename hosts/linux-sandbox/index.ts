/**
 * The Linux build host: the bubblewrap sandbox that runs one plan node (sandbox/), its probe, and
 * the run-node reproducer. The portable parts (store, executor, fetcher, realms, gc, caches) live
 * in hosts/node/ and run on any OS.
 *
 * Must not depend on: hosts/node except its store layout and tree helpers, the planner's code
 * (it reads plans as data).
 */
export * from './sandbox';
