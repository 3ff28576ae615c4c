// The VS Code extension is built and packaged offline: `npm run vsix`
// (hosts/vscode/build.mjs) bundles the thin client with esbuild and runs `vsce package
// --no-dependencies`; the .vsix must hold the manifest and the bundle, and the bundle must speak
// the server's commands and start `ix lsp`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { repoRoot, tempDir } from './support/cli';

test('npm run vsix packages the extension offline', () => {
  const out = join(tempDir('ix-vsix-'), 'ix-recipes.vsix');
  const r = spawnSync(process.execPath, [join(repoRoot, 'hosts/vscode/build.mjs'), `--out=${out}`], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(out)).toBe(true);
  const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
  expect(list.status, 'unzip is needed to read the .vsix').toBe(0);
  expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['extension/package.json', 'extension/dist/extension.js', 'extension.vsixmanifest']));
  const manifest = JSON.parse(spawnSync('unzip', ['-p', out, 'extension/package.json'], { encoding: 'utf8' }).stdout);
  expect(manifest.main).toBe('./dist/extension.js');
  expect(manifest.contributes.configuration.properties['ix.target'].enum).toEqual(['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64']);
  const bundle = readFileSync(join(repoRoot, 'hosts/vscode/dist/extension.js'), 'utf8');
  for (const s of ['ix.renderDescriptor', 'ix.showDescriptor', '"lsp"', 'ix-descriptor']) expect(bundle).toContain(s);
  // vscode-languageclient is inside the bundle; only the editor's `vscode` module stays outside
  expect(bundle).not.toMatch(/require\("vscode-languageclient/);
  expect(bundle).toMatch(/require\("vscode"\)/);
}, 180_000);
