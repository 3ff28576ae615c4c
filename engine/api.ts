/**
 * The engine's contract: what a host gives the engine (HostIO) and the shape of what the
 * engine returns (requests, plans, nodes). Everything here is plain data or a narrow function
 * interface; the WIT world in wasm/core.wit mirrors HostIO one to one.
 *
 * Must not depend on: Node, the DOM, any host module, the clock, randomness, locale.
 */
import type { BootEnv } from './eval/boot-env';

export type { BootEnv } from './eval/boot-env';

/** What the engine may ask of its host. Every path is a logical recipe path ("bin/zstd/ix.sh"). */
export interface HostIO {
  /**
   * Bytes of a recipe file, searched through the layered recipe roots (first root wins),
   * or undefined when no root has it. Needed by: every template load, include and /base64.
   */
  readFile(path: string): Uint8Array | undefined;
  /**
   * Entry names of a recipe directory merged over all roots (directories end with "/"),
   * or undefined when it exists in no root. Order is irrelevant: the engine sorts.
   * Needed by: "did you mean" suggestions for unknown packages, `ix run` program lookup.
   */
  listDir(path: string): string[] | undefined;
  /**
   * Optional fast BLAKE3-256 of data (32 bytes). Must equal the engine's own pure-JS BLAKE3,
   * which test vectors pin. Needed by: hashing sources and nodes at speed inside the WASM core.
   */
  digest?(data: Uint8Array): Uint8Array;
  /**
   * Optional BLAKE3-256 of a string's UTF-8 bytes: the same as digest(utf8(text)), without the
   * engine encoding the text itself (slow in an interpreted WASM guest; node ids hash MBs of JSON).
   * Used only together with digest. Needed by: hashing nodes and cache keys at speed.
   */
  digestText?(text: string): Uint8Array;
  /**
   * Optional BLAKE3-256 of each recipe file's bytes, exactly as readFile would return them
   * (undefined where readFile would), in the order of `paths`; the whole answer may be undefined
   * when the host cannot. Saves moving file bytes into the engine just to hash them.
   * Needed by: cache validation (plan cache, descriptor cache). Must never change plan bytes.
   */
  fileDigests?(paths: string[]): (Uint8Array | undefined)[] | undefined;
  /**
   * Optional persistent cache (compiled templates, rendered descriptors, whole plans). Keys are
   * engine-made hashes. The engine puts text, which the host stores as its UTF-8 bytes, and gets
   * those bytes back: text goes in without the engine encoding it, and a cached plan comes back
   * out as bytes the engine can return as they are. Must never change plan bytes.
   */
  /**
   * `into`, when the caller gives it (the compiled core's direct binding: wasm/direct-core.ts),
   * allocates `n` bytes where the answer is wanted (the core's memory) and returns them as an
   * array: the host may call it at most once and then answers with that array, filled, or
   * undefined (the region is dropped); or answer without calling it.
   */
  cacheGet?(key: string, into?: (n: number) => Uint8Array): Uint8Array | undefined;
  cachePut?(key: string, value: string): void;
  /**
   * cachePut of a value given as UTF-16 code units (the compiled core's strings, viewed in its
   * memory: valid during the call only), so a host can store the UTF-8 bytes without first making
   * a string. Used instead of cachePut when both are there, and only when cachePut is there (a
   * host without cachePut stores nothing); the bytes stored must be those cachePut would store.
   */
  cachePutUtf16?(key: string, value: Uint16Array): void;
}

/** Flags of a package: string keys to string values (IX semantics: `--k` means k=1). */
export type Flags = Record<string, string>;

/** Input of plan(): which packages, for which build host and target, with which global flags. */
export interface PlanRequest {
  /** Package selectors as the user wrote them: "bin/zstd", "lib/z(kind=lib)", "bin/x(k=v)". */
  packages: string[];
  /** Flags applied to every requested package (per-package flags go in the selector). */
  flags?: Flags;
  /** Target platform, "<os>-<arch>"; default "linux-x86_64". Never detected from the machine. */
  target?: string;
  /** Build platform the plan's tools run on; default "linux-x86_64". Never detected from the machine. */
  host?: string;
  /** The build host as IX's bootstrap recipes see it (engine/eval/boot-env.ts); fixed defaults. */
  boot?: BootEnv;
  /**
   * Plan every requested package that can be planned: a package that fails gets a root with its
   * one-line error instead of failing the whole plan (whole-tree runs). Default false.
   */
  keepGoing?: boolean;
  /**
   * What the answer holds: "plan" (default) the whole plan (PlanWire); "roots" only the roots
   * (PlanRoots), for a host that prints store paths. The roots, the engine's caches and what the
   * call reads are the same either way; any other value is a malformed request.
   */
  output?: 'plan' | 'roots';
  /**
   * Whether the compiled core keeps this plan's graph in the cache for the next plan of the same
   * settings (wasm/as/plan/kept.ts). Default true; a host that plans one package at a time and
   * re-plans on every keystroke (the LSP) says false. The plan's bytes never depend on it.
   */
  keepGraph?: boolean;
}

/** Input of render(): one package, its flags and platforms; returns the descriptor text. */
export interface RenderRequest {
  package: string;
  flags?: Flags;
  target?: string;
  host?: string;
  boot?: BootEnv;
  /** Return the normalised descriptor (what the planner reads) as canonical JSON, not the text. */
  normalised?: boolean;
}

/** A file a fixed-output build node declares: path under $out and the sha256 (hex) of its bytes. */
export interface FixedFile {
  path: string;
  sha256: string;
}

/** One buildable step of a plan. All lists are sorted; all paths are absolute /ix/store paths. */
export interface PlanNode {
  /** Store id: 32 chars of Nix base32 (160 bits) of BLAKE3 over the node with its id as placeholder. */
  id: string;
  /** Output store path: /ix/store/<id>-<store name>. */
  out: string;
  /** Package name ("bin/zstd") or, for a fetch node, "fetch:<file name>". */
  name: string;
  /** Store name without id ("bin-zstd"). */
  storeName: string;
  /** Effective flags (includes kind and target). */
  flags: Flags;
  /** Every store path the node may read (closures of its deps and its sources), sorted. */
  inputs: string[];
  /** Store paths the output may refer to at run time (its run closure), sorted. */
  runtime: string[];
  /** How to run it; absent for fetch nodes, which the host performs natively. */
  cmd?: { argv: string[]; stdin: string; env: Record<string, string> };
  /** Fixed-output download: the only kind of node with network. */
  fetch?: { urls: string[]; sha256: string; file: string };
  /** Concurrency pool: "cpu" (default), "net" (downloads, fixed-output builds), "full" (uses every core alone). */
  pool: string;
  /** Network allowed: only fetch nodes and fixed-output build nodes (`fixedFiles`). */
  net: boolean;
  /** Bootstrap seed node: may use the build host's unpack tools; its output is checked. */
  seed?: boolean;
  /**
   * Fixed-output command node (seeds only): the ix-tree/1 hash ("blake3:<hex>") its output must
   * have; the store refuses any other output. Its id hashes only {storeName, fixed}, like a fetch
   * node's, so neither its script nor the host tools it runs can put other bytes under its path.
   */
  fixed?: string;
  /**
   * Fixed-output build node (engine/plan/fixed-files.ts): the complete output, declared by the
   * recipe (IX's predict_outputs): exactly these regular, non-executable files, sorted by path.
   * Its id hashes only {storeName, fixedFiles}; the store refuses any other output before commit.
   * Only such a command node may have `net: true` (IX's network builds).
   */
  fixedFiles?: FixedFile[];
}

/**
 * A whole plan as consumers see it: every node with its closures (`inputs`, `runtime`) and its
 * script inlined (`cmd.stdin`), made from the wire form (PlanWire) by engine/plan/expand.ts.
 * Nodes in dependency order (inputs first), ties broken by out path.
 */
export interface Plan {
  format: 'ix-plan/4-expanded';
  host: string;
  target: string;
  /** One entry per requested package, in request order. Hubs have no out but list their members. */
  roots: { request: string; name: string; out?: string; members?: string[]; error?: string }[];
  nodes: PlanNode[];
}

/**
 * One node of the wire form (ix-plan/4): direct references only, its script by digest. Closures
 * follow from the graph (engine/plan/expand.ts): runtime(n) = runDeps and their runtime;
 * libClosure(n) = libDeps and their lib closures; inputs(n) = deps with their runtime, libs with
 * their lib closures. All lists are sorted out paths of nodes of the same plan.
 */
export interface WireNode extends Omit<PlanNode, 'inputs' | 'runtime' | 'cmd'> {
  /** Build inputs read with their run closures: tools, build data, sources (fetch nodes). */
  deps: string[];
  /** Build inputs read with their lib closures: target and host libraries. */
  libs: string[];
  /** Direct run-time references (hubs expanded to their members' direct references). */
  runDeps: string[];
  /** Direct library references (lib.deps, hubs expanded): what a lib closure is made of. */
  libDeps: string[];
  /** How to run it; `script` is the key of its stdin text in the plan's `scripts`. */
  cmd?: { argv: string[]; script: string; env: Record<string, string> };
}

/** The plan as the engine writes it (`ix plan --json`): linear in nodes and direct edges. */
export interface PlanWire {
  format: 'ix-plan/4';
  host: string;
  target: string;
  roots: Plan['roots'];
  nodes: WireNode[];
  /** Distinct build scripts: lowercase hex BLAKE3-256 of the text's UTF-8 bytes -> the text. */
  scripts: Record<string, string>;
}

/**
 * The answer to a request with `output: "roots"`: the `roots` of the whole plan of the same request
 * (byte for byte, in request order, keep-going errors included) and no nodes. Canonical JSON like a
 * plan; a host that wants a node (outputs to build, closures) asks for the whole plan.
 */
export interface PlanRoots {
  format: 'ix-plan-roots/1';
  host: string;
  target: string;
  roots: Plan['roots'];
}
