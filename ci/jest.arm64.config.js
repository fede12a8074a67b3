'use strict';
// jest for the arm64 tier inside the lab guest (ci/arm64-lab.sh test): it runs the JS that tsc compiled on the host
// into ci/.out/js, so no ts-jest (and no TypeScript compile on the emulated CPU); roots limited so jest does not crawl
// node_modules over 9p; the cache lives in the shared folder so later runs start warm; timeouts sized for an
// emulated CPU (JS there is 10-40x slower than on the host).
const path = require('node:path');
const root = path.join(__dirname, '..');
// KVM_ARM_LAB_SUITES: which compiled test folders run (default all three: the arm64 tier, native, conformance)
const suites = (process.env.KVM_ARM_LAB_SUITES || 'arm64 native conformance').split(/[\s,]+/).filter(Boolean);
module.exports = {
  rootDir: root,
  roots: suites.map((s) => `<rootDir>/ci/.out/js/test/${s}`),
  testMatch: ['**/*.test.js'],
  transform: {},
  testEnvironment: 'node',
  cacheDirectory: '<rootDir>/ci/.out/jest-cache',
  testTimeout: 300000,
  displayName: 'arm64',
  watchman: false,
};
