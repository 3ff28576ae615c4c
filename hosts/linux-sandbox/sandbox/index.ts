/**
 * The sandbox: probe the host (probe.ts), check a node (node-check.ts), build the bwrap argv
 * (bwrap-args.ts) and run one node (run-node.ts).
 *
 * Must not depend on: the executor, the CLI.
 */
export { machine, probe, requireSandbox, SandboxUnavailable, type Probe, type ProbeHost, type SandboxEnv } from './probe';
export { checkNode } from './node-check';
export { bwrapArgs, resolveProgram, nodeTmp, LOGICAL_BUILD, type SandboxDirs } from './bwrap-args';
export { runNode, sandboxRunner, DEFAULT_TIMEOUT_MS, type RunNodeOptions, type RunNodeResult } from './run-node';
export { chownTree, untraversable } from './tree';
