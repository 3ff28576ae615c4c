/**
 * The descriptor: the JSON object that the root of every template chain renders
 * (pkgs/README.md §4), as the planner reads it. IX-compatible field names.
 *
 * Must not depend on: Node, host modules.
 */

export interface FetchItem {
  url: string;
  /** "sha256:<hex>" in IX trees may appear as `md5` with a "sha:"/"sha256:" prefix; normalised by the evaluator. */
  sha256: string;
  /** File name to store the download as (default: last URL component). */
  name?: string;
}

export interface Descriptor {
  bld: {
    fetch: FetchItem[];
    /** Empty object/empty data means a hub (not buildable). kind is "sh". */
    script: { kind?: string; data?: string; args?: string[] };
    deps: string[];
    host_libs: string[];
    target_libs: string[];
    data: string[];
  };
  run: { deps: string[]; data: string[] };
  lib: { deps: string[] };
  ind: { deps: string[] };
  fix: { deps: string[] };
  net: boolean;
  tmpfs?: boolean;
  isolate?: boolean;
  task_pool: string;
  /**
   * Bootstrap seed: `"seed": true` in the rendered JSON, allowed only for bld/boot/* packages
   * (the planner rejects it elsewhere). The node gets `seed: true` and may use the build host's
   * unpack tools (/usr, /bin, /lib read-only); its output is checked like any other.
   */
  seed?: boolean;
  /**
   * Fixed output: `"fixed": "blake3:<hex>"`, the ix-tree/1 hash (the one `ix store verify` checks)
   * the node's output must have. Allowed only on seeds: the host tools a seed runs can then only
   * fail its build, never change its bytes, and its id hashes this hash instead of the script.
   */
  fixed?: string;
  repo?: { name: string; version: string };
  /**
   * IX's `predict_outputs`: files (path under $out, sha256 hex) a network-using build promises to
   * produce. They make the node a fixed-output build node whose output is exactly these files
   * (engine/plan/fixed-files.ts), which alone may say `net: true`; `net: true` without them fails.
   */
  predict_outputs?: { path: string; sum: string }[];
}
