/**
 * The template evaluator's entry: renders one package's template chain (`<name>/ix.sh`, its
 * extends chain and includes) with its render context to the exact text engine/eval/index.ts
 * renderText returns (after the three-newline post-pass), or the same error (file, line,
 * detail). Also records what the render read: logical files and context names/flags.
 *
 * Must not depend on: plan/, abi/ (they depend on this); only rt, errors, host.
 */
import { IxErr } from '../errors';
import { Value } from '../rt/value';
import { SourceCache } from './loader';
import { ArchRecord, archRecordOf } from './targets';
import { render } from './render';

export { ArchRecord } from './targets';
export { SourceCache } from './loader';

/** The build host as bootstrap recipes see it (engine/eval/boot-env.ts FullBootEnv). */
export class BootEnv {
  path: string = '/ix/realm/boot/bin:/bin:/usr/bin:/usr/local/bin';
  /** ix_boot_tool(name): names and absolute paths, sorted by name (k0, v0, k1, v1, ...). */
  tools: Array<string> = [
    'ar', '/usr/bin/ar', 'as', '/usr/bin/as', 'cpp', '/usr/bin/cpp', 'g++', '/usr/bin/g++',
    'gcc', '/usr/bin/gcc', 'ld', '/usr/bin/ld', 'nm', '/usr/bin/nm', 'ranlib', '/usr/bin/ranlib',
  ];
  extract: string = '/bin/bsdtar --no-same-permissions --no-same-owner -x -f';
  /** isfile(path): sorted, deduplicated. */
  files: Array<string> = new Array<string>();
  ix_dir: string = '/ix';
}

/** IX's `intro(selector)`: another package as the planner sees it. */
export abstract class Intro {
  err: IxErr | null = null;
  /** The package record, or null with `err` set. */
  abstract call(selector: string): Value | null;
}

export class RenderInput {
  /** Package name, "bin/zstd" (no /ix.sh). */
  name: string = '';
  /** Flags k0, v0, k1, v1, ... sorted by key; contains kind and target. */
  flags: Array<string> = new Array<string>();
  /** Canonical target names of the build host and the target. */
  host: string = 'linux-x86_64';
  target: string = 'linux-x86_64';
  boot: BootEnv | null = null;
  intro: Intro | null = null;
  /** Expanded sources shared by the renders of one plan. */
  sources: SourceCache | null = null;
}

export class Rendered {
  text: string = '';
  /** Logical paths read, sorted, deduplicated. */
  files: Array<string> = new Array<string>();
  /** Context names and flags the render looked up, deduplicated, in the order first looked up (not sorted). */
  names: Array<string> = new Array<string>();
  err: IxErr | null = null;
}

/** Render `input.name`'s chain to text (engine/eval/index.ts renderText). */
export function renderText(input: RenderInput): Rendered {
  return render(input);
}

/** The record of a target name or alias (engine/targets.ts), null when it is not one. */
export function archRecord(name: string): ArchRecord | null {
  return archRecordOf(name);
}
