/**
 * Builds the compiled core (AssemblyScript, wasm/as/) into a component and its JS glue:
 *   1. asc (JS API) compiles the entry (wasm/as/abi/index.ts) to a core module: -O3, the
 *      runtime below, `abort` turned into a trap so the only imports are the WIT host's;
 *   2. the export names AssemblyScript cannot spell (`list_packages`) get their WIT names;
 *   3. componentEmbed (the WIT text, world `core`, UTF-16 strings) + componentNew from
 *      @bytecodealliance/jco-transpile (the `jco embed` CLI panics here) -> core.wasm;
 *   4. jco transpile -> core/ (then unsigned-pointers.mjs, as for the interpreted core).
 * Every step is a pure function of its inputs (no timestamps, no absolute paths in the output:
 * asc runs from the repository root with a relative entry), so two builds give the same bytes
 * (test/core-build.test.ts).
 *
 * Memory model: a fresh instance per request (the hosts compile the modules once and instantiate
 * them again for each call), so whatever a request allocated is dropped whole with its instance
 * and no state leaks between requests. Within a request: AssemblyScript's `minimal` runtime (the
 * default: a two-colour mark & sweep that runs only at the core's safe points, wasm/as/gc.ts, and
 * keeps no shadow stack; the CLI's cold whole-tree plan at ~0.9x the CPU of the incremental
 * runtime and about its peak memory), the
 * `incremental` one, tuned (collects anywhere by itself, a shadow stack on every call), or `stub`,
 * a bump arena that never frees (~1 MB per render, so a request rendering a whole IX tree
 * outgrows wasm32's 4 GiB). The shadow stack is
 * 2 MiB (`--stackSize`): with AssemblyScript's default 32 KB a `self.NAME()` recursion trapped
 * before it reached the evaluator's depth bound of 64.
 *
 * Must not depend on: anything outside this repository and its node_modules; no network.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unsignedPointers } from './unsigned-pointers.mjs';
import { quietGlue } from './quiet-glue.mjs';
import { planBytesView } from './plan-bytes-view.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/** The compiled core's entry (the WIT exports over wasm/as/plan). */
export const AS_ENTRY = join(here, 'as', 'abi', 'index.ts');
/** The runtime: see the module comment (wasm/as/gc.ts says where it may collect). */
export const AS_RUNTIME = 'minimal';
/** Export names AssemblyScript cannot spell, as the canonical ABI names them. */
const RENAMES = { list_packages: 'list-packages', cabi_post_list_packages: 'cabi_post_list-packages' };

/**
 * Everything the compiled core's bytes depend on, in a fixed order: each source of wasm/as/ (its
 * path, then its bytes), the WIT, the build scripts and the compiler's version.
 */
export function inputsOf() {
  const files = readdirSync(join(here, 'as'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  const parts = [];
  for (const f of files) parts.push(Buffer.from(`${f}\0`), readFileSync(join(here, 'as', f)));
  for (const f of ['core.wit', 'build-as.mjs', 'unsigned-pointers.mjs', 'quiet-glue.mjs', 'plan-bytes-view.mjs']) parts.push(readFileSync(join(here, f)));
  parts.push(readFileSync(join(root, 'node_modules/assemblyscript/package.json')));
  parts.push(readFileSync(join(root, 'node_modules/@bytecodealliance/jco/package.json')));
  if (process.env.IX_ASC_DEBUG) parts.push(Buffer.from('asc --debug'));
  if (process.env.IX_AS_GC_STRESS) parts.push(Buffer.from('gc stress'));
  if (process.env.IX_AS_GC_STATS) parts.push(Buffer.from('gc stats'));
  return parts;
}

/** asc arguments (relative paths only, so the output does not depend on the checkout's place). */
export function ascArgs(entry, runtime = AS_RUNTIME) {
  // the incremental GC tuned: fewer, larger steps (on a workload like ours 1.22x V8's CPU, untuned
  // 1.67x); a cycle starts when the heap has doubled since the last one (idle factor 200: a whole
  // IX tree's plan peaks under 1 GiB; 400 took 1.34 GB for ~20% less CPU, see BENCHMARKS.md)
  const gc = runtime === 'incremental' ? ['--use', 'ASC_GC_GRANULARITY=65536', '--use', 'ASC_GC_IDLEFACTOR=200', '--use', 'ASC_GC_SWEEPFACTOR=400'] : [];
  // IX_ASC_DEBUG=1 keeps function names (a name section) for `node --cpu-prof`; same code otherwise
  const debug = process.env.IX_ASC_DEBUG ? ['--debug'] : [];
  // IX_AS_GC_STRESS=1 (minimal runtime only): every safe point collects and freed objects are
  // poisoned (wasm/as/gc.ts, gc-stress.ts), for test/gc-stress.test.ts; never a shipped core
  const stress = process.env.IX_AS_GC_STRESS && runtime === 'minimal' ? [relative(root, join(here, 'as', 'gc-stress.ts')), '--use', 'IX_GC_STRESS=1'] : [];
  // IX_AS_GC_STATS=1 (minimal runtime only): each collection also counts the objects it found and
  // kept (wasm/as/gc-stats.ts, read by bench/gc-stats.mjs); same collections, same plans, slower
  const stats = process.env.IX_AS_GC_STATS && runtime === 'minimal' ? ['--use', 'IX_GC_STATS=1'] : [];
  // wasm SIMD (simd128) for BLAKE3 (hash/blake3-simd.ts): Node 20, Chromium and Electron take it
  return [relative(root, entry), ...stress.slice(0, 1), '-O3', '--runtime', runtime, '--stackSize', '2097152', '--use', 'abort=', '--enable', 'simd', ...gc, ...stress.slice(1), ...stats, ...debug, '--noColors', '--outFile', 'core.raw.wasm'];
}

/** Compiles `entry` with asc; throws with asc's diagnostics on failure. */
export async function compileAs(entry, runtime = AS_RUNTIME) {
  const { default: asc } = await import('assemblyscript/asc');
  let binary;
  let diag = '';
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const r = await asc.main(ascArgs(entry, runtime), {
      stdout: { write: (s) => ((diag += s), true) },
      stderr: { write: (s) => ((diag += s), true) },
      writeFile: (name, contents) => {
        if (name.endsWith('core.raw.wasm')) binary = contents;
      },
    });
    if (r.error || !binary) throw new Error(`asc failed: ${r.error?.message ?? 'no output'}\n${diag}`);
  } finally {
    process.chdir(cwd);
  }
  return new Uint8Array(binary);
}

// --- renaming exports in a core module ---------------------------------------------------------

function readU32(b, at) {
  let v = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const x = b[i++];
    v += (x & 0x7f) * 2 ** shift;
    if (x < 0x80) return [v, i];
    shift += 7;
  }
}

function u32(v) {
  const out = [];
  do {
    let x = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) x |= 0x80;
    out.push(x);
  } while (v);
  return out;
}

/** The module with its export section's names mapped through `renames` (other sections untouched). */
export function renameExports(wasm, renames = RENAMES) {
  const parts = [wasm.subarray(0, 8)];
  let i = 8;
  let done = 0;
  while (i < wasm.length) {
    const id = wasm[i];
    const [size, body] = readU32(wasm, i + 1);
    const end = body + size;
    if (id !== 7) {
      parts.push(wasm.subarray(i, end));
      i = end;
      continue;
    }
    let [n, p] = readU32(wasm, body);
    const out = [...u32(n)];
    while (n-- > 0) {
      const [len, s] = readU32(wasm, p);
      let name = new TextDecoder().decode(wasm.subarray(s, s + len));
      if (Object.hasOwn(renames, name)) {
        name = renames[name];
        done++;
      }
      const nb = new TextEncoder().encode(name);
      const [, after] = readU32(wasm, s + len + 1); // kind byte, then the index
      out.push(...u32(nb.length), ...nb, ...wasm.subarray(s + len, after));
      p = after;
    }
    parts.push(Uint8Array.of(7, ...u32(out.length), ...out));
    i = end;
  }
  if (done !== Object.keys(renames).length) throw new Error(`build-as: expected exports ${Object.keys(renames).join(', ')}`);
  return Buffer.concat(parts);
}

// --- component ----------------------------------------------------------------------------------

/** Core module bytes -> component bytes (the WIT world `core`, strings UTF-16). */
export async function componentize(coreModule, witSource) {
  // the package's index does not re-export these; its module does (a file URL: no exports map)
  const tools = join(root, 'node_modules/@bytecodealliance/jco-transpile/dist/wasm-tools.js');
  const { componentEmbed, componentNew } = await import(pathToFileURL(tools).href);
  const embedded = await componentEmbed({ binary: coreModule, witSource, world: 'core', stringEncoding: 'utf16' });
  return componentNew(embedded);
}

/**
 * jco transpile of `<dir>/core.wasm` into `<dir>/core/`, with addresses read unsigned and a
 * plan's bytes lifted as a view (plan-bytes-view.mjs: every plan gets a fresh instance).
 */
export function transpile(dir, quiet = true) {
  const bin = join(root, 'node_modules/@bytecodealliance/jco/dist/jco.js');
  rmSync(join(dir, 'core'), { recursive: true, force: true });
  const r = spawnSync(process.execPath, [bin, 'transpile', 'core.wasm', '-o', 'core', '--name', 'core', '--instantiation', 'async', '--base64-cutoff', '0', '--quiet'], {
    cwd: dir,
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`jco transpile failed (exit ${r.status})`);
  const glue = join(dir, 'core', 'core.js');
  const js = readFileSync(glue, 'utf8');
  writeFileSync(glue, planBytesView(quietGlue(unsignedPointers(js, /imports\['ix:core\/host'\]/.test(js)))));
}

/**
 * Builds `entry` into `dir`: core.wasm (the component) and core/ (glue + core module). Returns
 * the component bytes.
 */
export async function buildAsCore(dir, { entry = AS_ENTRY, runtime = AS_RUNTIME, quiet = true } = {}) {
  mkdirSync(dir, { recursive: true });
  const witSource = readFileSync(join(here, 'core.wit'), 'utf8');
  const module = renameExports(await compileAs(entry, runtime));
  const component = await componentize(module, witSource);
  const tmp = join(dir, `core.wasm.tmp-${process.pid}`);
  writeFileSync(tmp, component);
  renameSync(tmp, join(dir, 'core.wasm'));
  transpile(dir, quiet);
  return component;
}
