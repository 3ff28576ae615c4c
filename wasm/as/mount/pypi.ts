/**
 * The `pypi-template/1` recipe generator in the compiled core: what a recipe mount of this kind
 * serves for a path, from the mount's two texts alone. A port of engine/mount/pypi.ts, whose spec
 * (steps 1-6 and the listing) it follows to the byte; that file stays the oracle.
 *
 * Must not depend on: anything else of the core but hash (the JSON reader, the string writer).
 */
import { JValue, J_ARR, J_OBJ, J_STR, StrBuilder, cmpStr, parseJson, writeStr } from '../hash/index';

const OPEN = "TMPL = r'''";
const CLOSE = "'''";
const IX_SH = '/ix.sh';
const T_IX_SH = '/t/ix.sh';

/** Python's str.replace(a, b) (`a` not empty): every non-overlapping occurrence, left to right, literally. */
export function replaceAll(s: string, a: string, b: string): string {
  let at = s.indexOf(a);
  if (at < 0) return s;
  const sb = new StrBuilder(s.length + 16);
  let from = 0;
  while (at >= 0) {
    sb.sub(s, from, at);
    sb.str(b);
    from = at + a.length;
    at = s.indexOf(a, from);
  }
  sb.sub(s, from, s.length);
  return sb.toString();
}

/** The template literal of a mount file (step 1), or null. */
export function templateOf(mount: string): string | null {
  const at = mount.indexOf(OPEN);
  if (at < 0) return null;
  const from = at + OPEN.length;
  const end = mount.indexOf(CLOSE, from);
  return end < 0 ? null : mount.substring(from, end);
}

/** What serve() gave: the text, nothing (not served), or a one-line error about the index. */
export class Served {
  text: string | null = null;
  err: string | null = null;
}

/** What went wrong with a mount's files: the message and whether it is about mount.py (else the index). */
export class MountFault {
  aboutMount: bool;
  message: string;
  constructor(aboutMount: bool, message: string) {
    this.aboutMount = aboutMount;
    this.message = message;
  }
}

/** `JSON.stringify` of a string (the key an error names). */
function quoted(s: string): string {
  const sb = new StrBuilder(s.length + 8);
  writeStr(sb, s);
  return sb.toString();
}

/** A parsed `pypi-template/1` mount. */
export class PypiMount {
  tmpl: string;
  index: JValue;
  private listing: Array<string> | null = null;

  constructor(tmpl: string, index: JValue) {
    this.tmpl = tmpl;
    this.index = index;
  }

  /** The text served for `rel` (steps 3-5). */
  serve(rel: string): Served {
    const out = new Served();
    const key = replaceAll(rel, T_IX_SH, IX_SH);
    const r = this.index.get(key);
    if (r === null || r.kind != J_OBJ) return out;
    const url = r.get('url');
    const sha = r.get('sha');
    if (url === null || sha === null) return out;
    const run = r.get('run');
    if (url.kind != J_STR || sha.kind != J_STR) {
      out.err = 'entry ' + quoted(key) + ': url and sha must be strings';
      return out;
    }
    let runs = '';
    if (run !== null) {
      let ok = run.kind == J_ARR;
      if (ok) {
        const it = run.items!;
        const sb = new StrBuilder();
        for (let i = 0; i < it.length; i++) {
          const x = unchecked(it[i]);
          if (x.kind != J_STR) {
            ok = false;
            break;
          }
          if (i > 0) sb.ch(10);
          sb.str(x.s);
          sb.str(IX_SH);
        }
        runs = sb.toString();
      }
      if (!ok) {
        out.err = 'entry ' + quoted(key) + ': run must be a list of strings';
        return out;
      }
    }
    let t = replaceAll(this.tmpl, '{url}', url.s);
    t = replaceAll(t, '{sha}', sha.s);
    out.text = replaceAll(t, '{run}', runs);
    return out;
  }

  /** Every path the mount serves (or whose record is in error), relative to its directory, sorted by code units. */
  paths(): Array<string> {
    const had = this.listing;
    if (had !== null) return had;
    const seen = new Set<string>();
    const out = new Array<string>();
    const ks = this.index.keys!;
    for (let i = 0; i < ks.length; i++) {
      const k = unchecked(ks[i]);
      this.consider(k, seen, out);
      if (k.endsWith(IX_SH)) this.consider(k.substring(0, k.length - IX_SH.length) + T_IX_SH, seen, out);
    }
    out.sort(cmpStr);
    this.listing = out;
    return out;
  }

  private consider(c: string, seen: Set<string>, out: Array<string>): void {
    if (seen.has(c)) return;
    const s = this.serve(c);
    if (s.text === null && s.err === null) return;
    seen.add(c);
    out.push(c);
  }
}

/** A mount's two texts parsed: the mount, or what is wrong with them. */
export class PypiParse {
  mount: PypiMount | null = null;
  fault: MountFault | null = null;
}

/** Parses a mount's two texts (steps 1-2). */
export function pypiMount(mount: string, index: string): PypiParse {
  const out = new PypiParse();
  const tmpl = templateOf(mount);
  if (tmpl === null) {
    out.fault = new MountFault(true, 'no ' + OPEN + "...''' template");
    return out;
  }
  const p = parseJson(index);
  const v = p.value;
  if (v === null) out.fault = new MountFault(false, 'not valid JSON');
  else if (v.kind != J_OBJ) out.fault = new MountFault(false, 'not a JSON object');
  else out.mount = new PypiMount(tmpl, v);
  return out;
}
