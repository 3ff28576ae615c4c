/**
 * The few parts of the VS Code API the extension uses, declared here because @types/vscode is
 * not a dependency of ix (the editor supplies the `vscode` module at run time; the bundle leaves
 * it external). Shapes follow the published VS Code API for engines ^1.91.
 */
declare module 'vscode' {
  export interface Disposable { dispose(): unknown }
  export interface ExtensionContext { subscriptions: Disposable[] }
  export class Uri {
    static parse(value: string): Uri;
    toString(): string;
  }
  export class EventEmitter<T> implements Disposable {
    event: (listener: (e: T) => unknown) => Disposable;
    fire(data: T): void;
    dispose(): void;
  }
  export interface TextDocument { uri: Uri }
  export interface TextDocumentContentProvider {
    onDidChange?: (listener: (e: Uri) => unknown) => Disposable;
    provideTextDocumentContent(uri: Uri): string;
  }
  export interface FileSystemWatcher extends Disposable { ignoreCreateEvents: boolean }
  export interface WorkspaceConfiguration { get<T>(section: string, defaultValue?: T): T }
  export enum ViewColumn { Beside = -2 }
  export namespace workspace {
    function getConfiguration(section: string): WorkspaceConfiguration;
    function createFileSystemWatcher(glob: string): FileSystemWatcher;
    function registerTextDocumentContentProvider(scheme: string, provider: TextDocumentContentProvider): Disposable;
    function openTextDocument(uri: Uri): Promise<TextDocument>;
  }
  export namespace window {
    function showTextDocument(doc: TextDocument, options?: { preview?: boolean; viewColumn?: ViewColumn }): Promise<unknown>;
    function showInputBox(options?: { prompt?: string }): Promise<string | undefined>;
    function setStatusBarMessage(text: string, hideAfterTimeout: number): Disposable;
  }
  export namespace commands {
    function registerCommand(command: string, callback: (...args: never[]) => unknown): Disposable;
  }
}
