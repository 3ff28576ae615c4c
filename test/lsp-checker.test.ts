// The language server's checker against a planning thread whose answers the test releases one at
// a time (a fake Planner and core, a real Workspace over a temporary tree): edits that land while
// a plan runs, and while their debounced change has not reached the checker yet, must never leave
// an old error published beside a new one.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { Core } from '../hosts/node/core';
import { Checker } from '../hosts/lsp/checker';
import type { CoreMessage } from '../hosts/lsp/errors';
import { Family } from '../hosts/lsp/family';
import type { Planner, PlanResult } from '../hosts/lsp/planner';
import { Workspace } from '../hosts/lsp/workspace';
import { writeTree } from './support/cli';

const Q = 'lib/q/ix.sh';
const USERS = ['bin/u', 'bin/v', 'bin/w'];
const OTHER = 'die/other.sh';

/** A planning thread whose plans read their recipe and lib/q's, and fail with lib/q's text when it says BAD. */
class HeldPlanner {
  readonly waiting: { selector: string; answer: PlanResult; resolve: (r: PlanResult) => void }[] = [];
  constructor(private readonly ws: Workspace) {}
  plan(selector: string): Promise<PlanResult> {
    const reads = new Set([`${selector}/ix.sh`, Q]);
    const q = this.ws.text(Q) ?? '';
    const answer: PlanResult = { reads, ms: 1 };
    if (q.includes('BAD')) answer.error = { detail: q.trim(), file: Q, line: 1, chain: [selector], suggestions: [] } satisfies CoreMessage;
    return new Promise((resolve) => this.waiting.push({ selector, answer, resolve }));
  }
  cancelBackground(): undefined {
    return undefined;
  }
  /** Answers the oldest plan asked for, and lets the checker take it. */
  async release(): Promise<string | undefined> {
    const w = this.waiting.shift();
    if (!w) return undefined;
    w.resolve(w.answer);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    return w.selector;
  }
  async drain(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    while (await this.release());
  }
}

test('a plan of content edited while it ran is dropped and planned again; none starts before the edit is known', async () => {
  const tree = writeTree({
    [Q]: 'fine\n',
    [OTHER]: 'unread\n',
    ...Object.fromEntries(USERS.map((u) => [`${u}/ix.sh`, 'uses lib/q\n'])),
  });
  const ws = new Workspace([tree], (b) => new Uint8Array(createHash('sha256').update(b).digest()));
  const planner = new HeldPlanner(ws);
  const core = { listPackages: () => ['lib/q', ...USERS], render: () => '{}' } as unknown as Core;
  const checker = new Checker(core, ws, planner as unknown as Planner, new Family(ws), () => undefined);
  const shown = () => new Set(checker.failing().map((p) => checker.errorOf(p)!.detail));
  const edit = (text: string) => ws.setOverlay(join(tree, Q), text);

  checker.checkAll();
  await planner.drain();
  expect(checker.failing()).toEqual([]);

  edit('BAD one');
  checker.changed([Q]);
  await planner.drain();
  expect(checker.failing().sort()).toEqual([...USERS, 'lib/q']);
  expect(shown()).toEqual(new Set(['BAD one']));

  edit('BAD two');
  checker.changed([Q]);
  // the first user is checked against "two"; the second's plan is still running when "three" is typed
  const first = await planner.release();
  const second = planner.waiting.map((w) => w.selector);
  expect(second).toHaveLength(1);
  expect(checker.errorOf(first!)?.detail).toBe('BAD two');
  edit('BAD three'); // its debounced change() has not come yet
  expect(await planner.release()).toBe(second[0]);
  // the second read lib/q as "two", which is gone: not recorded; nothing is planned on "three" yet
  expect(planner.waiting).toEqual([]);
  expect(checker.errorOf(second[0])?.detail).not.toBe('BAD two');
  expect(shown()).toEqual(new Set(['BAD two']));
  expect(checker.dropped).toBe(1);

  checker.changed([Q]);
  await planner.drain();
  expect(checker.failing().sort()).toEqual([...USERS, 'lib/q']);
  expect(shown()).toEqual(new Set(['BAD three']));

  // an edit of a file the plan in flight did not read keeps its result
  edit('BAD four');
  checker.changed([Q]);
  await planner.release();
  expect(planner.waiting).toHaveLength(1);
  ws.setOverlay(join(tree, OTHER), 'changed\n');
  checker.changed([OTHER]);
  await planner.drain();
  expect(shown()).toEqual(new Set(['BAD four']));
  expect(checker.failing().sort()).toEqual([...USERS, 'lib/q']);
  expect(checker.dropped).toBe(1);
});
