/**
 * The output check of a fixed-output build node (engine/plan/fixed-files.ts): the tree under
 * `dir` must hold exactly the declared files — each a regular, non-executable file whose sha256
 * is the declared one — and the directories leading to them, nothing else. A breach is one
 * TreeViolation naming the file, the expected and the got; the store then commits nothing.
 *
 * Must not depend on: the engine's evaluator, the sandbox or executor modules.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FixedFile } from '../../../engine/api';
import { sha256File } from './fsutil';
import { TreeViolation } from './tree';

/** Throws TreeViolation unless `dir` is exactly `files`. */
export async function checkFixedFiles(dir: string, files: FixedFile[]): Promise<void> {
  const want = new Map(files.map((f) => [f.path, f.sha256]));
  // Directories that lead to a declared file; any other directory is undeclared content.
  const dirs = new Set<string>();
  for (const f of files) for (let d = path.posix.dirname(f.path); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  const seen = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    const entries = (await fs.readdir(rel ? path.join(dir, rel) : dir)).sort();
    for (const e of entries) {
      const r = rel ? `${rel}/${e}` : e;
      const st = await fs.lstat(path.join(dir, r));
      if (st.isDirectory() && dirs.has(r)) {
        await walk(r);
        continue;
      }
      const expected = want.get(r);
      if (expected === undefined) throw new TreeViolation(r, 'is not among the files the recipe declares (predict_outputs); a fixed-output build must produce exactly those, nothing was stored');
      if (!st.isFile()) throw new TreeViolation(r, 'must be a regular file (the recipe declares its sha256); nothing was stored');
      if (st.mode & 0o111) throw new TreeViolation(r, 'is executable, but a declared file must not be (its sha256 alone fixes it); nothing was stored');
      const got = (await sha256File(path.join(dir, r))).sha;
      if (got !== expected) throw new TreeViolation(r, `has sha256 ${got}, but the recipe declares ${expected}; nothing was stored`);
      seen.add(r);
    }
  };
  await walk('');
  for (const f of files) if (!seen.has(f.path)) throw new TreeViolation(f.path, `is missing (the recipe declares it with sha256 ${f.sha256}); nothing was stored`);
}
