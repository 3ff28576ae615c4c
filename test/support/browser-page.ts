/**
 * The script of the Chromium determinism page (bundled by test/chromium.test.ts with esbuild):
 * loads the transpiled core from /core/ (its backend from /manifest.json), the recipe tree from /tree.json, and exposes
 * `ixPlan(requests)` returning each plan's bytes as hex, or "error: <message>".
 * Two calls of ixPlan use two fresh component instances.
 *
 * Must not depend on: Node APIs, the engine's code, hosts/.
 */
import type { PlanRequest } from '../../engine/api';
import { hexBytes, instantiateCore, treeIO, type CoreGlue } from './browser-host';

async function ixPlan(requests: PlanRequest[], opts: { reverse?: boolean } = {}): Promise<string[]> {
  const glueUrl = '/core/core.js';
  const glue = (await import(/* @vite-ignore */ glueUrl)) as CoreGlue;
  const files = (await (await fetch('/tree.json')).json()) as Record<string, string>;
  const manifest = (await (await fetch('/manifest.json')).json()) as { backend: string };
  const core = await instantiateCore(
    glue,
    async (name) => WebAssembly.compile(await (await fetch(`/core/${name}`)).arrayBuffer()),
    treeIO(files, opts),
    manifest,
  );
  return requests.map((r) => {
    try {
      return hexBytes(core.plan(r));
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  });
}

(globalThis as { ixPlan?: typeof ixPlan }).ixPlan = ixPlan;
