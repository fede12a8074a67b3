#!/usr/bin/env node
'use strict';
// Writes the ESM entry points next to the CommonJS build: Node's ESM loader sees the CommonJS named exports
// (tsc emits them in the form cjs-module-lexer recognises), so `import { open } from 'kvm-arm'` works.
const fs = require('node:fs');
const path = require('node:path');
const dir = path.join(__dirname, '..', 'dist', 'esm');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'index.mjs'), "export * from '../cjs/index.js';\n");
fs.writeFileSync(path.join(dir, 'codec.mjs'), "export * from '../cjs/codec/index.js';\n");
