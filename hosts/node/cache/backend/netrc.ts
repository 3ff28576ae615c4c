/**
 * Credentials for HTTP caches from a netrc file (the format curl, git and pip read): tokens
 * `machine NAME`, `default`, `login L`, `password P` (`account` and `macdef` are skipped).
 * The file is the `netrc` option, else $NETRC, else ~/.netrc; a missing file means no credentials.
 *
 * Must not depend on: the store, records, archives, the CLI.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Login {
  login: string;
  password: string;
}

/** The login for `host` in netrc text, or undefined. */
export function netrcLookup(text: string, host: string): Login | undefined {
  const t = text.split(/\s+/).filter(Boolean);
  let fallback: Login | undefined;
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== 'machine' && t[i] !== 'default') continue;
    const isDefault = t[i] === 'default';
    const name = isDefault ? '' : t[++i];
    const cur: Login = { login: '', password: '' };
    while (i + 1 < t.length && t[i + 1] !== 'machine' && t[i + 1] !== 'default') {
      const k = t[++i];
      if (k === 'macdef') break;
      const v = t[++i] ?? '';
      if (k === 'login') cur.login = v;
      else if (k === 'password') cur.password = v;
    }
    if (!isDefault && name === host) return cur;
    if (isDefault) fallback ??= cur;
  }
  return fallback;
}

/** The login for `host` from the netrc file chosen as described above. */
export function netrcLogin(host: string, file: string | undefined, env: Record<string, string | undefined>): Login | undefined {
  const f = file ?? env.NETRC ?? path.join(os.homedir(), '.netrc');
  let text: string;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
  return netrcLookup(text, host);
}
