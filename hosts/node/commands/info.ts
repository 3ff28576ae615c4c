/**
 * `ix --version` (ix's version and the hash of the built WASM core) and `ix help`.
 *
 * Must not depend on: the engine, the core's instance (the manifest is enough).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context';
import { readManifest } from '../core';
import { checkoutRoot, coreOutDir } from '../paths';
import { PENDING, VERB_OPTIONS, describeOptions, isVerb } from '../options';

export function runVersion(ctx: Context): number {
  const version = (JSON.parse(readFileSync(join(checkoutRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const m = readManifest(ctx.env.IX_CORE_DIR ?? coreOutDir);
  ctx.stdout(`ix ${version}\ncore ${m.backend} blake3:${m.coreWasmBlake3} (${m.coreWasmBytes} bytes)\n`);
  return 0;
}

export const HELP = `usage: ix <verb> [arguments]

verbs:
  plan PKG...            print each package's store path (--json: the whole plan; --expand: the
                         plan with closures and scripts inlined; --keep-going: each package
                         plans or fails alone, one error line per failure, exit 2 if any failed)
  build PKG...           build what the packages need (top-down); prints the store paths (--dry-run:
                         the plan view, and exactly what would be downloaded or built; --check: rebuild and compare,
                         --keep-going, --jobs=N, --timeout=S)
  copy --to=URL PKG|PATH...  upload runtime closures to a binary cache (--secret-key=FILE;
                         --build-closure: everything the packages' builds use)
  copy --from=URL PATH...    import store paths from a binary cache, verified, without building
  run PROG [ARGS...]     build the package providing PROG and run it
  log PKG|PATH           the build log of a package (also of a failed build)
  store verify           check every store path against its recorded hash
  graph PKG...           dependency graph (--format=dot|json)
  why-depends A B        shortest dependency path from A to B
  render PKG             the descriptor text the package's templates render (--normalised: the
                         descriptor as the planner reads it, canonical JSON)
  lsp                    language server for editors on stdio (--recipes DIR, --target=T)
  mut [NAME] [+]PKG -PKG switch realm NAME (default: $USER) to a new generation (--rollback, --to=N)
  let [NAME] PKG...      build a realm without switching to it
  list [NAME]            realms, a realm's packages (--generations)
  diff NAME N M          closure difference between two generations
  purge NAME             remove a realm
  image [NAME]           the bootable image of a realm: kernel (--kernel=SEL, default sys/linux)
                         and an initramfs of the realm's closure; prints its store path
  boot [NAME]            build the image and boot it in QEMU, console on the terminal
                         (--command=CMD, --memory=SIZE, --append=ARGS, --init-timeout=S,
                         --accel=auto|kvm|tcg); exits
                         with the guest's status
  gc                     delete unreachable store paths (--dry-run, --keep-generations=N)
  root add|remove|list   explicit gc roots
  why-alive PATH         which root keeps a store path alive
  key generate NAME      a signing key for binary caches: NAME.secret, NAME.public (--dir=D)
  help, --version

arguments:
  PKG                    a package (bin/zstd), optionally with parameters: lib/z(kind=lib)
  --k=v, --k, --k=-      set, set to 1, remove a flag; it applies to the last package named,
                         or to all packages when given before any
  --target=T --host=T    platforms (<os>-<arch>), default linux-x86_64
  --recipes DIR          add a recipe root above pkgs/ (repeatable, the first wins)
  --boot=FILE            the build host as IX bootstrap recipes see it, a JSON object with
                         path, tools, extract, files, ix_dir (default: fixed values, never
                         detected; engine/eval/boot-env.ts); not for realms (mut, let)
  --json                 machine-readable output
  --substituters=URL,... binary caches to download from (build, mut, let, run), instead of the
                         config's; --no-substitute: none; --push-to=URL,... upload what is built,
                         signed with --secret-key=FILE (config: ~/.config/ix/config.json)

exit codes: 0 ok, 1 a build failed or a negative answer, 2 bad input, 3 an environment problem
(store not writable, disk full, a missing tool, no user namespaces), 70 a bug in ix
`;

/** Each verb's options, from the one table (hosts/node/options.ts). */
export function optionsHelp(): string {
  const verbs = Object.keys(VERB_OPTIONS).filter((v) => isVerb(v.split(' ')[0]) && VERB_OPTIONS[v].length && !PENDING.has(v));
  const width = Math.max(...verbs.map((v) => v.length)) + 2;
  return `\noptions of each verb (any other --k=v is a package flag):\n${verbs.map((v) => `  ${v.padEnd(width)}${describeOptions(v)}\n`).join('')}`;
}

export function runHelp(ctx: Context): number {
  ctx.stdout(HELP + optionsHelp());
  return 0;
}
