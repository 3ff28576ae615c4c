// The format corpus (test/format/pkgs): our own IX-format recipe tree exercising every feature
// of pkgs/README.md §2-3, rendered and compared with golden files (UPDATE_GOLDEN=1 regenerates).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderPackage } from '../engine/eval/index';
import { IxError } from '../engine/errors';
import { archRecord } from '../engine/targets';
import { expectGolden } from './support/golden';
import { memIO } from './support/memfs';

const root = join(__dirname, 'format', 'pkgs');

function tree(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) tree(p, out);
    else out[relative(root, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

const files = tree(root);
const io = () => memIO(files);
const x86 = archRecord('linux-x86_64');

function show(name: string, flags: Record<string, string>, target = 'linux-x86_64'): string {
  const r = renderPackage(io(), { name, flags: { ...flags, target }, host: x86, target: archRecord(target) });
  return `# render ${name} ${JSON.stringify(flags)} host=linux-x86_64 target=${target}\n--- text\n${r.text}\n--- descriptor\n${JSON.stringify(r.descriptor, null, 1)}\n--- files\n${r.files.join('\n')}\n`;
}

describe('format corpus', () => {
  test('bin/hello: 3-level extends (//, relative, ../), textual include with blocks, super, self, set capture, for, if, /base64', () => {
    expectGolden('format/golden/bin-hello.txt', show('bin/hello', { kind: 'bin' }));
  });
  test('bin/hello with a flag changing an if branch', () => {
    const a = renderPackage(io(), { name: 'bin/hello', flags: { kind: 'bin' }, host: x86, target: x86 });
    const b = renderPackage(io(), { name: 'bin/hello', flags: { kind: 'bin', with_nls: '1' }, host: x86, target: x86 });
    expect(a.descriptor.bld.script.data).toContain('--disable-nls');
    expect(b.descriptor.bld.script.data).toContain('--enable-nls');
  });
  test('bin/filters: every filter and ix.* method', () => {
    expectGolden('format/golden/bin-filters.txt', show('bin/filters', { kind: 'bin' }));
  });
  test('lib/cross: context variables for a cross target, flags merged last', () => {
    expectGolden('format/golden/lib-cross-aarch64.txt', show('lib/cross', { kind: 'lib', opt: 'v', bin: 'flag-wins' }, 'linux-aarch64'));
    expectGolden('format/golden/lib-cross-darwin.txt', show('lib/cross', { kind: 'lib' }, 'arm64'));
  });
  test('bld/boot/seed: tool and boot', () => {
    expectGolden('format/golden/bld-boot-seed.txt', show('bld/boot/seed', { kind: 'bin' }));
  });

  const errors = Object.keys(files).filter((f) => f.startsWith('err/') && f.split('/').length === 3 && f.endsWith('/ix.sh'))
    .map((f) => f.slice(0, -'/ix.sh'.length)).sort();
  test('error messages: one line, file:line, package', () => {
    const lines: string[] = [];
    for (const name of errors) {
      let msg = 'NO ERROR';
      try {
        renderPackage(io(), { name, flags: { kind: 'bin' }, host: x86, target: archRecord('darwin-x86_64') }, { maxLoop: 1_000_000, maxOutput: 1 << 20 });
      } catch (e) {
        expect(e).toBeInstanceOf(IxError);
        msg = (e as IxError).message;
        expect(msg).not.toContain('\n');
        expect(msg).not.toMatch(/unknown path|at .*\.js|Line \d+, Column/);
        expect((e as IxError).site.pkg).toBe(name);
      }
      lines.push(`${name}: ${msg}`);
    }
    expect(errors.length).toBeGreaterThanOrEqual(15);
    expectGolden('format/golden/errors.txt', lines.join('\n'));
  });
});
