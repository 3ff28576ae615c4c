/**
 * From the JSON text a chain rendered to a Descriptor (engine/descriptor.ts): parse (errors name
 * the package and the position), check field types, and fill a default for every missing field.
 * Fetch items accept IX's `md5` key holding "sha:<hex>" and normalise to {url, sha256 hex, name?}.
 *
 * Must not depend on: Node, host modules.
 */
import type { Descriptor, FetchItem } from '../descriptor';
import { jsonErrorAt } from './json-error';
import { IxError } from '../errors';
import { sha256Of } from './filters';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line} column ${col}`;
}

/** Parse rendered descriptor text; invalid JSON is an IxError naming where it broke. */
export function parseDescriptorJson(text: string, pkg: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // The message is ours, not the JavaScript engine's, so every host prints the same line.
    const bad = jsonErrorAt(text) ?? { offset: 0, found: 'text' };
    throw new IxError(`rendered descriptor is not valid JSON at ${position(text, bad.offset)} of the rendered text: unexpected ${bad.found}`, { pkg });
  }
}

function strList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new IxError(`descriptor field ${field} must be a list of strings`);
  return [...v];
}

function section(d: Obj, k: string): Obj {
  const v = d[k];
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new IxError(`descriptor field ${k} must be an object`);
  return v;
}

function fetchItem(v: unknown, i: number): FetchItem {
  if (!isObj(v) || typeof v.url !== 'string') throw new IxError(`descriptor bld.fetch[${i}] must be an object with a url`);
  const sum = v.sha256 ?? v.md5;
  if (typeof sum !== 'string') throw new IxError(`descriptor bld.fetch[${i}] (${v.url}) has no checksum`);
  const item: FetchItem = { url: v.url, sha256: sha256Of(sum, v.url) };
  if (v.name !== undefined) {
    if (typeof v.name !== 'string' || v.name === '' || v.name.includes('/')) throw new IxError(`descriptor bld.fetch[${i}].name must be a plain file name`);
    item.name = v.name;
  }
  return item;
}

function optBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new IxError(`descriptor field ${field} must be true or false`);
  return v;
}

/** Normalise parsed JSON to a Descriptor; wrong types are IxErrors naming the field and package. */
export function normaliseDescriptor(json: unknown, pkg: string): Descriptor {
  try {
    if (!isObj(json)) throw new IxError('rendered descriptor must be a JSON object');
    const bld = section(json, 'bld');
    const fetch = bld.fetch ?? [];
    if (!Array.isArray(fetch)) throw new IxError('descriptor field bld.fetch must be a list');
    const script = bld.script ?? {};
    if (!isObj(script)) throw new IxError('descriptor field bld.script must be an object');
    const s: Descriptor['bld']['script'] = {};
    if (script.kind !== undefined) s.kind = String(script.kind);
    if (script.data !== undefined) {
      if (typeof script.data !== 'string') throw new IxError('descriptor field bld.script.data must be a string');
      s.data = script.data;
    }
    if (script.args !== undefined) s.args = strList(script.args, 'bld.script.args');
    const d: Descriptor = {
      bld: {
        fetch: fetch.map(fetchItem),
        script: s,
        deps: strList(bld.deps, 'bld.deps'),
        host_libs: strList(bld.host_libs, 'bld.host_libs'),
        target_libs: strList(bld.target_libs, 'bld.target_libs'),
        data: strList(bld.data, 'bld.data'),
      },
      run: { deps: strList(section(json, 'run').deps, 'run.deps'), data: strList(section(json, 'run').data, 'run.data') },
      lib: { deps: strList(section(json, 'lib').deps, 'lib.deps') },
      ind: { deps: strList(section(json, 'ind').deps, 'ind.deps') },
      fix: { deps: strList(section(json, 'fix').deps, 'fix.deps') },
      net: optBool(json.net, 'net') ?? false,
      task_pool: json.task_pool === undefined || json.task_pool === null ? 'cpu' : String(json.task_pool),
    };
    const tmpfs = optBool(json.tmpfs, 'tmpfs');
    if (tmpfs !== undefined) d.tmpfs = tmpfs;
    const isolate = optBool(json.isolate, 'isolate');
    if (isolate !== undefined) d.isolate = isolate;
    const seed = optBool(json.seed, 'seed');
    if (seed !== undefined) d.seed = seed;
    if (json.fixed !== undefined && json.fixed !== null) {
      if (typeof json.fixed !== 'string') throw new IxError('descriptor field fixed must be a string ("blake3:<64 hex>")');
      d.fixed = json.fixed;
    }
    const predict = json.predict_outputs;
    if (Array.isArray(predict) && predict.length > 0) {
      if (!predict.every((x) => isObj(x) && typeof x.path === 'string' && typeof x.sum === 'string')) {
        throw new IxError('descriptor field predict_outputs must be a list of {path, sum} strings');
      }
      d.predict_outputs = predict.map((x) => ({ path: String((x as Obj).path), sum: String((x as Obj).sum) }));
    }
    if (json.repo !== undefined && json.repo !== null) {
      const r = json.repo;
      if (!isObj(r) || typeof r.name !== 'string' || typeof r.version !== 'string') throw new IxError('descriptor field repo must be {name, version} strings');
      d.repo = { name: r.name, version: r.version };
    }
    return d;
  } catch (e) {
    if (e instanceof IxError) throw e.within({ pkg });
    throw e;
  }
}
