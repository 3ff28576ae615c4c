/**
 * The ix language server: wires the LSP protocol (vscode-languageserver) to the workspace (roots
 * + open buffers), the checker (plans through the WASM core) and the editor features. Buffer
 * edits are debounced, then re-check the packages that use the file (checker.ts: a render stage
 * on this thread, plans on the planning thread, planner.ts); results are published as
 * diagnostics of every file they land in, and a file whose last error went away gets an empty
 * list. Files changed on disk are noticed through workspace/didChangeWatchedFiles and a watcher
 * on the recipe roots. Settings (initializationOptions or `ix.*` configuration): `target`.
 * Commands: `ix.renderDescriptor [package]` returns the rendered descriptor and store path
 * (clients show it as a read-only document; the code lens on a recipe names the store path and
 * asks the client to run its `ix.showDescriptor` command).
 *
 * Must not depend on: the executor, the store, the sandbox.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DidChangeConfigurationNotification, TextDocuments, TextDocumentSyncKind, type CodeLens, type Connection, type InitializeResult,
} from 'vscode-languageserver';
import type { Core } from '../node/core';
import { Checker } from './checker';
import { complete, symbols } from './complete';
import { diagnosticsOf, quickFixes, siteOf } from './diagnostics';
import { Family } from './family';
import { definition, hover, references } from './navigate';
import type { Planner } from './planner';
import { packageOfFile, type Workspace } from './workspace';

/** Targets the setting accepts (those our recipes plan for). */
export const TARGETS = ['linux-x86_64', 'linux-aarch64', 'freebsd-x86_64'];
/** Quiet time after a keystroke before checking (ms). */
const DEBOUNCE_MS = 30;
/** Wait after `initialized` before indexing every package (ms). */
const STARTUP_GRACE_MS = 150;

export interface ServerOptions {
  target?: string;
  /** Watch the roots for changes on disk (off in tests that drive didChangeWatchedFiles). */
  watch?: boolean;
}

export function startServer(conn: Connection, core: Core, ws: Workspace, planner: Planner, opts: ServerOptions): void {
  const docs = new TextDocuments(TextDocument);
  const family = new Family(ws);
  const published = new Map<string, string>();
  let publishQueued = false;
  let debounce: NodeJS.Timeout | undefined;
  const pendingFiles = new Set<string>();
  const watchers: FSWatcher[] = [];

  const openPackages = () => {
    const s = new Set<string>();
    for (const d of docs.all()) {
      const l = ws.logicalOf(d.uri);
      const p = l && packageOfFile(l);
      if (p) s.add(p);
    }
    return s;
  };
  const checker = new Checker(core, ws, planner, family, () => publish(), openPackages);
  /** A buffer as both threads see it. */
  const setOverlay = (path: string, text: string | undefined) => {
    ws.setOverlay(path, text);
    planner.setOverlay(path, text);
  };
  const touched = () => {
    ws.touched();
    planner.touched();
  };
  if (opts.target) checker.target = opts.target;

  const text = (f: string) => ws.text(f);
  /**
   * Publishes diagnostics of every file that has or had some, and of open files; resolves when
   * the notifications are written (the checker waits for it before its next plan).
   */
  const publish = (): Promise<void> => {
    publishQueued = false;
    try {
      return publishNow();
    } catch (e) {
      conn.console.error(`ix lsp: publishing diagnostics failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return Promise.resolve();
    }
  };
  const publishNow = (): Promise<void> => {
    if (checker.settling()) return Promise.resolve(); // the next check publishes
    const files = new Set<string>();
    for (const uri of published.keys()) {
      const l = ws.logicalOf(uri);
      if (l) files.add(l);
    }
    for (const d of docs.all()) {
      const l = ws.logicalOf(d.uri);
      if (l) files.add(l);
    }
    for (const pkg of checker.failing()) files.add(siteOf(pkg, checker.errorOf(pkg)!, family, text).file);
    const sent: Promise<void>[] = [];
    for (const f of files) {
      const uri = ws.uriOf(f);
      if (!uri) continue;
      const diagnostics = diagnosticsOf(f, checker, family, text);
      const key = JSON.stringify(diagnostics);
      const last = published.get(uri);
      if (last === key) continue; // the client has it
      if (last === undefined && !diagnostics.length && !docs.get(uri)) continue; // nothing to clear
      sent.push(conn.sendDiagnostics({ uri, diagnostics }));
      // an open file's empty list is remembered too, so it is sent once, not after every check
      if (diagnostics.length || docs.get(uri)) published.set(uri, key);
      else published.delete(uri);
    }
    return Promise.all(sent).then(() => undefined, () => undefined);
  };
  /** Publishes soon (coalesced): for changes that do not come from a check. */
  const queuePublish = () => {
    if (publishQueued) return;
    publishQueued = true;
    setImmediate(() => void publish());
  };
  const changed = (files: string[], now = false) => {
    family.forget(files);
    for (const f of files) pendingFiles.add(f);
    if (debounce) clearTimeout(debounce);
    const fire = () => {
      debounce = undefined;
      const list = [...pendingFiles];
      pendingFiles.clear();
      try {
        checker.changed(list);
      } catch (e) {
        conn.console.error(`ix lsp: re-checking ${list.join(', ')} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      }
      queuePublish(); // the server's own checks (block names) need no core
    };
    if (now) fire();
    else debounce = setTimeout(fire, DEBOUNCE_MS);
  };
  const setTarget = (t: unknown) => {
    if (typeof t !== 'string' || !TARGETS.includes(t) || t === checker.target) return;
    checker.target = t;
    checker.reset();
    checker.checkAll();
  };

  conn.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as { target?: unknown };
    setTarget(init.target);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        completionProvider: { triggerCharacters: ['/', '.', ' ', "'", '"'] },
        codeActionProvider: true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: ['ix.renderDescriptor'] },
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'ix', version: `core ${core.manifest.coreWasmBlake3}` },
    };
  });
  conn.onInitialized(() => {
    conn.client.register(DidChangeConfigurationNotification.type, { section: 'ix' }).catch(() => undefined);
    // clients open their documents right after `initialized`: let those go first
    setTimeout(() => checker.checkAll(), STARTUP_GRACE_MS);
    if (opts.watch !== false) {
      for (const root of ws.roots) {
        try {
          watchers.push(watch(root, { recursive: true }, (_ev, name) => {
            if (!name) return;
            const abs = join(root, name.toString());
            if (docs.get(pathToFileURL(abs).href)) return; // the buffer is what counts
            touched();
            const l = ws.logicalOf(abs);
            if (l) changed([l]);
          }));
        } catch {
          // a root that cannot be watched: didChangeWatchedFiles still works
        }
      }
    }
  });
  conn.onDidChangeConfiguration((p) => setTarget((p.settings as { ix?: { target?: unknown } } | undefined)?.ix?.target));
  conn.onShutdown(() => {
    for (const w of watchers) w.close();
    planner.close();
  });

  const fileOf = (uri: string) => ws.logicalOf(uri);
  docs.onDidOpen((e) => {
    const f = fileOf(e.document.uri);
    setOverlay(uriPath(e.document.uri), e.document.getText());
    if (f) changed([f], true);
  });
  docs.onDidChangeContent((e) => {
    const f = fileOf(e.document.uri);
    setOverlay(uriPath(e.document.uri), e.document.getText());
    if (f) changed([f]);
  });
  docs.onDidClose((e) => {
    if (published.get(e.document.uri) === '[]') published.delete(e.document.uri);
    const f = fileOf(e.document.uri);
    setOverlay(uriPath(e.document.uri), undefined);
    if (f) changed([f], true);
  });
  conn.onDidChangeWatchedFiles((p) => {
    touched();
    changed(p.changes.map((c) => fileOf(c.uri)).filter((f): f is string => f !== undefined));
  });

  const at = <R>(uri: string, f: (file: string) => R, empty: R): R => {
    const file = fileOf(uri);
    if (!file) return empty;
    try {
      return f(file);
    } catch {
      return empty; // a feature never takes the server down
    }
  };
  const atAsync = async <R>(uri: string, f: (file: string) => Promise<R>, empty: R): Promise<R> => {
    const file = fileOf(uri);
    if (!file) return empty;
    try {
      return await f(file);
    } catch {
      return empty;
    }
  };
  conn.onHover((p) => atAsync(p.textDocument.uri, async (f) => (await hover(ws, family, checker, f, p.position)) ?? null, null));
  conn.onDefinition((p) => at(p.textDocument.uri, (f) => definition(ws, family, f, p.position), []));
  conn.onReferences((p) => at(p.textDocument.uri, (f) => references(ws, family, f, p.position), []));
  conn.onCompletion((p) => at(p.textDocument.uri, (f) => complete(ws, family, checker, f, p.position), []));
  conn.onDocumentSymbol((p) => at(p.textDocument.uri, (f) => symbols(family, f), []));
  conn.onCodeAction((p) => quickFixes(p.textDocument.uri, p.context.diagnostics));
  conn.onCodeLens((p) => atAsync(p.textDocument.uri, async (f): Promise<CodeLens[]> => {
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const pkg = packageOfFile(f);
    if (pkg === undefined) {
      const n = checker.usersOf(f).length;
      return [{ range, command: { title: `used by ${n} package${n === 1 ? '' : 's'}`, command: '' } }];
    }
    const a = await checker.planOf(pkg);
    const title = a.plan?.roots[0]?.out ?? (a.plan ? `hub: ${(a.plan.roots[0]?.members ?? []).join(' ')}` : `✗ ${a.error?.detail ?? 'cannot plan'}`);
    return [{ range, command: { title: `${title} (${checker.target}) · show descriptor`, command: 'ix.showDescriptor', arguments: [pkg] } }];
  }, []));
  conn.onExecuteCommand(async (p) => {
    if (p.command !== 'ix.renderDescriptor') return null;
    const pkg = String(p.arguments?.[0] ?? '');
    const r = checker.render(pkg);
    const a = await checker.planOf(pkg);
    return {
      package: pkg,
      target: checker.target,
      storePath: a.plan?.roots[0]?.out ?? null,
      text: r.text ?? `# ${r.error?.detail ?? 'cannot render'}\n`,
    };
  });
  // for tests, the bench and curious clients: the core's hash, whether checks are running, and
  // which packages use a file (the index diagnostics are computed from), the caches' sizes and
  // the process's memory
  conn.onRequest('ix/status', (p?: { uri?: string }) => {
    const file = p?.uri ? fileOf(p.uri) : undefined;
    return {
      busy: checker.busy() || planner.busy(), checks: checker.checks, lastCheckMs: checker.lastCheckMs, target: checker.target, core: core.manifest.coreWasmBlake3,
      renders: checker.renders, dropped: checker.dropped, reused: checker.reused, plans: planner.plans, cancelled: planner.cancelled, joined: planner.joined, planning: planner.inFlight() ?? null, ...checker.stats(),
      cache: ws.cacheStats(), plannerCache: planner.cache, rss: process.memoryUsage.rss(),
      ...(file ? { users: checker.usersOf(file), failing: checker.failing() } : {}),
    };
  });

  docs.listen(conn);
  conn.listen();
}

function uriPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}
