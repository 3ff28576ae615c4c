/**
 * The boot environment of a request (its `boot` field: PATH, tools, extract, files, ix_dir),
 * checked, and its canonical JSON, which keys the caches of everything rendered under it.
 *
 * Must not depend on: abi/, graph.ts, session.ts, planner.ts.
 */
import { IxErr } from '../errors';
import { JValue, StrBuilder, cmpStr, writeStr, J_NULL, J_STR, J_ARR, J_OBJ } from '../hash/index';
import { BootEnv } from '../tpl/index';
import { sortedUnique } from './sorted';

/** The boot environment of a request (eval/boot-env.ts bootEnv) and its JSON for cache keys. */
export class Boot {
  env: BootEnv = new BootEnv();
  json: string = '';
  err: IxErr | null = null;
}

/** `v` is of `kind` (an object or an array) and holds strings only. */
function allStrings(v: JValue, kind: i32): bool {
  if (v.kind != kind) return false;
  for (let i = 0; i < v.items!.length; i++) if (v.items![i].kind != J_STR) return false;
  return true;
}

export function bootEnv(g: JValue | null): Boot {
  const b = new Boot();
  if (g !== null && g.kind != J_NULL) {
    const bad = (why: string): IxErr => new IxErr('request field boot: ' + why);
    if (g.kind != J_OBJ) {
      b.err = bad('must be an object');
      return b;
    }
    const ks = g.jsKeys();
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      if (k != 'path' && k != 'tools' && k != 'extract' && k != 'files' && k != 'ix_dir') {
        b.err = bad("unknown field '" + k + "'");
        return b;
      }
    }
    const strs: Array<string> = ['path', 'extract', 'ix_dir'];
    for (let i = 0; i < 3; i++) {
      const v = g.get(strs[i]);
      if (v === null) continue;
      if (v.kind != J_STR) {
        b.err = bad(strs[i] + ' must be a string');
        return b;
      }
      if (i == 0) b.env.path = v.s;
      else if (i == 1) b.env.extract = v.s;
      else b.env.ix_dir = v.s;
    }
    const t = g.get('tools');
    if (t !== null) {
      if (!allStrings(t, J_OBJ)) {
        b.err = bad('tools must map names to paths');
        return b;
      }
      const names = t.keys!.slice(0);
      names.sort(cmpStr);
      const tools = new Array<string>();
      for (let i = 0; i < names.length; i++) {
        tools.push(names[i]);
        tools.push(t.get(names[i])!.s);
      }
      b.env.tools = tools;
    }
    const f = g.get('files');
    if (f !== null) {
      if (!allStrings(f, J_ARR)) {
        b.err = bad('files must be a list of paths');
        return b;
      }
      const fs = new Array<string>();
      for (let i = 0; i < f.items!.length; i++) fs.push(f.items![i].s);
      b.env.files = sortedUnique(fs);
    }
  }
  const sb = new StrBuilder(256);
  sb.str('{"extract":');
  writeStr(sb, b.env.extract);
  sb.str(',"files":[');
  for (let i = 0; i < b.env.files.length; i++) {
    if (i > 0) sb.ch(44);
    writeStr(sb, b.env.files[i]);
  }
  sb.str('],"ix_dir":');
  writeStr(sb, b.env.ix_dir);
  sb.str(',"path":');
  writeStr(sb, b.env.path);
  sb.str(',"tools":{');
  for (let i = 0; i < b.env.tools.length; i += 2) {
    if (i > 0) sb.ch(44);
    writeStr(sb, b.env.tools[i]);
    sb.ch(58);
    writeStr(sb, b.env.tools[i + 1]);
  }
  sb.str('}}');
  b.json = sb.toString();
  return b;
}
