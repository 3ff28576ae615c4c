// The compiled core is byte-reproducible: built twice (once by wasm/build-as.mjs directly, once
// by `wasm/build.mjs --backend=as` into another directory) it gives the same component, the same
// glue and the same core modules, so `ix --version` prints the same hash everywhere; its core
// module imports nothing but the WIT host interface (abort is a trap, no WASI, no env).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from 'hash-wasm';
import { describe, expect, test } from 'vitest';
import { buildAsCore } from '../wasm/build-as.mjs';
import { tempDir } from './support/cli';

const repoRoot = join(__dirname, '..');

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(dir, { recursive: true }).map(String).sort()) {
    try {
      out.set(f, readFileSync(join(dir, f)));
    } catch {
      // a directory
    }
  }
  return out;
}

describe('the compiled core\'s build', () => {
  test('two builds in two directories give the same bytes, and ix --version names their hash', async () => {
    const a = tempDir('ix-core-a-');
    const b = tempDir('ix-core-b-');
    const component = await buildAsCore(a);
    const r = spawnSync(process.execPath, [join(repoRoot, 'wasm', 'build.mjs'), '--backend=as', `--out=${b}`, '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const fa = files(join(a, 'core'));
    const fb = files(join(b, 'core'));
    expect([...fa.keys()]).toEqual([...fb.keys()]);
    for (const [name, bytes] of fa) expect(bytes.equals(fb.get(name)!), name).toBe(true);
    expect(Buffer.from(component).equals(readFileSync(join(b, 'core.wasm')))).toBe(true);
    const hash = await blake3(component);
    const manifest = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8'));
    expect([manifest.backend, manifest.coreWasmBlake3]).toEqual(['as', hash]);
    const v = spawnSync(join(repoRoot, 'ix'), ['--version'], { encoding: 'utf8', env: { ...process.env, IX_CORE_DIR: b } });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain(`core as blake3:${hash} (${component.length} bytes)`);
    // the main core module imports only the host interface
    const modules = [...fa.keys()].filter((f) => f.endsWith('.wasm')).map((f) => new WebAssembly.Module(new Uint8Array(fa.get(f)!)));
    const imports = modules.flatMap((m) => WebAssembly.Module.imports(m)).map((i) => i.module);
    expect(imports.filter((m) => m === 'env' || m.startsWith('wasi'))).toEqual([]);
  }, 300_000);
});
