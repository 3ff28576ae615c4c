/**
 * A build that failed because the disk holding the ix root filled up: the machine's trouble, not
 * the node's, so it is an EnvironmentError (exit 3) for a local build, and a builder tells its
 * client so (remote/serve.ts), which then builds elsewhere. A failed write says so in the build's
 * output; the file system is looked at right then, since the node's half-written output is
 * removed when the build ends and the disk would look fine afterwards.
 *
 * Must not depend on: the executor's scheduling, the CLI, the sandbox.
 */
import { statfsSync } from 'node:fs';
import { EnvironmentError } from '../../common';

const NO_SPACE = /no space left on device/i;

/** Less than 1 MiB left for this user on the file system of `dir`. */
export function diskFull(dir: string): boolean {
  try {
    const f = statfsSync(dir);
    return f.bavail * f.bsize < 1 << 20;
  } catch {
    return false;
  }
}

/** A node's build failed and the disk under `root` was full when it said it could not write. */
export class DiskFullError extends EnvironmentError {
  constructor(readonly root: string, readonly node: string, readonly reason: string) {
    super(`no space left on the device holding ${root}: ${node} failed (${reason.split('\n')[0]}): free space (ix gc) or set IX_ROOT elsewhere`);
    this.name = 'DiskFullError';
  }
}

/** Watches a build's output for a failed write, and then whether the disk under `root` is full. */
export function diskWatch(root: string): { watch(chunk: Uint8Array): void; readonly full: boolean } {
  let full = false;
  return {
    watch(chunk) {
      if (!full && NO_SPACE.test(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1'))) full = diskFull(root);
    },
    get full() {
      return full;
    },
  };
}
