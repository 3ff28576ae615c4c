// `ix lsp` under load: plans run on the server's planning thread, so hover and completion answer
// while a long plan is in flight; a burst of edits to a shared template cancels the plan in flight
// and re-plans each user about once, ending with the last text's diagnostics;
// the in-memory caches stay under their bound (IX_LSP_CACHE_BYTES) and evict, with correct answers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCoreBuilt, repoRoot, tempDir, writeTree } from './support/cli';
import { startLsp, uriOf, type LspClient } from './support/lsp-client';

/** Libraries of the big package; each render runs a loop, so re-planning them all takes a while. */
const LIBS = 40;
const CAP = 64 * 1024;
const shared = (extra = '') =>
  `{% extends '//die/c/make.sh' %}\n{% block build %}\n{% for i in range(50000) %}{% endfor %}\nmake\n${extra}{% endblock %}\n`;
const files: Record<string, string> = {
  't/lib.sh': shared(),
  'bin/big/ix.sh': `{% extends '//die/c/make.sh' %}\n{% block lib_deps %}\n${Array.from({ length: LIBS }, (_, i) => `lib/g${i}`).join('\n')}\n{% endblock %}\n`,
};
for (let i = 0; i < LIBS; i++) files[`lib/g${i}/ix.sh`] = `{% extends '//t/lib.sh' %}\n{% block cpp_defines %}\nG=${i}\n{% endblock %}\n`;
const tree = writeTree(files);
const SHARED = join(tree, 't/lib.sh');
const BIG = join(tree, 'bin/big/ix.sh');

interface Status {
  busy: boolean;
  checks: number;
  dropped: number;
  cancelled: number;
  joined: number;
  reused: number;
  plans: number;
  planning: { id: number; selector: string } | null;
  users?: string[];
  failing?: string[];
  cache: { bytes: number; entries: number; evicted: number; cap: number };
  plannerCache?: { bytes: number; entries: number; evicted: number; cap: number };
}

let c: LspClient;
const status = (uri?: string) => c.request<Status>('ix/status', uri ? { uri } : {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: (s: Status) => boolean, timeoutMs = 90_000): Promise<Status> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await status();
    if (ok(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
    await sleep(20);
  }
}

beforeAll(async () => {
  ensureCoreBuilt();
  c = await startLsp(repoRoot, ['--recipes', tree, '--no-watch'], { env: { IX_CACHE_DIR: tempDir('ix-lsp-bg-cache-'), IX_LSP_CACHE_BYTES: String(CAP), NODE_EXTRA_CA_CERTS: '' } });
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

describe('ix lsp with long plans in the background', () => {
  test('hover and completion answer while a plan is in flight on the planning thread', async () => {
    const big = readFileSync(BIG, 'utf8');
    c.open(uriOf(BIG), big);
    c.open(uriOf(SHARED), shared());
    let answeredDuringPlan = 0;
    for (let attempt = 0; attempt < 6 && !answeredDuringPlan; attempt++) {
      // new text for every library's template: bin/big's next plan renders all of them again
      c.change(uriOf(SHARED), 10 + attempt, shared(`# attempt ${attempt}\n`));
      const seen = await until('bin/big to be planned', (s) => s.planning?.selector === 'bin/big');
      const [hover, items] = await Promise.all([
        c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uriOf(BIG) }, position: { line: 1, character: 10 } }),
        c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri: uriOf(BIG) }, position: { line: 2, character: 0 } }),
      ]);
      expect(hover?.contents.value).toContain('block lib_deps');
      expect(items.map((i) => i.label)).toContain('lib/g7');
      // the same plan is still running: neither answer waited for it
      if ((await status()).planning?.id === seen.planning!.id) answeredDuringPlan++;
    }
    expect(answeredDuringPlan).toBeGreaterThan(0);
  }, 240_000);

  test('a burst of edits to a shared template: the plan in flight is cancelled, each user re-planned about once, the last text wins', async () => {
    await until('the start-up checks to finish', (s) => !s.busy, 180_000);
    const users = (await status(uriOf(SHARED))).users!;
    expect(users).toContain('bin/big');
    expect(users).toContain('lib/g0');
    const before = await status();
    const edits = 6;
    for (let i = 0; i < edits - 1; i++) {
      c.change(uriOf(SHARED), 100 + i, shared(`# burst ${i}\n`));
      await sleep(250); // past the debounce: every edit re-checks
    }
    c.change(uriOf(SHARED), 200, shared('{{ undefined_in_burst() }}\n'));
    await c.waitDiagnostics(uriOf(SHARED), (d) => d.some((x) => x.message.includes('undefined_in_burst')), 120_000);
    const after = await until('the burst to be checked', (s) => !s.busy, 180_000);
    // the plan in flight when an edit came was cancelled (and queued again behind the sample)
    expect(after.cancelled).toBeGreaterThan(before.cancelled);
    // without dropping and de-duplicating, every edit would re-plan every user
    expect(after.checks - before.checks).toBeLessThan(edits * users.length);
    expect(after.checks - before.checks).toBeGreaterThanOrEqual(users.length);
    // every user failed on the last text, at its line in the template, none with an older error
    const ds = c.diagnostics.get(uriOf(SHARED))!;
    expect(ds).toHaveLength(1);
    expect(ds[0].range.start.line).toBe(4);
    expect(ds[0].message).toContain(`${users.length - 1} more packages`);
    c.change(uriOf(SHARED), 201, shared());
    await c.waitDiagnostics(uriOf(SHARED), (d) => d.length === 0, 120_000);
  }, 360_000);

  test('a code lens asked right after an edit and the re-check of that package share one plan', async () => {
    await until('quiet', (s) => !s.busy, 180_000);
    const big = readFileSync(BIG, 'utf8');
    const before = await status(uriOf(BIG));
    c.change(uriOf(BIG), 300, `${big}{# edited #}\n`);
    const lens = await c.request<{ command: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri: uriOf(BIG) } });
    expect(lens[0].command.title).toMatch(/^\/ix\/store\/\S+-bin-big /);
    const after = await until('the re-check', (s) => !s.busy && s.checks > before.checks, 120_000);
    // one plan of bin/big for both: the check joined the code lens's plan, or took its answer
    expect(after.joined + after.reused).toBeGreaterThan(before.joined + before.reused);
    // (an edited recipe also re-checks every failing package: a new one may fix them)
    expect(after.plans - before.plans).toBe(1 + before.failing!.length);
    c.change(uriOf(BIG), 301, big);
  }, 300_000);

  test('the in-memory caches stay under their bound and evict', async () => {
    const s = await until('a plan to report its cache', (x) => x.plannerCache !== undefined);
    for (const cache of [s.cache, s.plannerCache!]) {
      expect(cache.cap).toBe(CAP);
      expect(cache.bytes <= CAP || cache.entries === 1).toBe(true);
    }
    // forty libraries' descriptors do not fit in 64 KiB: the planning thread evicted
    expect(s.plannerCache!.evicted).toBeGreaterThan(0);
  });
});
