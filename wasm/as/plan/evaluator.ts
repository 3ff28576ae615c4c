/**
 * The planner's link to the template evaluator (tpl/): renders through tpl.renderText with the
 * sources shared by one call's renders, answers a template's intro(selector) from the planner,
 * and resolves targets through tpl's arch records.
 *
 * Must not depend on: abi/.
 */
import * as host from '../host';
import { IxErr } from '../errors';
import { VDict, Value, str } from '../rt/value';
import { archRecord, Intro, RenderInput, renderText, SourceCache } from '../tpl/index';
import { unknownTargetMessage } from '../tpl/targets';
import { setNumberCodecs } from '../hash/index';
import { jsNum } from '../rt/numfmt';
import { Flags } from './flags';
import { Graph } from './graph';
import { Renderer, RenderOut, Targets, setTargets } from './graph-hooks';
import { CURRENT } from './planner';

class PlanIntro extends Intro {
  flags: Flags;
  out: RenderOut;
  constructor(flags: Flags, out: RenderOut) {
    super();
    this.flags = flags;
    this.out = out;
  }
  call(selector: string): Value | null {
    this.out.introduced = true;
    const s = CURRENT;
    if (s === null) {
      this.err = new IxErr('intro() is only available while planning');
      return null;
    }
    // planning the selector renders other packages inside this render: name this one again after
    const outer = host.evaluatingNow();
    const uid = s.introUid(selector, this.flags);
    host.evaluating(outer);
    if (uid === null) {
      this.err = s.err;
      s.err = null;
      return null;
    }
    const d = new VDict();
    d.set('uid', str(uid));
    return d;
  }
}

/** Renders with the template evaluator. */
export class TplRenderer extends Renderer {
  sources: SourceCache = new SourceCache();
  render(g: Graph, name: string, flags: Flags, target: string): RenderOut {
    const out = new RenderOut();
    const input = new RenderInput();
    input.name = name;
    input.flags = flags.pairs();
    input.host = g.hostName;
    input.target = target;
    const s = CURRENT;
    input.boot = s !== null ? s.boot : null;
    input.intro = new PlanIntro(flags, out);
    input.sources = this.sources;
    const r = renderText(input);
    out.text = r.text;
    out.files = r.files;
    out.names = r.names;
    out.err = r.err;
    return out;
  }
  release(): void {
    this.sources = new SourceCache();
  }
}

/**
 * Targets through tpl's arch records, remembered by name: the graph resolves a target for every
 * instance lookup, and finding a record parses the name again each time.
 */
export class TplTargets extends Targets {
  /** Canonical names by name; '' for an unknown one. */
  private names: Map<string, string> = new Map<string, string>();
  private ids: Map<string, string> = new Map<string, string>();
  resolve(name: string): string | null {
    let c: string;
    if (this.names.has(name)) c = this.names.get(name);
    else {
      const r = archRecord(name);
      c = r === null ? '' : r.name;
      this.names.set(name, c);
    }
    if (c.length == 0) {
      this.err = new IxErr(unknownTargetMessage(name));
      return null;
    }
    return c;
  }
  idOf(canonical: string): string {
    if (this.ids.has(canonical)) return this.ids.get(canonical);
    const r = archRecord(canonical);
    const id = r === null ? '' : r.id;
    this.ids.set(canonical, id);
    return id;
  }
}

/**
 * Links the planner to the evaluator's targets and rt's exact number printing (idempotent).
 * Reading stays AssemblyScript's parseFloat: rt/strtod.ts decimalToDouble misreads some large
 * exponents (9.201442765180871e+38 as ...e+37), so it is not installed until that is fixed.
 */
export function setupCore(): void {
  setTargets(new TplTargets());
  setNumberCodecs(jsNum, null);
}
