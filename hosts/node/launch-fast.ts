/**
 * The CommonJS first stage of the CLI (wasm/out/cli-fast.cjs, required by the `ix` launcher,
 * hosts/node/ix.cjs): answers `ix --version` and `ix help` (exactly these forms) without Node's
 * ES-module loader, which alone costs ~1.25x `node -e 0` on Node 20 (BENCHMARKS.md, interactive
 * speed). Everything else returns undefined and the launcher imports the ESM CLI (launch.ts).
 *
 * Must not depend on: the engine, the WASM core, main.ts (only the manifest and the help text).
 */
import { writeSync } from 'node:fs';
import { parseArgs } from './args';
import { runHelp, runVersion } from './commands/info';
import type { Context } from './context';

/** The exit code of a fast answer, or undefined when the ESM CLI must run. Throws nothing. */
export function answer(argv: string[]): number | undefined {
  const [verb, ...rest] = argv;
  if (rest.length) return undefined;
  const isVersion = verb === '--version' || verb === 'version';
  const isHelp = verb === 'help' || verb === '--help' || verb === '-h';
  if (!isVersion && !isHelp) return undefined;
  const out: string[] = [];
  try {
    const ctx: Context = {
      env: process.env,
      cwd: process.cwd(),
      stdout: (d) => void out.push(typeof d === 'string' ? d : Buffer.from(d.buffer, d.byteOffset, d.length).toString('utf8')),
      stderr: () => undefined,
      args: parseArgs([], isVersion ? 'version' : 'help'),
    };
    const code = isVersion ? runVersion(ctx) : runHelp(ctx);
    const data = Buffer.from(out.join(''), 'utf8');
    for (let off = 0; off < data.length;) {
      try {
        off += writeSync(1, data, off, data.length - off);
      } catch (e) {
        const c = (e as NodeJS.ErrnoException).code;
        if (c === 'EPIPE') break;
        if (c !== 'EAGAIN') throw e;
      }
    }
    return code;
  } catch {
    return undefined; // the ESM CLI reports it
  }
}
