// engine/ must stay pure (bytes in, bytes out through HostIO): this walks every non-test engine
// source, checks its imports and banned globals, and runs eslint (whose engine rules say the same).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importSpecifiers, lintMessages, lintRulesOf, repoRoot as root, resolveImport, sourceFiles } from './support/imports';

const builtins = new Set(builtinModules);

/** Source without comments and string/template contents (so "Date" in a comment is fine). */
function code(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (m) =>
    m[0] === "'" || m[0] === '"' || m[0] === '`' ? m[0] + m[0] : '',
  );
}

/** Problems of one engine source file: forbidden imports and host-dependent globals. */
export function purityProblems(file: string, src: string): string[] {
  const problems: string[] = [];
  const specs = importSpecifiers(src);
  for (const s of specs) {
    if (s.startsWith('node:') || builtins.has(s) || builtins.has(s.split('/')[0])) problems.push(`${file}: imports Node built-in '${s}'`);
    if (s.startsWith('.')) {
      const target = resolveImport(file, s);
      if (!target.startsWith('engine/')) problems.push(`${file}: imports '${s}' outside engine/ (${target})`);
    }
  }
  const c = code(src);
  for (const [re, what] of [
    [/\bprocess\b/, 'process'], [/\bDate\b/, 'Date'], [/\bMath\s*\.\s*random\b/, 'Math.random'],
    [/\bperformance\b/, 'performance'], [/\bIntl\b/, 'Intl'], [/\bBuffer\b/, 'Buffer'],
  ] as const) {
    if (re.test(c)) problems.push(`${file}: uses ${what}`);
  }
  return problems;
}

describe('engine purity', () => {
  test('the checker catches what it must (so the real check below can fail)', () => {
    expect(purityProblems('engine/x.ts', "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(purityProblems('engine/x.ts', "import fs from 'fs';")).toHaveLength(1);
    expect(purityProblems('engine/plan/x.ts', "import { x } from '../../hosts/node/y';")).toHaveLength(1);
    expect(purityProblems('engine/plan/x.ts', "import { x } from '../../test/support/memfs';")).toHaveLength(1);
    expect(purityProblems('engine/x.ts', 'const t = Date.now();')).toEqual(['engine/x.ts: uses Date']);
    expect(purityProblems('engine/x.ts', 'const r = Math.random();')).toEqual(['engine/x.ts: uses Math.random']);
    expect(purityProblems('engine/x.ts', 'if (process.env.X) {}')).toEqual(['engine/x.ts: uses process']);
    expect(purityProblems('engine/x.ts', 'new Intl.NumberFormat();')).toEqual(['engine/x.ts: uses Intl']);
    expect(purityProblems('engine/x.ts', '// Date and process in a comment\nconst s = "performance";')).toEqual([]);
    expect(purityProblems('engine/plan/x.ts', "import { IxError } from '../errors';")).toEqual([]);
  });

  test('no engine source imports Node, hosts/, wasm/ or test/, or touches clock, randomness, locale, process', () => {
    const files = sourceFiles('engine', /\.ts$/);
    expect(files.length).toBeGreaterThan(5);
    const problems = files.flatMap((f) => purityProblems(f, readFileSync(join(root, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  test('eslint reports no errors in engine/, and its engine rules can fail', async () => {
    expect(await lintMessages(['engine/'], (m) => m.severity === 2)).toEqual([]);
    expect(await lintRulesOf("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'engine/plan/probe-import.ts')).toContain('no-restricted-imports');
  }, 60_000);
});
