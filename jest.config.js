'use strict';
// Test tiers (see README "Tests"): unit and conformance run anywhere; native needs a Linux /dev/kvm
// (it skips with a printed reason otherwise); oracle needs Debian packages that .ci/run installs;
// arm64 runs inside the nested arm64 KVM guest (ci/arm64-lab.sh); linux boots Debian's arm64 kernel to a shell on the soft
// backend (needs the kernel + busybox of `ci/arm64-lab.sh setup` and dist/).
// Transpile-only (type errors are `npm run typecheck`'s job): isolatedModules comes from tsconfig.jest.json.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }];
const fs = require('node:fs');
const path = require('node:path');
const base = { transform: { '^.+\\.ts$': tsJest }, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
// A tier whose folder does not exist (yet) is left out rather than failing jest's config validation.
const tier = (name) => ({ ...base, displayName: name, roots: [`<rootDir>/test/${name}`] });
module.exports = {
  projects: ['unit', 'conformance', 'native', 'oracle', 'arm64', 'linux'].filter((t) => fs.existsSync(path.join(__dirname, 'test', t))).map(tier),
};
