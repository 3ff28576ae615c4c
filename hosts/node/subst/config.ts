/**
 * The binary-cache settings of one invocation, from three places, most specific first:
 *   1. the command line: --substituters=URL,... (replaces the list; empty means none),
 *      --no-substitute, --push-to=URL[,URL...], --secret-key=FILE;
 *   2. the user's file: $XDG_CONFIG_HOME/ix/config.json, else ~/.config/ix/config.json;
 *   3. as root only (the system store), the system file /etc/ix/config.json.
 * For each key the most specific place that sets it wins (lists are replaced, not merged).
 * A file is `{"format":"ix-config/1", "substituters":[URL...], "trusted-public-keys":[KEY...],
 * "push-to":URL or [URL...], "secret-key-file":PATH, "builders":[SPEC...]}` (remote builders,
 * hosts/node/remote/spec.ts; read by builderSettings); every key is optional; an unknown key, a
 * wrong type or an unknown format is one line naming the file and the key (ConfigError).
 * A missing file is no error. Relative secret-key paths are relative to the file naming them.
 *
 * Must not depend on: the cache backends, the executor, the CLI grammar.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../../common';
import { cacheUrlProblem, parseCacheUrl, parsePublicKey } from '../cache/index';

export const CONFIG_FORMAT = 'ix-config/1';

/** A bad configuration file or value: one line naming the file (or option) and the key. */
export class ConfigError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface CacheSettings {
  /** Caches to substitute from, in configured order (the cache's own priority sorts them later). */
  substituters: string[];
  /** Public keys ("name:base64") whose signatures are trusted. */
  trustedKeys: string[];
  /** Caches each built path is uploaded to (may be empty). */
  pushTo: string[];
  /** Secret key file that signs uploads. */
  secretKeyFile?: string;
  /** Where each setting came from, for messages ("--push-to", "/etc/ix/config.json"). */
  origin: Partial<Record<'substituters' | 'trustedKeys' | 'pushTo' | 'secretKeyFile', string>>;
  /** The environment the caches are opened in (AWS_REGION, NETRC). */
  env?: Record<string, string | undefined>;
}

/** What the command line said (undefined: not given). */
export interface CacheOptions {
  substituters?: string[];
  noSubstitute?: boolean;
  pushTo?: string[];
  secretKey?: string;
}

/**
 * Checks a cache URL by the one grammar opening a cache reads (cache/url.ts), so a bad one is one
 * line and exit 2 before anything runs, also under --dry-run; `where` names the file and key or
 * the option.
 */
export function checkCacheUrl(url: string, where: string): string {
  const p = parseCacheUrl(url);
  if (!p.ok) throw new ConfigError(`${where}: ${cacheUrlProblem(url, p.why)}`);
  return url;
}

/** The user and system config files for this environment (system only as root). */
export function configFiles(env: Record<string, string | undefined>, isRoot = process.getuid?.() === 0): { user: string; system?: string } {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return { user: join(base, 'ix', 'config.json'), system: isRoot ? env.IX_SYSTEM_CONFIG || '/etc/ix/config.json' : undefined };
}

type FileSettings = Partial<Pick<CacheSettings, 'substituters' | 'trustedKeys' | 'pushTo' | 'secretKeyFile'>> & { builders?: string[] };

const KEYS: Record<string, keyof FileSettings | 'format'> = {
  format: 'format', substituters: 'substituters', 'trusted-public-keys': 'trustedKeys', 'push-to': 'pushTo', 'secret-key-file': 'secretKeyFile',
  builders: 'builders',
};

/** Reads one config file; undefined when it does not exist. */
export function readConfigFile(file: string): FileSettings | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: ${code === 'EISDIR' ? 'a directory, not a file' : `cannot read it (${code ?? (e as Error).message})`}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // only the position: the parser's message may quote the text, which may hold a secret
    const at = /position (\d+)/.exec((e as Error).message);
    throw new ConfigError(`${file}: not JSON${at ? ` (at character ${at[1]})` : ''}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(`${file}: expected a JSON object {"format":"${CONFIG_FORMAT}", ...}`);
  const o = doc as Record<string, unknown>;
  if (o.format !== CONFIG_FORMAT) {
    throw new ConfigError(`${file}: key "format": ${o.format === undefined ? 'missing' : `unknown format ${JSON.stringify(o.format)}`} (this ix reads "${CONFIG_FORMAT}")`);
  }
  const strings = (k: string, v: unknown): string[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw new ConfigError(`${file}: key "${k}": expected a list of non-empty strings`);
    return v as string[];
  };
  const r: FileSettings = {};
  for (const [k, v] of Object.entries(o)) {
    const key = KEYS[k];
    if (!key) throw new ConfigError(`${file}: unknown key "${k}" (known: ${Object.keys(KEYS).join(', ')})`);
    if (key === 'substituters') r.substituters = strings(k, v).map((u) => checkCacheUrl(u, `${file}: key "${k}"`));
    else if (key === 'trustedKeys') {
      // checked here, not only when a cache is asked: a bad key is a mistake whatever the run does
      r.trustedKeys = strings(k, v);
      for (const t of r.trustedKeys) {
        try {
          parsePublicKey(t);
        } catch (e) {
          throw new ConfigError(`${file}: key "${k}": ${(e as Error).message}`);
        }
      }
    }
    else if (key === 'builders') r.builders = strings(k, v);
    else if (key === 'pushTo') r.pushTo = (typeof v === 'string' ? [v] : strings(k, v)).map((u) => checkCacheUrl(u, `${file}: key "${k}"`));
    else if (key === 'secretKeyFile') {
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${file}: key "${k}": expected a file name`);
      r.secretKeyFile = isAbsolute(v) ? v : resolve(dirname(file), v);
    }
  }
  return r;
}

/** Splits a comma-separated option value into URLs, each checked. */
export function urlList(option: string, value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((u) => checkCacheUrl(u, option));
}

/** Reads one config file (readConfigFile, or the invocation's copy of what it read). */
export type ConfigReader = (file: string) => FileSettings | undefined;

/** The settings of this invocation: command line over user file over system file. */
export function cacheSettings(env: Record<string, string | undefined>, cli: CacheOptions, cwd: string, files = configFiles(env), read: ConfigReader = readConfigFile): CacheSettings {
  const s: CacheSettings = { substituters: [], trustedKeys: [], pushTo: [], origin: {}, env };
  const layers: [string, FileSettings | undefined][] = [];
  if (files.system) layers.push([files.system, read(files.system)]);
  layers.push([files.user, read(files.user)]);
  for (const [file, f] of layers) {
    if (!f) continue;
    for (const k of ['substituters', 'trustedKeys', 'pushTo', 'secretKeyFile'] as const) {
      if (f[k] === undefined) continue;
      (s as unknown as Record<string, unknown>)[k] = f[k];
      s.origin[k] = file;
    }
  }
  if (cli.substituters !== undefined) { s.substituters = cli.substituters; s.origin.substituters = '--substituters'; }
  if (cli.noSubstitute) { s.substituters = []; s.origin.substituters = '--no-substitute'; }
  if (cli.pushTo !== undefined) { s.pushTo = cli.pushTo; s.origin.pushTo = '--push-to'; }
  if (cli.secretKey !== undefined) { s.secretKeyFile = resolve(cwd, cli.secretKey); s.origin.secretKeyFile = '--secret-key'; }
  return s;
}

/** Remote builder specs from the config files (user over system), with the file they came from. */
export function builderSettings(env: Record<string, string | undefined>, files = configFiles(env), read: ConfigReader = readConfigFile): { specs: string[]; file: string } | undefined {
  for (const file of [files.user, files.system]) {
    if (!file) continue;
    const f = read(file);
    if (f?.builders !== undefined) return { specs: f.builders, file };
  }
  return undefined;
}
