/**
 * Where realms live on disk (every format carries a version in its path or file; links are
 * relative, so an ix root can be moved or copied whole):
 *   <root>/realm/NAME                    symlink -> <root>/var/realm/v1/NAME/<N>: the active generation
 *   <root>/var/realm/v1/NAME/<N>         symlink -> <root>/store/<id>-realm: generation N's realm object
 *   <root>/var/realm/v1/NAME/<N>.json    generation N's record (format ix-realm-generation/1)
 *   <root>/var/lock/v1/realm-NAME.lock   serialises changes to realm NAME
 * As root <root> is /ix, so /ix/realm/NAME/bin/zstd resolves through these links into the store.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import path from 'node:path';
import type { Layout } from '../../common';
import { IxError } from '../../../engine/errors';

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/;

/** Throws a one-line IxError unless `name` is a usable realm name. */
export function checkRealmName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new IxError(`bad realm name '${name}' (letters, digits, '_', '.', '+', '-'; at most 64 characters; not starting with '.' or '-')`);
  }
  return name;
}

/** Realm paths of one ix root. */
export class RealmLayout {
  /** <root>/realm: one symlink per realm. */
  readonly links: string;
  /** <root>/var/realm/v1: one directory of generations per realm. */
  readonly generations: string;
  constructor(readonly store: Layout) {
    this.links = path.join(store.root, 'realm');
    this.generations = path.join(store.root, 'var', 'realm', 'v1');
  }
  /** The realm's public symlink, <root>/realm/NAME. */
  link(name: string): string {
    return path.join(this.links, checkRealmName(name));
  }
  gensDir(name: string): string {
    return path.join(this.generations, checkRealmName(name));
  }
  genLink(name: string, n: number): string {
    return path.join(this.gensDir(name), String(n));
  }
  genRecord(name: string, n: number): string {
    return path.join(this.gensDir(name), `${n}.json`);
  }
  lockFile(name: string): string {
    return path.join(this.store.locks, `realm-${checkRealmName(name)}.lock`);
  }
}
