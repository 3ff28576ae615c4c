/**
 * The VS Code extension: a thin client of `ix lsp` (vscode-languageclient 10). It starts the
 * server with the configured launcher and recipe roots, passes the target setting, forwards file
 * changes of recipe trees, and implements `ix.showDescriptor` (the code lens command): it asks the
 * server for the rendered descriptor (`ix.renderDescriptor`) and opens it as a read-only document.
 * Everything else (diagnostics, hover, navigation, completion, quick fixes) is the server's.
 *
 * Must not depend on: anything of ix but the `ix lsp` protocol (it runs in the editor's process).
 */
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

const SCHEME = 'ix-descriptor';
let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration('ix');
  const args = ['lsp', ...config.get<string[]>('recipes', []).flatMap((d) => ['--recipes', d])];
  const server: ServerOptions = { command: config.get<string>('path', 'ix'), args };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', pattern: '**/ix.sh' },
      { scheme: 'file', pattern: '**/die/**' },
    ],
    initializationOptions: { target: config.get<string>('target') },
    synchronize: {
      configurationSection: 'ix',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{ix.sh,die/**}'),
    },
  };
  client = new LanguageClient('ix', 'ix recipes', server, options);

  // rendered descriptors as read-only documents: ix-descriptor:/bin/zstd.json
  const texts = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, { onDidChange: changed.event, provideTextDocumentContent: (uri) => texts.get(uri.toString()) ?? '' }),
    vscode.commands.registerCommand('ix.showDescriptor', async (pkg?: string) => {
      const name = pkg ?? (await vscode.window.showInputBox({ prompt: 'package (bin/zstd)' }));
      if (!name || !client) return;
      const r = await client.sendRequest<{ storePath: string | null; target: string; text: string }>('workspace/executeCommand', {
        command: 'ix.renderDescriptor', arguments: [name],
      });
      const uri = vscode.Uri.parse(`${SCHEME}:/${name}.json`);
      texts.set(uri.toString(), r.text);
      changed.fire(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      vscode.window.setStatusBarMessage(`${name} (${r.target}): ${r.storePath ?? 'no store path'}`, 10_000);
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
