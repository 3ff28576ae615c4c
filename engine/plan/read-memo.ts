/**
 * One snapshot of the recipe tree per plan() call: a HostIO whose readFile memoises every answer
 * for the duration of the call, so a template shared by every package (die/std.sh) is read once,
 * not once per package. Everything else passes through.
 *
 * Must not depend on: Node, host modules, the clock, randomness, locale.
 */
import type { HostIO } from '../api';

/** `io` with its readFile answers kept for the life of the returned HostIO. */
export function memoisedReads(io: HostIO): HostIO {
  const reads = new Map<string, Uint8Array | undefined>();
  return {
    ...io,
    readFile: (p) => {
      if (reads.has(p)) return reads.get(p);
      const b = io.readFile(p);
      reads.set(p, b);
      return b;
    },
  };
}
