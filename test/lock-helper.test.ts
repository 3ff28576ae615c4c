// The lock helper: util-linux flock where it exists, perl elsewhere (macOS). Both take the same
// kernel flock, so they exclude each other; a held lock goes away with its holder's pipe.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flockTry, flockWait, lock, tryLock } from '../hosts/node/store/lock';
import { forceLockHelper, lockHelper } from '../hosts/node/store/lock-helper';

afterEach(() => forceLockHelper(undefined));
const using = (h: string) => forceLockHelper(h);

describe('lock helpers', () => {
  it('perl and util-linux flock take the same kernel lock, exclusive and shared', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ix-lock-')), 'x.lock');
    using('perl');
    expect(lockHelper()).toBe('perl');
    const p = await lock(file);
    using('flock');
    expect(await tryLock(file)).toBeUndefined();
    await p.release();
    const f = await tryLock(file);
    expect(f).toBeDefined();
    using('perl');
    expect(await tryLock(file)).toBeUndefined();
    await f!.release();
    // shared: two perl readers together, a writer of the other kind waits out both
    const gc = join(mkdtempSync(join(tmpdir(), 'ix-lock-')), 'gc.lock');
    const r1 = await flockWait(gc, 'shared');
    const r2 = await flockTry(gc, 'shared');
    expect(r2).toBeDefined();
    using('flock');
    expect(await flockTry(gc, 'exclusive')).toBeUndefined();
    await r1.release();
    await r2!.release();
    const w = await flockTry(gc, 'exclusive');
    expect(w).toBeDefined();
    await w!.release();
  });
});
