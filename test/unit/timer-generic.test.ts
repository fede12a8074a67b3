/**
 * The soft generic timer (lib/soft/timer.ts) on a manual counter: CTL/CVAL/TVAL semantics, ISTATUS/IMASK,
 * outputs as level PPIs 27/30, deadlines, CNTVOFF and KVM's ONE_REG views (arch/arm64/kvm/arch_timer.c).
 */
import {
  GenericTimer,
  VmClock,
  ManualCounter,
  InstructionCounter,
  HostCounter,
  cpuTimerStore,
  TIMER_SYSREGS,
  CNTFRQ_DEFAULT,
  VTIMER_IRQ,
  PTIMER_IRQ,
} from '../../lib/soft/timer';
import { KVM_TIMER_IDS } from '../../lib/codec/regid';

function setup(start = 1000n): { ctr: ManualCounter; clock: VmClock; t: GenericTimer; levels: Array<[number, boolean]> } {
  const ctr = new ManualCounter(start);
  const clock = new VmClock(ctr);
  const levels: Array<[number, boolean]> = [];
  const t = new GenericTimer({ clock, onLevel: (i, l) => levels.push([i, l]) });
  return { ctr, clock, t, levels };
}

describe('counter and frequency', () => {
  test('CNTFRQ is 62.5 MHz (the lab KVM host value)', () => {
    expect(CNTFRQ_DEFAULT).toBe(62_500_000n);
    const { t } = setup();
    expect(t.readSysreg(...TIMER_SYSREGS.CNTFRQ_EL0)).toBe(62_500_000n);
  });
  test('virtual count = physical count - CNTVOFF', () => {
    const { clock, t, ctr } = setup(5000n);
    clock.cntvoff = 1200n;
    expect(t.readSysreg(...TIMER_SYSREGS.CNTPCT_EL0)).toBe(5000n);
    expect(t.readSysreg(...TIMER_SYSREGS.CNTVCT_EL0)).toBe(3800n);
    ctr.advance(10n);
    expect(t.count('virt')).toBe(3810n);
  });
  test('instruction counter: count = retired * k', () => {
    let retired = 0;
    const clock = new VmClock(new InstructionCounter(() => retired, 3n));
    retired = 7;
    expect(clock.physicalCount()).toBe(21n);
  });
  test('host counter is monotonic and nsUntil converts counts to host time', () => {
    const clock = new VmClock(new HostCounter());
    const a = clock.physicalCount();
    const b = clock.physicalCount();
    expect(b >= a).toBe(true);
    const m = new VmClock(new ManualCounter(0n));
    expect(m.nsUntil(625n)).toBe(10_000); // 625 ticks at 62.5 MHz = 10 µs
    expect(m.nsUntil(0n)).toBe(0);
  });
});

describe('CTL / CVAL / TVAL', () => {
  test('ISTATUS follows the condition; output needs ENABLE and not IMASK; levels go to PPI 27 / 30', () => {
    const { t, ctr, levels } = setup(1000n);
    t.setCval('virt', 1100n);
    t.setCtl('virt', 1n);
    expect(t.ctl('virt')).toBe(1n);
    expect(t.output('virt')).toBe(false);
    ctr.advance(100n);
    t.update();
    expect(t.ctl('virt')).toBe(5n);
    expect(levels).toEqual([[VTIMER_IRQ, true]]);
    t.setCtl('virt', 3n); // IMASK
    expect(levels).toEqual([[VTIMER_IRQ, true], [VTIMER_IRQ, false]]);
    expect(t.ctl('virt')).toBe(7n);
    t.setCtl('phys', 1n); // CVAL 0 ≤ count: fires at once
    expect(levels[2]).toEqual([PTIMER_IRQ, true]);
  });
  test('ISTATUS is read-only; writes keep only ENABLE and IMASK', () => {
    const { t } = setup(0n);
    t.setCval('phys', 100n);
    t.setCtl('phys', 0xffn);
    expect(t.ctl('phys')).toBe(3n);
  });
  test('TVAL: low 32 bits of CVAL - count; a write sign-extends', () => {
    const { t, ctr } = setup(1000n);
    t.writeSysreg(...TIMER_SYSREGS.CNTV_TVAL_EL0, 500n);
    expect(t.cval('virt')).toBe(1500n);
    expect(t.readSysreg(...TIMER_SYSREGS.CNTV_TVAL_EL0)).toBe(500n);
    ctr.advance(600n);
    expect(t.tval('virt')).toBe(0xffffff9cn); // -100
    t.setTval('virt', 0xfffffff6n); // -10
    expect(t.cval('virt')).toBe(1590n);
  });
  test('guest sysreg access: read-only counters are not writable; other encodings are not timer registers', () => {
    const { t } = setup();
    expect(t.writeSysreg(...TIMER_SYSREGS.CNTVCT_EL0, 5n)).toBe(false);
    expect(t.writeSysreg(3, 0, 1, 0, 0, 5n)).toBe(false);
    expect(t.readSysreg(3, 0, 1, 0, 0)).toBeUndefined();
    expect(t.writeSysreg(...TIMER_SYSREGS.CNTP_CVAL_EL0, 77n)).toBe(true);
    expect(t.readSysreg(...TIMER_SYSREGS.CNTP_CVAL_EL0)).toBe(77n);
  });
});

describe('deadlines', () => {
  test('the earliest enabled unmasked timer, in physical counts (virtual adds CNTVOFF)', () => {
    const { t, clock } = setup(0n);
    expect(t.nextDeadline()).toBeUndefined();
    clock.cntvoff = 1000n;
    t.setCval('virt', 500n);
    t.setCtl('virt', 1n);
    expect(t.nextDeadline()).toBe(1500n);
    t.setCval('phys', 1200n);
    t.setCtl('phys', 1n);
    expect(t.nextDeadline()).toBe(1200n);
    t.setCtl('phys', 3n);
    expect(t.nextDeadline()).toBe(1500n);
  });
  test('a WFI on a manual counter advances to the deadline and the output rises', () => {
    const { t, ctr, levels } = setup(0n);
    t.setTval('virt', 1000n);
    t.setCtl('virt', 1n);
    const d = t.nextDeadline();
    expect(d).toBe(1000n);
    ctr.advanceTo(d as bigint);
    t.update();
    expect(levels).toEqual([[VTIMER_IRQ, true]]);
  });
});

describe('KVM ONE_REG views', () => {
  test('the swapped ids: TIMER_CNT (encoded as CNTV_CVAL) reads the virtual count, TIMER_CVAL the compare value', () => {
    expect(KVM_TIMER_IDS.KVM_REG_ARM_TIMER_CNT.enc).toEqual({ op0: 3, op1: 3, crn: 14, crm: 3, op2: 2 });
    const { t, clock } = setup(10_000n);
    clock.cntvoff = 4000n;
    t.setCval('virt', 123n);
    expect(t.getOneReg('KVM_REG_ARM_TIMER_CNT')).toBe(6000n);
    expect(t.getOneReg('KVM_REG_ARM_TIMER_CVAL')).toBe(123n);
    expect(t.getOneReg('KVM_REG_ARM_PTIMER_CNT')).toBe(10_000n);
  });
  test('writing TIMER_CNT sets the VM-wide CNTVOFF so the virtual count restarts from the value', () => {
    const { t, clock, ctr } = setup(10_000n);
    const other = new GenericTimer({ clock });
    expect(t.setOneReg('KVM_REG_ARM_TIMER_CNT', 2500n)).toBe(true);
    expect(clock.cntvoff).toBe(7500n);
    ctr.advance(5n);
    expect(other.getOneReg('KVM_REG_ARM_TIMER_CNT')).toBe(2505n);
  });
  test('TIMER_CTL reads ISTATUS whenever the condition holds (even disabled); ISTATUS writes are dropped', () => {
    const { t } = setup(100n);
    t.setOneReg('KVM_REG_ARM_TIMER_CVAL', 50n);
    expect(t.getOneReg('KVM_REG_ARM_TIMER_CTL')).toBe(4n);
    t.setOneReg('KVM_REG_ARM_TIMER_CTL', 7n);
    expect(t.getOneReg('KVM_REG_ARM_TIMER_CTL')).toBe(7n);
    t.setOneReg('KVM_REG_ARM_TIMER_CTL', 4n);
    expect(t.getOneReg('KVM_REG_ARM_TIMER_CTL')).toBe(4n);
    expect(t.output('virt')).toBe(false);
  });
  test('PTIMER_CNT is not writable; bad values are RangeErrors', () => {
    const { t } = setup();
    expect(t.setOneReg('KVM_REG_ARM_PTIMER_CNT', 1n)).toBe(false);
    expect(() => t.setOneReg('KVM_REG_ARM_TIMER_CVAL', -1n)).toThrow(RangeError);
    expect(() => t.setOneReg('KVM_REG_ARM_TIMER_CVAL', 1n << 64n)).toThrow(RangeError);
  });
});

describe('CPU-backed register store', () => {
  test('the timer reads and writes CTL/CVAL through the CPU system registers', () => {
    const regs = new Map<string, bigint>();
    const cpu = {
      getSysreg: (...e: number[]) => regs.get(e.join(',')) ?? 0n,
      setSysreg: (a: number, b: number, c: number, d: number, e: number, v: bigint) => void regs.set([a, b, c, d, e].join(','), v),
    };
    const clock = new VmClock(new ManualCounter(100n));
    const t = new GenericTimer({ clock, store: cpuTimerStore(cpu) });
    regs.set(TIMER_SYSREGS.CNTV_CVAL_EL0.join(','), 50n); // the guest wrote CVAL through the CPU
    regs.set(TIMER_SYSREGS.CNTV_CTL_EL0.join(','), 5n); // ENABLE, with a stale ISTATUS the CPU may report
    expect(t.output('virt')).toBe(true);
    expect(t.ctl('virt')).toBe(5n);
    t.setOneReg('KVM_REG_ARM_PTIMER_CVAL', 999n);
    expect(regs.get(TIMER_SYSREGS.CNTP_CVAL_EL0.join(','))).toBe(999n);
  });
});
