/**
 * Cross-backend snapshots on a real arm64 KVM (the lab): a timer-interrupt guest (test/conformance/snapshot-guest.ts)
 * is stopped in the middle of its run on one backend, captured, written and read back in the binary format, and
 * restored on the other backend ('soft' → 'kvm' and 'kvm' → 'soft'), then continued: the combined UART output must
 * equal an uninterrupted run's. The register sets differ (the soft list vs KVM's for the lab CPU): every
 * difference must come back as a restore warning (never silently), and none may touch the state the guest uses
 * (core, FP/SIMD, timer, PSCI, VGIC). The warnings are printed for the report.
 */
import { open } from '../../lib/open';
import { captureVm, restoreVm, encodeSnapshot, decodeSnapshot, type RestoreWarning } from '../../lib/snapshot';
import { KVM_REG_ARM_CORE, KVM_REG_ARM_COPROC_MASK, KVM_REG_ARM_PSCI_VERSION, arm64SysregIdByName } from '../../lib/codec/regid';
import { createGuestVm, guestParts, runGuest, closeGuestVm, EXPECTED_OUTPUT } from '../conformance/snapshot-guest';
import { describeArm64, labCpu } from './helpers';

const text = (b: number[]): string => String.fromCharCode(...b);
const TIMER = new Set<bigint>(['KVM_REG_ARM_TIMER_CTL', 'KVM_REG_ARM_TIMER_CNT', 'KVM_REG_ARM_TIMER_CVAL'].map((n) => arm64SysregIdByName(n) as bigint));

function transfer(from: 'soft' | 'kvm', to: 'soft' | 'kvm', stopAfter: number): { output: string; warnings: readonly RestoreWarning[] } {
  const hv1 = open({ backend: from });
  const g = createGuestVm(hv1);
  const out: number[] = [];
  expect(runGuest(g.vcpus[0]!, out, stopAfter, () => g.uartBytes++)).toBe('limit');
  const bytes = encodeSnapshot(captureVm(guestParts(g)));
  closeGuestVm(g);
  hv1.close();
  const hv2 = open({ backend: to });
  const r = restoreVm(hv2, decodeSnapshot(bytes), { verify: true });
  try {
    console.log(`snapshot ${from} -> ${to} (lab cpu ${labCpu ?? '?'}): ${bytes.length} bytes, ${r.warnings.length} warnings\n${r.warnings.map((w) => `  ${w.kind}: ${w.message}`).join('\n')}`);
    expect(runGuest(r.vcpus[0]!, out)).toBe('shutdown');
    return { output: text(out), warnings: r.warnings };
  } finally {
    r.close();
    hv2.close();
  }
}

/** No warning may concern what the guest depends on. */
function expectHarmless(warnings: readonly RestoreWarning[]): void {
  for (const w of warnings) {
    expect(['reg-not-listed', 'reg-not-saved', 'reg-rejected', 'reg-differs', 'target']).toContain(w.kind);
    if (w.id !== undefined) {
      // core registers (incl. FP/SIMD), PSCI_VERSION and the timer must restore on both backends
      const core = (w.id & KVM_REG_ARM_COPROC_MASK) === KVM_REG_ARM_CORE;
      expect({ message: w.message, core, psci: w.id === (KVM_REG_ARM_PSCI_VERSION as bigint), timer: TIMER.has(w.id) }).toEqual({ message: w.message, core: false, psci: false, timer: false });
    }
  }
}

describeArm64('snapshot across backends (real arm64 KVM)', () => {
  test('kvm → kvm in the interrupt handler: same output, no warnings but read-back of moving state', () => {
    const { output, warnings } = transfer('kvm', 'kvm', 45);
    expect(output).toBe(EXPECTED_OUTPUT);
    expectHarmless(warnings);
    expect(warnings.filter((w) => w.kind !== 'reg-differs')).toEqual([]);
  });

  test('soft → kvm in the interrupt handler: same output, differences reported', () => {
    const { output, warnings } = transfer('soft', 'kvm', 45);
    expect(output).toBe(EXPECTED_OUTPUT);
    expectHarmless(warnings);
  });

  test('kvm → soft in the interrupt handler: same output, differences reported', () => {
    const { output, warnings } = transfer('kvm', 'soft', 45);
    expect(output).toBe(EXPECTED_OUTPUT);
    expectHarmless(warnings);
  });
});
