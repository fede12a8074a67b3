/**
 * SoftVcpu: KVM's vCPU fd semantics over the AArch64 interpreter (lib/soft/cpu): KVM_ARM_VCPU_INIT and reset,
 * the ONE_REG interface (core, sysreg, CCSIDR demux, firmware and timer ids, with KVM's errnos), KVM_RUN exits
 * (MMIO, NISV, PSCI system events, debug single-step), MP state, vCPU events (SError injection), kick().
 *
 * Not modelled: AArch32 EL1 (the `el1-32bit` feature gets EINVAL, as a host without 32-bit EL1 answers), SVE and
 * pointer auth (EINVAL, as the lab's cortex-a57 answers), hardware breakpoints/watchpoints and KVM_GUESTDBG_USE_SW_BP
 * (accepted, but only single-step produces 'debug' exits).
 */
import type { Vcpu, VcpuInit, VcpuExit, VcpuEvents, GuestDebug, MpState } from '../backend';
import type { RegId } from '../codec/regid';
import { ARM64_CORE_FIELDS, arm64CoreId, arm64SysregId, ccsidrId, firmwareId, firmwareBitmapId, KVM_TIMER_IDS } from '../codec/regid';
import { KVM_ARM_TARGET, KVM_ARM_VCPU_FEATURE, KVM_SYSTEM_EVENT, systemEventName } from '../codec/abi';
import { KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_0_2, KVM_ARM_PSCI_1_0, KVM_ARM_PSCI_1_1 } from '../codec/psci';
import { KvmError, closedError, type ErrnoCode } from '../errors';
import type { Cpu, CpuOptions, CpuStop } from './cpu/api';
import { handleHvc, SOFT_WA_LEVELS, type SmcccVcpu } from './psci';
import { KVM_GUESTDBG_VALID_MASK } from './caps';
import type { SoftVm } from './vm';
import { mpidrOfId } from './vm';
import * as S from './shared';
import { GenericTimer, cpuTimerStore } from './timer';

export type CpuFactory = (options: CpuOptions) => Cpu;

/** The interpreter's factory (lib/soft/cpu/index.ts createCpu), loaded on first use. */
export function defaultCpuFactory(): CpuFactory {
  let mod: { createCpu?: CpuFactory };
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    mod = require('./cpu') as { createCpu?: CpuFactory };
  } catch (e) {
    throw new Error(`the soft backend's AArch64 interpreter (lib/soft/cpu) did not load: ${(e as Error).message}`);
  }
  if (typeof mod.createCpu !== 'function') throw new Error('lib/soft/cpu does not export createCpu');
  return mod.createCpu;
}

const U64 = 0xffffffffffffffffn;
const SIZE_MASK = 0x00f0000000000000n;
const KVM_REG_ARM64_HI = 0x60000000n;
const CORE_WORDS = 864 / 4;
const coreByWord = new Map(ARM64_CORE_FIELDS.map((f) => [f.offset / 4, f]));
/** instructions per slice between checks for kicks and device ticks */
const SLICE = 20_000;
const MPIDR_HWID = 0xff00ffffffn;
const VCPU_RESET_PSTATE_EL1 = 0x3c5n;
/** ESR of a virtual SError on a CPU without RAS (what the lab's KVM delivers): EC 0x2f, IL */
const VSERROR_ESR = 0xbe000000n;
/** ESR_EL2 of a software-step exception from a lower EL, as KVM reports it in debug.arch.hsr: EC 0x32, IL, ISV, IFSC 0x22 */
const SOFTSTEP_HSR = 0xcb000022;

// timer ids (KVM swaps the encodings of CNT and CVAL)
const TIMER_CTL = arm64SysregId(3, 3, 14, 3, 1);
const TIMER_CNT = arm64SysregId(3, 3, 14, 3, 2);
const TIMER_CVAL = arm64SysregId(3, 3, 14, 0, 2);
void KVM_TIMER_IDS;

const FW_IDS: readonly RegId[] = [firmwareId(0), firmwareId(1), firmwareId(2), firmwareId(3), firmwareBitmapId(0), firmwareBitmapId(1), firmwareBitmapId(2)];

type Pending = { readonly isWrite: boolean; readonly size: number; readonly data: Uint8Array };
type Step = VcpuExit | { readonly wait: number; readonly seq: number } | null;

const INTR: VcpuExit = Object.freeze({ reason: 'intr' as const });
/** longest WFE sleep without an event (ms) */
const WFE_MAX_MS = 1;

function fail(code: ErrnoCode, ioctl: string, context?: string): KvmError {
  return new KvmError(code, { syscall: 'ioctl', ioctl, ...(context !== undefined ? { context } : {}), backend: 'soft' });
}

/** Opaque handle for kicking a soft vCPU from another thread: post it, then call kickSoftVcpu(handle) there. */
export interface SoftKickHandle {
  readonly backend: 'soft';
  readonly buffer: SharedArrayBuffer;
  /** where the vCPU's kick and wake-up words are in `buffer` (default 0) */
  readonly byteOffset?: number;
}
/** kick() from any thread holding the handle. */
export function kickSoftVcpu(handle: SoftKickHandle): void {
  if (handle === null || typeof handle !== 'object' || handle.backend !== 'soft' || !S.isSab(handle.buffer)) {
    throw new TypeError("handle: expected the { backend: 'soft', buffer } handle of a soft vCPU's kickHandle()");
  }
  const off = handle.byteOffset ?? 0;
  if (!Number.isInteger(off) || off < 0 || off % 4 !== 0 || off + 8 > handle.buffer.byteLength) throw new RangeError(`handle.byteOffset: ${String(off)} is not inside the buffer`);
  const a = new Int32Array(handle.buffer, off, 2);
  Atomics.store(a, 0, 1);
  Atomics.add(a, 1, 1);
  Atomics.notify(a, 1);
}

export class SoftVcpu implements Vcpu, SmcccVcpu {
  readonly backend = 'soft' as const;
  readonly mpidr: bigint;
  #closed = false;
  readonly #cpu: Cpu;
  #initialized = false;
  #features = 0;
  #hasRun = false;
  #running = false;
  /** the VM's shared words and this vCPU's block in them (lib/soft/shared.ts) */
  readonly #w: Int32Array;
  /** the block: [0] kick requested, [1] wake-up sequence (kick, interrupt, CPU_ON, SEV), ... */
  readonly #kick: Int32Array;
  immediateExit = false;
  #budget: number | undefined;
  #budgetLeft = Infinity;
  #pending: Pending | null = null;
  #serror = false;
  #debug = 0;
  readonly #spsr32 = [0n, 0n, 0n, 0n];
  readonly #shadow = new Map<bigint, bigint>();
  #regList: RegId[] | undefined;
  #lastFault = 0n;

  /**
   * @param index the KVM vCPU id (KVM_CREATE_VCPU's argument)
   * @param idx KVM's vcpu_idx: creation order in the VM, the GIC's CPU interface number and the shared block
   */
  constructor(
    readonly vm: SoftVm,
    readonly index: number,
    readonly idx: number = index,
  ) {
    this.mpidr = mpidrOfId(index);
    this.#w = vm.words;
    this.#kick = vm.blocks[idx] as Int32Array;
    this.#cpu = vm.makeCpu(idx);
    this.timer = new GenericTimer({ clock: vm.clock, store: cpuTimerStore(this.#cpu), onLevel: (intid, level) => vm.vgic.timerLine(idx, intid, level) });
  }

  /** mp_state, in the shared block (CPU_ON and SYSTEM_OFF come from other threads) */
  get #mp(): 'runnable' | 'stopped' | 'suspended' {
    const m = Atomics.load(this.#kick, S.V_MP);
    return m === S.MP_STOPPED ? 'stopped' : m === S.MP_SUSPENDED ? 'suspended' : 'runnable';
  }
  set #mp(v: 'runnable' | 'stopped' | 'suspended') {
    Atomics.store(this.#kick, S.V_MP, v === 'stopped' ? S.MP_STOPPED : v === 'suspended' ? S.MP_SUSPENDED : S.MP_RUNNABLE);
  }

  /** The interrupt inputs from the shared state: the GIC's outputs, or KVM_IRQ_LINE type CPU levels without one. */
  #syncInputs(): void {
    const vgic = this.vm.vgic;
    const cpu = this.#cpu;
    const gic = vgic.gic;
    if (gic !== undefined) {
      if (this.idx < gic.nrCpus) {
        cpu.irqLine = gic.irqLevel(this.idx);
        cpu.fiqLine = gic.fiqLevel(this.idx);
      }
    } else if (!vgic.inKernel) {
      const l = Atomics.load(this.#kick, S.V_LINES);
      cpu.irqLine = (l & 1) !== 0;
      cpu.fiqLine = (l & 2) !== 0;
    }
  }

  /** This vCPU's generic timer (lib/soft/timer.ts). */
  readonly timer: GenericTimer;

  /** true while inside run()/runAsync() */
  get running(): boolean {
    return this.#running;
  }

  /** The GIC's outputs towards this vCPU. */
  setGicOutputs(irq: boolean, fiq: boolean): void {
    this.#cpu.irqLine = irq;
    this.#cpu.fiqLine = fiq;
    if (irq || fiq) this.wake();
  }

  /** The interpreter behind this vCPU (soft backend only: tracing, tests). */
  get cpu(): Cpu {
    return this.#cpu;
  }
  /** Instructions this vCPU has retired (soft backend only). */
  get instructionsRetired(): number {
    return this.#cpu.retired;
  }
  get hasRun(): boolean {
    return this.#hasRun;
  }
  get hasPsci02(): boolean {
    return (this.#features & (1 << KVM_ARM_VCPU_FEATURE['psci-0.2'])) !== 0;
  }
  get stopped(): boolean {
    return this.#mp === 'stopped';
  }
  getX(n: number): bigint {
    return this.#cpu.getX(n);
  }
  setX(n: number, v: bigint): void {
    this.#cpu.setX(n, v);
  }

  #check(ioctl: string): void {
    if (this.#closed || this.vm.closed) throw closedError('vCPU', ioctl);
  }
  #needInit(ioctl: string, ctx?: string): void {
    this.#check(ioctl);
    if (!this.#initialized) throw fail('ENOEXEC', ioctl, ctx ?? 'vCPU not initialised (KVM_ARM_VCPU_INIT)');
  }

  // ------------------------------------------------------------------ init

  init(init: VcpuInit): void {
    this.#check('KVM_ARM_VCPU_INIT');
    if (init === null || typeof init !== 'object') throw new TypeError('init: expected { target, features }');
    if (!Number.isInteger(init.target) || init.target < 0 || init.target > 0xffffffff) throw new RangeError(`init.target: must be a u32, got ${String(init.target)}`);
    if (!Array.isArray(init.features)) throw new TypeError('init.features: expected an array of feature names');
    let bits = 0;
    let unknown = false;
    for (const f of init.features as readonly unknown[]) {
      const bit = typeof f === 'number' ? f : (KVM_ARM_VCPU_FEATURE as Record<string, number>)[String(f)];
      if (bit === undefined || !Number.isInteger(bit) || bit < 0 || bit >= 224) throw new RangeError(`init.features: unknown vCPU feature '${String(f)}'`);
      if (bit >= 7) unknown = true;
      else bits |= 1 << bit;
    }
    const E = (code: ErrnoCode, why: string): KvmError => fail(code, 'KVM_ARM_VCPU_INIT', why);
    if (init.target !== KVM_ARM_TARGET.CORTEX_A57) throw E('EINVAL', `target ${init.target} is not the preferred target ${KVM_ARM_TARGET.CORTEX_A57}`);
    if (unknown) throw E('ENOENT', 'unknown feature bit');
    if (this.#initialized && bits !== this.#features) throw E('EINVAL', 'features differ from the first KVM_ARM_VCPU_INIT');
    // kvm_reset_vcpu's checks
    if (bits & (1 << KVM_ARM_VCPU_FEATURE['el1-32bit'])) throw E('EINVAL', 'el1-32bit: the soft backend has no AArch32 EL1');
    if (bits & (1 << KVM_ARM_VCPU_FEATURE.sve)) throw E('EINVAL', 'sve: not supported (cortex-a57)');
    if (bits & ((1 << KVM_ARM_VCPU_FEATURE['ptrauth-address']) | (1 << KVM_ARM_VCPU_FEATURE['ptrauth-generic']))) throw E('EINVAL', 'ptrauth: not supported (cortex-a57)');
    this.#features = bits;
    this.#resetCore(null);
    this.#initialized = true;
    this.#mp = bits & (1 << KVM_ARM_VCPU_FEATURE['power-off']) ? 'stopped' : 'runnable';
  }

  /** kvm_reset_vcpu: architectural reset, then the PSCI CPU_ON entry state if any */
  #resetCore(state: { pc: bigint; x0: bigint } | null): void {
    this.#cpu.reset({ mpidr: this.mpidr });
    this.#cpu.setPstate(VCPU_RESET_PSTATE_EL1);
    this.#spsr32.fill(0n);
    this.#shadow.clear();
    this.#serror = false;
    this.#pending = null;
    if (state !== null) {
      this.#cpu.setPc(state.pc);
      this.#cpu.setX(0, state.x0);
    }
  }

  finalize(feature: 'sve'): void {
    this.#check('KVM_ARM_VCPU_FINALIZE');
    if (feature !== 'sve') throw new RangeError(`feature: must be 'sve', got '${String(feature)}'`);
    // kvm_arm_vcpu_finalize: EINVAL when the vCPU has no SVE
    throw fail('EINVAL', 'KVM_ARM_VCPU_FINALIZE', 'sve not enabled on this vCPU');
  }

  // ------------------------------------------------------------------ registers

  getRegList(): RegId[] {
    this.#needInit('KVM_GET_REG_LIST');
    if (this.#regList === undefined) {
      const ids: RegId[] = [];
      for (const f of ARM64_CORE_FIELDS) ids.push(arm64CoreId(f.name));
      ids.push(...FW_IDS);
      ids.push(TIMER_CTL, TIMER_CNT, TIMER_CVAL);
      for (const c of this.#validCsselr()) ids.push(ccsidrId(c));
      const seen = new Set<bigint>(ids);
      const sys = [...this.#cpu.sysregList()].map(([a, b, c, d, e]) => arm64SysregId(a, b, c, d, e)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      for (const id of sys) if (!seen.has(id)) (seen.add(id), ids.push(id));
      this.#regList = ids;
    }
    return [...this.#regList];
  }

  #validCsselr(): number[] {
    const clidr = this.#sys(3, 1, 0, 0, 1) ?? 0x0a200023n;
    const out: number[] = [];
    for (let v = 0; v < 14; v++) {
      const ctype = Number((clidr >> BigInt((v >> 1) * 3)) & 7n);
      const ok = ctype === 1 ? (v & 1) === 1 : ctype === 2 || ctype === 4 ? (v & 1) === 0 : ctype === 3;
      if (ok) out.push(v);
    }
    return out;
  }

  #sys(op0: number, op1: number, crn: number, crm: number, op2: number): bigint | undefined {
    try {
      return this.#cpu.getSysreg(op0, op1, crn, crm, op2);
    } catch (e) {
      if (e instanceof RangeError) return undefined;
      throw e;
    }
  }

  #ccsidr(csselr: number): bigint {
    const saved = this.#sys(3, 2, 0, 0, 0) ?? 0n;
    this.#cpu.setSysreg(3, 2, 0, 0, 0, BigInt(csselr));
    const v = this.#sys(3, 1, 0, 0, 0) ?? 0n;
    this.#cpu.setSysreg(3, 2, 0, 0, 0, saved);
    return v;
  }

  #listed(id: bigint): boolean {
    return this.getRegList().includes(id as RegId);
  }

  getOneReg(id: RegId | bigint): bigint | Uint8Array {
    const rid = checkId(id);
    this.#needInit('KVM_GET_ONE_REG', hexId(rid));
    // KVM takes a pending PSCI CPU_ON reset here, so userspace accesses are ordered after it (arm.c, ONE_REG)
    this.#takeReset();
    return this.#get(rid);
  }

  getReg(id: RegId | bigint): bigint {
    const rid = checkId(id);
    if (regBytes(rid) > 8) throw new TypeError(`id: ${hexId(rid)} is wider than 64 bits; use getOneReg`);
    const v = this.getOneReg(rid);
    return v as bigint;
  }

  #get(id: bigint): bigint | Uint8Array {
    const E = (code: ErrnoCode): KvmError => fail(code, 'KVM_GET_ONE_REG', hexId(id));
    const size = regBytes(id);
    if ((id & ~SIZE_MASK) >> 32n !== KVM_REG_ARM64_HI) throw E('EINVAL');
    const group = Number((id >> 16n) & 0xfffn);
    const cpu = this.#cpu;
    if (group === 0x10) {
      const f = this.#coreField(id, size, E);
      return this.#getCore(f.name, size);
    }
    if (group === 0x14 || group === 0x16) {
      const i = FW_IDS.indexOf(id as RegId);
      if (i < 0) throw E('ENOENT');
      return this.#getFw(i);
    }
    if (group === 0x15) throw E('ENOENT');
    if (id === TIMER_CTL) return this.timer.getOneReg('KVM_REG_ARM_TIMER_CTL');
    if (id === TIMER_CVAL) return this.timer.getOneReg('KVM_REG_ARM_TIMER_CVAL');
    if (id === TIMER_CNT) return this.timer.getOneReg('KVM_REG_ARM_TIMER_CNT');
    if (group === 0x11) {
      if (size !== 4) throw E('ENOENT');
      const low = Number(id & 0xffffn);
      if (low >> 8 !== 0 || !this.#validCsselr().includes(low & 0xff)) throw E('ENOENT');
      return this.#ccsidr(low & 0xff);
    }
    if (size !== 8 || group !== 0x13 || (id & 0x0000ffff00000000n) !== 0n || !this.#listed(id)) throw E('ENOENT');
    const [a, b, c, d, e] = sysFields(id);
    const v = this.#sys(a, b, c, d, e);
    if (v !== undefined) return v;
    return this.#shadow.get(id) ?? 0n;
    void cpu;
  }

  #coreField(id: bigint, size: number, E: (c: ErrnoCode) => KvmError): { name: string; offset: number; bytes: number } {
    const off = Number(id & 0xf000ffffn);
    if (off >= CORE_WORDS || off + size / 4 >= CORE_WORDS) throw E('ENOENT');
    const f = coreByWord.get(off);
    if (f === undefined || f.bytes !== size) throw E('EINVAL');
    return f;
  }

  #getCore(name: string, size: number): bigint | Uint8Array {
    const cpu = this.#cpu;
    if (name.startsWith('x')) return cpu.getX(Number(name.slice(1)));
    if (name.startsWith('v')) return cpu.getV(Number(name.slice(1))).slice();
    switch (name) {
      case 'sp':
        return cpu.getSp(0);
      case 'pc':
        return cpu.getPc();
      case 'pstate':
        return cpu.getPstate();
      case 'sp_el1':
        return cpu.getSp(1);
      case 'elr_el1':
        return cpu.getSysreg(3, 0, 4, 0, 1);
      case 'spsr_el1':
        return cpu.getSysreg(3, 0, 4, 0, 0);
      case 'spsr_abt':
        return this.#spsr32[0] as bigint;
      case 'spsr_und':
        return this.#spsr32[1] as bigint;
      case 'spsr_irq':
        return this.#spsr32[2] as bigint;
      case 'spsr_fiq':
        return this.#spsr32[3] as bigint;
      case 'fpsr':
        return BigInt(cpu.getFpsr() >>> 0);
      case 'fpcr':
        return BigInt(cpu.getFpcr() >>> 0);
    }
    throw new Error(`core register ${name} (${size} bytes) not mapped`);
  }

  #getFw(i: number): bigint {
    switch (i) {
      case 0:
        return BigInt(this.hasPsci02 ? this.vm.psciVersion : KVM_ARM_PSCI_0_1);
      case 1:
        return SOFT_WA_LEVELS.wa1;
      case 2:
        return SOFT_WA_LEVELS.wa2;
      case 3:
        return SOFT_WA_LEVELS.wa3;
      case 4:
        return this.vm.fwBitmaps.std;
      case 5:
        return this.vm.fwBitmaps.stdHyp;
      default:
        return this.vm.fwBitmaps.vendorHyp;
    }
  }

  setOneReg(id: RegId | bigint, value: bigint | Uint8Array): void {
    const rid = checkId(id);
    const size = regBytes(rid);
    let v: bigint;
    let bytes: Uint8Array | undefined;
    if (value instanceof Uint8Array) {
      if (value.byteLength !== size) throw new RangeError(`value: ${hexId(rid)} is ${size} bytes, got ${value.byteLength}`);
      bytes = value;
      v = 0n;
      for (let i = Math.min(size, 8) - 1; i >= 0; i--) v = (v << 8n) | BigInt(value[i] as number);
    } else if (typeof value === 'bigint') {
      if (size > 8) throw new TypeError(`value: ${hexId(rid)} is ${size * 8}-bit; pass a Uint8Array of ${size} bytes`);
      if (value < 0n || value >= 1n << BigInt(size * 8)) throw new RangeError(`value: ${String(value)} does not fit the ${size * 8}-bit register ${hexId(rid)}`);
      v = value;
    } else throw new TypeError('value: expected a bigint or a Uint8Array');
    this.#needInit('KVM_SET_ONE_REG', hexId(rid));
    this.#takeReset(); // as at KVM_GET_ONE_REG
    const E = (code: ErrnoCode): KvmError => fail(code, 'KVM_SET_ONE_REG', hexId(rid));
    if ((rid & ~SIZE_MASK) >> 32n !== KVM_REG_ARM64_HI) throw E('EINVAL');
    const group = Number((rid >> 16n) & 0xfffn);
    const cpu = this.#cpu;
    if (group === 0x10) {
      const f = this.#coreField(rid, size, E);
      this.#setCore(f.name, v, bytes, E);
      return;
    }
    if (group === 0x14 || group === 0x16) {
      if (size !== 8) throw E('ENOENT');
      const i = FW_IDS.indexOf(rid as RegId);
      if (i < 0) throw E('ENOENT');
      this.#setFw(i, v, E);
      return;
    }
    if (group === 0x15) throw E('ENOENT');
    if (rid === TIMER_CTL) return void this.timer.setOneReg('KVM_REG_ARM_TIMER_CTL', v);
    if (rid === TIMER_CVAL) return void this.timer.setOneReg('KVM_REG_ARM_TIMER_CVAL', v);
    // the virtual count: CNTVOFF follows (one offset for the whole VM, as 6.1 does)
    if (rid === TIMER_CNT) return void this.timer.setOneReg('KVM_REG_ARM_TIMER_CNT', v);
    if (group === 0x11) {
      if (size !== 4) throw E('ENOENT');
      const low = Number(rid & 0xffffn);
      if (low >> 8 !== 0 || !this.#validCsselr().includes(low & 0xff)) throw E('ENOENT');
      if (v !== this.#ccsidr(low & 0xff)) throw E('EINVAL');
      return;
    }
    if (size !== 8 || group !== 0x13 || (rid & 0x0000ffff00000000n) !== 0n || !this.#listed(rid)) throw E('ENOENT');
    const [a, b, c, d, e] = sysFields(rid);
    const cur = this.#sys(a, b, c, d, e);
    if (cur !== undefined && isInvariant(a, b, c, d, e)) {
      if (v !== cur) throw E('EINVAL');
      return;
    }
    try {
      cpu.setSysreg(a, b, c, d, e, v);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      if (cur !== undefined) {
        if (v !== cur) throw E('EINVAL');
        return;
      }
      this.#shadow.set(rid, v);
    }
  }

  #setCore(name: string, v: bigint, bytes: Uint8Array | undefined, E: (c: ErrnoCode) => KvmError): void {
    const cpu = this.#cpu;
    if (name.startsWith('x')) return void cpu.setX(Number(name.slice(1)), v);
    if (name.startsWith('v')) return void cpu.setV(Number(name.slice(1)), (bytes as Uint8Array).slice());
    switch (name) {
      case 'sp':
        return void cpu.setSp(0, v);
      case 'pc':
        return void cpu.setPc(v);
      case 'pstate': {
        // set_core_reg: AArch64 modes EL0t/EL1t/EL1h only (no AArch32 here)
        const mode = Number(v & 0x1fn);
        if (mode !== 0 && mode !== 4 && mode !== 5) throw E('EINVAL');
        return void cpu.setPstate(v);
      }
      case 'sp_el1':
        return void cpu.setSp(1, v);
      case 'elr_el1':
        return void cpu.setSysreg(3, 0, 4, 0, 1, v);
      case 'spsr_el1':
        return void cpu.setSysreg(3, 0, 4, 0, 0, v);
      case 'spsr_abt':
        this.#spsr32[0] = v;
        return;
      case 'spsr_und':
        this.#spsr32[1] = v;
        return;
      case 'spsr_irq':
        this.#spsr32[2] = v;
        return;
      case 'spsr_fiq':
        this.#spsr32[3] = v;
        return;
      case 'fpsr':
        return void cpu.setFpsr(Number(v));
      case 'fpcr':
        return void cpu.setFpcr(Number(v));
    }
  }

  #setFw(i: number, v: bigint, E: (c: ErrnoCode) => KvmError): void {
    const vm = this.vm;
    switch (i) {
      case 0: {
        const wants02 = this.hasPsci02;
        if (v === BigInt(KVM_ARM_PSCI_0_1)) {
          if (wants02) throw E('EINVAL');
          return;
        }
        if (v === BigInt(KVM_ARM_PSCI_0_2) || v === BigInt(KVM_ARM_PSCI_1_0) || v === BigInt(KVM_ARM_PSCI_1_1)) {
          if (!wants02) throw E('EINVAL');
          vm.psciVersion = Number(v);
          return;
        }
        throw E('EINVAL');
      }
      case 1:
      case 3: {
        const level = i === 1 ? SOFT_WA_LEVELS.wa1 : SOFT_WA_LEVELS.wa3;
        if (v & ~0xfn || level < v) throw E('EINVAL');
        return;
      }
      case 2: {
        // KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2: only bits 0..3 (level) and 4 (ENABLED) are defined
        if (v & ~0x1fn) throw E('EINVAL');
        const level = v & 0xfn;
        const mine = SOFT_WA_LEVELS.wa2;
        // kvm_arm_set_fw_reg: NOT_AVAIL/UNKNOWN need the same; a higher level than the host's is refused
        if (level > mine) throw E('EINVAL');
        return;
      }
      default: {
        const key = i === 4 ? 'std' : i === 5 ? 'stdHyp' : 'vendorHyp';
        const mask = i === 6 ? 3n : 1n;
        if (v & ~mask) throw E('EINVAL');
        if (vm.hasRanOnce && v !== vm.fwBitmaps[key]) throw E('EBUSY');
        vm.fwBitmaps[key] = v;
      }
    }
  }

  // ------------------------------------------------------------------ state

  getMpState(): MpState {
    this.#check('KVM_GET_MP_STATE');
    return this.#mp;
  }

  setMpState(state: MpState): void {
    this.#check('KVM_SET_MP_STATE');
    if (state !== 'runnable' && state !== 'stopped' && state !== 'suspended') {
      if (['halted', 'uninitialized', 'other'].includes(state as string)) throw fail('EINVAL', 'KVM_SET_MP_STATE', String(state));
      throw new RangeError(`state: must be 'runnable', 'stopped' or 'suspended', got '${String(state)}'`);
    }
    this.#mp = state;
    this.wake();
  }

  getVcpuEvents(): VcpuEvents {
    this.#check('KVM_GET_VCPU_EVENTS');
    return { serrorPending: this.#serror, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n };
  }

  setVcpuEvents(events: VcpuEvents): void {
    this.#check('KVM_SET_VCPU_EVENTS');
    if (events === null || typeof events !== 'object') throw new TypeError('events: expected an object');
    if (typeof events.serrorEsr !== 'bigint' || events.serrorEsr < 0n || events.serrorEsr > U64) throw new RangeError('events.serrorEsr: must be a u64 bigint');
    if (events.serrorPending && events.serrorHasEsr) {
      // no RAS on cortex-a57: KVM_CAP_ARM_INJECT_SERROR_ESR is 0
      throw fail('EINVAL', 'KVM_SET_VCPU_EVENTS', 'serror_has_esr needs the RAS extension');
    }
    if (events.serrorPending) this.#serror = true;
    if (events.extDabtPending) {
      // kvm_inject_dabt at the faulting address of the last exit: an external data abort taken to EL1
      // (ESR: EC 0x25 data abort same EL / 0x24 lower EL, IL, FSC 0x10 synchronous external abort)
      const el0 = ((this.#cpu.getPstate() >> 2n) & 3n) === 0n;
      this.#takeException(el0 ? 0x92000010n : 0x96000010n, this.#lastFault, 0n);
    }
  }

  setGuestDebug(debug: GuestDebug): void {
    this.#check('KVM_SET_GUEST_DEBUG');
    if (debug === null || typeof debug !== 'object' || !Number.isInteger(debug.control)) throw new TypeError('debug: expected { control }');
    if (debug.control < 0 || debug.control > 0xffffffff) throw new RangeError('debug.control: must be a u32');
    if ((debug.control >>> 0) & ~KVM_GUESTDBG_VALID_MASK) throw fail('EINVAL', 'KVM_SET_GUEST_DEBUG', `control 0x${debug.control.toString(16)}`);
    this.#debug = debug.control & 1 ? debug.control : 0;
  }

  /** Returns 'intr' from run() after at most `n` instructions (soft backend only); undefined = no limit. */
  setInstructionBudget(n: number | undefined): void {
    if (n !== undefined && (!Number.isSafeInteger(n) || n <= 0)) throw new RangeError(`n: must be a positive integer or undefined, got ${String(n)}`);
    this.#budget = n;
  }

  // ------------------------------------------------------------------ interrupts, kick

  /** KVM_IRQ_LINE type CPU (no in-kernel irqchip). */
  setInterruptLine(which: 'irq' | 'fiq', level: boolean): void {
    const bit = which === 'irq' ? 1 : 2;
    if (level) Atomics.or(this.#kick, S.V_LINES, bit);
    else Atomics.and(this.#kick, S.V_LINES, ~bit);
    if (which === 'irq') this.#cpu.irqLine = level;
    else this.#cpu.fiqLine = level;
    this.wake();
  }

  /** Wakes the vCPU from WFI / WFE / power-off sleep (an interrupt arrived, CPU_ON, SEV, ...). */
  wake(): void {
    Atomics.add(this.#kick, S.V_WAKE, 1);
    Atomics.notify(this.#kick, S.V_WAKE);
  }

  kick(): void {
    this.#check('kick');
    kickSoftVcpu(this.kickHandle());
  }

  kickHandle(): SoftKickHandle {
    this.#check('kick');
    return { backend: 'soft', buffer: this.#kick.buffer as SharedArrayBuffer };
  }

  /** SYSTEM_OFF/RESET from any vCPU: stops this one (kvm_prepare_system_event). */
  forceStopped(): void {
    this.#mp = 'stopped';
    this.wake();
  }

  /** CPU_ON (from any thread: see SoftVm.cpuOn). */
  powerOn(pc: bigint, x0: bigint): void {
    this.vm.cpuOn(this.idx, pc, x0);
  }

  /** A CPU_ON reset stored by SoftVm.cpuOn, taken before running and at KVM_GET/SET_ONE_REG (as KVM does). */
  #takeReset(): void {
    const k = this.#kick;
    if (Atomics.load(k, S.V_RESET) === 0) return;
    S.lock(this.#w, S.VM_LOCK);
    try {
      if (Atomics.load(k, S.V_RESET) === 0) return;
      const pc = (BigInt((k[S.V_PC_HI] as number) >>> 0) << 32n) | BigInt((k[S.V_PC_LO] as number) >>> 0);
      const x0 = (BigInt((k[S.V_X0_HI] as number) >>> 0) << 32n) | BigInt((k[S.V_X0_LO] as number) >>> 0);
      Atomics.store(k, S.V_RESET, 0);
      this.#resetCore({ pc, x0 });
    } finally {
      S.unlock(this.#w, S.VM_LOCK);
    }
  }

  // ------------------------------------------------------------------ KVM_RUN

  run(): VcpuExit {
    const first = this.#enter();
    if (first !== undefined) return first;
    this.#setRunning(true);
    try {
      for (;;) {
        const s = this.#loop(Infinity);
        if (s === null) continue;
        if ('wait' in s) {
          Atomics.wait(this.#kick, 1, s.seq, s.wait);
          continue;
        }
        return s;
      }
    } finally {
      this.#setRunning(false);
    }
  }

  async runAsync(): Promise<VcpuExit> {
    const first = this.#enter();
    if (first !== undefined) return first;
    this.#setRunning(true);
    try {
      for (;;) {
        const s = this.#loop(10);
        if (s === null) {
          await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        if ('wait' in s) {
          const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t?: number): { async: boolean; value: unknown } }).waitAsync(this.#kick, 1, s.seq, s.wait === Infinity ? undefined : s.wait);
          if (w.async) await w.value;
          continue;
        }
        return s;
      }
    } finally {
      this.#setRunning(false);
    }
  }

  #setRunning(v: boolean): void {
    this.#running = v;
    Atomics.store(this.#kick, S.V_RUNNING, v ? 1 : 0);
  }

  /** KVM_RUN entry: checks, MMIO completion, immediate_exit. */
  #enter(): VcpuExit | undefined {
    this.#needInit('KVM_RUN');
    if (this.#running) throw fail('EBUSY', 'KVM_RUN', 'this vCPU is already running');
    const vm = this.vm;
    if (!this.#hasRun) {
      vm.vgic.vcpuFirstRun(this.idx);
      this.#hasRun = true;
      Atomics.store(this.#kick, S.V_HAS_RUN, 1);
      vm.hasRanOnce = true;
    }
    const p = this.#pending;
    if (p !== null) {
      this.#pending = null;
      let d = 0n;
      if (!p.isWrite) for (let i = p.size - 1; i >= 0; i--) d = (d << 8n) | BigInt(p.data[i] as number);
      this.#cpu.completeMmio(d);
    }
    if (this.immediateExit) return INTR;
    this.#budgetLeft = this.#budget ?? Infinity;
    return undefined;
  }

  #loop(maxSlices: number): Step {
    const cpu = this.#cpu;
    const kick = this.#kick;
    for (let n = 0; n < maxSlices; n++) {
      if (Atomics.load(kick, 0) !== 0) {
        Atomics.store(kick, 0, 0);
        return INTR;
      }
      if (this.#mp === 'stopped') {
        const seq = Atomics.load(kick, 1);
        if (this.#mp === 'stopped') return { wait: Infinity, seq };
      }
      this.#takeReset();
      this.vm.syncSlots();
      this.timer.update();
      this.#syncInputs();
      for (const h of this.vm.hooks) h.beforeSlice?.(this);
      if (this.#serror) this.#deliverSError();
      const step = (this.#debug & 2) !== 0;
      let slice = step ? 1 : SLICE;
      if (this.#budgetLeft <= 0) return INTR;
      if (this.#budgetLeft < slice) slice = this.#budgetLeft;
      const before = cpu.retired;
      const stop = cpu.run(slice);
      this.#budgetLeft -= cpu.retired - before;
      const r = this.#handle(stop);
      if (r === 'continue') {
        if (step) return { reason: 'debug', hsr: SOFTSTEP_HSR, hsrHigh: 0, far: 0n };
        continue;
      }
      return r;
    }
    return null;
  }

  #handle(stop: CpuStop): VcpuExit | { readonly wait: number; readonly seq: number } | 'continue' {
    const cpu = this.#cpu;
    switch (stop.kind) {
      case 'budget':
        return 'continue';
      case 'mmio': {
        const data = new Uint8Array(8);
        if (stop.isWrite) {
          let v = stop.value;
          for (let i = 0; i < stop.size; i++, v >>= 8n) data[i] = Number(v & 0xffn);
        }
        const view = data.subarray(0, stop.size);
        this.#pending = { isWrite: stop.isWrite, size: stop.size, data: view };
        this.#lastFault = BigInt(stop.pa);
        return { reason: 'mmio', physAddr: BigInt(stop.pa), len: stop.size, isWrite: stop.isWrite, data: view };
      }
      case 'nisv':
        if (this.vm.nisvToUser) {
          // kvm_vcpu_dabt_iss_nisv_sanitized: CM | WnR | FSC
          return { reason: 'arm-nisv', esrIss: BigInt(stop.esrIss & (0x100 | 0x40 | 0x3f)), faultIpa: BigInt(stop.pa) };
        }
        throw fail('ENOSYS', 'KVM_RUN', `data abort at 0x${stop.pa.toString(16)} outside memory slots with no valid syndrome (enable KVM_CAP_ARM_NISV_TO_USER)`);
      case 'fetch-abort':
        throw fail('ENOEXEC', 'KVM_RUN', `instruction fetch from 0x${stop.pa.toString(16)}, outside memory slots (pc 0x${cpu.getPc().toString(16)})`);
      case 'smc':
        // handle_smc (6.1): x0 = ~0, skip the SMC
        cpu.setX(0, U64);
        cpu.setPc(cpu.getPc() + 4n);
        return 'continue';
      case 'hvc': {
        const o = handleHvc(this.vm, this);
        switch (o.kind) {
          case 'continue':
            return 'continue';
          case 'system-event': {
            if (o.type !== KVM_SYSTEM_EVENT.SUSPEND) this.vm.stopAllVcpus();
            const data = o.ndata > 0 ? [o.flags] : [];
            return { reason: 'system-event', type: systemEventName(o.type), rawType: o.type, flags: o.flags, data };
          }
          case 'power-off':
            this.#mp = 'stopped';
            return 'continue';
          case 'wfi':
            return this.#wfi();
        }
        return 'continue';
      }
      case 'wfi':
        return this.#wfi();
      case 'wfe':
        return this.#wfe();
    }
  }

  #interruptPending(): boolean {
    const cpu = this.#cpu;
    if (cpu.irqLine || cpu.fiqLine || this.#serror) return true;
    for (const h of this.vm.hooks) if (h.pending?.(this)) return true;
    return false;
  }

  /**
   * WFE (the CPU found its local event register clear): an SEV from another vCPU (the shared event word) completes
   * it at once; otherwise sleep like WFI but at most WFE_MAX_MS — a store that releases a lock is no event here
   * (plain stores have no hook), so a WFE waiter polls at that period in the worst case, as WFE may wake spuriously.
   */
  #wfe(): { readonly wait: number; readonly seq: number } | 'continue' {
    const seq = Atomics.load(this.#kick, S.V_WAKE);
    if (Atomics.exchange(this.#kick, S.V_EVENT, 0) !== 0) return 'continue';
    const w = this.#wfi(seq);
    if (w === 'continue') return w;
    return { wait: Math.min(w.wait, WFE_MAX_MS), seq: w.seq };
  }

  /** WFI: continue at once when an interrupt is pending, else sleep until a kick, an interrupt or the next timer deadline. */
  #wfi(seqIn?: number): { readonly wait: number; readonly seq: number } | 'continue' {
    const seq = seqIn ?? Atomics.load(this.#kick, S.V_WAKE);
    this.timer.update();
    this.#syncInputs();
    for (const h of this.vm.hooks) h.beforeSlice?.(this);
    if (this.#interruptPending() || Atomics.load(this.#kick, 0) !== 0) return 'continue';
    let deadline = Infinity;
    const t = this.timer.nextDeadline();
    if (t !== undefined) deadline = performance.now() + this.vm.clock.nsUntil(t) / 1e6;
    for (const h of this.vm.hooks) {
      const d = h.deadline?.(this);
      if (d !== undefined && d < deadline) deadline = d;
    }
    const wait = deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
    if (wait === 0) return 'continue';
    return { wait, seq };
  }

  /** Takes an exception to EL1 from outside the interpreter (SError / external abort injection). */
  #takeException(esr: bigint, far: bigint | undefined, vectorOffset: bigint): void {
    const cpu = this.#cpu;
    const pstate = cpu.getPstate();
    const el = (pstate >> 2n) & 3n;
    const spsel = pstate & 1n;
    const offset = el === 0n ? 0x400n : spsel ? 0x200n : 0n;
    cpu.setSysreg(3, 0, 4, 0, 0, pstate);
    cpu.setSysreg(3, 0, 4, 0, 1, cpu.getPc());
    cpu.setSysreg(3, 0, 5, 2, 0, esr);
    if (far !== undefined) cpu.setSysreg(3, 0, 6, 0, 0, far);
    const vbar = cpu.getSysreg(3, 0, 12, 0, 0);
    cpu.setPstate(VCPU_RESET_PSTATE_EL1);
    cpu.setPc(vbar + offset + vectorOffset);
    cpu.clearExclusive();
  }

  #deliverSError(): void {
    const pstate = this.#cpu.getPstate();
    const el = (pstate >> 2n) & 3n;
    if (el === 1n && pstate & 0x100n) return; // PSTATE.A masks it at EL1
    this.#serror = false;
    // SError vector: +0x180 within the group
    this.#takeException(VSERROR_ESR, undefined, 0x180n);
  }

  close(): void {
    this.#closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function checkId(id: RegId | bigint): bigint {
  if (typeof id !== 'bigint') throw new TypeError(`id: expected a bigint register id, got ${typeof id}`);
  if (id < 0n || id > U64) throw new RangeError(`id: ${String(id)} is not a u64`);
  const f = Number((id & SIZE_MASK) >> 52n);
  if (f > 8) throw new RangeError(`id: size field ${f} is above U2048`);
  return id;
}
function regBytes(id: bigint): number {
  return 1 << Number((id & SIZE_MASK) >> 52n);
}
function hexId(id: bigint): string {
  return '0x' + id.toString(16).padStart(16, '0');
}
function sysFields(id: bigint): [number, number, number, number, number] {
  const low = Number(id & 0xffffn);
  return [low >> 14, (low >> 11) & 7, (low >> 7) & 15, (low >> 3) & 15, low & 7];
}
/** ID registers and the invariant ones: writes must give the current value (EINVAL otherwise). */
function isInvariant(op0: number, op1: number, crn: number, crm: number, op2: number): boolean {
  if (op0 !== 3) return false;
  if (op1 === 0 && crn === 0) return !(crm === 0 && op2 === 5); // MIDR, REVIDR, ID_* (not MPIDR)
  if (op1 === 1 && crn === 0 && crm === 0 && (op2 === 1 || op2 === 7)) return true; // CLIDR, AIDR
  if (op1 === 3 && crn === 0 && crm === 0 && op2 === 1) return true; // CTR_EL0
  return false;
}

export const MPIDR_MASK = MPIDR_HWID;
