#!/usr/bin/env node
/**
 * Builds everything under wasm/out/ (gitignored); run by `npm install` (the `prepare` script).
 *   1. esbuild: wasm/core.ts      -> out/core.bundle.js     (engine + nunjucks browser build; plain
 *               ESM usable in Node/V8 with a plain-JS HostIO: the V8 oracle and the benchmark)
 *               wasm/component.ts -> out/core.component.js  (the same code + prelude + WIT binding)
 *               hosts/node/launch.ts -> out/cli.js + out/cli-*.js (the Node CLI: a small entry
 *               answering --version, help and memoised plans, the rest in chunks loaded on use)
 *               hosts/lsp/main.ts  -> out/lsp.js            (`ix lsp`, loaded by the CLI for that verb only)
 *               hosts/node/launch-fast.ts -> out/cli-fast.cjs (CommonJS: `ix --version`, `ix help`)
 *   2. the core named by the backend into out/core.wasm (the component) and out/core/ (jco
 *      transpile's JS glue + core modules, addresses read unsigned: unsigned-pointers.mjs):
 *      `as`: the compiled AssemblyScript core (wasm/as/, build-as.mjs; byte-reproducible);
 *      `quickjs`/`starlingmonkey`: jco componentize of out/core.component.js (not reproducible).
 *   3. out/manifest.json: format version, backend, the stamp, and BLAKE3 of core.wasm (ix --version).
 *   4. when an interpreted core is built (`--backend=quickjs`), the compiled core also goes to
 *      out/as/ (its own manifest) for the parity tests and benchmarks; a compile error there is
 *      reported, not fatal.
 * Step 2 is skipped when the stamp (sha256 of the core's inputs + WIT + the build scripts +
 * backend) matches the manifest. Backend: `--backend=as|quickjs|starlingmonkey` or
 * IX_CORE_BACKEND (default `as`: it passes the parity tests, test/core-parity.test.ts);
 * `--as-runtime=stub|incremental` or IX_AS_RUNTIME: the compiled core's memory (build-as.mjs); `--force`
 * rebuilds; `--out=DIR` writes elsewhere.
 *
 * Must not depend on: anything outside this repository and its node_modules; no network.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unsignedPointers } from './unsigned-pointers.mjs';
import { AS_RUNTIME, buildAsCore, inputsOf } from './build-as.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** Output directory; `--out=DIR` builds elsewhere (e.g. to compare backends; run with IX_CORE_DIR=DIR). */
const out = flag('out') ? resolve(flag('out')) : join(here, 'out');
const MANIFEST_FORMAT = 'ix-core-build/1';
const BACKENDS = { as: 'as', assemblyscript: 'as', quickjs: 'quickjs', qjs: 'quickjs', starlingmonkey: 'starlingmonkey', sm: 'starlingmonkey' };
const DEFAULT_BACKEND = 'as';

const backendName = flag('backend') ?? process.env.IX_CORE_BACKEND ?? DEFAULT_BACKEND;
const backend = BACKENDS[backendName];
if (!backend) {
  console.error(`wasm/build: unknown backend '${backendName}' (as, quickjs or starlingmonkey)`);
  process.exit(2);
}
const force = args.includes('--force');
/** The compiled core's runtime (build-as.mjs): `stub` (bump arena) or `incremental` (GC). */
const asRuntime = flag('as-runtime') ?? process.env.IX_AS_RUNTIME ?? AS_RUNTIME;
const quiet = args.includes('--quiet');
const log = (msg) => quiet || console.error(`wasm/build: ${msg}`);

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** The WIT package version (`package ix:core@X;` in core.wit). */
const witVersion = /^package ix:core@([0-9.]+);/m.exec(readFileSync(join(here, 'core.wit'), 'utf8'))[1];

async function bundle() {
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    format: 'esm',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  };
  // nunjucks' browser build has its compiler and needs no Node built-in shims: a bare
  // 'nunjucks' import in core code means it.
  const browserNunjucks = {
    name: 'browser-nunjucks',
    setup(b) {
      b.onResolve({ filter: /^nunjucks$/ }, () => ({ path: join(root, 'node_modules/nunjucks/browser/nunjucks.js') }));
    },
  };
  // Node built-ins through require() instead of ESM imports: an ESM import of a built-in builds
  // its namespace by reading every export, and node:fs's lazy ones (ReadStream, promises) then
  // load ~25 stream modules, ~3 ms of `ix --version`. Each built-in becomes a small ESM module
  // re-exporting its plain (non-getter) properties, which tree shaking trims to those used.
  const builtinsByRequire = {
    name: 'builtins-by-require',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (a) => (a.kind === 'import-statement' ? { path: a.path, namespace: 'node-builtin' } : { path: a.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, async (a) => {
        const mod = (await import(a.path)).default;
        const names = Object.entries(Object.getOwnPropertyDescriptors(mod))
          .filter(([k, d]) => 'value' in d && /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default')
          .map(([k]) => k);
        const lines = [`const m = require(${JSON.stringify(a.path)});`, 'export default m;', ...names.map((k) => `export const ${k} = m.${k};`)];
        return { contents: lines.join('\n'), loader: 'js' };
      });
    },
  };
  const [core, component, cli, lsp, fast] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [join(here, 'core.ts')],
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      plugins: [browserNunjucks],
    }),
    esbuild.build({
      ...common,
      entryPoints: [join(here, 'component.ts')],
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2020',
      // The WIT import, left to componentize; both engines resolve its versioned name.
      plugins: [browserNunjucks, {
        name: 'wit-import',
        setup(b) {
          b.onResolve({ filter: /^ix:core\/host$/ }, () => ({ path: `ix:core/host@${witVersion}`, external: true }));
        },
      }],
    }),
    esbuild.build({
      ...common,
      // Split at dynamic imports: cli.js holds only what `ix --version`, `ix help` and a plan
      // answered from the memo need (hosts/node/launch.ts); main.ts, hash-wasm and each other
      // lazily imported part load as chunks (out/cli-*.js, beside cli.js: hosts/node/paths.ts
      // finds the checkout two levels up) only when used.
      entryPoints: { cli: join(root, 'hosts/node/launch.ts') },
      splitting: true,
      outdir: out,
      chunkNames: 'cli-[name]-[hash]',
      platform: 'node',
      mainFields: ['module', 'main'],
      target: 'node20',
      // The CLI loads the transpiled component at run time from out/core/; the zstd binding is a
      // native module and the AWS SDK is loaded only for s3:// caches (hosts/node/cache/).
      external: ['./core/core.js', '@mongodb-js/zstd', '@mongodb-js/zstd/*', '@aws-sdk/client-s3'],
      banner: { js: "import { createRequire as __ixRequire } from 'node:module'; const require = __ixRequire(import.meta.url);" },
      plugins: [builtinsByRequire],
    }),
    // `ix lsp`: one file beside the CLI's chunks, loaded by hosts/node/main.ts for that verb only.
    esbuild.build({
      ...common,
      entryPoints: [join(root, 'hosts/lsp/main.ts')],
      platform: 'node',
      mainFields: ['module', 'main'],
      target: 'node20',
      external: ['./core/core.js', '@mongodb-js/zstd', '@mongodb-js/zstd/*', '@aws-sdk/client-s3'],
      banner: { js: "import { createRequire as __ixRequire } from 'node:module'; const require = __ixRequire(import.meta.url);" },
    }),
    // The CommonJS first stage of the launcher (hosts/node/ix.cjs): `ix --version` and `ix help`
    // without Node's ES-module loader. import.meta.url (hosts/node/paths.ts) is this file's URL.
    esbuild.build({
      ...common,
      entryPoints: [join(root, 'hosts/node/launch-fast.ts')],
      format: 'cjs',
      platform: 'node',
      mainFields: ['module', 'main'],
      target: 'node20',
      define: { 'import.meta.url': '__ixUrl' },
      banner: { js: "const __ixUrl = require('node:url').pathToFileURL(__filename).href;" },
    }),
  ]);
  return {
    core: core.outputFiles[0].contents,
    component: component.outputFiles[0].contents,
    cli: cli.outputFiles.map((f) => ({ rel: f.path.slice(out.length + 1), contents: f.contents })),
    lsp: lsp.outputFiles[0].contents,
    fast: fast.outputFiles[0].contents,
  };
}

function writeAtomic(path, data) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function jco(...argv) {
  const bin = join(root, 'node_modules/@bytecodealliance/jco/dist/jco.js');
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: out, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`wasm/build: jco ${argv[0]} failed (exit ${r.status})`);
    process.exit(1);
  }
}

async function blake3Hex(data) {
  const { blake3 } = await import('hash-wasm');
  return blake3(data);
}

async function main() {
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const b = await bundle();
  writeAtomic(join(out, 'core.bundle.js'), b.core);
  writeAtomic(join(out, 'core.component.js'), b.component);
  // chunks first (new names), then the entry that imports them; old chunks go
  const chunks = b.cli.filter((f) => f.rel !== 'cli.js');
  for (const n of readdirSync(out)) if (/^cli-.*\.js$/.test(n)) rmSync(join(out, n), { force: true });
  for (const f of chunks) writeAtomic(join(out, f.rel), f.contents);
  writeAtomic(join(out, 'cli.js'), b.cli.find((f) => f.rel === 'cli.js').contents);
  writeAtomic(join(out, 'lsp.js'), b.lsp);
  writeAtomic(join(out, 'cli-fast.cjs'), b.fast);
  if (backend === 'as') {
    await compiledCore(out, t0, true);
    return;
  }
  const wit = readFileSync(join(here, 'core.wit'));
  const stamp = sha256(b.component, wit, readFileSync(fileURLToPath(import.meta.url)), readFileSync(join(here, 'unsigned-pointers.mjs')), backend);
  if (upToDate(out, stamp)) log(`core up to date (${backend}, ${(performance.now() - t0).toFixed(0)} ms)`);
  else {
    rmSync(join(out, 'manifest.json'), { force: true });
    log(`componentizing with ${backend}...`);
    const backendArgs = backend === 'quickjs'
      ? ['--backend', 'quickjs', '--backend-qjs-disable-async', '--backend-qjs-stub-wasi']
      : ['--disable', 'all'];
    jco('componentize', 'core.component.js', '--wit', join(here, 'core.wit'), '--world-name', 'core', ...backendArgs, '-o', 'core.wasm.tmp');
    renameSync(join(out, 'core.wasm.tmp'), join(out, 'core.wasm'));
    rmSync(join(out, 'core'), { recursive: true, force: true });
    jco('transpile', 'core.wasm', '-o', 'core', '--name', 'core', '--instantiation', 'async', '--base64-cutoff', '0', '--quiet');
    // addresses past 2 GiB: see unsigned-pointers.mjs
    const glue = join(out, 'core', 'core.js');
    writeFileSync(glue, unsignedPointers(readFileSync(glue, 'utf8')));
    const wasm = await writeManifest(out, backend, stamp);
    log(`built core.wasm (${backend}, ${wasm.length} bytes, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  // the compiled core beside it, for the parity tests and benchmarks
  await compiledCore(join(out, 'as'), performance.now(), false);
}

function upToDate(dir, stamp) {
  let old;
  try {
    old = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return false;
  }
  return !force && old?.format === MANIFEST_FORMAT && old.stamp === stamp && existsSync(join(dir, 'core.wasm')) && existsSync(join(dir, 'core/core.js'));
}

async function writeManifest(dir, backendUsed, stamp, extra = {}) {
  const wasm = readFileSync(join(dir, 'core.wasm'));
  const manifest = {
    format: MANIFEST_FORMAT,
    backend: backendUsed,
    stamp,
    coreWasmBlake3: await blake3Hex(wasm),
    coreWasmBytes: wasm.length,
    ...extra,
  };
  writeAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return wasm;
}

/** The compiled core into `dir`; when not `fatal`, a failure is reported and the build goes on. */
async function compiledCore(dir, t0, fatal) {
  const stamp = sha256(...inputsOf(), readFileSync(fileURLToPath(import.meta.url)), 'as', asRuntime);
  if (upToDate(dir, stamp)) {
    log(`compiled core up to date (${dir}, ${(performance.now() - t0).toFixed(0)} ms)`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'), { force: true });
  try {
    await buildAsCore(dir, { quiet: true, runtime: asRuntime });
  } catch (e) {
    const msg = String(e?.message ?? e).split('\n').slice(0, 12).join('\n');
    if (fatal) throw new Error(`the compiled core did not build: ${msg}`);
    log(`warning: the compiled core (${dir}) did not build: ${msg}`);
    return;
  }
  const wasm = await writeManifest(dir, 'as', stamp, { runtime: asRuntime });
  log(`built the compiled core (${dir}, ${wasm.length} bytes, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

main().catch((e) => {
  console.error(`wasm/build: ${e?.stack ?? e}`);
  process.exit(1);
});
