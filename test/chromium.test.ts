// Determinism in a browser: the transpiled component (IX_CORE_DIR or
// wasm/out) served from a loopback HTTP server started here, run in headless Chromium with a
// HostIO over the synthetic recipe tree shipped as JSON, must give the same plan bytes as the
// same component in Node, for the native and two cross targets, also with reversed listDir.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hexBytes, treeIO } from './support/browser-host';
import { cases, coreOutDir, freshCore, repoRoot, TREE } from './support/browser-node';
import { missing } from './support/prereq';

const CHROMIUM = '/usr/bin/chromium';
const CASES = cases();
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

let server: Server | undefined;
let browser: BrowserContext | undefined;
let profile: string | undefined;
let origin = '';

/** Serves /, /page.js, /tree.json, /manifest.json and /core/<file> from the built core; nothing else. */
async function serve(pageJs: string): Promise<void> {
  const coreDir = join(coreOutDir, 'core');
  const tree = JSON.stringify(TREE);
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: string | Buffer | undefined;
    if (path === '/') body = '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>';
    else if (path === '/page.js') body = pageJs;
    else if (path === '/tree.json') body = tree;
    else if (path === '/manifest.json') body = readFileSync(join(coreOutDir, 'manifest.json'));
    else if (path.startsWith('/core/')) {
      const file = normalize(join(coreDir, path.slice('/core/'.length)));
      if (file.startsWith(coreDir + '/') && existsSync(file)) body = readFileSync(file);
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const ext = path === '/' ? '.html' : path.slice(path.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no server address');
  origin = `http://127.0.0.1:${addr.port}`;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  const page = await build({
    entryPoints: [join(repoRoot, 'test', 'support', 'browser-page.ts')],
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning',
  });
  await serve(page.outputFiles[0].text);
  profile = mkdtempSync(join(tmpdir(), 'ix-chromium-profile-'));
  // a new empty --user-data-dir: playwright passes it itself for a persistent context
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the component in headless Chromium', () => {
  test.skipIf(missing(`Chromium at ${CHROMIUM} (Debian chromium)`, existsSync(CHROMIUM)))('same plan bytes as in Node, native and cross targets, listDir in any order', async () => {
    const node = await freshCore(treeIO(TREE));
    const expected = CASES.map((c) => hexBytes(node.plan(c.req)));
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof (globalThis as { ixPlan?: unknown }).ixPlan === 'function');
    const reqs = CASES.map((c) => c.req);
    type PagePlan = (r: unknown[], o?: object) => Promise<string[]>;
    const got = await page.evaluate((r) => (globalThis as unknown as { ixPlan: PagePlan }).ixPlan(r), reqs);
    const reversed = await page.evaluate((r) => (globalThis as unknown as { ixPlan: PagePlan }).ixPlan(r, { reverse: true }), reqs);
    expect(errors).toEqual([]);
    // the page really ran the core: a user error crosses the boundary as a one-line message
    const bad = await page.evaluate(() => (globalThis as unknown as { ixPlan: PagePlan }).ixPlan([{ packages: ['bin/nope'] }]));
    expect(bad[0]).toMatch(/^error: .*bin\/nope/);
    for (const [i, c] of CASES.entries()) {
      expect(got[i], c.label).toBe(expected[i]);
      expect(reversed[i], `${c.label} reversed`).toBe(expected[i]);
    }
    expect(new Set(expected).size).toBe(expected.length);
  });
});
