// hosts/linux-sandbox/run-node rebuilds its bundle when a source under a watched folder is newer
// than the bundle. A watched folder that is missing makes `find` fail quietly, and a source of
// the bundle outside every watched folder leaves a stale bundle: both fail here.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const script = join(root, 'hosts/linux-sandbox/run-node');

/** The script's entry and watched folders, as repository paths. */
export function watchList(text: string): { entry: string; watch: string[] } {
  const value = (name: string) => {
    const m = new RegExp(`^${name}="([^"]*)"$`, 'm').exec(text);
    if (!m) throw new Error(`run-node sets no ${name}=`);
    return m[1].replaceAll('$here', 'hosts/linux-sandbox').replaceAll('$top/', '').replaceAll('$top', '.');
  };
  if (!/find \$watch /.test(text)) throw new Error('run-node does not look for newer sources under $watch');
  return { entry: value('entry'), watch: value('watch').split(/\s+/).filter(Boolean) };
}

/** The files of the bundle that lie under no watched folder. */
export function unwatched(inputs: string[], watch: string[]): string[] {
  return inputs.filter((f) => !watch.some((w) => f === w || f.startsWith(`${w}/`)));
}

describe('run-node watches the folders its bundle is made of', () => {
  test('the checks can fail', () => {
    expect(() => watchList('entry="$top/a.ts"\nwatch="$here"\n')).toThrow(/does not look/);
    expect(watchList('entry="$top/hosts/a.ts"\nwatch="$here $top/engine"\nfind $watch -name x').watch).toEqual(['hosts/linux-sandbox', 'engine']);
    expect(unwatched(['hosts/node/store/store.ts', 'engine/errors.ts'], ['engine'])).toEqual(['hosts/node/store/store.ts']);
  });

  test('every watched folder exists, and the entry and every source of the bundle are watched', async () => {
    const { entry, watch } = watchList(readFileSync(script, 'utf8'));
    for (const w of watch) expect(existsSync(join(root, w)) && statSync(join(root, w)).isDirectory(), `watched folder ${w}`).toBe(true);
    expect(existsSync(join(root, entry)), entry).toBe(true);
    const r = await build({
      entryPoints: [join(root, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      packages: 'external', write: false, metafile: true, logLevel: 'silent', absWorkingDir: root,
    });
    const inputs = Object.keys(r.metafile.inputs).map((f) => relative(root, join(root, f)));
    expect(inputs).toContain(entry);
    expect(inputs.length).toBeGreaterThan(5);
    expect(unwatched(inputs, watch)).toEqual([]);
  });
});
