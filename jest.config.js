'use strict';
// Test tiers (see README "Tests"): unit and conformance run anywhere; native needs a Linux /dev/kvm
// (it skips with a printed reason otherwise); oracle needs Debian packages that .ci/run installs;
// arm64 runs inside the nested arm64 KVM guest (ci/arm64-lab.sh).
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
const base = { transform: { '^.+\\.ts$': tsJest }, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    { ...base, displayName: 'conformance', roots: ['<rootDir>/test/conformance'] },
    { ...base, displayName: 'native', roots: ['<rootDir>/test/native'] },
    { ...base, displayName: 'oracle', roots: ['<rootDir>/test/oracle'] },
    { ...base, displayName: 'arm64', roots: ['<rootDir>/test/arm64'] },
  ],
};
