/**
 * The contract between the AArch64 interpreter (lib/soft/cpu) and its users: the soft VM/vCPU (lib/soft),
 * the GIC and timer models (lib/soft/gic, lib/soft/timer.ts) and the differential oracle (test/oracle).
 *
 * The CPU is one EL0/EL1 AArch64 processor (ARMv8.0-A, cortex-a57 class) as a KVM guest sees it: EL2 and EL3
 * do not exist for it; what a hypervisor would trap (HVC, SMC, WFI/WFE, data aborts outside RAM) stops
 * `run()` with a {@link CpuStop} the vCPU layer handles the way KVM does. Everything else (synchronous
 * exceptions to EL1, IRQ/FIQ delivery, the MMU, system registers) the CPU does itself.
 */

/** A RAM region the CPU can access directly (a memory slot). `bytes` covers [gpa, gpa + bytes.length). */
export interface RamRegion {
  readonly gpa: number;
  readonly bytes: Uint8Array;
  readonly readonly: boolean;
}

/** Result of an access to a physical address that is not RAM. */
export type MmioResult =
  /** an in-backend device handled it (e.g. the GIC); for reads `value` is the data */
  | { readonly handled: true; readonly value: bigint }
  /** nobody inside the backend: the CPU stops with an 'mmio' (or 'nisv') CpuStop */
  | { readonly handled: false };

/** Physical address space as the VM builds it from its memory slots and in-kernel devices. */
export interface PhysBus {
  /** The RAM region containing `pa`, or undefined (then the access is MMIO). Must be fast: called on TLB fills. */
  ram(pa: number): RamRegion | undefined;
  /** An access outside RAM. size in bytes: 1, 2, 4, 8. `value` for writes. */
  mmio(pa: number, size: number, isWrite: boolean, value: bigint): MmioResult;
  /** Bumped whenever the slot layout changes: the CPU drops cached translations and RAM lookups. */
  readonly generation: number;
}

/** Time for the generic timer registers: the VM owns the clock (host-clock based or deterministic). */
export interface CpuClock {
  /** The physical count (CNTPCT_EL0) now. */
  physicalCount(): bigint;
  /** CNTVOFF: virtual count = physical count - cntvoff. */
  cntvoff: bigint;
  /** CNTFRQ_EL0 value (reset value the CPU reports). */
  readonly frequency: bigint;
}

/** Why run() returned. The CPU state is architecturally precise at every stop. */
export type CpuStop =
  /** the instruction budget ran out (or requestStop() was called) */
  | { readonly kind: 'budget' }
  /**
   * A data access to a physical address that is neither RAM nor handled by an in-backend device, with a valid
   * syndrome (ISV = 1): single general-purpose register load/store, no writeback. PC still points at the
   * instruction. For a write, `value` holds the data. Resolve with completeMmio() (reads: with the data), which
   * retires the instruction (writes the register, sign/zero-extends as the instruction says, advances PC).
   */
  | { readonly kind: 'mmio'; readonly pa: number; readonly size: number; readonly isWrite: boolean; readonly value: bigint; readonly esrIss: number }
  /**
   * A data access outside RAM that the syndrome cannot describe (ISV = 0: load/store pair, writeback, SIMD/FP
   * register, ...). KVM answers with KVM_EXIT_ARM_NISV when enabled, else KVM_RUN fails with ENOSYS. PC at the insn.
   */
  | { readonly kind: 'nisv'; readonly pa: number; readonly esrIss: number; readonly isWrite: boolean }
  /** HVC #imm at EL1 (preferred return: the next instruction; PC already advanced, as for a real HVC trap) */
  | { readonly kind: 'hvc'; readonly imm: number }
  /** SMC #imm at EL1 (PC still at the SMC, as for a trapped SMC: KVM itself advances it) */
  | { readonly kind: 'smc'; readonly imm: number }
  /** WFI / WFE (PC already advanced) */
  | { readonly kind: 'wfi' }
  | { readonly kind: 'wfe' }
  /** An instruction fetch from a physical address outside RAM (KVM: the guest gets an external abort / KVM_RUN fails) */
  | { readonly kind: 'fetch-abort'; readonly pa: number };

export interface Cpu {
  /**
   * Runs until a stop or until `budget` instructions have retired. Never throws for anything the guest does
   * (unallocated encodings take the UNDEFINED exception inside the guest); throws only for host-side bugs.
   */
  run(budget: number): CpuStop;
  /** Asks a running run() to return { kind: 'budget' } at the next instruction boundary (same thread). */
  requestStop(): void;
  /** Retire the instruction of the last 'mmio' stop; `data` for reads (zero-extended u64 of `size` bytes). */
  completeMmio(data: bigint): void;
  /** Instructions retired since creation. */
  readonly retired: number;

  /** Interrupt inputs (levels), checked at instruction boundaries (PSTATE.I / PSTATE.F). */
  irqLine: boolean;
  fiqLine: boolean;

  // ---- architectural state, as KVM's ONE_REG sees it
  getX(n: number): bigint; // 0..30
  setX(n: number, v: bigint): void;
  getSp(el: 0 | 1): bigint; // SP_EL0 / SP_EL1
  setSp(el: 0 | 1, v: bigint): void;
  getPc(): bigint;
  setPc(v: bigint): void;
  /** PSTATE in SPSR format (NZCV, DAIF, SS, IL, nRW, EL, SP). */
  getPstate(): bigint;
  setPstate(v: bigint): void;
  /** V registers as 16 little-endian bytes. */
  getV(n: number): Uint8Array;
  setV(n: number, bytes: Uint8Array): void;
  getFpsr(): number;
  setFpsr(v: number): void;
  getFpcr(): number;
  setFpcr(v: number): void;
  /** System register by encoding. Throws RangeError for encodings the model does not implement. */
  getSysreg(op0: number, op1: number, crn: number, crm: number, op2: number): bigint;
  setSysreg(op0: number, op1: number, crn: number, crm: number, op2: number, v: bigint): void;
  /** The encodings of every system register the model implements (for KVM_GET_REG_LIST). */
  sysregList(): ReadonlyArray<readonly [number, number, number, number, number]>;
  /** Architectural reset (what KVM_ARM_VCPU_INIT leaves): PSTATE 0x3c5, MPIDR from `mpidr`, etc. */
  reset(options: { mpidr: bigint }): void;
  /** Clear the exclusive monitor (context switch, or another CPU's store in SMP). */
  clearExclusive(): void;
}

export interface CpuOptions {
  bus: PhysBus;
  clock: CpuClock;
  /** A trace hook: called before each instruction with pc and the instruction word (slow path only). */
  trace?: (pc: bigint, insn: number) => void;
}
