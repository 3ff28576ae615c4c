// Lint rules. The important one: engine/ is pure (no Node, no clock, no randomness, no host).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const banned = 'engine/ must stay pure: it takes bytes and returns bytes through HostIO';

export default tseslint.config(
  { ignores: ['node_modules/**', 'wasm/out/**', 'wasm/build/**', 'wasm/as/**', 'dist/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'test/.tmp/**', 'bench/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'process', 'util', 'url'], message: banned },
          { group: ['**/hosts/**', '**/wasm/**', '**/test/**'], message: 'engine/ may not import hosts, wasm or tests (engine <- wasm <- hosts)' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: banned }, { name: 'Buffer', message: banned },
        { name: 'require', message: banned }, { name: 'performance', message: banned },
        { name: 'Intl', message: 'no locale-dependent formatting in the engine' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: banned },
        { object: 'Math', property: 'random', message: banned },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date']", message: banned },
        { selector: "CallExpression[callee.property.name='toLocaleString']", message: 'no locale formatting in the engine' },
        { selector: "CallExpression[callee.property.name='localeCompare']", message: 'no locale-dependent sorting in the engine' },
      ],
    },
  },
  {
    files: ['wasm/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/hosts/**'], message: 'wasm/ may not import hosts (engine <- wasm <- hosts)' }] }],
    },
  },
  {
    // Host parts: the portable store, executor, fetcher, realms, gc, binary caches, substituters,
    // images and remote builders run on any OS (macOS too), so they never reach into the Linux
    // sandbox host, nor up into the CLI: the command line hands the executor and the builder's
    // side (remote/serve.ts) the host's Runner. test/imports.test.ts checks the whole allow-list.
    files: ['hosts/node/{store,exec,fetch,gc,realm,cache,remote,subst,image}/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/linux-sandbox/**', '**/linux-sandbox'], message: 'portable host code may not import the Linux sandbox host: take a Runner (hosts/common/runner.ts)' },
        { group: ['**/commands/**', '**/node/main', '**/wasm/**'], message: 'host parts may not import the CLI or the component' },
      ] }],
    },
  },
  {
    files: ['hosts/node/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/linux-sandbox/**', '**/linux-sandbox', '**/commands/**', '**/node/main', '**/wasm/**', '../exec/**', '../exec', '../realm/**', '../gc/**', '../cache/**', '../remote/**', '../fetch/**', '../subst/**', '../image/**'],
          message: 'the store is the bottom of hosts/node: it imports only hosts/common and the engine' },
      ] }],
    },
  },
  {
    // Shared by both hosts, so it imports neither.
    files: ['hosts/common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/hosts/node/**', '../node/**', '../node', '**/linux-sandbox/**', '**/linux-sandbox', '**/wasm/**'], message: 'hosts/common is below hosts/node and hosts/linux-sandbox: it imports only the engine' },
      ] }],
    },
  },
  {
    files: ['hosts/linux-sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/hosts/node/**', '../node/**', '../../node/**', '**/wasm/**'], message: 'linux-sandbox uses only hosts/common and the engine: the store and the CLI are hosts/node\'s, which hands in a commit hook' },
      ] }],
    },
  },
  {
    // The language server: the planner through the component, the CLI's loader, HostIO and caches;
    // never the executor, the store, realms, gc, fetcher, the Linux sandbox or the engine's code.
    files: ['hosts/lsp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/linux-sandbox/**', '**/linux-sandbox', '**/node/exec/**', '**/node/store/**', '**/node/realm/**', '**/node/gc/**', '**/node/fetch/**', '**/node/commands/**', '**/node/main'],
          message: 'hosts/lsp plans through hosts/node/core (+ io, cache, digest, paths); it never builds, stores or runs anything' },
        { group: ['**/engine/**', '!**/engine/api', '!**/engine/plan', '**/engine/plan/*', '!**/engine/plan/expand'], allowTypeImports: true, message: 'hosts/lsp reaches the engine only through the WASM core (types from engine/api, closures from engine/plan/expand)' },
      ] }],
    },
  },
  {
    // The playground runs in a browser: no Node, no Node host; the pure helpers of hosts/lsp (its index) are fine.
    files: ['hosts/browser/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'process', 'url', 'vscode-languageserver*'], message: 'hosts/browser runs in a browser page' },
        { group: ['**/hosts/node/**', '**/node/**', '**/linux-sandbox/**', '**/lsp/*'], message: 'hosts/browser may use only the pure parts of hosts/lsp, through its index, and engine types' },
        { group: ['**/engine/**', '!**/engine/api', '!**/engine/plan', '**/engine/plan/*', '!**/engine/plan/expand'], allowTypeImports: true, message: 'hosts/browser reaches the engine only through the WASM core (closures from engine/plan/expand)' },
      ] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'hosts/browser runs in a browser page' }, { name: 'Buffer', message: 'hosts/browser runs in a browser page' }],
    },
  },
  {
    // One invocation: the process's environment, working directory, streams, arguments, exit code
    // and signals are read by the entry files alone and handed down (hosts/node/context.ts), so a
    // command run in-process (a test, the language server) sees only what it was given. The
    // process's identity (pid, uid, arch, kill) is a fact of the machine, not of an invocation.
    files: ['hosts/**/*.ts'],
    ignores: ['hosts/node/main.ts', 'hosts/node/launch.ts', 'hosts/node/launch-fast.ts', 'hosts/node/run-node-main.ts', 'hosts/lsp/main.ts', 'hosts/vscode/**'],
    rules: {
      'no-restricted-properties': ['error', ...['env', 'argv', 'cwd', 'chdir', 'stdin', 'stdout', 'stderr', 'exit', 'exitCode', 'on', 'once', 'off'].map((property) => ({
        object: 'process', property, message: 'only the entry files read the process: take it from the invocation (hosts/node/context.ts)',
      }))],
    },
  },
);
