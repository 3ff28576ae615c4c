/**
 * The filters IX recipes use (pkgs/README.md §2) and the `ix` object of the render context, which
 * offers the same operations as methods (`ix.list_to_json(x)`). A list is parsed by dropping
 * empty lines and lines starting with `#`, then splitting on whitespace. Checksums in url lists
 * must be sha256: ix verifies sources by sha256 only.
 *
 * Must not depend on: Node, host modules, nunjucks, locale.
 */
import { IxError } from '../errors';
import { jsonErrorAt } from './json-error';
import { base64Decode, base64Encode, decodeUtf8, encodeUtf8 } from './textio';
import { DICT_PROTO, newDict, pyJsonDumps, pyStr } from './pystr';
import { checkSize, countLoop, current } from './state';
import { resolveName } from './loader';

type Fn = (...a: unknown[]) => unknown;

const PY_WS = ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Python's str.strip() (its whitespace set, not JS's). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_WS.includes(s[a])) a++;
  while (b > a && PY_WS.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Lines of a list block that carry items: stripped, without empty and `#` lines (IX's `preproc`). */
export function listLines(v: unknown): string[] {
  const out: string[] = [];
  for (const l of pyStr(v).split('\n')) {
    const t = pyStrip(l);
    if (t !== '' && t[0] !== '#') out.push(t);
  }
  countLoop(out.length);
  return out;
}

/** The item lines joined by single spaces, runs of spaces collapsed (IX's `fix_list`). */
export function fixList(v: unknown): string {
  const s = listLines(v).join(' ');
  return s.replace(/ {2,}/g, ' ');
}

/** Items of a list block: fix_list split on spaces, empty items dropped (tabs stay inside items). */
export function parseList(v: unknown): string[] {
  const out = fixList(v).split(' ').filter((x) => x !== '');
  countLoop(out.length);
  return out;
}

/** One fetch item as IX's `parse_urls` yields it: the checksum under `md5`, a "sha:" prefix dropped. */
export interface UrlItem {
  url: string;
  md5: string;
}

/** Normalise a checksum token to 64 lower-case hex digits, or throw a clear IxError. */
export function sha256Of(token: string, url: string): string {
  let t = token;
  if (/^md5:/i.test(t)) throw new IxError(`checksum of ${url} is md5; ix verifies sources by sha256 ("sha:<64 hex>")`);
  t = t.replace(/^(sha256|sha):/i, '');
  if (/^[0-9a-fA-F]{32}$/.test(t)) throw new IxError(`checksum of ${url} looks like md5; ix verifies sources by sha256 ("sha:<64 hex>")`);
  if (!/^[0-9a-fA-F]{64}$/.test(t)) throw new IxError(`checksum '${token}' of ${url} is not a sha256 (64 hex digits)`);
  return t.toLowerCase();
}

/**
 * url + checksum pairs, exactly as IX pairs them: a token with `://` sets the url, any other the
 * checksum, and a pair is emitted as soon as both are set (a url without checksum at the end is
 * dropped). Checking the checksums is the planner's job (normalise.ts), not the template's.
 */
export function parseUrls(v: unknown): UrlItem[] {
  const out: UrlItem[] = [];
  let cur = newDict<string>();
  for (const tok of fixList(v).split(' ')) {
    // keys keep the order they were set in, as in the Python dict IX builds
    if (tok.includes('://')) cur.url = tok;
    else cur.md5 = tok.startsWith('sha:') ? tok.slice(4) : tok;
    if (cur.url !== undefined && cur.md5 !== undefined) {
      out.push(cur as unknown as UrlItem);
      cur = newDict<string>();
    }
  }
  return out;
}

function b64e(v: unknown): string {
  return base64Encode(encodeUtf8(pyStr(v)));
}

function b64d(v: unknown): string {
  const bytes = base64Decode(pyStr(v));
  if (bytes === undefined) throw new IxError('b64d: not valid base64');
  try {
    return decodeUtf8(bytes);
  } catch {
    throw new IxError('b64d: decoded bytes are not UTF-8');
  }
}

function basename(v: unknown): string {
  const s = pyStr(v);
  return s.slice(s.lastIndexOf('/') + 1);
}

function dirname(v: unknown): string {
  const s = pyStr(v);
  const i = s.lastIndexOf('/');
  if (i < 0) return '';
  const head = s.slice(0, i + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

function toInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const s = pyStr(v).trim();
  if (!/^[+-]?\d+$/.test(s)) throw new IxError(`${what}: invalid integer '${s}'`);
  return parseInt(s, 10);
}

function field(v: unknown, n: unknown): string {
  const parts = pyStr(v).split('.');
  let i = toInt(n, 'field');
  if (i < 0) i += parts.length;
  if (i < 0 || i >= parts.length) throw new IxError(`field: '${pyStr(v)}' has no field ${pyStr(n)}`);
  return parts[i];
}

function pad(v: unknown, n: unknown): string {
  const s = pyStr(v);
  const w = toInt(n, 'pad');
  checkSize(w);
  return s.length >= w ? s : s + '0'.repeat(w - s.length);
}

function fjoin(v: unknown, sep: unknown): string {
  const items = Array.isArray(v) ? v.map(pyStr) : [...pyStr(v)];
  const d = pyStr(sep);
  checkSize(items.reduce((t, x) => t + x.length, 0) + d.length * Math.max(0, items.length - 1));
  return items.join(d);
}

function defined(v: unknown, what: unknown): unknown {
  if (v === undefined) throw new IxError(`${pyStr(what)} undefined`);
  return v;
}

function jl(v: unknown): unknown {
  try {
    // objects become template dicts (DICT_PROTO); a key "__proto__" stays an own key
    return JSON.parse(pyStr(v), (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.setPrototypeOf(x, DICT_PROTO) : x));
  } catch {
    const text = pyStr(v);
    const bad = jsonErrorAt(text) ?? { offset: 0, found: 'text' };
    throw new IxError(`jl: invalid JSON at offset ${bad.offset}: unexpected ${bad.found}`);
  }
}

/** The IX filters, by name. */
export const IX_FILTERS: Record<string, Fn> = {
  parse_list: parseList,
  fix_list: fixList,
  list_to_json: (v) => pyJsonDumps(listLines(v)),
  preproc: listLines,
  parse_urls: parseUrls,
  defined,
  b64e,
  b64d,
  field,
  fjoin,
  dirname,
  basename,
  strip: (v) => pyStrip(pyStr(v)),
  jd: (v) => pyJsonDumps(v),
  jl,
  pad,
  add: (v, n) => toInt(v, 'add') + toInt(n, 'add'),
  lines: (v) => pyStrip(pyStr(v)).split('\n'),
  replace: (v, a, b, n) => {
    const s = pyStr(v);
    const from = pyStr(a);
    const to = pyStr(b);
    if (from === '') return s;
    const k = Math.min(s.split(from).length - 1, typeof n === 'number' && n >= 0 ? n : Infinity);
    checkSize(s.length + (to.length - from.length) * k);
    const parts = s.split(from);
    return parts.slice(0, k + 1).join(to) + (k < parts.length - 1 ? from + parts.slice(k + 1).join(from) : '');
  },
};

/**
 * IX's filters are Python functions that call methods on their value, so an undefined value
 * fails in them (Jinja2's Undefined only prints, tests and iterates as empty); `fjoin` only
 * iterates its value and `defined` reports it itself.
 */
for (const name of Object.keys(IX_FILTERS)) {
  if (name === 'fjoin' || name === 'defined' || name === 'replace') continue;
  const f = IX_FILTERS[name];
  IX_FILTERS[name] = (v, ...rest) => {
    if (v === undefined) throw new IxError(`filter ${name}: its value is undefined`);
    return f(v, ...rest);
  };
}

/** The `ix` object of the render context (methods named as in IX's trees). */
export function ixObject(pkg: string): Record<string, Fn> {
  const o: Record<string, Fn> = Object.create(null);
  o.list_to_json = IX_FILTERS.list_to_json;
  o.urls_to_json = (v) => pyJsonDumps(parseUrls(v));
  o.string_to_json = (v) => pyJsonDumps(pyStr(v));
  o.parse_list = parseList;
  o.fix_list = IX_FILTERS.fix_list;
  o.parse_urls = parseUrls;
  o.error = (msg) => {
    throw new IxError(pyStr(msg));
  };
  o.load_file = (name) => {
    const path = resolveName(pyStr(name), `${pkg}/ix.sh`);
    if (current().loader.readText(path) === undefined) throw new IxError(`load_file: '${path}' not found`);
    return current().loader.load(path).text;
  };
  return o;
}
