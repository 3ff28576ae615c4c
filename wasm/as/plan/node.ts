/**
 * Build nodes (engine/plan/node.ts; fetch nodes are node-fetch.ts, the fields' checks node-check.ts,
 * the environment node-env.ts):
 * checks in the oracle's order, ids by the placeholder scheme (BLAKE3 over the canonical JSON of
 * {format, node} with the node's own id written as PLACEHOLDER, hashed in place in the builder),
 * then the node's canonical JSON with the id substituted. Canonical JSON is written directly,
 * keys in code-unit order. Nodes list direct references only (ix-plan/4) and name their script
 * by its hex BLAKE3; the planner writes the scripts table.
 *
 * Must not depend on: abi/.
 */
import { IxErr } from '../errors';
import { StrBuilder, writeStr, writeStrBody, storeIdOfBuilder, digestBuilder, toHex, hexOfText } from '../hash/index';
import { Descriptor } from './descriptor';
import { Flags } from './flags';
import { Instance, PNode } from './instance';
import { ByteBuilder } from '../hash/bytes';
import { err, isHexN, fixedFiles } from './node-check';
import { Env, envName, envOrder, nodeEnv, writeRev, V_HLIBS_REV, V_OUT, V_PATH, V_SRC, V_STR, V_TLIBS_REV, V_TOOLS_REV } from './node-env';

/** Stands for the node's own id while hashing; 32 chars, never a valid id. */
export const PLACEHOLDER = 'ixselfidplaceholder0000000000000';

const sb = new StrBuilder(1 << 16);
/** The UTF-8 of the node built last (see buildNode). */
const nodeBytes = new ByteBuilder(1 << 16);

function cmp(a: string, b: string): i32 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a build node is made of. */
export class NodeParts {
  inst!: Instance;
  tools: Array<PNode> = [];
  data: Array<PNode> = [];
  targetLibs: Array<PNode> = [];
  hostLibs: Array<PNode> = [];
  /** Direct references (out paths, any order, possibly repeated). */
  deps: Array<string> = [];
  libs: Array<string> = [];
  runDeps: Array<string> = [];
  libDeps: Array<string> = [];
  sources: Array<PNode> = [];

  /** Empties every list for the next node (the node task reuses one NodeParts: none is kept). */
  clear(): void {
    this.tools.length = 0;
    this.data.length = 0;
    this.targetLibs.length = 0;
    this.hostLibs.length = 0;
    this.deps.length = 0;
    this.libs.length = 0;
    this.runDeps.length = 0;
    this.libDeps.length = 0;
    this.sources.length = 0;
  }
}

/** Object.prototype's names: POOLS[x] of the oracle is no string for them. */
function protoName(s: string): bool {
  return s == 'constructor' || s == 'toString' || s == 'toLocaleString' || s == 'valueOf' || s == 'hasOwnProperty' ||
    s == 'isPrototypeOf' || s == 'propertyIsEnumerable' || s == '__defineGetter__' || s == '__defineSetter__' ||
    s == '__lookupGetter__' || s == '__lookupSetter__';
}

const LANES: u64 = 0x0001000100010001;
const HIGH: u64 = 0x8000800080008000;

/**
 * Whether `s` holds PLACEHOLDER (as indexOf >= 0, comparing only where its first character,
 * 'i', is; four code units are tested for an 'i' at once: a script is scanned once per render).
 */
function hasPlaceholder(s: string): bool {
  const p = changetype<usize>(s);
  const ph = changetype<usize>(PLACEHOLDER);
  const first = load<u16>(ph);
  const n = s.length;
  let i = 0;
  while (i + 32 <= n) {
    // a lane of `x` is zero where an 'i' is (the "has a zero lane" test; exact for lanes
    // below 0x8000, and a lane at or above it is checked one by one below)
    const x = load<u64>(p + (<usize>i << 1)) ^ (LANES * <u64>first);
    if ((((x - LANES) & ~x) & HIGH) == 0 && (x & HIGH) == 0) {
      i += 4;
      continue;
    }
    for (let j = 0; j < 4 && i + 32 <= n; j++, i++) {
      if (load<u16>(p + (<usize>i << 1)) == first && memory.compare(p + (<usize>i << 1), ph, 64) == 0) return true;
    }
  }
  return false;
}

/**
 * Where the draft (writeNode with no id) wrote what may hold PLACEHOLDER: [from, to) pairs of
 * argv items, env values (but build nodes' outs: node-env.ts V_OUT), flag values and the out
 * path, in order; the node is the draft with
 * just these filled (see finalFromDraft).
 */
const subRanges = new Array<i32>();

/** Appends JSON of `s` with every PLACEHOLDER replaced by `id` (same length: patched in place). */
function writeSub(b: StrBuilder, s: string, id: string | null): void {
  const from = b.len;
  writeStr(b, s);
  if (id !== null) fillId(b, from, id);
  else {
    subRanges.push(from);
    subRanges.push(b.len);
  }
}

/** Replaces each PLACEHOLDER written since `from` by `id`. */
function fillId(b: StrBuilder, from: i32, id: string): void {
  fillIdIn(b, from, b.len, id);
}

/** Replaces each PLACEHOLDER within [from, to) of `b` by `id`. */
function fillIdIn(b: StrBuilder, from: i32, to: i32, id: string): void {
  // PLACEHOLDER holds no backslash and starts with 'i', which no escape sequence holds after its
  // backslash, so it occurs in the JSON just written exactly where it occurs in s: one pass over
  // the JSON, comparing only where its first four characters are
  const n = to;
  const p = b.ptr;
  const ph = changetype<usize>(PLACEHOLDER);
  // its first four units at once: the out paths an env value joins each hold "ix/" ('i' alone
  // matched there)
  const first = load<u64>(ph);
  const idp = changetype<usize>(id);
  let i = from;
  while (i + 32 <= n) {
    if (load<u64>(p + (<usize>i << 1)) == first && memory.compare(p + (<usize>i << 1), ph, 64) == 0) {
      memory.copy(p + (<usize>i << 1), idp, 64);
      i += 32;
    } else i++;
  }
}

/** The env value of `tmp` before the id is known. */
const TMP_DRAFT = '/ix/build/' + PLACEHOLDER;

/** Env value `i` as a JSON string (its placeholders filled with `id` unless null). */
function writeEnvVal(b: StrBuilder, env: Env, i: i32, p: NodeParts, id: string | null): void {
  const code = unchecked(env.codes[i]);
  if (code == V_STR) {
    writeSub(b, unchecked(env.vals[i]), id);
    return;
  }
  if (code == V_OUT) {
    writeStr(b, unchecked(env.vals[i]));
    return;
  }
  const from = b.len;
  b.ch(34);
  if (code == V_TOOLS_REV) writeRev(b, p.tools);
  else if (code == V_TLIBS_REV) writeRev(b, p.targetLibs);
  else if (code == V_HLIBS_REV) writeRev(b, p.hostLibs);
  else if (code == V_PATH) {
    const l = p.tools;
    for (let j = 0; j < l.length; j++) {
      if (j > 0) b.ch(58);
      writeStrBody(b, unchecked(l[j]).out);
      b.str('/bin');
    }
  } else {
    const l = p.sources;
    for (let j = 0; j < l.length; j++) {
      if (j > 0) b.ch(32);
      writeStrBody(b, unchecked(l[j]).out);
    }
  }
  b.ch(34);
  // the outs of build nodes hold no PLACEHOLDER (nodeOut replaced each, and no separator or
  // "/bin" makes one), so only the sources' outs are filled
  if (code != V_SRC) return;
  if (id !== null) fillId(b, from, id);
  else {
    subRanges.push(from);
    subRanges.push(b.len);
  }
}

/** Writes the node fields (without `id`, or with it) as canonical JSON; `id` null means the draft. */
function writeList(b: StrBuilder, key: string, l: Array<string>): void {
  b.str(key);
  for (let i = 0; i < l.length; i++) {
    if (i > 0) b.ch(44);
    writeStr(b, l[i]);
  }
  b.ch(93);
}

/** Where writeNode last wrote the script's JSON string and where a node's `"id"` goes (after flags). */
let draftScriptAt: i32 = 0;
let draftIdAt: i32 = 0;

function writeNode(b: StrBuilder, inst: Instance, argv: Array<string>, script: string, env: Env, parts: NodeParts, order: Array<i32>,
  refs: Refs, pool: string, net: bool, seed: bool, fixed: string | null, files: Array<string> | null, id: string | null, out: string): void {
  b.str('{"cmd":{"argv":[');
  for (let i = 0; i < argv.length; i++) {
    if (i > 0) b.ch(44);
    writeSub(b, argv[i], id);
  }
  b.str('],"env":{');
  const ek = env.keys;
  for (let i = 0; i < order.length; i++) {
    if (i > 0) b.ch(44);
    writeStr(b, ek[order[i]]);
    b.ch(58);
    writeEnvVal(b, env, order[i], parts, id);
  }
  b.str('},"script":');
  draftScriptAt = b.len;
  writeStr(b, script);
  b.ch(125);
  writeList(b, ',"deps":[', refs.deps);
  if (fixed !== null) {
    b.str(',"fixed":');
    writeStr(b, fixed);
  }
  if (files !== null) {
    b.str(',"fixedFiles":[');
    for (let i = 0; i < files.length; i += 2) {
      if (i > 0) b.ch(44);
      b.str('{"path":');
      writeStr(b, files[i]);
      b.str(',"sha256":');
      writeStr(b, files[i + 1]);
      b.ch(125);
    }
    b.ch(93);
  }
  b.str(',"flags":{');
  const f = inst.flags;
  for (let i = 0; i < f.size; i++) {
    if (i > 0) b.ch(44);
    writeStr(b, f.keyAt(i));
    b.ch(58);
    writeSub(b, f.valAt(i), id);
  }
  b.ch(125);
  draftIdAt = b.len;
  if (id !== null) {
    b.str(',"id":');
    writeStr(b, id);
  }
  writeList(b, ',"libDeps":[', refs.libDeps);
  writeList(b, ',"libs":[', refs.libs);
  b.str(',"name":');
  writeStr(b, inst.name);
  b.str(net ? ',"net":true,"out":' : ',"net":false,"out":');
  writeSub(b, out, id);
  if (pool == '\0proto') b.str(',"pool":{}');
  else if (pool != '\0none') {
    b.str(',"pool":');
    writeStr(b, pool);
  }
  writeList(b, ',"runDeps":[', refs.runDeps);
  if (seed) b.str(',"seed":true');
  b.str(',"storeName":');
  writeStr(b, inst.storeName);
  b.ch(125);
}

/** The empty list of references (shared, never changed). */
const NO_REFS = new Array<string>();

/** A node's direct references, each sorted and unique (read only: an empty one is NO_REFS). */
class Refs {
  deps: Array<string> = NO_REFS;
  libs: Array<string> = NO_REFS;
  runDeps: Array<string> = NO_REFS;
  libDeps: Array<string> = NO_REFS;

  /** deps, libs, runDeps, libDeps in one array of its own (PNode.refs). */
  all(): Array<string> {
    const a = this.deps;
    const b = this.libs;
    const c = this.runDeps;
    const d = this.libDeps;
    const out = new Array<string>(a.length + b.length + c.length + d.length);
    let o = 0;
    for (let i = 0; i < a.length; i++) unchecked((out[o++] = a[i]));
    for (let i = 0; i < b.length; i++) unchecked((out[o++] = b[i]));
    for (let i = 0; i < c.length; i++) unchecked((out[o++] = c[i]));
    for (let i = 0; i < d.length; i++) unchecked((out[o++] = d[i]));
    return out;
  }
}

/** `c`, an array of the caller's own, sorted with its repeats dropped in place (NO_REFS if empty). */
function uniqSortedOwn(c: Array<string>): Array<string> {
  const n = c.length;
  if (n == 0) return NO_REFS;
  if (n == 1) return c;
  c.sort(cmp);
  let m = 1;
  for (let i = 1; i < n; i++) {
    const x = unchecked(c[i]);
    if (x != unchecked(c[m - 1])) unchecked((c[m++] = x));
  }
  c.length = m;
  return c;
}

/** The one Refs (refsOf fills it; what is kept is its all()). */
const theRefs = new Refs();

/**
 * A node's direct references, each list sorted and unique (sources count as deps), in the
 * parts' own lists: their order is lost (the node memo's key, which reads it, is made first),
 * and `deps` gets the sources' outs. Valid until the next refsOf.
 */
function refsOf(p: NodeParts): Refs {
  const refs = theRefs;
  const deps = p.deps;
  for (let i = 0; i < p.sources.length; i++) deps.push(p.sources[i].out);
  refs.deps = uniqSortedOwn(deps);
  refs.libs = uniqSortedOwn(p.libs);
  refs.runDeps = uniqSortedOwn(p.runDeps);
  refs.libDeps = uniqSortedOwn(p.libDeps);
  return refs;
}

/**
 * Every out path the node of `p` references directly: deps, libs, runDeps, libDeps (PNode.refs).
 * Sorts the parts' reference lists in place (refsOf): call it after the node memo's key.
 */
export function nodeRefs(p: NodeParts): Array<string> {
  return refsOf(p).all();
}

/** The out path of a node with id `id` (its draft's out with the placeholder replaced). */
export function nodeOut(storeName: string, id: string): string {
  // PLACEHOLDER holds no '-': no occurrence spans the '-', so only the store name's own are left
  if (!hasPlaceholder(storeName)) {
    // written once (three concatenations made two strings of garbage)
    const b = outSb;
    b.clear();
    b.str('/ix/store/');
    b.str(id);
    b.ch(45);
    b.str(storeName);
    return b.toString();
  }
  return (OUT_DRAFT_HEAD + storeName).replaceAll(PLACEHOLDER, id);
}

/** A draft's out up to its store name (buildNode), and nodeOut's builder. */
const OUT_DRAFT_HEAD = '/ix/store/' + PLACEHOLDER + '-';
const outSb = new StrBuilder(256);

const DRAFT_HEAD = '{"format":"ix-node/2","node":';
/** The node's JSON made from the draft in `sb`. */
const nodeSb = new StrBuilder(1 << 16);

/**
 * Into nodeSb: the node of the draft in `sb` (DRAFT_HEAD, the fields but id, '}'), as writeNode
 * with the id writes it: the draft's fields with `"id"` after flags, PLACEHOLDER filled in
 * subRanges only, and the script's hex (as long as the draft's) in place of the draft's.
 */
function finalFromDraft(id: string, script: string): void {
  const head = DRAFT_HEAD.length;
  const end = sb.len - 1;
  const at = draftIdAt;
  const o = nodeSb;
  o.clear();
  o.reserve(end - head + 64);
  memory.copy(o.ptr, sb.ptr + (<usize>head << 1), <usize>(at - head) << 1);
  o.len = at - head;
  o.str(',"id":');
  writeStr(o, id);
  const shift = o.len - at;
  o.reserve(end - at);
  memory.copy(o.ptr + (<usize>o.len << 1), sb.ptr + (<usize>at << 1), <usize>(end - at) << 1);
  o.len += end - at;
  // the script's hex: after its opening quote
  memory.copy(o.ptr + (<usize>(draftScriptAt - head + 1) << 1), changetype<usize>(script), <usize>script.length << 1);
  const r = subRanges;
  for (let i = 0; i < r.length; i += 2) {
    const from = unchecked(r[i]);
    const d = from < at ? -head : shift;
    fillIdIn(o, from + d, unchecked(r[i + 1]) + d, id);
  }
}

/** Each node's out under its environment name. */
function setOuts(env: Env, l: Array<PNode>): void {
  for (let i = 0; i < l.length; i++) {
    const r = unchecked(l[i]);
    env.set(envName(r), r.out, V_OUT);
  }
}

/**
 * The node of a buildable instance, or null with `errOut[0]` set (node.ts buildNode). Its `utf8`
 * is a view of a buffer the next call overwrites: the caller copies it (the planner packs it into
 * an array of its own) before building another node; a whole tree's unpacked nodes were ~170 MB
 * of garbage. Sorts the parts' reference lists in place (refsOf).
 */
export function buildNode(p: NodeParts, errOut: Array<IxErr>): PNode | null {
  const inst = p.inst;
  const d: Descriptor = inst.desc;
  const pkg = inst.name;
  const kind = d.scriptKind;
  if (kind !== null && kind != 'sh') {
    errOut.push(err("script kind '" + kind + "' is not supported (only \"sh\")", pkg));
    return null;
  }
  let files: Array<string> | null = null;
  const po = d.predict;
  if (po !== null && po.length > 0) {
    files = fixedFiles(po, pkg, errOut);
    if (files === null) return null;
  }
  if (d.net && files === null) {
    errOut.push(err('asks for network access but is not fixed-output (only fetch sources and builds that declare their output files with predict_outputs may use the network)', pkg));
    return null;
  }
  const net = d.net;
  let pool: string;
  if (net) pool = 'net';
  else {
    const tp = d.taskPool;
    if (tp == '' || tp == 'slot' || tp == 'cpu') pool = 'cpu';
    else if (tp == 'full') pool = 'full';
    else if (protoName(tp)) pool = '\0none';
    else if (tp == '__proto__') pool = '\0proto';
    else {
      errOut.push(err("unknown task_pool '" + tp + "' (expected slot, cpu or full)", pkg));
      return null;
    }
  }
  const seed = d.seed == 1;
  if (files !== null && (seed || d.fixed !== null)) {
    errOut.push(err('a build that declares its output files (predict_outputs) cannot also be a seed or pin "fixed"', pkg));
    return null;
  }
  if (seed && !inst.name.startsWith('bld/boot/')) {
    errOut.push(err('"seed": true is only allowed for bld/boot/* packages', pkg));
    return null;
  }
  const fixed = d.fixed;
  if (fixed !== null) {
    if (!seed) {
      errOut.push(err('"fixed" (a pinned output hash) is only allowed on seeds ("seed": true)', pkg));
      return null;
    }
    if (!(fixed.startsWith('blake3:') && isHexN(fixed.substring(7), 64, false))) {
      errOut.push(err("\"fixed\" must be blake3:<64 hex digits>, got '" + fixed + "'", pkg));
      return null;
    }
  }
  const args = d.scriptArgs;
  const argv: Array<string> = args !== null && args.length > 0 ? args : ['sh', '-s'];

  const env = nodeEnv;
  env.clear();
  setOuts(env, p.tools);
  setOuts(env, p.data);
  setOuts(env, p.targetLibs);
  setOuts(env, p.hostLibs);
  env.set('MIX_B_DIR', '', V_TOOLS_REV);
  env.set('MIX_T_DIR', '', V_TLIBS_REV);
  env.set('MIX_H_DIR', '', V_HLIBS_REV);
  env.set('PATH', '', V_PATH);
  if (p.sources.length > 0) env.set('src', '', V_SRC);
  const out = OUT_DRAFT_HEAD + inst.storeName;
  env.set('out', out);
  env.set('tmp', TMP_DRAFT);
  env.set('uid', PLACEHOLDER);
  const order = envOrder;
  env.sorted(order);
  const refs = refsOf(p);
  const stdin = d.scriptData !== null ? d.scriptData! : '';
  if (d.scriptHex == '') d.scriptHex = hexOfText(stdin);
  const draftScript = d.scriptHex;
  if (d.scriptSelfId < 0) d.scriptSelfId = hasPlaceholder(stdin) ? 1 : 0;

  let id: string;
  sb.clear();
  if (fixed !== null) {
    sb.str('{"fixed":');
    writeStr(sb, fixed);
    sb.str(',"format":"ix-fixed/1","storeName":');
    writeStr(sb, inst.storeName);
    sb.ch(125);
    id = storeIdOfBuilder(sb, 0);
  } else if (files !== null) {
    sb.str('{"files":[');
    for (let i = 0; i < files.length; i += 2) {
      if (i > 0) sb.ch(44);
      sb.str('{"path":');
      writeStr(sb, files[i]);
      sb.str(',"sha256":');
      writeStr(sb, files[i + 1]);
      sb.ch(125);
    }
    sb.str('],"format":"ix-fixed-files/1","storeName":');
    writeStr(sb, inst.storeName);
    sb.ch(125);
    id = storeIdOfBuilder(sb, 0);
  } else {
    sb.str(DRAFT_HEAD);
    subRanges.length = 0;
    writeNode(sb, inst, argv, draftScript, env, p, order, refs, pool, net, seed, null, null, null, out);
    sb.ch(125);
    id = storeIdOfBuilder(sb, 0);
  }
  const text = d.scriptSelfId == 1 ? stdin.replaceAll(PLACEHOLDER, id) : stdin;
  const script = text == stdin ? draftScript : hexOfText(text);
  let nb = sb;
  if (fixed === null && files === null && script.length == draftScript.length) {
    finalFromDraft(id, script);
    nb = nodeSb;
  } else {
    sb.clear();
    writeNode(sb, inst, argv, script, env, p, order, refs, pool, net, seed, fixed, files, id, out);
  }
  const n = new PNode();
  n.id = id;
  n.out = nodeOut(inst.storeName, id);
  n.storeName = inst.storeName;
  nodeBytes.len = 0;
  nodeBytes.text(nb);
  n.utf8 = nodeBytes.bytes();
  n.refs = refs.all();
  n.script = script;
  n.scriptText = text;
  return n;
}

/** A hub's uid for intro(): hex BLAKE3 of the canonical JSON of its members' outs, 32 chars. */
export function hubUid(members: Array<string>): string {
  sb.clear();
  sb.ch(91);
  for (let i = 0; i < members.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, members[i]);
  }
  sb.ch(93);
  return toHex(digestBuilder(sb, 0)).substring(0, 32);
}
