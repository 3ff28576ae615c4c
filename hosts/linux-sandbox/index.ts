/**
 * The Linux build host: the bubblewrap sandbox that runs one plan node (sandbox/: the Linux
 * Runner, its probe, and the run-node command line). The portable parts (store, executor,
 * fetcher, realms, gc, caches) live in hosts/node/ and run on any OS; they reach this host only
 * through the command line, which hands its runner to the executor.
 *
 * Must not depend on: hosts/node (only hosts/common and the engine's plan types and errors).
 */
export * from './sandbox';
export { main as runNodeMain, cli, type CommitNode, type RunNodeArgs, type RunNodeIO } from './sandbox/cli';
