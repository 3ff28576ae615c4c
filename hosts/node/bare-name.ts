/**
 * What a bare word on the command line (`ix build zstd`) may mean, asked of the recipe roots:
 * the packages whose last path component it is (bin/zstd), and whether a package of that very
 * name sits outside a kind folder (zstd/ix.sh, which `zstd(kind=bin)` names). Only on the
 * error path: a walk of the roots' folders, as the engine's own "did you mean" makes.
 *
 * Must not depend on: the engine, the core, the store.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../common';
import { BareNameError, bareNameText, type BareNameHint } from './args';
import { defaultRecipes } from './paths';

/** Packages under `root` whose last path component is `name` (outside die/, as the engine lists them). */
function packagesNamed(root: string, name: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || (rel === '' && e.name === 'die')) continue;
      const sub = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === name && rel !== '' && existsSync(join(root, sub, 'ix.sh'))) out.push(sub);
      walk(sub);
    }
  };
  walk('');
  return out;
}

export function bareNameHint(cwd: string, recipes: readonly string[], name: string): BareNameHint {
  const roots = [...recipes.map((d) => resolve(cwd, d)), defaultRecipes];
  if (!name || name === '.' || name === '..') return { packages: [], kindless: false };
  const kindless = roots.some((r) => existsSync(join(r, name, 'ix.sh')));
  const packages = [...new Set(roots.flatMap((r) => packagesNamed(r, name)))].sort();
  return { packages, kindless };
}

/** A BareNameError with what the roots hold for its name; any other error as it is. */
export function withBareNameHint(e: unknown, cwd: string): unknown {
  if (!(e instanceof BareNameError)) return e;
  return new UsageError(bareNameText(e.word, e.pkg, bareNameHint(cwd, e.recipes, e.pkg)));
}
