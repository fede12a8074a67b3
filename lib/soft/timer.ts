/**
 * The ARM generic timer of the soft backend: one VM-wide counter ({@link VmClock}, the CpuClock of
 * lib/soft/cpu/api.ts) and one {@link GenericTimer} per vCPU with the EL1 virtual (CNTV_*) and physical (CNTP_*)
 * timers, whose outputs are level-sensitive PPIs: virtual 27, physical 30 (KVM's defaults).
 *
 * KVM facts (Linux 6.1 arch/arm64/kvm/arch_timer.c, pinned by tests):
 * - CNTFRQ is the host's: 62.5 MHz on the arm64 lab (qemu's virt cortex-a57), the default here.
 * - One CNTVOFF per VM: writing KVM_REG_ARM_TIMER_CNT sets cntvoff = physical count − value for every vCPU.
 * - The ONE_REG CTL view has ISTATUS set whenever the compare condition holds, ENABLE or not; writes drop ISTATUS.
 * - TVAL reads the low 32 bits of CVAL − count; a TVAL write sets CVAL = count + sign-extended value.
 * - The ids KVM_REG_ARM_TIMER_CNT / _CVAL carry each other's encodings (lib/codec/regid.ts KVM_TIMER_IDS).
 *
 * Integration (soft VM / vCPU):
 *   const clock = new VmClock(new HostCounter())      // or new ManualCounter() / new InstructionCounter(fn) for tests
 *   per vCPU: const t = new GenericTimer({ clock, onLevel: (intid, level) => irqchip.timerLine(index, intid, level) })
 *   the CPU delegates CNT* system registers: t.readSysreg(op0, op1, crn, crm, op2) / t.writeSysreg(…) (undefined /
 *   false when the encoding is not a timer register); call t.update() at every run-slice boundary so expiries
 *   raise the PPI; a WFI waits until t.nextDeadline() (clock.nsUntil(deadline) of host time, or
 *   ManualCounter.advanceTo(deadline)). ONE_REG: t.getOneReg('KVM_REG_ARM_TIMER_CNT') etc.
 */
import type { CpuClock } from './cpu/api';
import type { KvmTimerIdName } from '../codec/regid';

/** CNTFRQ_EL0 the lab's arm64 KVM reports (the host's counter frequency under qemu): 62.5 MHz. */
export const CNTFRQ_DEFAULT = 62_500_000n;
export const VTIMER_IRQ = 27;
export const PTIMER_IRQ = 30;

export const CNT_CTL_ENABLE = 1n;
export const CNT_CTL_IMASK = 2n;
export const CNT_CTL_ISTATUS = 4n;

const U64 = 0xffffffffffffffffn;
const mod64 = (v: bigint): bigint => v & U64;

function u64(name: string, v: bigint): bigint {
  if (typeof v !== 'bigint') throw new TypeError(`${name}: expected a bigint, got ${typeof v}`);
  if (v < 0n || v > U64) throw new RangeError(`${name}: must be a u64, got ${v}`);
  return v;
}

/** Where the physical count comes from. */
export interface CounterSource {
  /** The physical count now (monotonic, non-negative). */
  count(frequency: bigint): bigint;
}

/** Host time: counts at `frequency` from the moment of creation (process.hrtime). */
export class HostCounter implements CounterSource {
  private readonly t0 = process.hrtime.bigint();
  constructor(private readonly start = 0n) {}
  count(frequency: bigint): bigint {
    return this.start + ((process.hrtime.bigint() - this.t0) * frequency) / 1_000_000_000n;
  }
}

/** A counter that moves only when told to (deterministic tests; WFI advances it to the deadline). */
export class ManualCounter implements CounterSource {
  private value: bigint;
  constructor(start = 0n) {
    this.value = u64('start', start);
  }
  count(): bigint {
    return this.value;
  }
  /** Adds `ticks` (≥ 0). */
  advance(ticks: bigint): void {
    if (u64('ticks', ticks) + this.value > U64) throw new RangeError('ticks: the counter would wrap');
    this.value += ticks;
  }
  /** Moves to `count` if it is ahead (never backwards). */
  advanceTo(count: bigint): void {
    if (u64('count', count) > this.value) this.value = count;
  }
}

/** Deterministic time from executed instructions: count = retired() * ticksPerInstruction. */
export class InstructionCounter implements CounterSource {
  constructor(
    private readonly retired: () => number,
    private readonly ticksPerInstruction = 1n,
  ) {
    if (ticksPerInstruction < 0n) throw new RangeError(`ticksPerInstruction: must be ≥ 0, got ${ticksPerInstruction}`);
  }
  count(): bigint {
    return BigInt(this.retired()) * this.ticksPerInstruction;
  }
}

/** The VM's counter: CNTPCT and the VM-wide CNTVOFF; the CpuClock every vCPU's CPU reads. */
export class VmClock implements CpuClock {
  readonly frequency: bigint;
  private off = 0n;

  constructor(
    readonly source: CounterSource = new HostCounter(),
    frequency: bigint = CNTFRQ_DEFAULT,
  ) {
    if (typeof frequency !== 'bigint' || frequency <= 0n || frequency > 0xffffffffn) throw new RangeError(`frequency: must be 1..2^32-1 Hz, got ${String(frequency)}`);
    this.frequency = frequency;
  }

  physicalCount(): bigint {
    return mod64(this.source.count(this.frequency));
  }
  /** CNTVOFF: virtual count = physical count − cntvoff (mod 2^64). */
  get cntvoff(): bigint {
    return this.off;
  }
  set cntvoff(v: bigint) {
    this.off = u64('cntvoff', v);
  }
  virtualCount(): bigint {
    return mod64(this.physicalCount() - this.off);
  }
  /** Host nanoseconds until the physical count reaches `count` (0 if it already has), rounded up. */
  nsUntil(count: bigint): number {
    const d = u64('count', count) - this.physicalCount();
    if (d <= 0n) return 0;
    const ns = (d * 1_000_000_000n + this.frequency - 1n) / this.frequency;
    return ns > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ns);
  }
}

export type TimerKind = 'virt' | 'phys';

/**
 * Where CNTx_CTL (ENABLE, IMASK) and CNTx_CVAL live. Default: inside the GenericTimer. {@link cpuTimerStore}
 * uses the CPU's own timer system registers instead (lib/soft/cpu keeps them as storage), so guest writes and
 * the timer model see one copy.
 */
export interface TimerStore {
  get(kind: TimerKind, reg: 'ctl' | 'cval'): bigint;
  set(kind: TimerKind, reg: 'ctl' | 'cval', value: bigint): void;
}

/** A TimerStore over a Cpu's CNTV_CTL/CVAL and CNTP_CTL/CVAL system registers. */
export function cpuTimerStore(cpu: {
  getSysreg(op0: number, op1: number, crn: number, crm: number, op2: number): bigint;
  setSysreg(op0: number, op1: number, crn: number, crm: number, op2: number, v: bigint): void;
}): TimerStore {
  const enc = (kind: TimerKind, reg: 'ctl' | 'cval'): readonly [number, number, number, number, number] =>
    TIMER_SYSREGS[kind === 'virt' ? (reg === 'ctl' ? 'CNTV_CTL_EL0' : 'CNTV_CVAL_EL0') : reg === 'ctl' ? 'CNTP_CTL_EL0' : 'CNTP_CVAL_EL0'];
  return {
    get: (kind, reg) => {
      const [a, b, c, d, e] = enc(kind, reg);
      const v = cpu.getSysreg(a, b, c, d, e);
      return reg === 'ctl' ? v & (CNT_CTL_ENABLE | CNT_CTL_IMASK) : v;
    },
    set: (kind, reg, value) => {
      const [a, b, c, d, e] = enc(kind, reg);
      cpu.setSysreg(a, b, c, d, e, value);
    },
  };
}

function internalStore(): TimerStore {
  const r = { virt: { ctl: 0n, cval: 0n }, phys: { ctl: 0n, cval: 0n } };
  return {
    get: (kind, reg) => r[kind][reg],
    set: (kind, reg, value) => {
      r[kind][reg] = value;
    },
  };
}

/** Encodings (op0, op1, CRn, CRm, op2) of the timer system registers. */
export const TIMER_SYSREGS = {
  CNTFRQ_EL0: [3, 3, 14, 0, 0],
  CNTPCT_EL0: [3, 3, 14, 0, 1],
  CNTVCT_EL0: [3, 3, 14, 0, 2],
  CNTP_TVAL_EL0: [3, 3, 14, 2, 0],
  CNTP_CTL_EL0: [3, 3, 14, 2, 1],
  CNTP_CVAL_EL0: [3, 3, 14, 2, 2],
  CNTV_TVAL_EL0: [3, 3, 14, 3, 0],
  CNTV_CTL_EL0: [3, 3, 14, 3, 1],
  CNTV_CVAL_EL0: [3, 3, 14, 3, 2],
} as const satisfies Record<string, readonly [number, number, number, number, number]>;
export type TimerSysregName = keyof typeof TIMER_SYSREGS;

function sysregName(op0: number, op1: number, crn: number, crm: number, op2: number): TimerSysregName | undefined {
  if (op0 !== 3 || op1 !== 3 || crn !== 14) return undefined;
  for (const [name, e] of Object.entries(TIMER_SYSREGS) as [TimerSysregName, readonly number[]][]) {
    if (e[3] === crm && e[4] === op2) return name;
  }
  return undefined;
}

export interface GenericTimerOptions {
  clock: CpuClock;
  /** where CTL / CVAL live (default: inside the timer) */
  store?: TimerStore;
  /** Called when an output changes: intid 27 (virtual) or 30 (physical) and the new level. */
  onLevel?: (intid: number, level: boolean) => void;
}

/** One vCPU's EL1 virtual and physical timers. */
export class GenericTimer {
  readonly clock: CpuClock;
  onLevel: ((intid: number, level: boolean) => void) | undefined;
  private readonly store: TimerStore;
  private readonly out = { virt: false, phys: false };

  constructor(options: GenericTimerOptions) {
    this.clock = options.clock;
    this.onLevel = options.onLevel;
    this.store = options.store ?? internalStore();
  }

  private kind(kind: TimerKind): TimerKind {
    if (kind !== 'virt' && kind !== 'phys') throw new RangeError(`kind: must be 'virt' or 'phys', got '${String(kind)}'`);
    return kind;
  }

  /** The count a timer compares against: CNTVCT for virt, CNTPCT for phys. */
  count(kind: TimerKind): bigint {
    const p = mod64(this.clock.physicalCount());
    return this.kind(kind) === 'virt' ? mod64(p - this.clock.cntvoff) : p;
  }

  /** The compare condition: count ≥ CVAL (unsigned). */
  private met(kind: TimerKind): boolean {
    return this.count(kind) >= this.store.get(kind, 'cval');
  }

  /** CNTx_CTL_EL0 with ISTATUS (set whenever the condition holds, as KVM's ONE_REG view). */
  ctl(kind: TimerKind): bigint {
    return (this.store.get(this.kind(kind), 'ctl') & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) | (this.met(kind) ? CNT_CTL_ISTATUS : 0n);
  }
  /** Writes ENABLE and IMASK (ISTATUS is read-only; other bits RES0). */
  setCtl(kind: TimerKind, value: bigint): void {
    this.store.set(this.kind(kind), 'ctl', u64('value', value) & (CNT_CTL_ENABLE | CNT_CTL_IMASK));
    this.update();
  }
  cval(kind: TimerKind): bigint {
    return this.store.get(this.kind(kind), 'cval');
  }
  setCval(kind: TimerKind, value: bigint): void {
    this.store.set(this.kind(kind), 'cval', u64('value', value));
    this.update();
  }
  /** CNTx_TVAL_EL0: the low 32 bits of CVAL − count. */
  tval(kind: TimerKind): bigint {
    return (this.cval(kind) - this.count(kind)) & 0xffffffffn;
  }
  /** TVAL write: CVAL = count + sign-extended 32-bit value. */
  setTval(kind: TimerKind, value: bigint): void {
    const v32 = u64('value', value) & 0xffffffffn;
    const sext = v32 >= 0x80000000n ? v32 - 0x100000000n : v32;
    this.store.set(this.kind(kind), 'cval', mod64(this.count(kind) + sext));
    this.update();
  }

  /** The timer's output: ENABLE, not IMASK, condition met. */
  output(kind: TimerKind): boolean {
    const ctl = this.store.get(this.kind(kind), 'ctl');
    return (ctl & CNT_CTL_ENABLE) !== 0n && (ctl & CNT_CTL_IMASK) === 0n && this.met(kind);
  }

  /** Re-evaluates both outputs against the clock and reports changes through onLevel (27 virt, 30 phys). */
  update(): void {
    for (const [kind, intid] of [['virt', VTIMER_IRQ], ['phys', PTIMER_IRQ]] as const) {
      const out = this.output(kind);
      if (out !== this.out[kind]) {
        this.out[kind] = out;
        this.onLevel?.(intid, out);
      }
    }
  }

  /**
   * The physical count at which the next enabled, unmasked timer fires, or undefined when none will
   * (a WFI with no other wake-up then waits for an interrupt or a kick). Already-firing timers give a count ≤ now.
   */
  nextDeadline(): bigint | undefined {
    let best: bigint | undefined;
    for (const kind of ['virt', 'phys'] as const) {
      const ctl = this.store.get(kind, 'ctl');
      if ((ctl & CNT_CTL_ENABLE) === 0n || (ctl & CNT_CTL_IMASK) !== 0n) continue;
      // physical count at which count(kind) reaches cval
      const cval = this.store.get(kind, 'cval');
      // mod 2^64: after KVM_REG_ARM_TIMER_CNT set a virtual count ahead of the physical one (a restored
      // snapshot), cntvoff is a wrapped "negative" offset and the deadline wraps back below 2^64
      const d = kind === 'virt' ? mod64(cval + this.clock.cntvoff) : cval;
      if (best === undefined || d < best) best = d;
    }
    return best;
  }

  /** A guest read of a timer system register, or undefined for other encodings. */
  readSysreg(op0: number, op1: number, crn: number, crm: number, op2: number): bigint | undefined {
    const name = sysregName(op0, op1, crn, crm, op2);
    switch (name) {
      case undefined:
        return undefined;
      case 'CNTFRQ_EL0':
        return this.clock.frequency;
      case 'CNTPCT_EL0':
        return this.count('phys');
      case 'CNTVCT_EL0':
        return this.count('virt');
      case 'CNTP_TVAL_EL0':
        return this.tval('phys');
      case 'CNTP_CTL_EL0':
        return this.ctl('phys');
      case 'CNTP_CVAL_EL0':
        return this.cval('phys');
      case 'CNTV_TVAL_EL0':
        return this.tval('virt');
      case 'CNTV_CTL_EL0':
        return this.ctl('virt');
      case 'CNTV_CVAL_EL0':
        return this.cval('virt');
    }
  }

  /**
   * A guest write of a timer system register: true when handled; false for other encodings and for the
   * read-only CNTFRQ_EL0 / CNTPCT_EL0 / CNTVCT_EL0 (the CPU raises UNDEFINED as the architecture says for EL1).
   */
  writeSysreg(op0: number, op1: number, crn: number, crm: number, op2: number, value: bigint): boolean {
    const name = sysregName(op0, op1, crn, crm, op2);
    const v = mod64(value);
    switch (name) {
      case 'CNTP_TVAL_EL0':
        this.setTval('phys', v);
        return true;
      case 'CNTP_CTL_EL0':
        this.setCtl('phys', v);
        return true;
      case 'CNTP_CVAL_EL0':
        this.setCval('phys', v);
        return true;
      case 'CNTV_TVAL_EL0':
        this.setTval('virt', v);
        return true;
      case 'CNTV_CTL_EL0':
        this.setCtl('virt', v);
        return true;
      case 'CNTV_CVAL_EL0':
        this.setCval('virt', v);
        return true;
      default:
        return false;
    }
  }

  /** KVM_GET_ONE_REG of a timer id (kvm_arm_timer_get_reg). */
  getOneReg(id: KvmTimerIdName): bigint {
    switch (id) {
      case 'KVM_REG_ARM_TIMER_CTL':
        return this.ctl('virt');
      case 'KVM_REG_ARM_TIMER_CNT':
        return this.count('virt');
      case 'KVM_REG_ARM_TIMER_CVAL':
        return this.cval('virt');
      case 'KVM_REG_ARM_PTIMER_CTL':
        return this.ctl('phys');
      case 'KVM_REG_ARM_PTIMER_CNT':
        return this.count('phys');
      case 'KVM_REG_ARM_PTIMER_CVAL':
        return this.cval('phys');
      default:
        throw new RangeError(`id: '${String(id)}' is not a KVM timer register`);
    }
  }

  /**
   * KVM_SET_ONE_REG of a timer id (kvm_arm_timer_set_reg). TIMER_CNT sets the VM's CNTVOFF so that the
   * virtual count reads `value` now. Returns false for KVM_REG_ARM_PTIMER_CNT, which KVM does not let userspace write.
   */
  setOneReg(id: KvmTimerIdName, value: bigint): boolean {
    const v = u64('value', value);
    switch (id) {
      case 'KVM_REG_ARM_TIMER_CTL':
        this.setCtl('virt', v & ~CNT_CTL_ISTATUS);
        return true;
      case 'KVM_REG_ARM_TIMER_CNT':
        this.clock.cntvoff = mod64(this.clock.physicalCount() - v);
        this.update();
        return true;
      case 'KVM_REG_ARM_TIMER_CVAL':
        this.setCval('virt', v);
        return true;
      case 'KVM_REG_ARM_PTIMER_CTL':
        this.setCtl('phys', v & ~CNT_CTL_ISTATUS);
        return true;
      case 'KVM_REG_ARM_PTIMER_CVAL':
        this.setCval('phys', v);
        return true;
      case 'KVM_REG_ARM_PTIMER_CNT':
        return false;
      default:
        throw new RangeError(`id: '${String(id)}' is not a KVM timer register`);
    }
  }
}
