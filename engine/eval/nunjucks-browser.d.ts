/**
 * Types for the parts of nunjucks' browser build (nunjucks/browser/nunjucks.js) the evaluator
 * uses. The browser build bundles no Node built-ins, so the engine can run inside a WASM core.
 *
 * Must not depend on: anything (declarations only).
 */
declare module 'nunjucks/browser/nunjucks.js' {
  export interface NjFrame {
    topLevel: boolean;
    push(isolate?: boolean): NjFrame;
    lookup(name: string): unknown;
    set(name: string, val: unknown, resolveUp?: boolean): void;
  }
  export const runtime: Record<string, unknown> & {
    Frame: new (parent?: NjFrame, isolate?: boolean) => NjFrame;
    SafeString: new (val: string) => { val: string; toString(): string };
    markSafe(val: unknown): unknown;
  };
  export const compiler: {
    compile(src: string, asyncFilters: string[], extensions: unknown[], name: string, opts: Record<string, unknown>): string;
    Compiler: { prototype: Record<string, unknown> };
  };
  export const lib: {
    getAttrGetter(attr: unknown): (item: unknown, i: number) => unknown;
    map(obj: unknown, f: (v: unknown) => unknown): unknown[];
  };
  export const nodes: Record<string, new (...args: never[]) => unknown>;
  export class Environment {
    constructor(loaders?: unknown[], opts?: Record<string, unknown>);
    filters: Record<string, (...args: unknown[]) => unknown>;
    tests: Record<string, (...args: unknown[]) => unknown>;
    globals: Record<string, unknown>;
    waterfall: unknown;
  }
}
