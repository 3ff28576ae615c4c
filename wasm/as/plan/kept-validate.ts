/**
 * What a kept graph's edit makes stale (validate) and what its roots reach (reach); kept.ts holds
 * the records, reuse.ts asks which roots may be reused (Kept.reusable).
 *
 * Why a kept root equals a fresh walk of it: a root's walk is a function of the request settings
 * (the key), the root's selector and the descriptors of the instances it reaches; each descriptor
 * is a function of its files and its instance's flags, and the flags of every reached instance
 * follow from the root's and the descriptors above it. So when no file read by any instance the
 * root reaches (through loads and intro()) changed, the walk would reach the same instances and
 * build the same nodes: the root's entry and the nodes of those instances are reused. An instance
 * is stale if one of its files changed, and so is every instance that reaches it. A failed root
 * is reused when none of the files its walk consulted changed (a missing recipe is kept as "-"),
 * none of the instances it looked up or needed is stale and, if its error suggested a name, the
 * package list has the kept digest: its walk would stop at the same place with the same error,
 * and the nodes it needed (with what they reach) are its part of the plan. A failed render is
 * kept with the paths it probed and found missing (host.ts notes them while it runs), so it is
 * walked again once one of them appears; a walk that met a recipe mount's fault is not kept (the
 * fault, not absence, made a path missing). Only the files of the roots a plan asks for are hashed: a host records what
 * a plan read (the LSP's users of a file, the plan memo's validation).
 * A fetch node's URLs are the union over every package that names it, so they are rebuilt from
 * the kept sources of the reused instances plus the walked ones, never copied merged.
 *
 * Early cutoff (in the manner of Shake and Bazel): an instance one of whose files changed is
 * rendered again before anything is marked (validate, through Recheck). When its normalised
 * descriptor has the kept digest and neither render read another package's id through intro(),
 * it is not stale, and its record takes the files the new render read (their digests are read
 * when the next graph is written). Why that is sound: an instance's loads are a function of its
 * descriptor and its flags (the flags are in its key), so the same descriptor loads the same
 * instances, the kept `uses`; its node is a function of its descriptor, its flags and its
 * dependencies' nodes (node.ts buildNode; the node memo's key hashes the raw text only to find
 * the node without parsing it); its own sources come from its descriptor. So if none of the
 * instances it uses is stale, its node, its sources and what it reaches are the kept ones, and
 * so is every root above it. A changed descriptor (or an intro() in either render, or a render
 * that fails) makes it and what reaches it stale, as a changed file did before. The kept node's
 * memo key stays the one of the old text: the node memo still holds it (else nothing is reused).
 *
 *
 * Must not depend on: abi/, host.ts (files are hashed only through FileHashes), the walk
 * (graph.ts) or the planner (the recheck comes through Recheck).
 */
import { FileHashes } from './cache';
import { Kept, KeptInst } from './kept';

/**
 * Renders a kept instance whose files changed again (the planner's side, reuse.ts): true when its
 * normalised descriptor has the kept digest and its render read no other package's id, after
 * setting its record's files to what the new render read (Kept.pathIndex). False otherwise.
 */
export abstract class Recheck {
  abstract same(k: Kept, x: KeptInst): bool;
  /**
   * Called by validate right after each recheck, where all it still uses is held by the Kept's
   * fields (validate's comment): a whole IX tree's re-plan after an edit of a template many
   * recipes extend renders ~19,000 instances again here, so the planner's side makes this a safe
   * point (gc.ts) when its caller holds the Kept from a global.
   */
  abstract pause(): void;
}

/**
 * Marks stale every instance in `scope` (closed under uses) that read a changed file or reaches
 * one that did. Only the files of `scope` are hashed: a host that records what a plan read (the
 * LSP's users of a file, the plan memo) must not see files of roots this plan does not ask for.
 */
export function validate(kept: Kept, files: FileHashes, roots: Array<i32>, recheck: Recheck | null = null): void {
  const scope = reach(kept, roots);
  kept.scopeOf = roots;
  kept.scope = scope;
  const n = kept.insts.length;
  const inScope = new Array<bool>(n);
  const wasCut = new Array<bool>(n);
  const want = new Array<bool>(kept.paths.length);
  const paths = new Array<string>();
  for (let k = 0; k < roots.length; k++) {
    const r = roots[k];
    if (kept.rootInst[r] >= 0) continue;
    const fs = kept.rootFiles[r];
    for (let j = 0; j < fs.length; j++) {
      if (want[fs[j]]) continue;
      want[fs[j]] = true;
      paths.push(kept.paths[fs[j]]);
    }
  }
  // a file list shared by instances (KeptInst.fi) is looked at once
  const listSeen = new Array<bool>(kept.fileLists.length);
  for (let k = 0; k < scope.length; k++) {
    const x = kept.insts[scope[k]];
    inScope[scope[k]] = true;
    if (x.fi >= 0) {
      if (listSeen[x.fi]) continue;
      listSeen[x.fi] = true;
    }
    for (let j = 0; j < x.files.length; j++) {
      const f = x.files[j];
      if (want[f]) continue;
      want[f] = true;
      paths.push(kept.paths[f]);
    }
  }
  files.prefetch(paths);
  const changed = new Array<bool>(kept.paths.length);
  for (let i = 0; i < kept.paths.length; i++) {
    if (!want[i]) continue;
    const d = files.get(kept.paths[i]);
    changed[i] = (d === null ? '-' : d!) != kept.digests[i];
  }
  kept.changed = changed;
  // outside the scope nothing is known: stale, so nothing there is reused
  const stale = new Array<bool>(n);
  const listState = new Array<i32>(kept.fileLists.length);
  const todo = new Array<i32>();
  // a recheck may be followed by a collection (Recheck.pause): from here on every object this
  // frame uses is held by a field (roots: scopeOf; the instances, x, through insts)
  kept.stale = stale;
  kept.checked = inScope;
  kept.wasCut = wasCut;
  kept.recheck = recheck;
  kept.listState = listState;
  kept.todo = todo;
  for (let i = 0; i < n; i++) {
    if (!inScope[i]) {
      stale[i] = true;
      continue;
    }
    const x = kept.insts[i];
    // per shared list: 0 not looked at yet, 1 unchanged, 2 a file of it changed
    let s: bool;
    const st = x.fi >= 0 ? listState[x.fi] : 0;
    if (st != 0) s = st == 2;
    else {
      s = false;
      for (let j = 0; j < x.files.length && !s; j++) if (changed[x.files[j]]) s = true;
      if (x.fi >= 0) listState[x.fi] = s ? 2 : 1;
    }
    // early cutoff: the same descriptor under the same flags reaches the same instances and
    // makes the same node, so nothing above it changes (the header's proof)
    if (s && recheck !== null && x.hasDesc()) {
      if (recheck.same(kept, x)) {
        s = false;
        kept.cut.push(i);
        wasCut[i] = true;
      }
      recheck.pause();
    }
    stale[i] = s;
    if (s) todo.push(i);
  }
  kept.recheck = null;
  kept.listState = [];
  kept.todo = [];
  // the reversed edges, only when something is stale (after a comment nothing is)
  const users = new Array<Array<i32>>(todo.length > 0 ? n : 0);
  if (todo.length > 0) {
    for (let i = 0; i < n; i++) users[i] = [];
    for (let i = 0; i < n; i++) {
      if (!inScope[i]) continue;
      const u = kept.insts[i].uses;
      for (let j = 0; j < u.length; j++) users[u[j]].push(i);
    }
  }
  while (todo.length > 0) {
    const us = users[todo.pop()];
    for (let j = 0; j < us.length; j++) {
      if (!stale[us[j]]) {
        stale[us[j]] = true;
        todo.push(us[j]);
      }
    }
  }
}

/**
 * Every instance the given roots reach, each once, in a first-visit order: from a failed root,
 * what it looked up and needed; with `nodesOnly`, only what it needed (its nodes in the plan).
 */
export function reach(kept: Kept, roots: Array<i32>, nodesOnly: bool = false): Array<i32> {
  const seen = new Array<bool>(kept.insts.length);
  const out = new Array<i32>();
  for (let i = 0; i < roots.length; i++) {
    const ri = kept.rootInst[roots[i]];
    if (ri >= 0) {
      if (seen[ri]) continue;
      seen[ri] = true;
      out.push(ri);
      continue;
    }
    for (let w = nodesOnly ? 1 : 0; w < 2; w++) {
      const l = w == 0 ? kept.rootUses[roots[i]] : kept.rootNeeded[roots[i]];
      for (let j = 0; j < l.length; j++) {
        if (seen[l[j]]) continue;
        seen[l[j]] = true;
        out.push(l[j]);
      }
    }
  }
  for (let k = 0; k < out.length; k++) {
    const u = kept.insts[out[k]].uses;
    for (let j = 0; j < u.length; j++) {
      if (!seen[u[j]]) {
        seen[u[j]] = true;
        out.push(u[j]);
      }
    }
  }
  return out;
}
