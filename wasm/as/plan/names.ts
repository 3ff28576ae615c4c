/**
 * Package names (engine/eval/names.ts): the default kind of a package path and its store name.
 *
 * Must not depend on: anything else of the core.
 */

/** Default kind of a package path: its first component, with `bld` and `etc` meaning `bin`. */
export function defaultKind(name: string): string {
  const slash = name.indexOf('/');
  const first = slash < 0 ? name : name.substring(0, slash);
  return first == 'bld' || first == 'etc' ? 'bin' : first;
}

/**
 * `<kind>-<rest of path>` canonicalised: [A-Za-z0-9] kept, `+` as `-plus-`, anything else `-`,
 * runs of `-` collapsed, trailing `-` stripped, lower-cased (ASCII only can remain).
 */
export function storeName(name: string, kind: string): string {
  const slash = name.indexOf('/');
  const rest = slash < 0 ? name : name.substring(slash + 1);
  const s = kind + '-' + rest;
  const out = new Array<u16>();
  const n = s.length;
  // each `+` becomes "-plus-" before the other rules, so its dashes merge with neighbours
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 43) {
      if (out.length == 0 || out[out.length - 1] != 45) out.push(45);
      out.push(112); out.push(108); out.push(117); out.push(115);
      out.push(45);
      continue;
    }
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (ok) out.push(<u16>(c >= 65 && c <= 90 ? c + 32 : c));
    else if (out.length == 0 || out[out.length - 1] != 45) out.push(45);
  }
  while (out.length > 0 && out[out.length - 1] == 45) out.pop();
  const r = changetype<string>(__new(<usize>out.length << 1, idof<string>()));
  for (let i = 0; i < out.length; i++) store<u16>(changetype<usize>(r) + (<usize>i << 1), out[i]);
  return r;
}
