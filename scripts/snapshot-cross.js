#!/usr/bin/env node
'use strict';
/*
 * The host (soft backend) side of the cross-backend snapshot test (issue 5); the kvm side is
 * test/arm64/snapshot-cross.test.ts inside the arm64 lab guest. ci/arm64-lab.sh test runs:
 *
 *   node scripts/snapshot-cross.js           before the guest run: run the snapshot guest on soft, stop after N UART
 *                                            exits, write ci/.out/snapshots/soft-N.snap + soft-N.out
 *   node scripts/snapshot-cross.js --after   after the guest run: restore the guest's kvm-M.snap on soft, run to
 *                                            SYSTEM_OFF, check kvm-M.out + continuation == the uninterrupted output
 *                                            and that every restore warning is harmless; exit 1 otherwise (also
 *                                            when the guest wrote no kvm snapshot)
 *
 * Uses the JS that tsc compiled into ci/.out/js (ci/tsconfig.arm64.json; --js DIR for another tree).
 * KVM_ARM_SNAPSHOT_DIR overrides the snapshot folder (default ci/.out/snapshots).
 */
const path = require('node:path');
const fs = require('node:fs');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
let after = false;
let js = path.join(root, 'ci', '.out', 'js');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--after') after = true;
  else if (args[i] === '--js' && args[i + 1] !== undefined) js = path.resolve(args[++i]);
  else {
    console.error(`snapshot-cross: unknown argument ${args[i]} (usage: snapshot-cross.js [--after] [--js DIR])`);
    process.exit(2);
  }
}
const common = path.join(js, 'test', 'arm64', 'snapshot-cross-common.js');
if (!fs.existsSync(common)) {
  console.error(`snapshot-cross: no ${path.relative(root, common)}: compile first (node node_modules/typescript/bin/tsc -p ci/tsconfig.arm64.json)`);
  process.exit(2);
}
if (process.env.KVM_ARM_SNAPSHOT_DIR === undefined) process.env.KVM_ARM_SNAPSHOT_DIR = path.join(root, 'ci', '.out', 'snapshots');
const c = require(common);
const { open } = require(path.join(js, 'lib', 'open.js'));
const dir = c.snapshotDir();
const log = (m) => console.error(`snapshot-cross: ${m}`);

function main() {
  const hv = open({ backend: 'soft' });
  try {
    if (!after) {
      // (kvm-*.snap is left alone: the guest test replaces it, and another lab run may be between its guest and --after)
      const cap = c.captureAfter(hv, c.SOFT_STOP);
      if (cap.output !== c.EXPECTED_OUTPUT.slice(0, c.SOFT_STOP)) throw new Error(`soft run: output so far ${JSON.stringify(cap.output)} is not the expected prefix`);
      c.writeCapture('soft', c.SOFT_STOP, cap, dir);
      log(`soft run stopped after ${c.SOFT_STOP} UART exits: wrote ${path.relative(root, c.snapPath('soft', c.SOFT_STOP, dir))} (${cap.bytes.length} bytes) + .out`);
      return 0;
    }
    let kvm;
    try {
      kvm = c.readCapture('kvm', c.KVM_STOP, dir);
    } catch (e) {
      log(`FAIL: the guest produced no kvm snapshot (${e.message}); did test/arm64/snapshot-cross.test.ts run and pass in the guest?`);
      return 1;
    }
    const r = c.resumeOn(hv, kvm.bytes);
    log(`kvm -> soft: ${kvm.bytes.length} bytes, ${r.warnings.length} warnings\n${c.warningText(r.warnings)}`);
    const problems = [];
    if (r.uartBytes !== c.KVM_STOP) problems.push(`the pl011 device blob says ${r.uartBytes} UART bytes, expected ${c.KVM_STOP}`);
    if (kvm.output + r.output !== c.EXPECTED_OUTPUT) problems.push(`combined output ${JSON.stringify(kvm.output + r.output)} != expected ${JSON.stringify(c.EXPECTED_OUTPUT)}`);
    for (const h of c.harmfulWarnings(r.warnings)) problems.push(`harmful restore warning: ${h}`);
    if (problems.length) {
      log(`FAIL kvm -> soft:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    log(`kvm -> soft: OK (kvm-${c.KVM_STOP}.out + soft continuation == the uninterrupted output)`);
    return 0;
  } finally {
    hv.close();
  }
}

try {
  process.exitCode = main();
} catch (e) {
  log(`FAIL: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
}
