// hosts/linux-sandbox/run-node rebuilds its bundle when a source under a watched folder is newer
// than the bundle. A watched folder that is missing makes `find` fail quietly, and a source of
// the bundle outside every watched folder, or of a kind `find` does not look for (a plain .mjs
// beside the .ts files), leaves a stale bundle: all fail here.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const script = join(root, 'hosts/linux-sandbox/run-node');

/** The script's entry and watched folders, as repository paths, and the file names `find` looks for. */
export function watchList(text: string): { entry: string; watch: string[]; names: string[] } {
  const value = (name: string) => {
    const m = new RegExp(`^${name}="([^"]*)"$`, 'm').exec(text);
    if (!m) throw new Error(`run-node sets no ${name}=`);
    return m[1].replaceAll('$here', 'hosts/linux-sandbox').replaceAll('$top/', '').replaceAll('$top', '.');
  };
  const find = /find \$watch (.*)-newer/.exec(text);
  if (!find) throw new Error('run-node does not look for newer sources under $watch');
  const names = [...find[1].matchAll(/-name '([^']+)'/g)].map((m) => m[1]);
  return { entry: value('entry'), watch: value('watch').split(/\s+/).filter(Boolean), names };
}

/** Whether a file name matches a `find -name` pattern of the form '*.ext'. */
const named = (file: string, pattern: string) => (pattern.startsWith('*') ? file.endsWith(pattern.slice(1)) : file.split('/').pop() === pattern);

/** The files of the bundle that lie under no watched folder, or that no watched name matches. */
export function unwatched(inputs: string[], watch: string[], names = ['*.ts']): string[] {
  return inputs.filter((f) => !watch.some((w) => f === w || f.startsWith(`${w}/`)) || !names.some((n) => named(f, n)));
}

describe('run-node watches the folders its bundle is made of', () => {
  test('the checks can fail', () => {
    expect(() => watchList('entry="$top/a.ts"\nwatch="$here"\n')).toThrow(/does not look/);
    const w = watchList('entry="$top/hosts/a.ts"\nwatch="$here $top/engine"\nfind $watch -name \'*.ts\' -newer "$bundle"');
    expect(w).toEqual({ entry: 'hosts/a.ts', watch: ['hosts/linux-sandbox', 'engine'], names: ['*.ts'] });
    expect(unwatched(['hosts/node/store/store.ts', 'engine/errors.ts'], ['engine'])).toEqual(['hosts/node/store/store.ts']);
    expect(unwatched(['engine/a.mjs', 'engine/b.ts'], ['engine'], ['*.ts'])).toEqual(['engine/a.mjs']);
  });

  test('every watched folder exists, and the entry and every source of the bundle are watched, by folder and by name', async () => {
    const { entry, watch, names } = watchList(readFileSync(script, 'utf8'));
    for (const w of watch) expect(existsSync(join(root, w)) && statSync(join(root, w)).isDirectory(), `watched folder ${w}`).toBe(true);
    expect(existsSync(join(root, entry)), entry).toBe(true);
    const r = await build({
      entryPoints: [join(root, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      packages: 'external', write: false, metafile: true, logLevel: 'silent', absWorkingDir: root,
    });
    const inputs = Object.keys(r.metafile.inputs).map((f) => relative(root, join(root, f)));
    expect(inputs).toContain(entry);
    expect(inputs.length).toBeGreaterThan(5);
    expect(unwatched(inputs, watch, names)).toEqual([]);
  });
});
