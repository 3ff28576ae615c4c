/**
 * `push`: every path built by this run is uploaded as soon as it is committed, beside the
 * builds; the run waits for them at its end. A failed upload is one line (`failures`) and a
 * `pushed` event with its error; the build itself stays ok.
 *
 * Must not depend on: the CLI, the terminal (events go through `emit`), the caches' code.
 */
import type { PlanNode } from '../../../engine/api';
import type { ExecEvent } from './events';
import { oneLine } from './failure';
import type { Pusher } from './types';

export class Uploads {
  readonly failures: string[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly push: Pusher, private readonly emit: (e: ExecEvent) => void) {}

  add(n: PlanNode): void {
    this.pending.push(this.push(n).then((rs) => {
      for (const r of rs) {
        if (r.error) this.failures.push(`${n.out} to ${r.cache}: ${r.error}`);
        this.emit({ event: 'pushed', name: n.name, out: n.out, cache: r.cache, ...(r.error ? { error: r.error } : {}) });
      }
    }, (e) => {
      this.failures.push(`${n.out}: ${oneLine(e)}`);
      this.emit({ event: 'pushed', name: n.name, out: n.out, cache: '?', error: oneLine(e) });
    }));
  }

  /** Resolves when every upload started so far has ended. */
  async done(): Promise<void> {
    await Promise.all(this.pending);
  }
}
