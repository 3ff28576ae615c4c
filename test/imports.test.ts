// Imports run one way: every source folder of the product may import only the folders its row of
// ALLOW names (an allow-list: a new folder or a new arrow fails until it is written down here and
// in ARCHITECTURE.md's picture of the hosts). Relative imports are resolved to the file they
// name; type-only imports count too (an arrow is an arrow for a reader). Every host library
// folder is entered through its index.ts (THROUGH_INDEX).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importCycles, importSpecifiers, lintMessages, lintRulesOf, repoRoot as root, resolveImport, sourceFiles } from './support/imports';

/**
 * Folder -> the folders it may import (besides itself). hosts/node's own top-level files are the
 * command line (main, launch, args, options, errors, context) and its shared leaves (core,
 * digest, io, paths, caches of plans); the subfolders below it are the portable host parts.
 */
export const ALLOW: Record<string, string[]> = {
  engine: [],
  wasm: ['engine'],
  'hosts/common': ['engine'],
  'hosts/linux-sandbox': ['engine', 'hosts/common'],
  'hosts/node/store': ['engine', 'hosts/common'],
  'hosts/node/fetch': ['engine', 'hosts/common', 'hosts/node/store'],
  'hosts/node/cache': ['engine', 'hosts/common', 'hosts/node/store'],
  'hosts/node/exec': ['engine', 'hosts/common', 'hosts/node/store'],
  'hosts/node/gc': ['engine', 'hosts/common', 'hosts/node/store', 'hosts/node/realm'],
  'hosts/node/realm': ['engine', 'hosts/common', 'hosts/node/store'],
  'hosts/node/image': ['engine', 'hosts/common', 'hosts/node/store'],
  // subst implements the executor's Substituter
  'hosts/node/subst': ['engine', 'hosts/common', 'hosts/node/store', 'hosts/node/cache', 'hosts/node/exec'],
  'hosts/node/remote': ['engine', 'hosts/common', 'hosts/node/store', 'hosts/node/cache', 'hosts/node/exec', 'hosts/node/gc'],
  'hosts/node/commands': ['engine', 'wasm', 'hosts/common', 'hosts/linux-sandbox', 'hosts/node', 'hosts/node/store', 'hosts/node/fetch',
    'hosts/node/cache', 'hosts/node/exec', 'hosts/node/gc', 'hosts/node/realm', 'hosts/node/image', 'hosts/node/subst', 'hosts/node/remote'],
  'hosts/node': ['engine', 'wasm', 'hosts/common', 'hosts/linux-sandbox', 'hosts/node/store', 'hosts/node/exec', 'hosts/node/commands'],
  'hosts/lsp': ['engine', 'hosts/common', 'hosts/node'],
  'hosts/browser': ['engine', 'wasm', 'hosts/lsp'],
  'hosts/vscode': [],
};

/**
 * Host folders whose importers must go through their index.ts: every one but the command line's
 * verbs (hosts/node/commands: main.ts loads each verb's module by itself, so a verb's code is
 * read only when it runs).
 */
const THROUGH_INDEX = Object.keys(ALLOW).filter((f) => f.startsWith('hosts/') && !['hosts/node', 'hosts/node/commands', 'hosts/vscode'].includes(f));

/**
 * Imports past an index that start-up needs: the launcher's memo-hit and no-op-build path prints
 * the executor's closing line, and the exec index would bring the whole executor into that chunk
 * (106 kB -> 164 kB of JS read by every `ix plan`).
 */
const PAST_INDEX: Record<string, string[]> = { 'hosts/node/launch.ts': ['hosts/node/exec/events.ts'] };

/** The folder (a row of ALLOW) a repository path belongs to, or undefined outside the product. */
export function folderOf(file: string): string | undefined {
  const p = file.split('/');
  if (p[0] === 'engine' || p[0] === 'wasm') return p[0];
  if (p[0] !== 'hosts' || p.length < 3) return undefined;
  if (p[1] === 'node') return p.length > 3 ? `hosts/node/${p[2]}` : 'hosts/node';
  return `hosts/${p[1]}`;
}

/** The relative import specifiers of a source text. */
export function importsOf(src: string): string[] {
  return importSpecifiers(src).filter((s) => s.startsWith('.'));
}

/** Every arrow of `file` that its folder's row does not allow, as "file -> target". */
export function forbidden(file: string, src: string, allow = ALLOW): string[] {
  const from = folderOf(file);
  if (from === undefined) return [];
  const row = allow[from];
  if (row === undefined) return [`${file}: its folder ${from} has no row in the allow-list`];
  const out: string[] = [];
  for (const s of importsOf(src)) {
    const target = resolveImport(file, s);
    const to = folderOf(target);
    if (to === from) continue;
    if (to === undefined || !row.includes(to)) out.push(`${file} -> ${target} (${from} may import: ${row.join(', ') || 'nothing'})`);
    // A host folder is entered through its index.ts (a plain .mjs, run by node as it is, may
    // import a plain .mjs of it directly).
    else if (THROUGH_INDEX.includes(to) && target !== `${to}/index.ts` && !(file.endsWith('.mjs') && target.endsWith('.mjs')) && !PAST_INDEX[file]?.includes(target)) {
      out.push(`${file} -> ${target} (enter ${to} through ${to}/index.ts)`);
    }
  }
  return out;
}

/** `a/{b,c}` -> a/b, a/c (one pair of braces at most). */
function expand(word: string): string[] {
  const m = /^(.*)\{([^}]*)\}(.*)$/.exec(word);
  return m ? m[2].split(',').map((x) => `${m[1]}${x}${m[3]}`) : [word];
}

/** A folder as the picture abbreviates it (common, lsp, node/store...) -> its ALLOW name. */
function folderName(short: string): string {
  if (short === 'engine' || short === 'wasm' || short.startsWith('hosts/')) return short;
  return `hosts/${short}`;
}

/**
 * ARCHITECTURE.md's picture of the hosts' layers as allow-list rows: each line "FOLDER ─► A, B"
 * (`engine` implied), "─► engine only", "─► nothing"; a trailing "(...)" is a note, and lines of
 * "──" are headings.
 */
export function pictureRows(md: string): Record<string, string[]> {
  const at = md.indexOf("### The hosts' layers");
  if (at < 0) throw new Error("ARCHITECTURE.md has no section \"### The hosts' layers\"");
  const open = md.indexOf('```\n', at) + 4;
  const rows: Record<string, string[]> = {};
  for (const line of md.slice(open, md.indexOf('\n```', open)).split('\n')) {
    if (/^\s*──/.test(line) || !line.trim()) continue;
    const m = /^\s*(\S+)\s+─►\s+(.*?)\s*(?:\(.*\))?\s*$/.exec(line);
    if (!m) throw new Error(`ARCHITECTURE.md's layer picture: cannot read '${line}'`);
    const to = m[2].startsWith('nothing') ? [] : m[2] === 'engine only' ? ['engine']
      : ['engine', ...(m[2].match(/[^,{]+(?:\{[^}]*\})?/g) ?? []).map((w) => w.trim()).flatMap(expand).map(folderName)];
    for (const from of expand(m[1])) rows[from] = to;
  }
  return rows;
}

const sorted = (rows: Record<string, string[]>) => Object.fromEntries(Object.keys(rows).sort().map((k) => [k, [...rows[k]].sort()]));

describe('imports run one way (allow-list per folder)', () => {
  test('the checker catches an arrow back up, a missing row and an import out of the product', () => {
    expect(forbidden('hosts/linux-sandbox/sandbox/x.ts', "import { Store } from '../../node/store/store';")).toHaveLength(1);
    expect(forbidden('hosts/node/exec/x.ts', "import { runNode } from '../../linux-sandbox';")).toHaveLength(1);
    expect(forbidden('hosts/node/store/x.ts', "import type { X } from '../exec/y';")).toHaveLength(1);
    expect(forbidden('hosts/common/x.ts', "export * from '../node/store/store';")).toHaveLength(1);
    expect(forbidden('hosts/newhost/x.ts', "import { a } from './a';")).toEqual(['hosts/newhost/x.ts: its folder hosts/newhost has no row in the allow-list']);
    expect(forbidden('hosts/node/store/x.ts', "import { a } from '../../../test/support/a';")).toHaveLength(1);
    expect(forbidden('hosts/node/commands/x.ts', "import { runNode } from '../../linux-sandbox';")).toEqual([]);
    expect(forbidden('hosts/node/commands/x.ts', "import { runNode } from '../../linux-sandbox/sandbox/run-node';")).toHaveLength(1);
    expect(forbidden('hosts/node/exec/x.ts', "import type { Runner } from '../../common/runner';")).toHaveLength(1);
    expect(forbidden('hosts/node/exec/x.ts', "import type { Runner } from '../../common';\nimport { x } from './y';")).toEqual([]);
    expect(forbidden('hosts/node/gc/x.ts', "import { lock } from '../store/lock';")).toHaveLength(1);
    expect(forbidden('hosts/node/gc/x.ts', "import { lock } from '../store';")).toEqual([]);
    expect(forbidden('hosts/node/x.ts', "import { runBuild } from './commands/build';")).toEqual([]);
    expect(forbidden('hosts/browser/x.ts', "import { parseCoreMessage } from '../lsp/errors';")).toHaveLength(1);
    expect(forbidden('hosts/browser/x.ts', "import { parseCoreMessage } from '../lsp';")).toEqual([]);
  });

  test('the language server\'s index, which the browser imports, reaches no Node and no server module', () => {
    const seen = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(join(root, file), 'utf8');
      for (const s of importSpecifiers(src)) {
        expect(s.startsWith('node:') || s.startsWith('vscode-languageserver'), `${file} imports ${s}`).toBe(false);
        if (s.startsWith('.')) walk(resolveImport(file, s));
      }
    };
    walk('hosts/lsp/index.ts');
    expect([...seen].filter((f) => /\/(server|workspace|checker|main)\.ts$/.test(f))).toEqual([]);
    expect(seen.size).toBeGreaterThan(1);
  });

  test('every product source imports only what its folder allows', () => {
    const files = ['engine', 'wasm', 'hosts'].flatMap((d) => sourceFiles(d));
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((f) => forbidden(f, readFileSync(join(root, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  test("ARCHITECTURE.md's picture of the layers is the allow-list, row for row", () => {
    expect(pictureRows('```\n hosts/a/{b,c} ─► common, node/{x,y}  (a note)\n ── heading ──\n wasm ─► engine only\n```'.replace(/^/, "### The hosts' layers\n")))
      .toEqual({ 'hosts/a/b': ['engine', 'hosts/common', 'hosts/node/x', 'hosts/node/y'], 'hosts/a/c': ['engine', 'hosts/common', 'hosts/node/x', 'hosts/node/y'], wasm: ['engine'] });
    expect(sorted(pictureRows(readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8')))).toEqual(sorted(ALLOW));
  });

  test('every host folder has its row, and no row names a folder that is gone', () => {
    const hostDirs = readdirSync(join(root, 'hosts'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `hosts/${e.name}`);
    const nodeDirs = readdirSync(join(root, 'hosts/node'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `hosts/node/${e.name}`);
    for (const d of [...hostDirs, ...nodeDirs]) expect(ALLOW, d).toHaveProperty([d]);
    for (const d of [...Object.keys(ALLOW), ...Object.values(ALLOW).flat()]) expect(existsSync(join(root, d)), d).toBe(true);
  });

  test('eslint enforces the same where it can: no restricted import in hosts/', async () => {
    expect(await lintMessages(['hosts/'], (m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
    const probe = "import { Store } from '../../node/store/store';\nexport const x = Store;\n";
    expect(await lintRulesOf(probe, 'hosts/linux-sandbox/sandbox/probe-import.ts')).toContain('no-restricted-imports');
  }, 60_000);
});

describe('no import cycles', () => {
  test('the checker finds a cycle, also a type-only one, and passes a graph without', () => {
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual(['a -> b -> c -> a']);
    expect(importCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
    const typeOnly = importSpecifiers("import type { ExecStore } from './execute';").filter((s) => s.startsWith('.'));
    expect(typeOnly).toEqual(['./execute']);
  });

  test('no product source reaches itself through its imports (type-only imports count)', () => {
    const files = ['engine', 'wasm', 'hosts'].flatMap((d) => sourceFiles(d));
    const graph = new Map(files.map((f) => [f, importSpecifiers(readFileSync(join(root, f), 'utf8')).filter((s) => s.startsWith('.')).map((s) => resolveImport(f, s))]));
    expect(graph.get('hosts/node/exec/step-build.ts')?.length).toBeGreaterThan(0);
    expect(importCycles(graph)).toEqual([]);
  });
});
