/**
 * Where the ix checkout is, seen from this module: its wasm/out (the built core) and its pkgs/
 * (the default recipe root). Works both from the TypeScript source (hosts/node/) and from the
 * bundled CLI (wasm/out/cli.js). These paths never reach the core: only logical recipe paths do.
 *
 * Must not depend on: the engine, the current directory.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The checkout's root directory (hosts/node/ and wasm/out/ are both two levels down). */
export const checkoutRoot = resolve(here, '..', '..');

/** The directory wasm/build.mjs writes (the built core and manifest). */
export const coreOutDir = join(checkoutRoot, 'wasm', 'out');

/** The default recipe root: pkgs/ of the checkout. */
export const defaultRecipes = join(checkoutRoot, 'pkgs');
