/**
 * Runtime scopes of the evaluator: frames as nunjucks scopes them (a loop pushes one, a block
 * pushes an isolated one; an undefined value counts as absent; set resolves up to the frame that
 * has the name) and the render context (IxContext): variables and the block stacks of the chain.
 *
 * Must not depend on: plan, abi, host.
 */
import * as rt from '../rt/index';
import { Value, VDict } from '../rt/index';
import { BlockDef, Template } from './compile';


/** A runtime scope (nunjucks' Frame): an undefined value counts as absent. Storage is made on first set. */
export class Frame {
  names: Array<string> | null = null;
  vals: Array<Value> | null = null;
  parent: Frame | null;
  isolate: bool;
  topLevel: bool = false;
  constructor(parent: Frame | null, isolate: bool) { this.parent = parent; this.isolate = isolate; }

  /** As a new frame would be, keeping its storage (a pooled block frame: interp.ts takeFrame). */
  reset(parent: Frame | null, isolate: bool): void {
    this.parent = parent;
    this.isolate = isolate;
    this.topLevel = false;
    const ns = this.names;
    if (ns !== null) {
      ns.length = 0;
      this.vals!.length = 0;
    }
  }

  own(name: string): i32 {
    const ns = this.names;
    if (ns === null) return -1;
    for (let i = ns.length - 1; i >= 0; i--) if (unchecked(ns[i]) == name) return i;
    return -1;
  }
  lookup(name: string): Value | null {
    let f: Frame | null = this;
    while (f !== null) {
      const i = f.own(name);
      if (i >= 0) {
        const v = unchecked(f.vals![i]);
        if (v.k != rt.K_UNDEF) return v;
      }
      f = f.parent;
    }
    return null;
  }
  setHere(name: string, v: Value): void {
    const i = this.own(name);
    if (i >= 0) { this.vals![i] = v; return; }
    let ns = this.names;
    if (ns === null) { ns = new Array<string>(); this.names = ns; this.vals = new Array<Value>(); }
    ns.push(name);
    this.vals!.push(v);
  }
  /** frame.set(name, v, resolveUp). */
  set(name: string, v: Value, resolveUp: bool): void {
    if (resolveUp) {
      let f: Frame | null = this;
      let first = true;
      while (f !== null) {
        const i = f.own(name);
        if (i >= 0 && f.vals![i].k != rt.K_UNDEF) { f.vals![i] = v; return; }
        if (first && f.isolate) break;
        first = false;
        f = f.parent;
      }
    }
    this.setHere(name, v);
  }
  /** The `loop` object of this frame (created when absent or falsy). */
  loopDict(): VDict {
    const i = this.own('loop');
    if (i >= 0) {
      const v = this.vals![i];
      if (rt.truthy(v) && v.k == rt.K_DICT) return <VDict>v;
    }
    const d = new VDict();
    this.setHere('loop', d);
    return d;
  }
}

/**
 * The render context (IxContext): variables and the templates of the chain, most derived first.
 * A block's definitions are looked up along the chain when run, by the name's id (block-ids.ts):
 * one array read per template of the chain (a chain is a few templates; no per-render table).
 */
export class Ctx {
  vars: Map<string, Value> = new Map<string, Value>();
  chain: Array<Template> = new Array<Template>();
  addBlocks(t: Template): void {
    this.chain.push(t);
  }
  /** The most derived definition of the block whose name has id `id`, or null. */
  block(id: i32): BlockDef | null {
    const c = this.chain;
    for (let i = 0; i < c.length; i++) {
      const d = unchecked(c[i]).defs;
      if (id < d.length) {
        const b = unchecked(d[id]);
        if (b !== null) return b;
      }
    }
    return null;
  }
  /**
   * What super() `depth` levels up from `b` runs: among the definitions of b's name along the
   * chain (most derived first), the one `depth` places after `b`; null if `b` is not among them
   * or the list ends first (no list is made: super() runs once per block of every render).
   */
  superDef(b: BlockDef, depth: i32): BlockDef | null {
    const id = b.id;
    const c = this.chain;
    let left = -1;
    for (let i = 0; i < c.length; i++) {
      const defs = unchecked(c[i]).defs;
      if (id >= defs.length) continue;
      const d = unchecked(defs[id]);
      if (d === null) continue;
      if (left < 0) {
        if (d === b) {
          if (depth <= 0) return d;
          left = depth;
        }
        continue;
      }
      if (--left == 0) return d;
    }
    return null;
  }
}
