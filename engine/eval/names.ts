/**
 * Package names (pkgs/README.md §1): the default kind of a package path and its store name.
 *
 * Must not depend on: Node, host modules, anything outside this file.
 */

/** Default kind of a package path: its first component, with `bld` and `etc` meaning `bin`. */
export function defaultKind(name: string): string {
  const first = name.split('/')[0];
  return first === 'bld' || first === 'etc' ? 'bin' : first;
}

/**
 * Store name of a package loaded with `kind`: `<kind>-<rest of path>`, canonicalised
 * ([A-Za-z0-9] kept, `+` → `-plus-`, everything else `-`, runs of `-` collapsed,
 * trailing `-` stripped, lowercased). `storeName('bin/gtk+/3', 'bin')` = `bin-gtk-plus-3`;
 * a one-component name keeps itself: `storeName('etc', 'bin')` = `bin-etc`.
 */
export function storeName(name: string, kind: string): string {
  const slash = name.indexOf('/');
  const rest = slash < 0 ? name : name.slice(slash + 1); // IX: a one-component name is all "rest"
  return canon(`${kind}-${rest}`);
}

function canon(s: string): string {
  return s
    .replace(/\+/g, '-plus-')
    .replace(/[^A-Za-z0-9]/g, '-')
    .replace(/-+/g, '-')
    .replace(/-+$/, '')
    .toLowerCase();
}

/** The `uniq_id` recipes see: the store name with `-` replaced by `_`. */
export function uniqId(name: string, kind: string): string {
  return storeName(name, kind).replace(/-/g, '_');
}
