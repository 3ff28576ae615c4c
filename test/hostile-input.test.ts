// Bad input never crashes, hangs or gives a wrong answer: a table of careless and hostile inputs
// (arguments, selectors and flags; cache URLs of every scheme; config files; the environment's
// directories; overlay recipes) run through the real ./ix launcher, in parallel. For each case:
// the exit code (2 bad input, 3 environment), one line on stderr naming the file and line, the
// package, the option or the path; nothing on stdout; nothing written to the store; never
// "internal error", a stack trace, a password or a raw control character; done within 10 s.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKeyFiles } from '../hosts/node/cache/keys';
import { haveBusybox } from './fixtures/hostile/kit';
import { ensureCoreBuilt, recipe, repoRoot, tempDir, writeTree } from './support/cli';
import { isRoot, missing } from './support/prereq';

/** The secret every case may be handed; no output may ever contain it. */
const SECRET = 'hunter2';
const ESC = '\x1b]0;pwned\x07';

const deepIfs = '{% if 1 %}\n'.repeat(200) + 'x' + '{% endif %}'.repeat(200);
const base = '{% block a %}A{% block b %}{% endblock %}{% endblock %}';

/** One recipe tree holding every bad recipe, each its own package. */
const recipes: Record<string, string> = {
  'bin/ok/ix.sh': recipe({ script: 'true' }),
  'bin/deps-ok/ix.sh': recipe({ script: 'true', deps: ['bin/ok'] }),
  'bin/syntax/ix.sh': '\n{% if %}\n',
  'bin/deep-if/ix.sh': deepIfs,
  'bin/deep-paren/ix.sh': `\n{{ ${'('.repeat(300)}1${')'.repeat(300)} }}\n`,
  'bin/deep-list/ix.sh': `{{ ${'['.repeat(100)}${']'.repeat(100)} }}\n`,
  'bin/deep-not/ix.sh': `{{ ${'not '.repeat(100)}x }}\n`,
  'bin/deep-filter/ix.sh': `{{ 'x'${'|trim'.repeat(100)} }}\n`,
  'bin/huge-repeat/ix.sh': "\n\n{{ 'x' * 200000000 }}\n",
  'bin/huge-list/ix.sh': '{{ [1, 2] * 1000000 }}\n',
  'bin/huge-range/ix.sh': '{% for i in range(100000000) %}{% endfor %}\n',
  'bin/div-zero/ix.sh': '\n{{ 1 / 0 }}\n',
  'bin/floordiv-zero/ix.sh': '{{ 7 // 0.0 }}\n',
  'bin/mod-zero/ix.sh': '{{ 7 % False }}\n',
  'bin/str-times-str/ix.sh': "{{ 'a' * 'b' }}\n",
  'bin/overflow/ix.sh': '{{ 2 ** 64 }}\n',
  'bin/overflow-mul/ix.sh': '{{ 9007199254740991 * 2 }}\n',
  'bin/mixed-order/ix.sh': "{% if 1 < 'a' %}{% endif %}\n",
  'bin/none-order/ix.sh': '{% if none >= 0 %}{% endif %}\n',
  'p/base.sh': base,
  'bin/super-nested/ix.sh': "{% extends '//p/base.sh' %}{% block a %}{% block d %}\n{{ super() }}{% endblock %}{% endblock %}",
  'bin/super-top/ix.sh': '{% block a %}{{ super() }}{% endblock %}',
  'bin/self-extends/ix.sh': "{% extends 'ix.sh' %}\n",
  'bin/self-include/ix.sh': "{% include 'ix.sh' %}\n",
  'bin/cycle-a/ix.sh': recipe({ script: 'true', deps: ['bin/cycle-b'] }),
  'bin/cycle-b/ix.sh': recipe({ script: 'true', deps: ['bin/cycle-a'] }),
  'bin/self-dep/ix.sh': recipe({ script: 'true', run: ['bin/self-dep'] }),
  'bin/not-json/ix.sh': '{"bld": \n',
  'bin/escape/ix.sh': `{{ ix.error("bad ${ESC} text") }}\n`,
  'bin/escape-dep/ix.sh': recipe({ script: 'true', deps: [`bin/no${ESC}`] }),
  'bin/secret-dep/ix.sh': recipe({ script: 'true', fetch: [{ url: `https://user:${SECRET}@example.org/x.tgz`, sha256: 'z' }] }),
  // names nunjucks reads whole and pastes into generated JS (a raw SyntaxError before)
  'bin/bad-name/ix.sh': 'endsetloop:=range~endset:true{{+\nendif"t"raw}}',
  'bin/esc-name/ix.sh': `{{ a${ESC}b }}`,
  'bin/digit-name/ix.sh': '\n\n{% set 1x = 2 %}',
};

let R = '';
let work = '';

beforeAll(async () => {
  ensureCoreBuilt();
  R = writeTree(recipes);
  mkdirSync(join(R, 'bin', 'bad-utf8'), { recursive: true });
  writeFileSync(join(R, 'bin', 'bad-utf8', 'ix.sh'), Buffer.from([0x7b, 0x7b, 0x20, 0x27, 0xc3, 0x28, 0x27, 0x20, 0x7d, 0x7d, 0x0a]));
  mkdirSync(join(R, 'bin', 'sym-loop'), { recursive: true });
  symlinkSync('ix.sh', join(R, 'bin', 'sym-loop', 'ix.sh'));
  mkdirSync(join(R, 'bin', 'dir-recipe', 'ix.sh'), { recursive: true });
  for (const d of ['fifo', 'zero', 'dangling']) mkdirSync(join(R, 'bin', d));
  expect(spawnSync('mkfifo', [join(R, 'bin', 'fifo', 'ix.sh')]).status).toBe(0); // reading it would wait forever
  symlinkSync('/dev/zero', join(R, 'bin', 'zero', 'ix.sh')); // reading it would never end
  symlinkSync('nowhere', join(R, 'bin', 'dangling', 'ix.sh'));
  work = tempDir('ix-hostile-');
  writeFileSync(join(work, 'file'), 'a file where a directory belongs\n');
  symlinkSync('/proc/self', join(work, 'to-proc'));
  const conf = (name: string, text: string) => {
    mkdirSync(join(work, name, 'ix'), { recursive: true });
    writeFileSync(join(work, name, 'ix', 'config.json'), text);
  };
  conf('conf-cred', JSON.stringify({ format: 'ix-config/1', substituters: [`https://me:${SECRET}@cache.example.org/`], 'trusted-public-keys': ['k:AAAA'] }));
  conf('conf-push-cred', JSON.stringify({ format: 'ix-config/1', 'push-to': `s3://me:${SECRET}@bucket/x` }));
  conf('conf-broken', `{"format": "ix-config/1", "substituters": ["https://me:${SECRET}@x/"] x}`);
  conf('conf-unknown', JSON.stringify({ format: 'ix-config/1', substitutors: ['file:///x'] }));
  conf('conf-format', JSON.stringify({ format: 'ix-config/9' }));
  conf('conf-s3', JSON.stringify({ format: 'ix-config/1', substituters: ['s3://'] }));
  conf('conf-empty', '');
  conf('conf-null', 'null');
  conf('conf-badkey', JSON.stringify({ format: 'ix-config/1', 'trusted-public-keys': [`k:${SECRET}`] }));
  mkdirSync(join(work, 'conf-dir', 'ix', 'config.json'), { recursive: true });
  mkdirSync(join(work, 'a-dir'));
  await generateKeyFiles('battery', work); // battery.secret: a good key, so only the URL is wrong
  writeFileSync(join(work, 'bad.secret'), `battery:${SECRET}not-base64\n`);
  writeFileSync(join(work, 'boot.json'), '{"path": ');
});

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** ./ix with `args` and `env` (over a clean environment), killed (by its pid) after 10 s. */
function run(args: string[], env: Record<string, string>): Promise<Run> {
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(repoRoot, 'ix'), ...args], {
      cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => process.kill(p.pid!, 'SIGKILL'), 10_000);
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', rej);
    p.on('close', (code) => {
      clearTimeout(timer);
      res({ code, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8'), ms: Date.now() - t0 });
    });
  });
}

/** [what, argv, extra env, exit code, what the one line must say] — `R`/`W` stand for the recipe and work dirs. */
type Case = [string, string[], Record<string, string>, 2 | 3, RegExp | string];

const cases: Case[] = [
  // ---- arguments, selectors, flags, options
  ['typo of --dry-run is refused, not a package flag', ['build', 'bin/ok', '--dryrun'], {}, 2, 'unknown option --dryrun: did you mean --dry-run? (a package flag of that name is written as a selector: bin/x(dryrun=1))'],
  ['--dry_run', ['build', 'bin/ok', '--dry_run'], {}, 2, /did you mean --dry-run\?/],
  ['--jbos=2', ['build', 'bin/ok', '--jbos=2'], {}, 2, /did you mean --jobs\?/],
  ['--JSON on plan', ['plan', 'bin/ok', '--JSON'], {}, 2, /did you mean --json\?/],
  ['--recipe (singular)', ['plan', 'bin/ok', '--recipe=x'], {}, 2, /did you mean --recipes\?/],
  ['--keep-gong', ['plan', 'bin/ok', '--keep-gong'], {}, 2, /did you mean --keep-going\?/],
  ['mut --dryrun', ['mut', 'demo', 'bin/ok', '--dryrun'], {}, 2, /did you mean --dry-run\?/],
  ['another verb\'s option', ['plan', 'bin/ok', '--jobs=2'], {}, 2, /'ix plan' does not take --jobs/],
  ['--jobs=-1', ['build', 'bin/ok', '--jobs=-1'], {}, 2, "--jobs must be a whole number from 0 to 4096, got '-1'"],
  ['--jobs=1.5', ['build', 'bin/ok', '--jobs=1.5'], {}, 2, "--jobs must be a whole number from 0 to 4096, got '1.5'"],
  ['--jobs=1e3', ['build', 'bin/ok', '--dry-run', '--jobs=1e3'], {}, 2, /--jobs must be a whole number from 0 to 4096, got '1e3'/],
  ['--jobs=0x10', ['build', 'bin/ok', '--jobs=0x10'], {}, 2, /got '0x10'/],
  ['--jobs=99999', ['build', 'bin/ok', '--jobs=99999'], {}, 2, /from 0 to 4096, got '99999'/],
  ['--timeout=1e9 (overflows Node\'s timers)', ['build', 'bin/ok', '--timeout=1e9'], {}, 2, "--timeout must be a number greater than 0 and at most 2147483, got '1e9'"],
  ['--timeout=2147484', ['build', 'bin/ok', '--timeout=2147484'], {}, 2, /at most 2147483, got '2147484'/],
  ['--timeout=0', ['build', 'bin/ok', '--timeout=0'], {}, 2, /greater than 0/],
  ['--timeout=Infinity', ['run', '--timeout=Infinity', 'ok'], {}, 2, /got 'Infinity'/],
  ['--timeout=NaN', ['build', 'bin/ok', '--timeout=NaN'], {}, 2, /got 'NaN'/],
  ['gc --keep-generations=0', ['gc', '--keep-generations=0'], {}, 2, /--keep-generations must be a whole number from 1/],
  ['switch with a value', ['plan', 'bin/ok', '--json=yes'], {}, 2, 'option --json takes no value'],
  ['option without its value', ['plan', 'bin/ok', '--target'], {}, 2, /option --target needs a value/],
  ['unknown verb with escapes', [`pl${ESC}an`], {}, 2, "unknown verb 'pl\\x1b]0;pwned\\x07an' (try 'ix help')"],
  ['package name with terminal escapes', ['plan', `bin/${ESC}`], {}, 2, "unknown package 'bin/\\x1b]0;pwned\\x07'"],
  ['package name with a direction override', ['plan', 'bin/\u202eko'], {}, 2, /unknown package 'bin\/\\u202eko'/],
  ['a word that is no package', ['plan', 'zstd'], {}, 2, /'zstd' is not a package/],
  ['malformed selector', ['plan', 'bin/ok(k=v'], {}, 2, /'bin\/ok\(k=v'/],
  ['unknown target', ['plan', 'bin/ok', '--target=plan9-mips'], {}, 2, /'plan9-mips'/],
  ['why-depends on a package that does not exist', ['why-depends', 'bin/deps-ok', 'bin/nosuchpkg'], {}, 2, "unknown package 'bin/nosuchpkg' (no bin/nosuchpkg/ix.sh in the recipe roots)"],
  ['--boot file missing', ['plan', 'bin/ok', '--boot=nothere.json'], {}, 2, /--boot=nothere.json: cannot read it \(ENOENT\)/],
  ['--boot not JSON', ['plan', 'bin/ok', '--boot=boot.json'], {}, 2, /--boot=boot.json: not JSON/],
  ['--boot naming a directory', ['plan', 'bin/ok', '--boot=a-dir'], {}, 2, '--boot=a-dir: cannot read it (EISDIR)'],
  ['two flag groups in a selector', ['plan', 'bin/ok(k=v)(x=y)'], {}, 2, `malformed package selector 'bin/ok(k=v)(x=y)': text after the closing ")": '(x=y)'`],
  ['a selector climbing out of the recipe root', ['plan', '../etc/passwd'], {}, 2, `malformed package name '../etc/passwd': "." and ".." path components are not allowed`],
  ['an absolute selector', ['plan', '/etc/passwd'], {}, 2, `malformed package name '/etc/passwd': a package path is relative to the recipe root: no leading "/"`],
  ['an empty selector', ['plan', ''], {}, 2, /^'' is not a package/],
  ['--jobs with an empty value', ['build', 'bin/ok', '--jobs='], {}, 2, 'option --jobs needs a value (--jobs=N)'],
  ['an unknown graph format', ['graph', 'bin/ok', '--format=xml'], {}, 2, "unknown graph format 'xml' (dot or json)"],
  ['a config-file key given as a flag, with key material', ['build', 'bin/ok', '--dry-run', `--trusted-public-keys=k:${SECRET}`], {}, 2, /^--trusted-public-keys is a key of the config file .*, not an option; .*bin\/x\(trusted-public-keys=\.\.\.\)$/],
  ['--secret-key-file (a config key) as a flag', ['build', 'bin/ok', '--secret-key-file=k.secret'], {}, 2, /^--secret-key-file is a key of the config file/],
  ['ix log of a name with escapes', ['log', `bin/${ESC}`], {}, 2, "unknown package 'bin/\\x1b]0;pwned\\x07'"],
  ['ix root add of a path with escapes', ['root', 'add', `/tmp/a${ESC}`], {}, 2, 'not a store path: /tmp/a\\x1b]0;pwned\\x07'],
  // ---- --recipes
  ['--recipes that does not exist', ['plan', 'bin/ok', '--recipes', '/nonexistent/dir'], {}, 2, '--recipes=/nonexistent/dir: no such directory'],
  ['--recipes naming a file', ['plan', 'bin/ok', '--recipes', 'file'], {}, 2, '--recipes=file: not a directory'],
  // ---- cache URLs of every scheme, on the command line (also with --dry-run) and in config files
  ['s3:// without a bucket', ['build', 'bin/ok', '--substituters=s3://'], {}, 2, "--substituters: 's3://': an S3 cache is s3://BUCKET[/PREFIX]"],
  ['s3:// without a bucket, dry run', ['build', 'bin/ok', '--dry-run', '--substituters=s3://'], {}, 2, /an S3 cache is s3:\/\/BUCKET/],
  ['file://relative/dir', ['build', 'bin/ok', '--dry-run', '--substituters=file://relative/dir'], {}, 2, "--substituters: 'file://relative/dir': a directory cache is file:///absolute/path"],
  ['file:relative', ['build', 'bin/ok', '--substituters=file:relative'], {}, 2, /a directory cache is file:\/\/\/absolute\/path/],
  ['ftp://', ['build', 'bin/ok', '--substituters=ftp://h/x'], {}, 2, /unknown cache scheme ftp:/],
  ['not a URL', ['build', 'bin/ok', '--substituters=just words'], {}, 2, /'just words' is not a URL/],
  ['credentials in --substituters', ['build', 'bin/ok', '--dry-run', `--substituters=https://me:${SECRET}@cache.example.org/`], {}, 2, "--substituters: 'https://me:***@cache.example.org/': credentials do not belong in a cache URL (use netrc or the AWS credential chain)"],
  ['credentials in --push-to', ['build', 'bin/ok', `--push-to=http://me:${SECRET}@127.0.0.1:9/`], {}, 2, /--push-to: 'http:\/\/me:\*\*\*@127\.0\.0\.1:9\/': credentials/],
  ['credentials in s3://', ['build', 'bin/ok', `--substituters=s3://key:${SECRET}@bucket/p`], {}, 2, /credentials do not belong/],
  ['copy --to=file://relative/dir', ['copy', '--to=file://relative/dir', 'bin/ok'], {}, 2, /--to: 'file:\/\/relative\/dir': a directory cache/],
  ['copy --from with credentials', ['copy', `--from=https://me:${SECRET}@h/`, '/ix/store/00000000000000000000000000000000-x'], {}, 2, /--from: 'https:\/\/me:\*\*\*@h\/': credentials/],
  ['copy --to=s3://', ['copy', '--to=s3://', 'bin/ok'], {}, 2, /an S3 cache is/],
  ['--push-to without a key, dry run', ['build', 'bin/ok', '--dry-run', '--push-to=file:///tmp/ix-nowhere'], {}, 2, /--push-to: uploads are signed: give --secret-key=FILE/],
  ['--secret-key that is not a key, dry run', ['build', 'bin/ok', '--dry-run', '--push-to=file:///tmp/ix-nowhere', '--secret-key=bad.secret'], {}, 2, /--secret-key/],
  ['--secret-key missing, dry run', ['build', 'bin/ok', '--dry-run', '--push-to=file:///tmp/ix-nowhere', '--secret-key=/nonexistent/k.secret'], {}, 2, /cannot read the secret key \(ENOENT\)/],
  ['--push-to a relative file URL with a good key, dry run', ['build', 'bin/ok', '--dry-run', '--push-to=file:cache', '--secret-key=battery.secret'], {}, 2, "--push-to: 'file:cache': a directory cache is file:///absolute/path"],
  ['--builders of an unknown kind, dry run', ['build', 'bin/ok', '--dry-run', '--builders=nonsense://x'], {}, 2, /--builders: bad builder 'nonsense:\/\/x'/],
  ['--builders without a host, dry run', ['build', 'bin/ok', '--dry-run', '--builders=ssh://'], {}, 2, "--builders: bad builder 'ssh://': expected [user@]host[:port]"],
  ['--builders with a password, dry run', ['build', 'bin/ok', '--dry-run', `--builders=ssh://u:${SECRET}@h`], {}, 2, "--builders: bad builder 'ssh://u:***@h': expected [user@]host[:port]"],
  ['--secret-key naming a directory, dry run', ['build', 'bin/ok', '--dry-run', '--push-to=file:///tmp/ix-nowhere', '--secret-key=a-dir'], {}, 2, /--secret-key: .*a-dir: cannot read the secret key \(EISDIR\)/],
  ['--builders with jobs=0, dry run', ['build', 'bin/ok', '--dry-run', '--builders=ssh://h?jobs=0'], {}, 2, /jobs must be a whole number of at least 1/],
  ['config: credentials in substituters', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-cred' }, 2, /conf-cred\/ix\/config\.json: key "substituters": 'https:\/\/me:\*\*\*@cache\.example\.org\/': credentials/],
  ['config: credentials in push-to', ['build', 'bin/ok'], { XDG_CONFIG_HOME: 'W/conf-push-cred' }, 2, /key "push-to": 's3:\/\/me:\*\*\*@bucket\/x': credentials/],
  ['config: not JSON, a password inside', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-broken' }, 2, /conf-broken\/ix\/config\.json: not JSON \(at character \d+\)/],
  ['config: unknown key', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-unknown' }, 2, /unknown key "substitutors"/],
  ['config: unknown format', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-format' }, 2, /key "format": unknown format "ix-config\/9"/],
  ['config: s3:// without a bucket', ['build', 'bin/ok'], { XDG_CONFIG_HOME: 'W/conf-s3' }, 2, /key "substituters": 's3:\/\/': an S3 cache/],
  ['config: a directory', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-dir' }, 2, /conf-dir\/ix\/config\.json: a directory, not a file$/],
  ['config: an empty file', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-empty' }, 2, /conf-empty\/ix\/config\.json: not JSON/],
  ['config: null', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-null' }, 2, /conf-null\/ix\/config\.json: expected a JSON object/],
  ['config: a trusted key that is not one, dry run', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/conf-badkey' }, 2, /conf-badkey\/ix\/config\.json: key "trusted-public-keys": .*not 32 bytes of base64/],
  ['config: a trusted key that is not one, real run', ['build', 'bin/ok'], { XDG_CONFIG_HOME: 'W/conf-badkey' }, 2, /conf-badkey\/ix\/config\.json: key "trusted-public-keys": .*not 32 bytes of base64/],
  // ---- the environment's directories
  ['IX_ROOT naming a file: ix list', ['list'], { IX_ROOT: 'W/file' }, 3, /^IX_ROOT=.*\/file: .*\/file is not a directory$/],
  ['IX_ROOT naming a file: ix store verify', ['store', 'verify'], { IX_ROOT: 'W/file' }, 3, /IX_ROOT=.*\/file is not a directory/],
  ['IX_ROOT below a file: ix build', ['build', 'bin/ok'], { IX_ROOT: 'W/file/root' }, 3, /IX_ROOT=.*: .*\/file is not a directory/],
  ['IX_ROOT under /proc', ['build', 'bin/ok'], { IX_ROOT: '/proc/self/ix' }, 3, 'IX_ROOT=/proc/self/ix: /proc/self/ix is under /proc or /sys, where ix cannot keep files: choose a directory on an ordinary file system'],
  ['IX_ROOT under /sys: ix gc', ['gc'], { IX_ROOT: '/sys/ix' }, 3, /\/sys\/ix is under \/proc or \/sys/],
  ['IX_ROOT through a symlink into /proc', ['mut', 'demo', 'bin/ok'], { IX_ROOT: 'W/to-proc/ix' }, 3, /is under \/proc or \/sys/],
  ['IX_CACHE_DIR under /proc: even ix plan', ['plan', 'bin/ok'], { IX_CACHE_DIR: '/proc/self/cache' }, 3, /IX_CACHE_DIR=\/proc\/self\/cache: .* is under \/proc or \/sys/],
  ['IX_CACHE_DIR under /sys', ['graph', 'bin/ok'], { IX_CACHE_DIR: '/sys/kernel/ix' }, 3, /is under \/proc or \/sys/],
  ['IX_CACHE_DIR naming a file', ['plan', 'bin/ok'], { IX_CACHE_DIR: 'W/file' }, 3, /IX_CACHE_DIR=.*\/file is not a directory/],
  ['XDG_CACHE_HOME naming a file', ['plan', 'bin/ok'], { IX_CACHE_DIR: '', XDG_CACHE_HOME: 'W/file' }, 3, /XDG_CACHE_HOME=.*\/file is not a directory/],
  ['XDG_CONFIG_HOME naming a file', ['build', 'bin/ok', '--dry-run'], { XDG_CONFIG_HOME: 'W/file' }, 3, /XDG_CONFIG_HOME=.*\/file is not a directory/],
  // ---- overlay recipes
  ['template syntax error', ['plan', 'bin/syntax'], {}, 2, /^bin\/syntax\/ix\.sh:2: template syntax error: .* \(package bin\/syntax\)$/],
  ['200 nested ifs', ['plan', 'bin/deep-if'], {}, 2, 'bin/deep-if/ix.sh:65: nesting deeper than 64 levels (package bin/deep-if)'],
  ['300 parentheses', ['plan', 'bin/deep-paren'], {}, 2, 'bin/deep-paren/ix.sh:2: nesting deeper than 64 levels (package bin/deep-paren)'],
  ['100 brackets', ['plan', 'bin/deep-list'], {}, 2, 'bin/deep-list/ix.sh:1: nesting deeper than 64 levels (package bin/deep-list)'],
  ['100 nots', ['plan', 'bin/deep-not'], {}, 2, 'bin/deep-not/ix.sh:1: nesting deeper than 64 levels (package bin/deep-not)'],
  ['100 filters', ['render', 'bin/deep-filter'], {}, 2, 'bin/deep-filter/ix.sh:1: nesting deeper than 64 levels (package bin/deep-filter)'],
  ["'x' * 200000000", ['plan', 'bin/huge-repeat'], {}, 2, 'bin/huge-repeat/ix.sh:3: evaluation of bin/huge-repeat exceeded 8388608 bytes of output (package bin/huge-repeat)'],
  ['[1, 2] * 1000000', ['plan', 'bin/huge-list'], {}, 2, 'bin/huge-list/ix.sh:1: list longer than 1000000 items (package bin/huge-list)'],
  ['range(100000000)', ['plan', 'bin/huge-range'], {}, 2, /bin\/huge-range\/ix\.sh:1: evaluation of bin\/huge-range exceeded 1000000 loop iterations/],
  ['1 / 0', ['plan', 'bin/div-zero'], {}, 2, 'bin/div-zero/ix.sh:2: division by zero (package bin/div-zero)'],
  ['7 // 0.0', ['plan', 'bin/floordiv-zero'], {}, 2, 'bin/floordiv-zero/ix.sh:1: division by zero (package bin/floordiv-zero)'],
  ['7 % False', ['plan', 'bin/mod-zero'], {}, 2, 'bin/mod-zero/ix.sh:1: division by zero (package bin/mod-zero)'],
  ["'a' * 'b'", ['plan', 'bin/str-times-str'], {}, 2, "bin/str-times-str/ix.sh:1: unsupported operands for *: 'a' and 'b' (package bin/str-times-str)"],
  ['2 ** 64', ['plan', 'bin/overflow'], {}, 2, 'bin/overflow/ix.sh:1: integer overflow: the result of ** exceeds 2**53 (package bin/overflow)'],
  ['(2**53 - 1) * 2', ['plan', 'bin/overflow-mul'], {}, 2, /integer overflow: the result of \* exceeds 2\*\*53/],
  ["1 < 'a'", ['plan', 'bin/mixed-order'], {}, 2, "bin/mixed-order/ix.sh:1: '<' not supported between int and str (package bin/mixed-order)"],
  ['none >= 0', ['plan', 'bin/none-order'], {}, 2, "bin/none-order/ix.sh:1: '>=' not supported between NoneType and int (package bin/none-order)"],
  ['super() in a nested block without a parent', ['plan', 'bin/super-nested'], {}, 2, "bin/super-nested/ix.sh:2: super(): block 'd' has no parent block (package bin/super-nested)"],
  ['super() at top level without a parent', ['plan', 'bin/super-top'], {}, 2, "bin/super-top/ix.sh:1: super(): block 'a' has no parent block (package bin/super-top)"],
  ['a template that extends itself', ['plan', 'bin/self-extends'], {}, 2, /bin\/self-extends\/ix\.sh:1: extends cycle/],
  ['a template that includes itself', ['plan', 'bin/self-include'], {}, 2, /bin\/self-include\/ix\.sh:\d+: include cycle/],
  ['dependency cycle', ['plan', 'bin/cycle-a'], {}, 2, /dependency cycle: bin\/cycle-a -> bin\/cycle-b -> bin\/cycle-a/],
  ['a package that needs itself at run time', ['plan', 'bin/self-dep'], {}, 2, /dependency cycle: bin\/self-dep -> bin\/self-dep/],
  ['descriptor is not JSON', ['plan', 'bin/not-json'], {}, 2, /not valid JSON.*\(package bin\/not-json\)/],
  ['invalid UTF-8', ['plan', 'bin/bad-utf8'], {}, 2, 'bin/bad-utf8/ix.sh: invalid UTF-8 at byte 4 (package bin/bad-utf8)'],
  ['ix.sh a symlink loop', ['plan', 'bin/sym-loop'], {}, 2, /bin\/sym-loop\/ix\.sh: a loop of symbolic links, not a file/],
  ['ix.sh a directory', ['plan', 'bin/dir-recipe'], {}, 2, 'bin/dir-recipe/ix.sh: a directory, not a file'],
  ['ix.sh a named pipe', ['plan', 'bin/fifo'], {}, 2, 'bin/fifo/ix.sh: a named pipe, not a file'],
  ['ix.sh a link to /dev/zero', ['plan', 'bin/zero'], {}, 2, 'bin/zero/ix.sh: a device, not a file'],
  ['ix run of a program whose ix.sh is a directory', ['run', 'dir-recipe'], {}, 2, 'bin/dir-recipe/ix.sh: a directory, not a file'],
  ['ix run of a program whose ix.sh is a named pipe', ['run', 'fifo', '--help'], {}, 2, 'bin/fifo/ix.sh: a named pipe, not a file'],
  ['ix.sh a dangling link', ['plan', 'bin/dangling'], {}, 2, 'bin/dangling/ix.sh: a symbolic link to nothing (nowhere)'],
  ['a name with a quote (nunjucks pastes it into JS)', ['plan', 'bin/bad-name'], {}, 2, `bin/bad-name/ix.sh:2: template syntax error: unexpected character '"' in a name (package bin/bad-name)`],
  ['a name with an escape character', ['render', 'bin/esc-name'], {}, 2, 'bin/esc-name/ix.sh:1: template syntax error: unexpected character U+001B in a name (package bin/esc-name)'],
  ['a name starting with a digit', ['plan', 'bin/digit-name'], {}, 2, 'bin/digit-name/ix.sh:3: template syntax error: a name cannot start with a digit (package bin/digit-name)'],
  ['recipe text with terminal escapes', ['plan', 'bin/escape'], {}, 2, 'bin/escape/ix.sh:1: bad \\x1b]0;pwned\\x07 text (package bin/escape)'],
  ['a dependency name with terminal escapes', ['plan', 'bin/escape-dep'], {}, 2, /unknown package 'bin\/no\\x1b\]0;pwned\\x07'/],
  ['a fetch URL with a password', ['plan', 'bin/secret-dep'], {}, 2, /bin\/secret-dep/],
];

/** Entries a store root holds after a run (none may be a store path or a build). */
function storeEntries(root: string): string[] {
  const out: string[] = [];
  for (const d of ['store', 'build']) {
    const p = join(root, d);
    if (existsSync(p) && lstatSync(p).isDirectory()) out.push(...readdirSync(p).map((e) => `${d}/${e}`));
  }
  return out;
}

describe('hostile input: one line, exit 2 or 3, nothing written, no secret, within 10 s', () => {
  test('the battery is large', () => {
    expect(cases.length).toBeGreaterThanOrEqual(90);
    expect(new Set(cases.map((c) => c[0])).size).toBe(cases.length);
  });

  for (const [what, argv, extra, code, says] of cases) {
    test.concurrent(what, async () => {
      const root = tempDir('ix-hostile-root-');
      const sub = (v: string) => v.replace(/^W\//, `${work}/`);
      const env: Record<string, string> = { IX_ROOT: root, IX_CACHE_DIR: tempDir('ix-hostile-cache-'), XDG_CONFIG_HOME: join(root, 'no-config') };
      for (const [k, v] of Object.entries(extra)) {
        if (v === '') delete env[k];
        else env[k] = sub(v);
      }
      const planning = ['plan', 'build', 'graph', 'why-depends', 'render', 'run', 'mut', 'copy'].includes(argv[0]);
      // `ix run PROG ARGS...` hands everything after PROG to the program
      const args = !planning ? argv : argv[0] === 'run' ? [argv[0], '--recipes', R, ...argv.slice(1)] : [...argv, '--recipes', R];
      const r = await run(args, env);
      const all = r.out + r.err;
      expect(r.ms, 'stopped within 10 s').toBeLessThan(10_000);
      expect(all).not.toContain(SECRET);
      expect(all).not.toMatch(/internal error|\n\s+at |Error:/);
      // eslint-disable-next-line no-control-regex
      expect(all, 'a raw control character').not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(r.out).toBe('');
      const lines = r.err.trimEnd().split('\n');
      expect(lines, r.err).toHaveLength(1);
      expect(lines[0]).toMatch(/^ix: error: /);
      const line = lines[0].slice('ix: error: '.length);
      if (typeof says === 'string') expect(line).toBe(says);
      else expect(line).toMatch(says);
      expect(r.code, r.err).toBe(code);
      expect(storeEntries(root)).toEqual([]);
      if (env.IX_ROOT.endsWith('/file')) expect(lstatSync(env.IX_ROOT).isFile()).toBe(true);
    });
  }
});

// A store on a read-only file system, fresh and after it was set up: the verbs that write say so
// in one line (exit 3) before touching it, the ones that only read still work.
describe.skipIf(missing('root (to mount a read-only tmpfs)', isRoot))('hostile input: a read-only store', () => {
  const mounts: string[] = [];
  const mount = (dir: string, opts: string) => {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount: ${r.stderr}`);
    mounts.push(dir);
  };
  afterAll(() => {
    for (const d of mounts) spawnSync('umount', [d]);
  });

  test('writing verbs: exit 3 naming the root; reading verbs and dry runs work', async () => {
    const fresh = tempDir('ix-ro-');
    mount(fresh, 'size=1m,ro');
    // a read-only cache directory: even a plan says so in one line
    const noCache = await run(['plan', 'bin/ok', '--recipes', R], { IX_ROOT: tempDir('ix-ro-root-'), IX_CACHE_DIR: join(fresh, 'cache') });
    expect(noCache.code, noCache.err).toBe(3);
    expect(noCache.err).toBe(`ix: error: the cache directory ${join(fresh, 'cache')} is not writable (read-only file system at ${fresh}): set IX_CACHE_DIR to a writable directory\n`);
    const used = tempDir('ix-ro-');
    mount(used, 'size=4m');
    const cache = tempDir('ix-ro-cache-');
    expect((await run(['gc'], { IX_ROOT: join(used, 'ix'), IX_CACHE_DIR: cache })).code).toBe(0);
    expect(spawnSync('mount', ['-o', 'remount,ro', used]).status).toBe(0);
    for (const dir of [fresh, used]) {
      const root = join(dir, 'ix');
      const at = dir === fresh ? dir : root;
      const env = { IX_ROOT: root, IX_CACHE_DIR: cache };
      const writers = await Promise.all([['build', 'bin/ok'], ['gc'], ['mut', 'demo', 'bin/ok'], ['purge', 'demo'], ['root', 'add', 'x']].map((a) => run(a[0] === 'gc' || a[0] === 'purge' || a[0] === 'root' ? a : [...a, '--recipes', R], env)));
      for (const r of writers) {
        expect(r.code, r.err).toBe(3);
        expect(r.err).toBe(`ix: error: the ix root ${root} is not writable (read-only file system at ${at}): set IX_ROOT to a writable directory\n`);
      }
      const dry = await run(['build', 'bin/ok', '--dry-run', '--recipes', R], env);
      expect(dry.code, dry.err).toBe(0);
      expect(dry.err).toMatch(/^build bin\/ok \/ix\/store\//);
      if (dir === used) {
        for (const a of [['list'], ['store', 'verify']]) expect((await run(a, env)).code).toBe(0);
      }
    }
  });
});

// Names, flag values and build output with terminal escapes, through every message a successful
// plan or a failed build shows: the plain and the live progress lines, the failure's log tail,
// the log's header, dry-run lines, keep-going errors, why-depends, mut --dry-run and ix list.
// Each control character is shown escaped; none reaches the terminal raw.
describe.skipIf(missing('busybox (Debian busybox-static)', haveBusybox()))('hostile input: output that cannot attack the terminal', () => {
  const E = `bin/e${ESC}x`;
  const shown = 'bin/e\\x1b]0;pwned\\x07x';
  const kit = join(repoRoot, 'test', 'fixtures', 'hostile', 'recipes');
  /** Control characters other than newlines and the live display's own cursor moves. */
  // eslint-disable-next-line no-control-regex
  const raw = (s: string) => s.replace(/\x1b\[\d+A\r\x1b\[J/g, '').match(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g) ?? [];
  let T = '';
  let root = '';
  let env: Record<string, string> = {};
  beforeAll(() => {
    T = writeTree({
      [`${E}/ix.sh`]: JSON.stringify({ bld: { deps: ['bld/boot/bb'], script: { kind: 'sh', data: "printf '\\033]0;pwned\\007 step\\r\\n'; exit 1" } } }),
      'bin/uses-e/ix.sh': recipe({ script: 'true', deps: [E] }),
      'bin/broken/ix.sh': `{{ ix.error("bad ${ESC}") }}`,
    });
    root = tempDir('ix-hostile-tty-');
    chmodSync(root, 0o755); // the build user enters it
    env = { IX_ROOT: root, IX_CACHE_DIR: tempDir('ix-hostile-cache-'), XDG_CONFIG_HOME: join(root, 'no-config') };
  });
  const ix = (args: string[], extra: Record<string, string> = {}) => run([...args, '--recipes', T, '--recipes', kit], { ...env, ...extra });

  test('a failed build: plain and live progress, the log tail, the log header', async () => {
    for (const progress of ['plain', 'live']) {
      const r = await ix(['build', E], { IX_PROGRESS: progress });
      expect(r.code, r.err).toBe(1);
      expect(raw(r.out + r.err), r.err).toEqual([]);
      expect(r.err).toContain(`FAILED ${shown} `);
      expect(r.err).toContain('| \\x1b]0;pwned\\x07 step\\x0d');
      expect(r.err).toContain(`ix: build failed: ${shown}: `);
      const log = /log: (\S+)/.exec(r.err)![1].replace(/^\/ix\//, `${root}/`);
      expect(readFileSync(log, 'utf8')).toMatch(new RegExp(`^# ix-log/1\\n# node bin/e\\\\x1b\\]0;pwned\\\\x07x\\n`));
    }
  }, 60_000);

  test('dry run, keep-going plan, why-depends, mut --dry-run', async () => {
    const dry = await ix(['build', E, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(raw(dry.out + dry.err)).toEqual([]);
    expect(dry.err).toMatch(new RegExp(`^build bin/e\\\\x1b\\]0;pwned\\\\x07x /ix/store/`, 'm'));
    const plan = await ix(['plan', E, 'bin/broken', '--keep-going']);
    expect(plan.code).toBe(2);
    expect(raw(plan.out + plan.err)).toEqual([]);
    expect(plan.err).toContain('ix: error: bin/broken/ix.sh:1: bad \\x1b]0;pwned\\x07 (package bin/broken)\n');
    const why = await ix(['why-depends', 'bin/uses-e', E]);
    expect(why.code, why.err).toBe(0);
    expect(raw(why.out + why.err)).toEqual([]);
    expect(why.out).toMatch(new RegExp(`└─ /ix/store/\\S+ ${shown.replace(/[\\[\]]/g, '\\$&')}\\n$`));
    const mut = await ix(['mut', 'demo', `bin/hello(k=${ESC})`, '--dry-run']);
    expect(mut.code, mut.err).toBe(0);
    expect(raw(mut.out + mut.err)).toEqual([]);
    expect(mut.out).toContain('\\x1b]0;pwned\\x07');
  }, 60_000);

  test('a realm whose package carries a flag with escapes: mut and ix list', async () => {
    const mut = await ix(['mut', 'demo', `bin/hello(k=${ESC})`]);
    expect(mut.code, mut.err).toBe(0);
    expect(raw(mut.out + mut.err)).toEqual([]);
    const list = await run(['list', 'demo'], env);
    expect(list.code, list.err).toBe(0);
    expect(raw(list.out + list.err)).toEqual([]);
    expect(list.out).toContain('\\x1b]0;pwned\\x07');
  }, 60_000);
});
