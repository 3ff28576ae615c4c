// Compiles a small AssemblyScript test entry (its source given as text, importing the compiled
// core's modules by absolute path) into a temp dir with `asc --bindings esm`, and loads it.
// Used by the core-* parity tests until the real component exports these functions.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const ASC = join(ROOT, 'node_modules/.bin/asc');

/** `import ... from '@as/hash/index'` in an entry means wasm/as/hash/index.ts. */
export async function compileEntry<T>(source: string, opts: string[] = []): Promise<{ mod: T; dir: string; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'ix-core-as-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const entry = join(dir, 'entry.ts');
  // asc resolves only relative imports
  writeFileSync(entry, source.replace(/'@as\//g, `'${relative(dir, join(ROOT, 'wasm/as'))}/`));
  execFileSync(ASC, [entry, '--outFile', join(dir, 'entry.wasm'), '-O3', '--runtime', 'incremental', '--exportRuntime', '--bindings', 'esm', ...opts], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const mod = (await import(pathToFileURL(join(dir, 'entry.js')).href)) as T;
  return { mod, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
