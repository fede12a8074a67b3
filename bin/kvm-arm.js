#!/usr/bin/env node
'use strict';
let cli;
try {
  cli = require('../dist/cjs/cli/main.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && /dist[\\/]cjs[\\/]cli[\\/]main/.test(String(e.message))) {
    process.stderr.write('kvm-arm: the TypeScript build is missing (dist/); run `npm run compile` in the package folder\n');
    process.exit(1);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`kvm-arm: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
