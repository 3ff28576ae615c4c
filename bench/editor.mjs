#!/usr/bin/env node
/**
 * `npm run bench:editor`: speed of the editor paths, printed as Markdown for
 * BENCHMARKS.md. Each number is a median over `--runs=N` (default 9) in one session:
 *   - `ix lsp` start-up (process start, core load) to the first diagnostics of an open broken recipe,
 *     with an empty and with a warm disk cache;
 *   - keystroke (a didChange that breaks or fixes a line) to the diagnostics that reflect it, for
 *     bin/zstd's recipe and for die/base.json (every package of pkgs/ uses it: first publish after
 *     the sample, and until every user is re-checked);
 *   - the same on a generated IX-sized tree (bench/gen-tree.mjs, `--libs=N`, default 1000; 0 skips);
 *   - playground: page load to the first plan shown, and keystroke to the new store path (Chromium);
 *   - with `--ix=DIR` (an IX checkout or its pkgs/, never written): `ix lsp --recipes DIR/pkgs` on
 *     the real tree: keystroke to diagnostics in a leaf recipe (`--ix-leaf`, default bin/zstd) and
 *     in the template every C recipe extends (`--ix-template`, default die/c/ix.sh: the first
 *     sample's diagnostics), hover and completion sent right after each edit, and the process's
 *     RSS over `--edits=N` (default 1000) edits alternating leaf and template (each break fixed
 *     before the other file breaks; every edit waits for its diagnostics), then over `--idle=S`
 *     seconds (default 120) without edits, while the background plans go on.
 * `--prof=DIR` writes V8 CPU profiles of each `ix lsp` (main and planning thread) into DIR.
 * No timing is asserted anywhere. Buffers are never saved: nothing under pkgs/ is written.
 *
 * Must not depend on: the network; writes only under bench/.tmp/.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { generateTree } from './gen-tree.mjs';
import { repo, tmpDir } from './shadow.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => args.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d;
const runs = Number(opt('runs', '9'));
/** Parts to run: lsp (pkgs/), big (generated tree), playground, ix (a real IX tree, --ix=DIR). */
const ixDir = opt('ix');
const only = opt('only', ixDir ? 'ix' : 'lsp,big,playground').split(',');
const libs = Number(opt('libs', '1000'));
const log = (m) => console.error(`bench:editor: ${m}`);
const env = { ...process.env, NODE_EXTRA_CA_CERTS: '' };
delete env.NODE_EXTRA_CA_CERTS; // parsed at every Node start: not ours to measure
const uri = (p) => pathToFileURL(p).href;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;
mkdirSync(tmpDir, { recursive: true });

/** Starts `ix lsp`; resolves once initialized. */
async function startLsp(extra, cacheDir) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(opt('prof') ? ['--cpu-prof', `--cpu-prof-dir=${opt('prof')}`] : []), join(repo, 'ix'), 'lsp', '--no-watch', ...extra], { env: { ...env, IX_CACHE_DIR: cacheDir }, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiters = [];
  const last = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    last.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) if (w.uri === p.uri && w.ok(p.diagnostics)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(performance.now());
  });
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});
  return {
    t0,
    conn,
    /** Resolves with the time the next matching publish arrived. */
    /** Resolves with the time the next matching publish arrived (undefined after `timeout` ms, if given). */
    next: (u, ok, timeout) => new Promise((resolve) => {
      const w = { uri: u, ok, resolve };
      waiters.push(w);
      if (timeout) setTimeout(() => waiters.includes(w) && (waiters.splice(waiters.indexOf(w), 1), resolve(undefined)), timeout).unref();
    }),
    open: (u, text) => conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'ix', version: 1, text } }),
    change: (u, v, text) => conn.sendNotification('textDocument/didChange', { textDocument: { uri: u, version: v }, contentChanges: [{ text }] }),
    /** Resolves when no check is queued or running (and at least `minChecks` were made). */
    async idle(minChecks = 0) {
      for (;;) {
        const s = await conn.sendRequest('ix/status', {});
        if (!s.busy && s.checks >= minChecks) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await conn.sendRequest('shutdown').catch(() => undefined);
      await conn.sendNotification('exit').catch(() => undefined);
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      conn.dispose();
    },
  };
}

/** Alternately breaks and fixes `file` in a buffer; times each change to its diagnostics. */
async function keystrokes(s, file, text, broken, label) {
  const u = uri(file);
  const first = [];
  const breaks = [];
  const fixes = [];
  const settled = [];
  const core = [];
  s.open(u, text);
  await s.idle();
  let v = 1;
  for (let i = 0; i < runs; i++) {
    const bad = i % 2 === 0;
    const wait = s.next(u, (d) => (bad ? d.some((x) => x.severity === 1) : !d.some((x) => x.severity === 1)));
    const t = performance.now();
    s.change(u, ++v, bad ? broken : text);
    const took = (await wait) - t;
    first.push(took);
    (bad ? breaks : fixes).push(took);
    if (label.startsWith('bin/zstd')) core.push((await s.conn.sendRequest('ix/status', {})).lastCheckMs);
    await s.idle();
    settled.push(performance.now() - t);
  }
  if (v % 2 === 0) {
    s.change(u, ++v, text);
    await s.idle();
  }
  log(`${label}: first ${ms(median(first))} (breaking ${ms(median(breaks))}, fixing ${ms(median(fixes))}), all users ${ms(median(settled))}${core.length ? `, one plan in the core ${ms(median(core))}` : ''}`);
  return { first: median(first), breaks: median(breaks), fixes: median(fixes), settled: median(settled), core: core.length ? median(core) : undefined };
}

/** Every package of pkgs/ (directories holding ix.sh). */
function packages() {
  const r = spawnSync('find', [join(repo, 'pkgs'), '-name', 'ix.sh'], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').map((f) => f.slice(join(repo, 'pkgs').length + 1, -'/ix.sh'.length)).filter((p) => !p.startsWith('die/'));
}

const breakLast = (text) => `${text}{{ bench_undefined() }}\n`;

async function pkgsSession() {
  const dir = mkdtempSync(join(tmpDir, 'editor-'));
  const recipes = join(dir, 'recipes');
  const broken = join(recipes, 'bin/broken/ix.sh');
  mkdirSync(dirname(broken), { recursive: true });
  writeFileSync(broken, "{% extends '//die/c/make.sh' %}\n{% block build %}\n{{ broken_on_purpose() }}\n{% endblock %}\n");
  const out = {};
  for (const cache of ['empty', 'warm']) {
    const cacheDir = join(dir, 'cache'); // the second session finds the first one's disk cache
    if (cache === 'empty') rmSync(cacheDir, { recursive: true, force: true });
    // warm the disk cache as the CLI would (the server itself never writes it)
    if (cache === 'warm') {
      for (const pkg of packages()) spawnSync(process.execPath, [join(repo, 'ix'), 'plan', pkg], { env: { ...env, IX_CACHE_DIR: cacheDir } });
    }
    const s = await startLsp(['--recipes', recipes], cacheDir);
    const got = s.next(uri(broken), (d) => d.length > 0);
    s.open(uri(broken), readFileSync(broken, 'utf8'));
    out[`startup-${cache}`] = (await got) - s.t0;
    log(`start-up to first diagnostics (${cache} disk cache): ${ms(out[`startup-${cache}`])}`);
    if (cache === 'warm') {
      const zstd = join(repo, 'pkgs/bin/zstd/ix.sh');
      const zt = readFileSync(zstd, 'utf8');
      out.zstd = await keystrokes(s, zstd, zt, breakLast(zt), 'bin/zstd/ix.sh');
      const base = join(repo, 'pkgs/die/base.json');
      const bt = readFileSync(base, 'utf8');
      out.base = await keystrokes(s, base, bt, bt.replace('"net": false,', '"net": {{ bench_undefined() }},'), 'die/base.json');
      out.users = (await s.conn.sendRequest('ix/status', { uri: uri(base) })).users.length;
      out.zstdUsers = (await s.conn.sendRequest('ix/status', { uri: uri(zstd) })).users;
    }
    await s.stop();
  }
  return out;
}

async function bigTreeSession() {
  if (!libs) return undefined;
  const dir = mkdtempSync(join(tmpDir, 'editor-big-'));
  const tree = generateTree({ libs, bins: Math.floor(libs / 4), seed: 1 });
  for (const [p, t] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, 'tree', p)), { recursive: true });
    writeFileSync(join(dir, 'tree', p), t);
  }
  const s = await startLsp(['--recipes', join(dir, 'tree')], join(dir, 'cache'));
  const t = performance.now();
  const pkgs = Object.keys(tree).filter((p) => p.endsWith('/ix.sh') && !p.startsWith('die/')).length;
  await s.idle(pkgs); // start-up indexes every package (after a short grace for the client's documents)
  const indexed = performance.now() - t;
  log(`generated tree (${Object.keys(tree).length} files, ${pkgs} packages): indexing every package ${ms(indexed)}`);
  const leaf = Object.keys(tree).find((p) => /^bin\/[^/]+\/ix\.sh$/.test(p));
  const lt = tree[leaf];
  const r = await keystrokes(s, join(dir, 'tree', leaf), lt, breakLast(lt), `generated ${leaf}`);
  await s.stop();
  return { files: Object.keys(tree).length, indexed, leaf, ...r };
}

async function playground() {
  const { chromium } = await import('playwright-core');
  const { serve } = await import('../hosts/browser/serve.mjs');
  const site = mkdtempSync(join(tmpDir, 'playground-'));
  const b = spawnSync(process.execPath, [join(repo, 'hosts/browser/build.mjs'), `--out=${site}`], { env, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(b.stderr);
  const { server, origin } = await serve(site, 0);
  const profile = mkdtempSync(join(tmpDir, 'chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const loads = [];
  const keys = [];
  for (let i = 0; i < Math.min(runs, 5); i++) {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.body.dataset.firstPlanMs !== undefined, null, { timeout: 120_000 });
    loads.push(Number(await page.evaluate(() => document.body.dataset.firstPlanMs)));
    const before = await page.locator('#store-path').textContent();
    // comment out bin/zstd's first library (line 6, `lib/z`): the plan changes
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Home');
    for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    const t = await page.evaluate(() => performance.now());
    await page.keyboard.type('#');
    await page.waitForFunction((old) => document.getElementById('store-path').textContent !== old, before, { timeout: 60_000 });
    keys.push((await page.evaluate(() => performance.now())) - t);
    await page.close();
  }
  await browser.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
  log(`playground: load to first plan ${ms(median(loads))}, keystroke to store path ${ms(median(keys))} (includes the 120 ms debounce)`);
  return { load: median(loads), key: median(keys) };
}

/** Sends a didChange, then a hover and a completion at once; times all three. */
async function editWithRequests(s, u, v, text, ok, hoverAt, completeAt) {
  const wait = s.next(u, ok, 60_000);
  const t = performance.now();
  s.change(u, v, text);
  const hover = s.conn.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: hoverAt }).then(() => performance.now() - t);
  const completion = s.conn.sendRequest('textDocument/completion', { textDocument: { uri: u }, position: completeAt }).then((r) => ((r?.length ?? r?.items?.length ?? 0) > 0 ? performance.now() - t : Number.NaN));
  const at = await wait;
  return { diag: at === undefined ? Number.NaN : at - t, hover: await hover, completion: await completion };
}

/** Position of the first `needle` in `text` (line, character), plus `delta` characters. */
function posIn(text, needle, delta = 0) {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`bench:editor: '${needle}' not found`);
  const before = text.slice(0, i);
  return { line: before.split('\n').length - 1, character: i - (before.lastIndexOf('\n') + 1) + delta };
}

async function ixSession() {
  const pkgsDir = existsSync(join(ixDir, 'pkgs', 'die')) ? join(ixDir, 'pkgs') : ixDir;
  if (!existsSync(join(pkgsDir, 'die'))) throw new Error(`bench:editor: --ix=${ixDir}: no IX recipe tree there (no die/)`);
  const dir = mkdtempSync(join(tmpDir, 'editor-ix-'));
  const s = await startLsp(['--recipes', pkgsDir], join(dir, 'cache'));
  const hasError = (d) => d.some((x) => x.severity === 1);
  const noError = (d) => !hasError(d);
  const files = [opt('ix-leaf', 'bin/zstd/ix.sh'), opt('ix-template', 'die/c/ix.sh')].map((f) => {
    const path = join(pkgsDir, f);
    const text = readFileSync(path, 'utf8');
    return { f, u: uri(path), text, broken: breakLast(text), v: 1, blockAt: posIn(text, '{% block ', 9), completeAt: { line: posIn(text, '{% block ').line + 1, character: 0 } };
  });
  // the leaf's completion position is in a dependency list block when it has one
  const dep = /\{% block (bld_libs|lib_deps|run_deps|bld_tool) %\}\n/.exec(files[0].text);
  if (dep) files[0].completeAt = { line: files[0].text.slice(0, dep.index).split('\n').length, character: 0 };
  // the template's: inside its first `{{` (context names and flags)
  if (files[1].text.includes('{{')) files[1].completeAt = posIn(files[1].text, '{{', 2);
  const t0 = performance.now();
  const opened = s.next(files[0].u, () => true, 120_000);
  for (const x of files) s.open(x.u, x.text);
  await opened;
  const openMs = performance.now() - t0;
  // edits start once the textual index of template users is complete (seconds after start)
  while ((await s.conn.sendRequest('ix/status', {})).textualIndexMs < 0) await new Promise((r) => setTimeout(r, 100));
  const st0 = await s.conn.sendRequest('ix/status', { uri: files[1].u });
  const st1 = await s.conn.sendRequest('ix/status', {});
  log(`real tree ${pkgsDir}: open to first diagnostics ${ms(openMs)} (textual index of template users ${st1.textualIndexMs} ms); ${files[1].f}: ${st0.users.length} users`);
  const out = { pkgsDir, openMs, users: st0.users.length, textualIndexMs: st1.textualIndexMs };
  for (const [k, x] of files.entries()) {
    const r = { breaks: [], fixes: [], hover: [], completion: [] };
    for (let i = 0; i < runs; i++) {
      const bad = i % 2 === 0;
      const e = await editWithRequests(s, x.u, ++x.v, bad ? x.broken : x.text, bad ? hasError : noError, x.blockAt, x.completeAt);
      (bad ? r.breaks : r.fixes).push(e.diag);
      r.hover.push(e.hover);
      r.completion.push(e.completion);
    }
    if (x.v % 2 === 0) await editWithRequests(s, x.u, ++x.v, x.text, noError, x.blockAt, x.completeAt);
    out[k ? 'template' : 'leaf'] = { breaks: median(r.breaks), fixes: median(r.fixes), hover: median(r.hover), completion: median(r.completion) };
    log(`${x.f}: each edit: ${r.breaks.map((b, i) => `${ms(b)} / ${ms(r.fixes[i] ?? Number.NaN)}`).join(', ')}`);
    log(`${x.f}: keystroke → diagnostics breaking ${ms(median(r.breaks))}, fixing ${ms(median(r.fixes))}; hover ${ms(median(r.hover))}, completion ${ms(median(r.completion))} (sent right after the edit)`);
  }
  // an error only a plan finds: an unknown dependency written into the leaf's first list block
  if (dep) {
    const x = files[0];
    const at = dep.index + dep[0].length;
    const unknown = `${x.text.slice(0, at)}lib/bench-unknown\n${x.text.slice(at)}`;
    const r = { breaks: [], fixes: [] };
    for (let i = 0; i < Math.min(runs, 5); i++) {
      r.breaks.push((await editWithRequests(s, x.u, ++x.v, unknown, (d) => d.some((e) => e.message.includes('bench-unknown')), x.blockAt, x.completeAt)).diag);
      r.fixes.push((await editWithRequests(s, x.u, ++x.v, x.text, noError, x.blockAt, x.completeAt)).diag);
    }
    out.planError = { breaks: median(r.breaks), fixes: median(r.fixes) };
    log(`${x.f}: an unknown dependency (a plan's error): ${r.breaks.map((b, i) => `${ms(b)} / ${ms(r.fixes[i])}`).join(', ')}`);
  }
  // a dependency's facts need a plan: on the planning thread, after the plan in flight
  const th = performance.now();
  const hv = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: files[0].u }, position: files[0].completeAt });
  out.depHover = performance.now() - th;
  log(`hover on a dependency (a plan on the planning thread): ${ms(out.depHover)}${hv ? '' : ' (no answer)'}`);
  // memory over a session: alternate leaf and template edits, each waiting for its diagnostics
  const edits = Number(opt('edits', '1000'));
  const rss = [];
  let slow = 0;
  const sample = async (n) => {
    const st = await s.conn.sendRequest('ix/status', {});
    rss.push({ edits: n, rss: st.rss, indexed: st.indexedPackages, cache: st.cache.bytes, plannerCache: st.plannerCache?.bytes ?? 0 });
    log(`after ${n}${typeof n === 'number' ? ' edits' : ''}: RSS ${(st.rss / 2 ** 20).toFixed(0)} MiB, ${st.indexedPackages} packages planned, caches ${(st.cache.bytes / 2 ** 20).toFixed(1)} + ${((st.plannerCache?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB, ${st.cancelled} plans cancelled, ${st.dropped} stale results dropped`);
  };
  await sample(0);
  const tm = performance.now();
  for (let n = 1; n <= edits; n++) {
    const x = files[Math.floor((n - 1) / 2) % 2];
    const bad = n % 2 === 1;
    const e = await editWithRequests(s, x.u, ++x.v, bad ? x.broken : x.text, bad ? hasError : noError, x.blockAt, x.completeAt);
    if (!(e.diag < 1000)) slow++;
    if (n % Math.max(1, Math.floor(edits / 10)) === 0) await sample(n);
  }
  // then quiet (no edits) for `--idle=S` seconds: the background plans go on, the index grows
  const idle = Number(opt('idle', '120'));
  const ti = performance.now();
  while (performance.now() - ti < idle * 1000) {
    await new Promise((r) => setTimeout(r, Math.min(idle * 1000, 30_000)));
    await sample(`${edits} edits + ${((performance.now() - ti) / 1000).toFixed(0)} s idle`);
  }
  out.rss = rss;
  out.edits = edits;
  out.slow = slow;
  out.editsMs = performance.now() - tm;
  await s.stop();
  return out;
}

const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ix = only.includes('ix') ? await ixSession() : undefined;
const pk = only.includes('lsp') ? await pkgsSession() : undefined;
const big = only.includes('big') ? await bigTreeSession() : undefined;
const pg = only.includes('playground') ? await playground() : undefined;
console.log(`| measurement | median of ${runs} |
|---|---|
${pk ? `| \`ix lsp\` start-up to first diagnostics, empty disk cache | ${ms(pk['startup-empty'])} |
| \`ix lsp\` start-up to first diagnostics, warm disk cache | ${ms(pk['startup-warm'])} |
| keystroke → diagnostics, bin/zstd/ix.sh (target 150 ms), ${pk.zstdUsers.length} users (${pk.zstdUsers.join(', ')}): breaking / fixing | ${ms(pk.zstd.breaks)} / ${ms(pk.zstd.fixes)} |
| keystroke → diagnostics, die/base.json, sample of 8 of ${pk.users} users (target 1 s): breaking / fixing | ${ms(pk.base.breaks)} / ${ms(pk.base.fixes)} |
| keystroke → every user of die/base.json re-checked | ${ms(pk.base.settled)} |
` : ''}${big ? `| generated tree (${big.files} files): indexing every package at start-up | ${ms(big.indexed)} |
| generated tree: keystroke → diagnostics, ${big.leaf}: breaking / fixing | ${ms(big.breaks)} / ${ms(big.fixes)} |
` : ''}${ix ? `| real IX tree (${ix.pkgsDir}): open two files to first diagnostics | ${ms(ix.openMs)} |
| real tree: textual index of template users, built in slices in the background | ${ms(ix.textualIndexMs)} |
| real tree: keystroke → diagnostics, ${opt('ix-leaf', 'bin/zstd/ix.sh')} (target 150 ms): breaking / fixing | ${ms(ix.leaf.breaks)} / ${ms(ix.leaf.fixes)} |
| real tree: hover / completion sent right after a leaf edit | ${ms(ix.leaf.hover)} / ${ms(ix.leaf.completion)} |
${ix.planError ? `| real tree: keystroke → diagnostics of an unknown dependency in the leaf (a plan's error), breaking / fixing | ${ms(ix.planError.breaks)} / ${ms(ix.planError.fixes)} |
` : ''}| real tree: keystroke → first sample's diagnostics, ${opt('ix-template', 'die/c/ix.sh')} (${ix.users} users; target 1 s): breaking / fixing | ${ms(ix.template.breaks)} / ${ms(ix.template.fixes)} |
| real tree: hover / completion sent right after a template edit | ${ms(ix.template.hover)} / ${ms(ix.template.completion)} |
| real tree: hover on a dependency (its plan; the background plan in flight is cancelled) | ${ms(ix.depHover)} |
| real tree: RSS over ${ix.edits} edits (alternating leaf / template, ${(ix.editsMs / 1000).toFixed(0)} s; ${ix.slow} edits over 1 s), then idle | ${ix.rss.map((r) => `${typeof r.edits === 'number' ? r.edits : r.edits.replace(/^\d+ edits \+ /, '+')}: ${mib(r.rss)}`).join(', ')} |
| real tree: packages planned in the background meanwhile | ${ix.rss.map((r) => r.indexed).join(' / ')} |
` : ''}${pg ? `| playground: page load to first plan shown (Chromium) | ${ms(pg.load)} |
| playground: keystroke → new store path (incl. 120 ms debounce) | ${ms(pg.key)} |` : ''}`);
