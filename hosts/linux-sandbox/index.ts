/**
 * The Linux build host: the bubblewrap sandbox that runs one plan node (sandbox/), and the
 * executor that runs a whole plan into the store with pools, logs and progress (exec/).
 * The store (store/) and the fetcher (fetch/) have their own index files.
 *
 * Must not depend on: hosts/node (the CLI), the planner's code (it reads plans as data).
 */
export * from './sandbox';
export * from './exec';
