/**
 * A scripted LSP client for tests and the benchmark: starts `./ix lsp` (the bundled CLI, the same
 * WASM core as `ix plan`) as a child process and speaks JSON-RPC to it over stdio through
 * vscode-jsonrpc (the library under vscode-languageserver). Keeps every published diagnostic
 * list and lets a test wait for one that matches.
 *
 * Must not depend on: the engine's code, hosts/ (the server is a separate process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Range } from 'vscode-languageserver-types';

/** A published diagnostic as ix sends it (plain-text messages). */
export interface Diagnostic {
  range: Range;
  message: string;
  severity?: number;
  source?: string;
  data?: unknown;
}

export interface LspClient {
  conn: MessageConnection;
  proc: ChildProcess;
  /** Latest diagnostics by URI. */
  diagnostics: Map<string, Diagnostic[]>;
  /** Resolves with the first published list for `uri` that satisfies `ok` (also one already seen). */
  waitDiagnostics(uri: string, ok: (d: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  open(uri: string, text: string): void;
  change(uri: string, version: number, text: string): void;
  request<R>(method: string, params: unknown): Promise<R>;
  stop(): Promise<void>;
}

export const uriOf = (path: string) => pathToFileURL(path).href;

/** Starts the server and completes the initialize handshake. */
export async function startLsp(repoRoot: string, args: string[], opts: { env?: NodeJS.ProcessEnv; init?: object; cwd?: string } = {}): Promise<LspClient> {
  const proc = spawn(process.execPath, [join(repoRoot, 'ix'), 'lsp', ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const diagnostics = new Map<string, Diagnostic[]>();
  const waiters: { uri: string; ok: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
    diagnostics.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.ok(p.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/configuration', () => []);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: opts.init ?? {} });
  await conn.sendNotification('initialized', {});
  return {
    conn,
    proc,
    diagnostics,
    waitDiagnostics(uri, ok, timeoutMs = 60_000) {
      const seen = diagnostics.get(uri);
      if (seen && ok(seen)) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(diagnostics.get(uri))}\n${stderr}`)), timeoutMs);
        waiters.push({ uri, ok, resolve: (d) => (clearTimeout(t), resolve(d)) });
      });
    },
    open(uri, text) {
      void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'ix', version: 1, text } });
    },
    change(uri, version, text) {
      void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    },
    request: (method, params) => conn.sendRequest(method, params),
    async stop() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch {
        // already gone
      }
      await new Promise<void>((r) => (proc.exitCode !== null ? r() : proc.once('exit', () => r())));
      conn.dispose();
    },
  };
}
