/**
 * Cross-backend snapshots on a real arm64 KVM (the lab), kvm side. A timer-interrupt guest
 * (test/conformance/snapshot-guest.ts) is stopped in the middle of its run on one backend, captured, written in the
 * binary format, restored on the other backend and continued: the combined UART output must equal an uninterrupted
 * run's. The soft backend never runs here (node in the emulated guest is 10-40x slower; the soft run timed out):
 *  - before the guest run, scripts/snapshot-cross.js on the host ran the guest on soft and wrote soft-N.snap/.out;
 *  - this file: (a) soft-N.snap → kvm, (b) kvm run → kvm-M.snap/.out for the host, (c) kvm → kvm round trip;
 *  - after the guest run, `scripts/snapshot-cross.js --after` on the host restores kvm-M.snap on soft.
 * The register sets differ (the soft list vs KVM's for the lab CPU): every difference must come back as a restore
 * warning (never silently), and none may touch the state the guest uses (core, FP/SIMD, timer, PSCI, VGIC).
 */
import { existsSync, rmSync } from 'node:fs';
import { open } from '../../lib/open';
import type { Hypervisor } from '../../lib/backend';
import { describeArm64, labCpu } from './helpers';
import {
  SOFT_STOP, KVM_STOP, EXPECTED_OUTPUT, snapshotDir, snapPath, outPath, captureAfter, writeCapture, readCapture, resumeOn, harmfulWarnings, warningText,
} from './snapshot-cross-common';

describeArm64('snapshot across backends (real arm64 KVM; the soft side runs on the host)', () => {
  let hv: Hypervisor;
  beforeAll(() => {
    hv = open({ backend: 'kvm' });
  });
  afterAll(() => hv?.close());

  test(`soft → kvm: soft-${SOFT_STOP}.snap from the host resumes here, same output, differences reported and harmless`, () => {
    const soft = readCapture('soft', SOFT_STOP);
    expect(soft.output).toBe(EXPECTED_OUTPUT.slice(0, SOFT_STOP));
    const r = resumeOn(hv, soft.bytes);
    console.log(`snapshot soft -> kvm (lab cpu ${labCpu ?? '?'}): ${soft.bytes.length} bytes, ${r.warnings.length} warnings\n${warningText(r.warnings)}`);
    expect(r.uartBytes).toBe(SOFT_STOP);
    expect(soft.output + r.output).toBe(EXPECTED_OUTPUT);
    expect(harmfulWarnings(r.warnings)).toEqual([]);
  });

  test(`kvm → host: run on kvm, stop after ${KVM_STOP} UART exits, write kvm-${KVM_STOP}.snap for the host's --after check`, () => {
    const dir = snapshotDir();
    for (const f of [snapPath('kvm', KVM_STOP, dir), outPath('kvm', KVM_STOP, dir)]) if (existsSync(f)) rmSync(f);
    const c = captureAfter(hv, KVM_STOP);
    expect(c.output).toBe(EXPECTED_OUTPUT.slice(0, KVM_STOP));
    writeCapture('kvm', KVM_STOP, c, dir);
    // read back what the host will read
    const back = readCapture('kvm', KVM_STOP, dir);
    expect(back.output).toBe(c.output);
    expect(Buffer.from(back.bytes).equals(Buffer.from(c.bytes))).toBe(true);
    console.log(`snapshot kvm (lab cpu ${labCpu ?? '?'}): wrote ${snapPath('kvm', KVM_STOP, dir)} (${c.bytes.length} bytes)`);
  });

  test('kvm → kvm in the interrupt handler: same output, no warnings but read-back of moving state', () => {
    const c = captureAfter(hv, SOFT_STOP);
    const r = resumeOn(hv, c.bytes);
    console.log(`snapshot kvm -> kvm (lab cpu ${labCpu ?? '?'}): ${c.bytes.length} bytes, ${r.warnings.length} warnings\n${warningText(r.warnings)}`);
    expect(c.output + r.output).toBe(EXPECTED_OUTPUT);
    expect(harmfulWarnings(r.warnings)).toEqual([]);
    expect(r.warnings.filter((w) => w.kind !== 'reg-differs')).toEqual([]);
  });
});
