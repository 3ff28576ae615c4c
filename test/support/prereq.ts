/**
 * Test prerequisites (Chromium, busybox, bwrap, a built core, root, ...): outside CI a missing
 * one skips its tests; under CI=true it fails the run with its name, so a green CI run cannot
 * hide a skipped sandbox suite. Use as `describe.skipIf(missing('busybox', haveBusybox()))`.
 */
import { spawnSync } from 'node:child_process';

/** True under CI (CI=true or CI=1), where nothing may be skipped for a missing prerequisite. */
export const strict = process.env.CI === 'true' || process.env.CI === '1';

/** Thrown (at collection time) for a missing prerequisite under CI. */
export class MissingPrerequisite extends Error {
  constructor(name: string) {
    super(`prerequisite missing under CI=true: ${name} (install it, see .ci/apt-packages, or run without CI=true to skip)`);
    this.name = 'MissingPrerequisite';
  }
}

/**
 * Whether to skip: false when `available`; else true outside CI, and a MissingPrerequisite
 * error under CI (the test file fails naming `name`).
 */
export function missing(name: string, available: boolean, strictMode = strict): boolean {
  if (available) return false;
  if (strictMode) throw new MissingPrerequisite(name);
  return true;
}

/** True when `cmd` is on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** True when running as root. */
export const isRoot = process.getuid?.() === 0;
