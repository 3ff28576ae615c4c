/**
 * The parsed template: one compact node class for statements and expressions. `line` is the
 * 0-based line of the token the oracle's node carries (its `lineno`), which decides error lines.
 *
 * Must not depend on: rt (literal values are kept as text and kinds), host.
 */

// statements
export const S_DATA: i32 = 1;     // s
export const S_OUT: i32 = 2;      // a
export const S_IF: i32 = 3;       // a cond, body, els (null: none)
export const S_FOR: i32 = 4;      // names, a iterable, body, els; n = 1 when names were written as a tuple
export const S_SET: i32 = 5;      // names, a value | body (capture)
export const S_SETATTR: i32 = 6;  // a object, b key, c value
export const S_BLOCK: i32 = 7;    // s name, body; n = blockSite(id of the name, always renders), set by the compiler
export const S_EXTENDS: i32 = 8;  // a
export const S_INCLUDE: i32 = 9;  // a
export const S_SUPER: i32 = 10;   // s block name, n super slot
export const S_FILTER: i32 = 11;  // s filter name, body, args

// expressions
export const E_LIT: i32 = 20;     // n: literal kind (L_*), s text
export const E_SYM: i32 = 21;     // s name; n: slot (>= 0) when a loop variable of the same function, else -1 - the name's id (name-ids.ts), set by the compiler
export const E_LIST: i32 = 22;    // args
export const E_DICT: i32 = 23;    // names (keys), args (values)
export const E_ADD: i32 = 24;
export const E_SUB: i32 = 25;
export const E_MUL: i32 = 26;
export const E_DIV: i32 = 27;
export const E_FLOORDIV: i32 = 28;
export const E_MOD: i32 = 29;
export const E_POW: i32 = 30;
export const E_CAT: i32 = 31;
export const E_AND: i32 = 32;
export const E_OR: i32 = 33;
export const E_NOT: i32 = 34;     // a
export const E_NEG: i32 = 35;     // a
export const E_POS: i32 = 36;     // a
export const E_IN: i32 = 37;      // a in b
export const E_IS: i32 = 38;      // a is s(args)
export const E_CMP: i32 = 39;     // a, args (operands), ops
export const E_IFEXP: i32 = 40;   // b if a else c
export const E_LOOKUP: i32 = 41;  // a[b]; n = 1 for `.name`
export const E_SLICE: i32 = 42;   // a[b:c:d]
export const E_CALL: i32 = 43;    // a(args, names=kwvals); s: the callee's name for messages; n = 1 + block id for self.NAME() (compiler), else 0
export const E_FILTER: i32 = 44;  // s name, n 1 + its id once called (expr.ts), args (subject first), names/kwargs
export const E_SUPERCALL: i32 = 45; // n depth (super() = 1, super.super() = 2; negative: not called)
export const E_TUPLE: i32 = 47;   // args (a parenthesised list)
export const E_SELF: i32 = 49;    // `self` not a loop variable (an E_SYM the compiler turned into it)
export const E_NULL: i32 = 48;    // no expression: a token that starts none, followed by a postfix (the oracle's compiler fails on it)

export const L_STR: i32 = 0;
export const L_INT: i32 = 1;
export const L_FLOAT: i32 = 2;
export const L_TRUE: i32 = 3;
export const L_FALSE: i32 = 4;
export const L_NONE: i32 = 5;

export class Node {
  kind: i32;
  line: i32;
  s: string = '';
  n: i32 = 0;
  a: Node | null = null;
  b: Node | null = null;
  c: Node | null = null;
  d: Node | null = null;
  body: Array<Node> | null = null;
  els: Array<Node> | null = null;
  args: Array<Node> | null = null;
  names: Array<string> | null = null;
  kwvals: Array<Node> | null = null;
  ops: Array<i32> | null = null;
  /** A string used as a name that is not one (lexer.ts badName), failed by the compiler in the oracle's order. */
  bad: string | null = null;
  badLine: i32 = 0;
  constructor(kind: i32, line: i32) { this.kind = kind; this.line = line; }
}

/** An S_BLOCK's `n`: its name's id (block-ids.ts) and whether it renders even below an extends. */
@inline export function blockSite(id: i32, always: bool): i32 { return (id << 1) | (always ? 1 : 0); }
/** The name id of an S_BLOCK's `n`. */
@inline export function siteId(n: i32): i32 { return n >> 1; }
/** Whether an S_BLOCK's `n` says it renders even in a template that extends another. */
@inline export function siteAlways(n: i32): bool { return (n & 1) != 0; }
