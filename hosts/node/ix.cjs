#!/usr/bin/env node
// The ix launcher: `ix` at the repository root (the npm bin) is a symbolic link to this file, so
// Node runs it as CommonJS (it resolves the link; the package is "type": "module"), which starts
// faster than an ES module. `ix --version` and `ix help` are answered by the CommonJS first stage
// (wasm/out/cli-fast.cjs); everything else imports the bundled ESM CLI (wasm/out/cli.js). Both
// are built by `npm install` (wasm/build.mjs). The V8 flags the WebAssembly core needs are set
// where the core is loaded (hosts/node/core.ts).
'use strict';
const { join } = require('node:path');
const out = join(__dirname, '..', '..', 'wasm', 'out');
const notBuilt = () => {
  process.stderr.write("ix: error: ix is not built: run 'npm install' (or 'node wasm/build.mjs') in the ix checkout\n");
  process.exit(2);
};
let code;
try {
  code = require(join(out, 'cli-fast.cjs')).answer(process.argv.slice(2));
} catch (e) {
  if (e === null || typeof e !== 'object' || e.code !== 'MODULE_NOT_FOUND') throw e;
  notBuilt();
}
if (code !== undefined) process.exitCode = code;
else {
  import(require('node:url').pathToFileURL(join(out, 'cli.js')).href).then(
    (cli) => cli.run(),
    (e) => (e?.code === 'ERR_MODULE_NOT_FOUND' ? notBuilt() : Promise.reject(e)),
  );
}
