/**
 * renderText: one package's chain rendered with its render context (engine/eval/index.ts
 * renderText): the root template `<name>/ix.sh`, its extends chain and includes, the
 * three-newline post-pass, the output bound; the files and context names the render read.
 *
 * Must not depend on: plan, abi.
 */
import { IxErr } from '../errors';
import * as rt from '../rt/index';
import { BootEnv, RenderInput, Rendered } from './index';
import { archRecordOf, unknownTargetMessage } from './targets';
import { SourceLoader } from './loader';
import { Ctx, Eval, Frame, ev, internal, renderRoot, setEval } from './interp';
import { renderContext } from './context';

const MAX_DEPTH: i32 = 64;
const MAX_OUTPUT: i32 = 8 * 1024 * 1024;
const MAX_LOOP: i32 = 1000000;

/**
 * Collapse every run of three newlines to two, repeatedly (IX's whole-file post-pass). A render's
 * text mostly comes collapsed already (renderRoot's `capNewlines`): then this only scans it.
 */
export function collapseNewlines(s: string): string {
  if (!rt.hasNewlineRun(changetype<usize>(s), s.length)) return s;
  return rt.copyCappingNewlines(changetype<usize>(s), s.length);
}

function sorted(set: Set<string>): Array<string> {
  const a = set.values();
  a.sort();
  return a;
}

export function render(input: RenderInput): Rendered {
  const r = new Rendered();
  const pkg = input.name;
  const rootPath = pkg + '/ix.sh';
  // a render may run inside another (intro() plans another package): the outer one's state is
  // set aside and put back, so it goes on with its own counters and evaluation
  const outerCounters = rt.saveEval();
  const outer = ev;
  rt.beginEval(pkg, MAX_OUTPUT, MAX_LOOP, MAX_DEPTH);
  const loader = new SourceLoader(MAX_DEPTH, MAX_OUTPUT, input.sources);
  const x = new Eval(pkg, loader);
  x.maxDepth = MAX_DEPTH;
  x.chain.push(rootPath);
  setEval(x);
  const text = renderChain(input, x, rootPath);
  setEval(outer);
  rt.restoreEval(outerCounters);
  r.files = sorted(loader.filesRead);
  // in lookup order: the planner keeps the flags among them, sorted (plan/reads.ts flagsBehind)
  r.names = x.names.values();
  if (text === null) {
    const e = x.err !== null ? x.err! : internal('render failed without an error');
    if (e.pkg === null) e.pkg = pkg;
    r.err = e;
    return r;
  }
  // the text comes capped when the base template's buffer is all of it (no text before an extends)
  const t = x.capped ? text : collapseNewlines(text);
  if (t.length > MAX_OUTPUT) {
    const e = new IxErr('evaluation of ' + pkg + ' exceeded ' + MAX_OUTPUT.toString() + ' bytes of output');
    e.pkg = pkg;
    r.err = e;
    return r;
  }
  r.text = t;
  return r;
}

function renderChain(input: RenderInput, x: Eval, rootPath: string): string | null {
  const ex = x.loader.exists(rootPath);
  if (ex.err !== null) { x.err = ex.err; return null; }
  if (ex.src === null) {
    x.err = new IxErr("unknown package '" + input.name + "': no " + rootPath + ' in any recipe root');
    return null;
  }
  const host = archRecordOf(input.host);
  if (host === null) { x.err = new IxErr(unknownTargetMessage(input.host)); return null; }
  const target = archRecordOf(input.target);
  if (target === null) { x.err = new IxErr(unknownTargetMessage(input.target)); return null; }
  const root = x.load(rootPath);
  if (root === null) return null;
  const ctx = new Ctx();
  const b = input.boot;
  renderContext(ctx.vars, input.name, input.flags, host, target, b !== null ? b : new BootEnv(), input.intro);
  ctx.addBlocks(root);
  const frame = new Frame(null, false);
  frame.topLevel = true;
  return renderRoot(root, ctx, frame);
}
