/**
 * A strict scanner over a plan's bytes (ix-plan/4 JSON, as the core writes them) that keeps only
 * what the plan memo's head and the plan summary need: host, target, roots, and per node its id,
 * name, output path, fixed-output pin and four lists of direct references. Everything else (build
 * environments, argv, flags, the script table: nearly all of a whole IX tree's ~200 MB) is stepped
 * over, never decoded, so a whole-tree plan answer does not build its object graph.
 *
 * Each value it keeps is JSON.parse of that value's bytes (a string of printable ASCII without
 * escapes: its bytes, which is what JSON.parse gives), so it is exactly what JSON.parse of
 * the whole plan gives (a repeated key: the last one, as JSON.parse). The structure (brackets,
 * commas, colons, literals, numbers, string ends) is checked everywhere; the contents of strings
 * it steps over are not decoded (a control character or bad escape there goes unnoticed: a full
 * parse of the plan, which every reader of more than the summary does, still rejects it).
 * Anything else malformed, or a kept field missing or of the wrong type, gives undefined: the
 * caller then parses the plan. A plan under PARSE_BELOW bytes is parsed whole and the same fields
 * kept, with the same checks (a bad string there is refused too).
 *
 * Must not depend on: the filesystem, the environment, the engine's code (types only).
 */
import type { Plan, WireNode } from '../../engine/api';

/** What the scanner keeps of a node: the wire fields the summary and the memo head read. */
export type ScanNode = Pick<WireNode, 'id' | 'name' | 'out' | 'fixed' | 'deps' | 'libs' | 'runDeps' | 'libDeps'>;

/** What the scanner keeps of a plan. */
export interface PlanScan {
  host: string;
  target: string;
  roots: Plan['roots'];
  nodes: ScanNode[];
}

class Malformed extends Error {}
const bad = (): never => {
  throw new Malformed('malformed plan');
};

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
const STRING_FIELDS = new Set(['id', 'name', 'out', 'fixed']);
const LIST_FIELDS = new Set(['deps', 'libs', 'runDeps', 'libDeps']);

class Scanner {
  i = 0;
  private readonly text: Buffer;
  constructor(private readonly b: Uint8Array) {
    this.text = Buffer.from(b.buffer, b.byteOffset, b.length);
  }

  ws(): void {
    const b = this.b;
    let i = this.i;
    for (let c = b[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = b[++i]);
    this.i = i;
  }

  /** Consumes `c` after optional whitespace. */
  take(c: number): void {
    this.ws();
    if (this.b[this.i] !== c) bad();
    this.i++;
  }

  /** After whitespace: true and consumed when the next byte is `close`, else false. */
  closes(close: number): boolean {
    this.ws();
    if (this.b[this.i] !== close) return false;
    this.i++;
    return true;
  }

  /** Between members: a comma (true: another member follows) or `close` (false). */
  next(close: number): boolean {
    this.ws();
    const c = this.b[this.i++];
    if (c === COMMA) return true;
    if (c === close) return false;
    return bad();
  }

  /** Steps over the string starting at the current byte (a quote). */
  skipString(): void {
    const b = this.b;
    if (b[this.i] !== QUOTE) bad();
    let from = this.i + 1;
    for (;;) {
      const q = b.indexOf(QUOTE, from);
      if (q < 0) bad();
      let k = q - 1;
      while (b[k] === BACKSLASH) k--;
      if ((q - 1 - k) % 2 === 0) {
        this.i = q + 1;
        return;
      }
      from = q + 1;
    }
  }

  skipValue(): void {
    this.ws();
    const b = this.b;
    const c = b[this.i];
    if (c === QUOTE) return this.skipString();
    if (c === LBRACE) {
      this.i++;
      if (this.closes(RBRACE)) return;
      do {
        this.ws();
        this.skipString();
        this.take(COLON);
        this.skipValue();
      } while (this.next(RBRACE));
      return;
    }
    if (c === LBRACKET) {
      this.i++;
      if (this.closes(RBRACKET)) return;
      do this.skipValue();
      while (this.next(RBRACKET));
      return;
    }
    for (const lit of ['true', 'false', 'null']) {
      if (c === lit.charCodeAt(0)) {
        for (let k = 0; k < lit.length; k++) if (b[this.i + k] !== lit.charCodeAt(k)) bad();
        this.i += lit.length;
        return;
      }
    }
    this.skipNumber();
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  skipNumber(): void {
    const b = this.b;
    const digits = (): number => {
      const s = this.i;
      while (b[this.i] >= 0x30 && b[this.i] <= 0x39) this.i++;
      return this.i - s;
    };
    if (b[this.i] === 0x2d) this.i++;
    if (b[this.i] === 0x30) this.i++;
    else if (!digits()) bad();
    if (b[this.i] === 0x2e) {
      this.i++;
      if (!digits()) bad();
    }
    if (b[this.i] === 0x65 || b[this.i] === 0x45) {
      this.i++;
      if (b[this.i] === 0x2b || b[this.i] === 0x2d) this.i++;
      if (!digits()) bad();
    }
  }

  /** The next value, as JSON.parse gives it (strictly checked by JSON.parse itself). */
  value(): unknown {
    this.ws();
    const s = this.i;
    this.skipValue();
    return JSON.parse(this.text.toString('utf8', s, this.i));
  }

  /**
   * The string from byte `s` (its opening quote) to the current byte (after its closing quote),
   * as JSON.parse gives it: printable ASCII without escapes is its bytes (most keys and paths).
   */
  private stringAt(s: number): string {
    const b = this.b;
    for (let k = s + 1; k < this.i - 1; k++) {
      const c = b[k];
      if (c < 0x20 || c >= 0x7f || c === BACKSLASH) return JSON.parse(this.text.toString('utf8', s, this.i)) as string;
    }
    return this.text.toString('latin1', s + 1, this.i - 1);
  }

  /** The next value, as JSON.parse gives it; a string through stringAt. */
  valueOrString(): unknown {
    this.ws();
    if (this.b[this.i] !== QUOTE) return this.value();
    const s = this.i;
    this.skipString();
    return this.stringAt(s);
  }

  /** An object's key (the current byte is its opening quote), then its colon. */
  key(): string {
    this.ws();
    const s = this.i;
    this.skipString();
    const k = this.stringAt(s);
    this.take(COLON);
    return k;
  }

  /** Calls `member` for each key of the object at the current byte; `member` consumes the value. */
  object(member: (key: string) => void): void {
    this.take(LBRACE);
    if (this.closes(RBRACE)) return;
    do member(this.key());
    while (this.next(RBRACE));
  }
}

/** An array of strings (a loop: this runs once per list of every node, mostly unoptimised). */
function isStringList(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

function scanNode(sc: Scanner): ScanNode {
  const node: Partial<Record<string, unknown>> = {};
  sc.object((k) => {
    if (STRING_FIELDS.has(k)) node[k] = sc.valueOrString();
    else if (LIST_FIELDS.has(k)) node[k] = sc.value();
    else sc.skipValue();
  });
  for (const k of STRING_FIELDS) if (typeof node[k] !== 'string' && !(k === 'fixed' && node[k] === undefined)) bad();
  for (const k of LIST_FIELDS) if (!isStringList(node[k])) bad();
  const n = node as unknown as ScanNode;
  const out: ScanNode = { id: n.id, name: n.name, out: n.out, deps: n.deps, libs: n.libs, runDeps: n.runDeps, libDeps: n.libDeps };
  if (n.fixed !== undefined) out.fixed = n.fixed;
  return out;
}

/**
 * Plans under this size are parsed whole instead: V8's native JSON.parse beats the scanner's
 * code, which a CLI run executes once and mostly unoptimised, on small plans (a 4 MB bin/zstd
 * plan: ~30 ms against ~110 ms), and their objects are few; on a 28 MB set/pg plan the scanner
 * was already as fast, with half the memory.
 */
export const PARSE_BELOW = 8 << 20;

/** The kept fields of a parsed plan, checked as the scanner checks them (undefined: not a plan). */
function keptOf(p: unknown): PlanScan | undefined {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return undefined;
  const { format, host, target, roots, nodes } = p as Partial<Record<string, unknown>>;
  if (format !== 'ix-plan/4' || typeof host !== 'string' || typeof target !== 'string' || !Array.isArray(roots) || !Array.isArray(nodes)) return undefined;
  const kept: ScanNode[] = [];
  for (const n of nodes as unknown[]) {
    if (n === null || typeof n !== 'object' || Array.isArray(n)) return undefined;
    const node = n as Partial<Record<string, unknown>>;
    for (const k of STRING_FIELDS) if (typeof node[k] !== 'string' && !(k === 'fixed' && node[k] === undefined)) return undefined;
    for (const k of LIST_FIELDS) if (!isStringList(node[k])) return undefined;
    const w = n as ScanNode;
    const out: ScanNode = { id: w.id, name: w.name, out: w.out, deps: w.deps, libs: w.libs, runDeps: w.runDeps, libDeps: w.libDeps };
    if (w.fixed !== undefined) out.fixed = w.fixed;
    kept.push(out);
  }
  return { host, target, roots: roots as Plan['roots'], nodes: kept };
}

/**
 * What `bytes` (an ix-plan/4 plan) holds for the summary and the memo head, or undefined (see the
 * header); plans under `parseBelow` bytes are parsed whole (PARSE_BELOW; tests pass another).
 */
export function scanPlan(bytes: Uint8Array, parseBelow = PARSE_BELOW): PlanScan | undefined {
  if (bytes.length < parseBelow) {
    try {
      return keptOf(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')));
    } catch {
      return undefined;
    }
  }
  try {
    const sc = new Scanner(bytes);
    const top: Partial<Record<string, unknown>> = {};
    let nodes: ScanNode[] | undefined;
    sc.object((k) => {
      if (k === 'nodes') {
        const list: ScanNode[] = [];
        sc.take(LBRACKET);
        if (!sc.closes(RBRACKET)) {
          do list.push(scanNode(sc));
          while (sc.next(RBRACKET));
        }
        nodes = list;
      } else if (k === 'format' || k === 'host' || k === 'target' || k === 'roots') top[k] = sc.value();
      else sc.skipValue();
    });
    sc.ws();
    if (sc.i !== bytes.length) return undefined;
    const { format, host, target, roots } = top;
    if (format !== 'ix-plan/4' || typeof host !== 'string' || typeof target !== 'string' || !Array.isArray(roots) || !nodes) return undefined;
    return { host, target, roots: roots as Plan['roots'], nodes };
  } catch {
    // Malformed, or a stack overflow on absurd nesting: the caller parses the plan
    return undefined;
  }
}
