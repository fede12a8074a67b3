#!/usr/bin/env node
'use strict';
// `npm install` hook: build (or pick the prebuilt) native addon. It must never fail the install: without the
// addon the 'soft' backend still works, and `kvm-arm info` explains what is missing.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

if (process.platform !== 'linux') {
  console.log(`kvm-arm: ${process.platform} has no KVM; the native addon is not built (the soft backend works).`);
  process.exit(0);
}
if (process.env.KVM_ARM_SKIP_ADDON) {
  console.log('kvm-arm: KVM_ARM_SKIP_ADDON is set; the native addon is not built.');
  process.exit(0);
}
let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js');
} catch {
  console.warn('kvm-arm: node-gyp-build is not installed; the native addon is not built (the soft backend works).');
  process.exit(0);
}
const r = spawnSync(process.execPath, [bin], { stdio: 'inherit', cwd: path.join(__dirname, '..') });
if (r.status !== 0) {
  console.warn(
    'kvm-arm: WARNING: the native addon could not be built (see above). The soft backend works; for real KVM ' +
      'install python3, make and g++ and run `npm rebuild kvm-arm`. `npx kvm-arm info` lists the load errors.',
  );
}
process.exit(0);
