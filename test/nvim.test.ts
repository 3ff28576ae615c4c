// A real editor as the client of `ix lsp`: Debian's Neovim 0.7, headless,
// runs test/nvim/lsp-client.lua with its built-in LSP client (vim.lsp.start_client +
// buf_attach_client): a broken recipe shows ix's diagnostic at the right line, hovering a package
// gives the store path `ix plan` prints, a block jumps to the template it overrides, and a
// dependency block completes package names. Under CI=true a missing nvim fails the test.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { ensureCoreBuilt, ix, repoRoot, tempDir, writeTree } from './support/cli';

const NVIM = '/usr/bin/nvim';
const haveNvim = existsSync(NVIM);

beforeAll(() => {
  if (process.env.CI === 'true' && !haveNvim) throw new Error('nvim is missing: apt-get install neovim (.ci/apt-packages)');
  ensureCoreBuilt();
});

function pos(text: string, needle: string, delta = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  const before = text.slice(0, i);
  return { line: before.split('\n').length - 1, character: i - (before.lastIndexOf('\n') + 1) + delta };
}

test.skipIf(!haveNvim && process.env.CI !== 'true')('Neovim 0.7 shows diagnostics, hovers to the `ix plan` store path, jumps to the template, completes', () => {
  const cache = tempDir('ix-nvim-cache-');
  const broken = "{% extends '//die/c/make.sh' %}\n{% block build %}\nmake\n{{ not_defined() }}\n{% endblock %}\n";
  const dir = writeTree({ 'bin/broken/ix.sh': broken });
  const recipe = join(repoRoot, 'pkgs/bin/zstd/ix.sh');
  const text = readFileSync(recipe, 'utf8');
  const job = join(dir, 'job.json');
  const out = join(dir, 'out.json');
  writeFileSync(job, JSON.stringify({
    cmd: [process.execPath, join(repoRoot, 'ix'), 'lsp', '--recipes', dir, '--no-watch'],
    env: { IX_CACHE_DIR: cache, NODE_EXTRA_CA_CERTS: '' },
    root: dir,
    broken: join(dir, 'bin/broken/ix.sh'),
    recipe,
    hover: pos(text, 'lib/lz4', 3),
    block: pos(text, 'block build', 7),
    complete: pos(text, 'lib/lz4'),
  }));
  const r = spawnSync(NVIM, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(repoRoot, 'test/nvim/lsp-client.lua')}`], {
    env: { ...process.env, IX_NVIM_JOB: job, IX_NVIM_OUT: out, HOME: dir, XDG_STATE_HOME: dir, XDG_CACHE_HOME: dir },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const seen = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { error: `nvim exited ${r.status}: ${r.stderr}` };
  expect(seen.error).toBeUndefined();
  expect(r.status).toBe(0);
  // 1. the diagnostic sits on the line of the undefined call, naming the package
  expect(seen.diagnostic.lnum).toBe(3);
  expect(seen.diagnostic.message).toContain("call of undefined 'not_defined' (package bin/broken)");
  // 2. the store path in the hover is what `ix plan` prints
  const planned = ix(['plan', 'lib/lz4'], { env: { IX_CACHE_DIR: cache } }).out.trim();
  expect(planned).toMatch(/^\/ix\/store\/[a-z0-9]{32}-lib-lz4$/);
  expect(seen.hover).toContain(`store path: \`${planned}\``);
  // 3. the block `build` of bin/zstd jumps to the one it overrides in lib/zstd/ix.sh
  const parent = join(repoRoot, 'pkgs/lib/zstd/ix.sh');
  expect(seen.jumped.file).toBe(parent);
  expect(seen.jumped.line).toBe(pos(readFileSync(parent, 'utf8'), 'block build').line);
  // 4. packages complete in a dependency block
  expect(seen.completion).toEqual(expect.arrayContaining(['lib/lz4', 'lib/z', 'lib/lzma']));
}, 300_000);

test.skipIf(!haveNvim && process.env.CI !== 'true')('the Neovim setup in README.md works as written: code lens with the store path, descriptor opens', () => {
  const cache = tempDir('ix-nvim-cache-');
  const home = tempDir('ix-nvim-home-');
  const lua = /```lua\n([\s\S]*?)```/.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))![1];
  writeTree({ 'nvim/plugin/ix.lua': lua.replace("'/path/to/ix/ix'", JSON.stringify(join(repoRoot, 'ix'))) }, home);
  const out = join(home, 'out.json');
  const r = spawnSync(NVIM, ['--headless', '-i', 'NONE', '-n', '-c', `luafile ${join(repoRoot, 'test/nvim/readme-setup.lua')}`], {
    env: { ...process.env, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_STATE_HOME: home, HOME: home, IX_CACHE_DIR: cache, NODE_EXTRA_CA_CERTS: '',
      IX_NVIM_RECIPE: join(repoRoot, 'pkgs/bin/zstd/ix.sh'), IX_NVIM_OUT: out },
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(existsSync(out), `nvim exited ${r.status}: ${r.stderr}`).toBe(true);
  const seen = JSON.parse(readFileSync(out, 'utf8'));
  const planned = ix(['plan', 'bin/zstd'], { env: { IX_CACHE_DIR: cache } }).out.trim();
  expect(seen.clients).toBe(1);
  expect(seen.lens.startsWith(`${planned} (linux-x86_64)`)).toBe(true);
  expect(seen.filetype).toBe('json');
  expect(seen.text.trimEnd()).toBe(ix(['render', 'bin/zstd'], { env: { IX_CACHE_DIR: cache } }).out.trimEnd());
}, 300_000);
