/**
 * renderText: one package's chain rendered with its render context (engine/eval/index.ts).
 *
 * Must not depend on: plan, abi.
 */
import { IxErr } from '../errors';
import { RenderInput, Rendered } from './index';

export function render(input: RenderInput): Rendered {
  const r = new Rendered();
  r.err = new IxErr('renderText: not implemented yet');
  r.err!.internal = true;
  return r;
}
