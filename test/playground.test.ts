// The playground in headless Chromium: `hosts/browser/build.mjs` builds the
// static page (CodeMirror 6, the same component bytes as the CLI, pkgs/ in memory), the dev
// server serves it on 127.0.0.1, and Playwright types into the editor. The store path the page
// shows must change with the edit and equal what `ix plan` prints for the same files, also after
// switching the target; a broken edit shows its error at its line. Saves test/.tmp/playground.png (and
// playground-error.png, with the error).
// Under CI=true a missing Chromium fails the test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
// @ts-expect-error plain ESM dev server (no type declarations)
import { serve } from '../hosts/browser/serve.mjs';
import { ensureCoreBuilt, ix, repoRoot, tempDir, writeTree } from './support/cli';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
const SHOT = join(repoRoot, 'test', '.tmp', 'playground.png');

let server: Server | undefined;
let origin = '';
let browser: BrowserContext | undefined;
let profile: string | undefined;
const site = tempDir('ix-playground-');
const cache = tempDir('ix-playground-cache-');

beforeAll(async () => {
  if (process.env.CI === 'true' && !have) throw new Error('chromium is missing (.ci/apt-packages)');
  if (!have) return;
  ensureCoreBuilt();
  const b = spawnSync(process.execPath, [join(repoRoot, 'hosts/browser/build.mjs'), `--out=${site}`], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`playground build failed: ${b.stderr}`);
  ({ server, origin } = await serve(site, 0));
  profile = mkdtempSync(join(tmpdir(), 'ix-chromium-profile-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const storePath = (page: Page) => page.locator('#store-path').textContent();
/** Waits until the page has finished `n` updates (one per plan it shows). */
const updates = (page: Page, n: number) => page.waitForFunction((k) => Number(document.body.dataset.updates ?? 0) >= k, n, { timeout: 120_000 });
const cliPlan = (args: string[], recipes?: string) =>
  ix(['plan', ...args, ...(recipes ? ['--recipes', recipes] : [])], { env: { IX_CACHE_DIR: cache } }).out.trim();

test.skipIf(!have && process.env.CI !== 'true')('typing into the playground changes the store path to what `ix plan` prints', async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/`);
  await updates(page, 1);
  expect(await page.evaluate(() => document.body.dataset.error)).toBeUndefined();
  const before = await storePath(page);
  expect(before).toBe(cliPlan(['bin/zstd']));
  // the same component: the page names the hash `ix --version` prints
  const coreHash = JSON.parse(readFileSync(join(site, 'manifest.json'), 'utf8')).coreWasmBlake3 as string;
  expect(ix(['--version']).out).toContain(`blake3:${coreHash}`);
  expect(await page.locator('#core').textContent()).toContain(coreHash.slice(0, 16));
  expect(await page.locator('#graph svg .node').count()).toBeGreaterThan(5);

  // type a new block at the end of bin/zstd's recipe
  const added = '{% block patch %}\nsed -i s/-O3/-O2/ lib/Makefile\n{% endblock %}\n';
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(added);
  await page.waitForFunction((old) => {
    const s = document.getElementById('store-path')?.textContent ?? '';
    return s !== old && s.startsWith('/ix/store/');
  }, before, { timeout: 120_000 });
  // let the last keystroke's debounced update land, then take the editor's text, not ours:
  // what the editor holds (auto-closed brackets and all) is what the CLI gets
  const settled = Number(await page.evaluate(() => document.body.dataset.updates));
  await page.waitForTimeout(500);
  expect(Number(await page.evaluate(() => document.body.dataset.updates))).toBe(settled);
  const edited = await page.evaluate(() => (window as unknown as { ixPlayground: { file(p: string): string } }).ixPlayground.file('bin/zstd/ix.sh'));
  const text = readFileSync(join(repoRoot, 'pkgs/bin/zstd/ix.sh'), 'utf8');
  expect(edited.startsWith(text)).toBe(true);
  const recipes = writeTree({ 'bin/zstd/ix.sh': edited });
  const after = await storePath(page);
  expect(after).not.toBe(before);
  expect(after).toBe(cliPlan(['bin/zstd'], recipes));
  expect(await page.locator('#descriptor').textContent()).toContain('sed -i s/-O3/-O2/ lib/Makefile');

  // another target
  const n = Number(await page.evaluate(() => document.body.dataset.updates));
  await page.selectOption('#target', 'linux-aarch64');
  await updates(page, n + 1);
  expect(await storePath(page)).toBe(cliPlan(['bin/zstd', '--target=linux-aarch64'], recipes));

  mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
  await page.screenshot({ path: SHOT });

  // a broken edit: the error, at its line, in the pane and as a lint mark in the editor
  await page.keyboard.type('{{ oops() }}\n');
  await page.waitForFunction(() => document.getElementById('store-path')?.dataset.state === 'error', null, { timeout: 120_000 });
  const message = await page.locator('#errors li').first().textContent();
  const brokenLine = edited.split('\n').length; // the line the typing went to (1-based)
  expect(message).toBe(`bin/zstd/ix.sh:${brokenLine}: call of undefined 'oops' (package bin/zstd)`);
  await page.waitForSelector('.cm-lint-marker-error');
  await page.screenshot({ path: SHOT.replace('.png', '-error.png') });
  expect(existsSync(SHOT)).toBe(true);
  expect(errors).toEqual([]);
}, 300_000);
