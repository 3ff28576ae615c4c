/**
 * Debian's snapshot archive as a mirror for pinned .debs (apt:NAME=VERSION/ARCH): the lookup is
 * hosts/common/snapshot.mjs's, shared with setup. The caller (index.ts) verifies the downloaded
 * bytes against the sha256 the recipe pins, so the index only says where to look.
 * Bases come from $IX_DEBIAN_SNAPSHOT (space-separated; "none" for no snapshot mirror), default
 * https://snapshot.debian.org; a file:// base reads a snapshot-shaped tree on disk (tests,
 * offline mirrors).
 *
 * Must not depend on: the engine's evaluator, the store, the sandbox or executor.
 */
import { DEFAULT_SNAPSHOT } from '../../common';

/** Snapshot bases from $IX_DEBIAN_SNAPSHOT ("none": no snapshot mirror). */
export function snapshotBases(env: Record<string, string | undefined>): string[] {
  const v = env.IX_DEBIAN_SNAPSHOT;
  if (v === undefined) return [DEFAULT_SNAPSHOT];
  if (v.trim() === 'none') return [];
  return v.split(/\s+/).filter(Boolean).map((b) => b.replace(/\/+$/, ''));
}
