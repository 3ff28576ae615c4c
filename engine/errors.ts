/**
 * The one error type the engine throws for user mistakes (bad recipe, bad selector, cycle...).
 * Its message is a single line meant for humans; hosts print it as-is and exit with code 2.
 * Anything else escaping the engine is a bug in ix, not in the user's input.
 *
 * Must not depend on: Node, host modules.
 */

/** Where an error points: a recipe file and line, and/or the package being evaluated. */
export interface ErrorSite {
  file?: string;
  line?: number;
  pkg?: string;
}

export class IxError extends Error {
  readonly site: ErrorSite;
  readonly detail: string;
  constructor(detail: string, site: ErrorSite = {}) {
    super(formatError(detail, site));
    this.name = 'IxError';
    this.detail = detail;
    this.site = site;
  }
  /** A copy with missing site fields filled from `outer` (inner information wins). */
  within(outer: ErrorSite): IxError {
    return new IxError(this.detail, { ...outer, ...definedOnly(this.site) });
  }
}

function definedOnly(s: ErrorSite): ErrorSite {
  const r: ErrorSite = {};
  if (s.file !== undefined) r.file = s.file;
  if (s.line !== undefined) r.line = s.line;
  if (s.pkg !== undefined) r.pkg = s.pkg;
  return r;
}

/** "pkgs/bin/x/ix.sh:12: unknown filter 'foo' (package bin/x)" — one line, no stack. */
export function formatError(detail: string, site: ErrorSite): string {
  let where = '';
  if (site.file !== undefined) where = site.line !== undefined ? `${site.file}:${site.line}: ` : `${site.file}: `;
  const pkg = site.pkg !== undefined ? ` (package ${site.pkg})` : '';
  return `${where}${detail.replace(/\s*\n\s*/g, ' ')}${pkg}`;
}
