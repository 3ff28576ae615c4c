/**
 * The one escaping function for text ix shows: every message, progress line, log header and LSP
 * diagnostic that may carry a package name, a path, a URL or recipe-derived text goes through
 * `safeText`, so none of them can drive a terminal (or an editor) or show a secret.
 *
 * Must not depend on: anything (it is used by the CLI, the executor's reporters and the LSP).
 */

const CREDENTIALS = /([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s@'"[\]:]*):[^/?#\s@'"[\]]*@/g;

/**
 * Text made safe for a terminal and a log: C0 and C1 control characters (ESC, BEL, CR, TAB, ...)
 * and the Unicode direction overrides are shown escaped (`\x1b`, `\u202e`), and the password of
 * any `scheme://user:password@host` is replaced (`user:***@`). Newlines are kept (callers split
 * lines); a caller that needs one line escapes them itself.
 */
export function safeText(s: string): string {
  // the password pattern needs '://': without it, skip its scan (a few % of a 30,000-line text)
  return (s.includes('://') ? s.replace(CREDENTIALS, '$1:***@') : s)
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
      const n = c.charCodeAt(0);
      return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
    });
}
