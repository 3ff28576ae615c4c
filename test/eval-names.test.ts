// Store names and kinds (pkgs/README.md §1).
import { expect, test } from 'vitest';
import { defaultKind, storeName, uniqId } from '../engine/eval/names';

test('store names follow §1 canonicalisation', () => {
  expect(storeName('bin/gtk+/3', 'bin')).toBe('bin-gtk-plus-3');
  expect(storeName('lib/c++', 'lib')).toBe('lib-c-plus-plus');
  expect(storeName('bin/zstd', 'bin')).toBe('bin-zstd');
  expect(storeName('bld/boot/1/sh', 'bin')).toBe('bin-boot-1-sh');
  expect(storeName('lib/Foo_Bar..baz/', 'lib')).toBe('lib-foo-bar-baz');
  expect(storeName('lib/z', 'lib')).toBe('lib-z');
  expect(storeName('lib/z', 'bin')).toBe('bin-z');
  expect(storeName('set/x', 'set')).toBe('set-x');
});

test('default kind: first component, bld and etc mean bin', () => {
  expect(defaultKind('bin/x')).toBe('bin');
  expect(defaultKind('bld/x')).toBe('bin');
  expect(defaultKind('etc/x')).toBe('bin');
  expect(defaultKind('lib/x')).toBe('lib');
  expect(defaultKind('aux/x')).toBe('aux');
});

test('uniq_id is the store name with - replaced by _', () => {
  expect(uniqId('bin/gtk+/3', 'bin')).toBe('bin_gtk_plus_3');
});
