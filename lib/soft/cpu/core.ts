/**
 * The interpreter core: memory access (TLB, stage-1 MMU, alignment, MMIO stops), exceptions and the public
 * {@link Cpu} API. The executor loop (fetch, decode cache, fast paths, row handlers) is in ./fast.ts; run() checks
 * its arguments and calls it. Instruction semantics live in ./insns/*, system registers in ./sysregs.ts, the
 * translation table walk in ./mmu.ts. How handlers use this class: see ./decoder.ts.
 *
 * Performance notes (measured, see `git log -- lib/soft/cpu`): no allocation and no object-pointer field store per
 * instruction (a pointer store into this old-space object runs V8's write barrier); values read on every
 * instruction are kept in Smi-range or typed-array form (a uint32 above 2^31 in a field is a boxed double);
 * module-level consts are context loads in optimized code, so the hot paths use literals.
 */

import type { Cpu, CpuClock, CpuOptions, CpuStop, PhysBus, RamRegion } from './api';
import type { Decoded, Decoder } from './decoder';
import { CpuState, checkU64 } from './state';
import { walk, type WalkResult } from './mmu';
import { SysregFile } from './sysregs';
import { execute } from './fast';

/** Memory access flags for Core.ld / Core.st */
export const ACC_ALIGN = 1; // alignment check regardless of SCTLR.A (exclusives, acquire/release)
export const ACC_UNPRIV = 2; // LDTR/STTR: EL0 permissions at EL1
export const ACC_EXCL = 4; // exclusive access (no MMIO syndrome)
export const ACC_CM = 8; // cache maintenance (DC): ESR.CM, WnR=1
export const ACC_NOSYN = 16; // never a valid MMIO syndrome (pairs, writeback, SIMD): 'nisv'

// TLB permission bits
const P_R0 = 1;
const P_W0 = 2;
const P_X0 = 4;
const P_R1 = 8;
const P_W1 = 16;
const P_X1 = 32;
const P_DEV = 64;
/** the page is RAM fully backed for 4 KiB and writable RAM (fast path allowed) */
const P_RAM = 128;
const P_RAMW = 256;

const TLB_SIZE = 4096; // ld()/st() use the literal 4095 (TLB_SIZE - 1) on their fast paths

/** Thrown to unwind a handler after a guest exception was set up or a stop was recorded. */
export const UNWIND = { unwind: true } as const;

/** Exception classes */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  FP: 0x07,
  ILLEGAL: 0x0e,
  SVC64: 0x15,
  HVC64: 0x16,
  SMC64: 0x17,
  SYS64: 0x18,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SP_ALIGN: 0x26,
  BRK64: 0x3c,
} as const;

const TWO32 = 4294967296;

export class Core extends CpuState implements Cpu {
  readonly bus: PhysBus;
  readonly clock: CpuClock;
  readonly decoder: Decoder;
  readonly sys: SysregFile;
  /** executor internals (./fast.ts): the trace hook, the pending stop, requestStop(), the code page */
  readonly trace: ((pc: bigint, insn: number) => void) | undefined;

  irqLine = false;
  fiqLine = false;
  /** the WFE event register (SEVL sets it; WFE consumes it) */
  eventRegister = false;
  retired = 0;

  /**
   * The word of the instruction being executed, as an int32 (the slow paths re-decode it through the cache: storing the
   * Decoded object itself on every instruction cost a GC write barrier each time).
   */
  curInsn = 0;
  /** set by stopWith(); returned by run() */
  stop: CpuStop | undefined;
  stopRequested = false;
  /** pending MMIO completion: the row/fields of the stopped instruction */
  private mmioPending: { d: Decoded; size: number; isWrite: boolean; iss: number } | undefined;

  // ---- TLB (direct mapped, 4 KiB entries, keyed by VA)
  /** TLB arrays and permission masks: also read by the executor's load/store fast path (./fast.ts) */
  readonly tlbLo = new Int32Array(TLB_SIZE).fill(-1); // VA[31:12] << 12 | 1 (valid)
  readonly tlbHi = new Int32Array(TLB_SIZE);
  readonly tlbPerm = new Uint16Array(TLB_SIZE);
  private readonly tlbPa = new Float64Array(TLB_SIZE);
  readonly tlbDv: Array<DataView | null> = new Array(TLB_SIZE).fill(null);
  /** log2 of the size of the page or block each entry's 4 KiB piece came from (TLBI by VA drops all of it) */
  private readonly tlbSize = new Uint8Array(TLB_SIZE);
  /**
   * The slots that held an entry from a translation larger than 4 KiB since the last full flush (each slot once:
   * tlbInLarge marks it), which a TLBI by VA must check besides the VA's own slot.
   */
  private readonly tlbLargeSlots = new Uint16Array(TLB_SIZE);
  private readonly tlbInLarge = new Uint8Array(TLB_SIZE);
  private tlbLargeN = 0;
  rdMask = P_R1 | P_RAM;
  wrMask = P_W1 | P_RAMW;
  private busGen = -1;

  // ---- fetch cache (the current code page)
  fLo = -1; // page VA low (page aligned), -1 = invalid
  fHi = 0;
  fDv: DataView | null = null;

  // ---- exclusive monitor (local): PA and size, -1 = open
  exclPa = -1;
  exclSize = 0;
  /** hook for a global monitor (SMP): called on exclusive load / store-exclusive success */
  globalMonitor:
    | {
        mark(cpu: Core, pa: number, size: number): void;
        check(cpu: Core, pa: number, size: number): boolean;
        /**
         * SMP (lib/soft/smp.ts): performs a store-exclusive atomically — succeeds iff memory at `pa` still holds
         * the value the load-exclusive read (exclV0..3) — and writes the new value. When present, STXR/STXP use it
         * instead of check() + a plain store.
         */
        storeExclusive?(cpu: Core, pa: number, esize: number, pair: boolean, v1lo: number, v1hi: number, v2lo: number, v2hi: number): boolean;
      }
    | undefined;
  /** the words the last load-exclusive read (first element lo/hi, second element lo/hi for pairs) */
  exclV0 = 0;
  exclV1 = 0;
  exclV2 = 0;
  exclV3 = 0;
  /** SMP hook: SEV executed (wake the other vCPUs) */
  onSev: (() => void) | undefined;

  constructor(options: CpuOptions, decoder: Decoder) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (!options.bus || typeof options.bus.ram !== 'function' || typeof options.bus.mmio !== 'function') {
      throw new TypeError('options.bus must be a PhysBus');
    }
    if (!options.clock || typeof options.clock.physicalCount !== 'function') throw new TypeError('options.clock must be a CpuClock');
    this.bus = options.bus;
    this.clock = options.clock;
    this.trace = options.trace;
    this.decoder = decoder;
    this.sys = new SysregFile(this);
    this.reset({ mpidr: 0x80000000n });
  }

  // ===================================================================================== executor

  run(budget: number): CpuStop {
    if (!Number.isInteger(budget) || budget < 0) throw new RangeError(`budget must be a non-negative integer: ${budget}`);
    if (this.mmioPending) throw new Error('run() called with an MMIO access pending: call completeMmio() first');
    this.stop = undefined;
    this.stopRequested = false;
    if (this.bus.generation !== this.busGen) this.flushTlb();
    return execute(this, budget);
  }

  /** Fetch through a translation (the executor's path when PC leaves the cached code page). */
  fetchSlow(): number {
    const lo = this.pcLo;
    const hi = this.pcHi;
    if ((lo & 3) !== 0) {
      this.far(lo, hi);
      this.takeSync(EC.PC_ALIGN, 0);
    }
    if (this.bus.generation !== this.busGen) this.flushTlb();
    const i = this.translate(lo, hi, 2, 0, false);
    const perm = this.tlbPerm[i]!;
    if ((perm & P_RAM) === 0) {
      const pa = this.tlbPa[i]! + (lo & 0xfff);
      // The region may end inside this page
      const r = this.bus.ram(pa);
      if (r !== undefined && pa + 4 <= r.gpa + r.bytes.length) {
        const b = r.bytes;
        const o = pa - r.gpa;
        return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
      }
      this.stopWith({ kind: 'fetch-abort', pa }, false);
    }
    this.fLo = (lo & 0xfffff000) | 0;
    this.fHi = hi | 0;
    this.fDv = this.tlbDv[i]!;
    return this.fDv.getUint32(lo & 0xfff, true);
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  /** Record a stop and unwind. `restorePc`: false keeps the advanced PC, true rewinds to the instruction. */
  stopWith(stop: CpuStop, advance: boolean): never {
    if (!advance) {
      this.pcLo = this.ipcLo;
      this.pcHi = this.ipcHi;
    }
    this.stop = stop;
    throw UNWIND;
  }

  completeMmio(data: bigint): void {
    const p = this.mmioPending;
    if (!p) throw new Error('completeMmio(): no MMIO access is pending');
    if (typeof data !== 'bigint') throw new TypeError('data must be a bigint');
    this.mmioPending = undefined;
    if (!p.isWrite) {
      const iss = p.iss;
      const sas = (iss >>> 22) & 3;
      const sse = (iss >>> 21) & 1;
      const srt = (iss >>> 16) & 31;
      const sf = (iss >>> 15) & 1;
      const bits = 8 << sas;
      let v = BigInt.asUintN(bits, data);
      if (sse) v = BigInt.asUintN(sf ? 64 : 32, BigInt.asIntN(bits, v));
      if (srt !== 31) this.setXBig(srt, v);
    }
    // retire: PC past the instruction
    let npc = this.pcLo + 4;
    if (npc >= TWO32) {
      npc -= TWO32;
      this.pcHi = (this.pcHi + 1) >>> 0;
    }
    this.pcLo = npc;
    this.retired++;
  }

  // ===================================================================================== helpers

  bigFrom(lo: number, hi: number): bigint {
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  /** Branch to ipc + off (off a signed number within ±2^33). */
  branchRel(off: number): void {
    const t = this.ipcLo + off;
    const carry = Math.floor(t / TWO32);
    this.pcLo = t - carry * TWO32;
    this.pcHi = (this.ipcHi + carry) >>> 0;
  }

  /** Branch to a register value (BR/BLR/RET/ERET): with TCR_EL1.TBI0/1 the tag byte is dropped (AArch64.BranchAddr). */
  branchTo(lo: number, hi: number): void {
    this.pcLo = lo >>> 0;
    const tcrHi = this.sys.tcrHi;
    if ((tcrHi & 0x60) !== 0) {
      const upper = (hi >>> 23) & 1;
      if ((tcrHi & (upper ? 0x40 : 0x20)) !== 0) hi = upper ? hi | 0xff000000 : hi & 0x00ffffff;
    }
    this.pcHi = hi >>> 0;
  }

  // ===================================================================================== exceptions

  /** UNDEFINED instruction (EC 0x0, IL=1). */
  undef(): never {
    this.takeSync(EC.UNKNOWN, 0);
  }

  private farLo = 0;
  private farHi = 0;
  private farValid = false;
  far(lo: number, hi: number): void {
    this.farLo = lo >>> 0;
    this.farHi = hi >>> 0;
    this.farValid = true;
  }

  /**
   * Take a synchronous exception to EL1 with ESR = EC:IL:iss. Preferred return = this instruction, except
   * `retNext` (SVC): the next one. Never returns.
   */
  takeSync(ec: number, iss: number, retNext = false): never {
    const esr = ((ec << 26) | (1 << 25) | (iss & 0x1ffffff)) >>> 0;
    this.sys.esr = BigInt(esr);
    if (this.farValid) {
      this.sys.farReg = this.bigFrom(this.farLo, this.farHi);
      this.farValid = false;
    }
    if (retNext) this.enterException(0, this.pcLo, this.pcHi);
    else this.enterException(0, this.ipcLo, this.ipcHi);
    throw UNWIND;
  }

  /** Exception entry to EL1: type offset 0 sync, 0x80 IRQ, 0x100 FIQ, 0x180 SError. */
  enterException(typeOff: number, retLo: number, retHi: number): void {
    const spsr = this.pstateBits();
    const fromEl = this.el;
    const fromSp = this.spsel;
    this.sys.elr = this.bigFrom(retLo, retHi);
    this.sys.spsr = BigInt(spsr);
    this.el = 1;
    this.spsel = 1;
    this.daif = 0xf;
    this.il = 0;
    this.ss = 0;
    this.syncSp();
    this.permMasks();
    let off = typeOff;
    if (fromEl === 0) off += 0x400;
    else if (fromSp) off += 0x200;
    const vbar = this.sys.vbar;
    const lo = Number(vbar & 0xfffff800n) + off;
    this.pcLo = lo >>> 0;
    this.pcHi = Number((vbar >> 32n) & 0xffffffffn);
    this.fLo = -1;
  }

  takeInterrupt(): void {
    const fiq = this.fiqLine && (this.daif & 1) === 0;
    // the interrupt is taken before the instruction at pc: preferred return = pc
    this.enterException(fiq ? 0x100 : 0x80, this.pcLo, this.pcHi);
  }

  /** Exception return (ERET at EL1). */
  eret(): void {
    const spsr = Number(this.sys.spsr & 0xffffffffn);
    const elr = this.sys.elr;
    const lo = Number(elr & 0xffffffffn);
    const hi = Number(elr >> 32n);
    const m = spsr & 0x1f;
    const targetEl = (m >>> 2) & 3;
    let illegal = false;
    if (m & 0x10) illegal = true; // AArch32: not implemented by this model
    else if (targetEl > this.el) illegal = true;
    else if ((m & 2) !== 0) illegal = true; // M[1] reserved
    else if (targetEl === 0 && (m & 1) !== 0) illegal = true;
    if (illegal) {
      // PSTATE.IL set; EL, SP, nRW unchanged; the rest from SPSR
      this.nf = (spsr >>> 31) & 1;
      this.zf = (spsr >>> 30) & 1;
      this.cf = (spsr >>> 29) & 1;
      this.vf = (spsr >>> 28) & 1;
      this.daif = (spsr >>> 6) & 0xf;
      this.ss = (spsr >>> 21) & 1;
      this.il = 1;
    } else {
      this.setPstateBits(spsr & 0xf03003cf);
    }
    // When returning to EL0 with TBI, the top byte is not part of the PC in v8.0: keep it (tag bits).
    this.clearExclusive();
    this.permMasks();
    this.fLo = -1;
    this.branchTo(lo, hi);
  }

  /** CPACR_EL1.FPEN check for FP/SIMD instructions (EC 0x07). */
  checkFp(): void {
    const fpen = this.sys.fpen;
    if (fpen === 3) return;
    if (fpen === 1 && this.el === 1) return;
    this.takeSync(EC.FP, 0);
  }

  // ===================================================================================== memory

  /** Recompute the TLB permission masks for the current EL. */
  permMasks(): void {
    if (this.el === 0) {
      this.rdMask = P_R0 | P_RAM;
      this.wrMask = P_W0 | P_RAMW;
    } else {
      this.rdMask = P_R1 | P_RAM;
      this.wrMask = P_W1 | P_RAMW;
    }
  }

  flushTlb(): void {
    this.tlbLargeN = 0;
    this.tlbInLarge.fill(0);
    this.tlbLo.fill(-1);
    this.tlbDv.fill(null);
    this.fLo = -1;
    this.fDv = null;
    this.busGen = this.bus.generation;
  }

  /** Load `size` bytes. Returns the value for sizes 1/2/4; for 8, sets mlo/mhi and returns mlo. */
  ld(lo: number, hi: number, size: number, flags: number): number {
    // literals on the fast paths (4095 = TLB_SIZE - 1, 2 = ACC_UNPRIV): module-level consts are loads in V8's code
    const i = (lo >>> 12) & 4095;
    if (
      this.tlbLo[i] === ((lo & 0xfffff000) | 1) &&
      this.tlbHi[i] === (hi | 0) &&
      (lo & (size - 1)) === 0 &&
      (flags & 2) === 0 &&
      (this.tlbPerm[i]! & this.rdMask) === this.rdMask
    ) {
      const dv = this.tlbDv[i]!;
      const o = lo & 0xfff;
      switch (size) {
        case 1:
          return dv.getUint8(o);
        case 2:
          return dv.getUint16(o, true);
        case 4:
          return dv.getUint32(o, true);
        default:
          this.mlo = dv.getUint32(o, true);
          this.mhi = dv.getUint32(o + 4, true);
          return this.mlo;
      }
    }
    return this.accessSlow(lo >>> 0, hi >>> 0, size, false, 0, 0, flags);
  }

  /** Store `size` bytes (vhi used for size 8). */
  st(lo: number, hi: number, size: number, vlo: number, vhi: number, flags: number): void {
    const i = (lo >>> 12) & 4095;
    if (
      this.tlbLo[i] === ((lo & 0xfffff000) | 1) &&
      this.tlbHi[i] === (hi | 0) &&
      (lo & (size - 1)) === 0 &&
      (flags & 2) === 0 &&
      (this.tlbPerm[i]! & this.wrMask) === this.wrMask
    ) {
      const dv = this.tlbDv[i]!;
      const o = lo & 0xfff;
      switch (size) {
        case 1:
          dv.setUint8(o, vlo);
          break;
        case 2:
          dv.setUint16(o, vlo, true);
          break;
        case 4:
          dv.setUint32(o, vlo, true);
          break;
        default:
          dv.setUint32(o, vlo, true);
          dv.setUint32(o + 4, vhi, true);
      }
      if (this.exclPa >= 0) this.storeHitsMonitor(this.tlbPa[i]! + (lo & 0xfff), size);
      return;
    }
    this.accessSlow(lo >>> 0, hi >>> 0, size, true, vlo, vhi, flags);
  }

  private storeHitsMonitor(pa: number, size: number): void {
    // A store to the monitored granule by this CPU: IMPLEMENTATION DEFINED; we keep the monitor open
    // (as many cores do), so nothing to do. Kept as a hook point for the global monitor.
    void pa;
    void size;
  }

  /** Data abort: FSC with level, at VA lo/hi. */
  dataAbort(lo: number, hi: number, fsc: number, write: boolean, flags: number): never {
    this.far(lo, hi);
    let iss = fsc;
    if (write || (flags & ACC_CM) !== 0) iss |= 1 << 6;
    if ((flags & ACC_CM) !== 0) iss |= 1 << 8;
    this.takeSync(this.el === 0 ? EC.DABT_LOW : EC.DABT_CUR, iss);
  }

  /**
   * Translate for an access. kind: 0 read, 1 write, 2 fetch. Returns the TLB index of a filled entry with the
   * needed permission, or raises the abort. `el` is the regime EL to check permissions for.
   */
  translate(lo: number, hi: number, kind: number, flags: number, noFault: boolean): number {
    const i = (lo >>> 12) & (TLB_SIZE - 1);
    const el = (flags & ACC_UNPRIV) !== 0 ? 0 : this.el;
    const need = kind === 0 ? (el === 0 ? P_R0 : P_R1) : kind === 1 ? (el === 0 ? P_W0 : P_W1) : el === 0 ? P_X0 : P_X1;
    if (this.tlbLo[i] === ((lo & 0xfffff000) | 1) && this.tlbHi[i] === (hi | 0) && (this.tlbPerm[i]! & need) !== 0) return i;
    const w = this.walkResult;
    walk(this, lo, hi, kind, el, w);
    if (w.fault < 0 && (w.perm & need) === 0) {
      w.fault = 0x0c | w.level; // permission fault
    }
    if (w.fault >= 0) {
      if (noFault) return -1;
      if (kind === 2) {
        this.far(lo, hi);
        this.takeSync(this.el === 0 ? EC.IABT_LOW : EC.IABT_CUR, w.fault);
      }
      this.dataAbort(lo, hi, w.fault, kind === 1, flags);
    }
    // fill
    let perm = w.perm;
    const pa = w.pa;
    const r: RamRegion | undefined = this.bus.ram(pa);
    this.tlbDv[i] = null;
    if (r !== undefined) {
      const off = pa - r.gpa;
      if (off + 4096 <= r.bytes.length) {
        perm |= P_RAM;
        if (!r.readonly) perm |= P_RAMW;
        this.tlbDv[i] = new DataView(r.bytes.buffer, r.bytes.byteOffset + off, 4096);
      }
    }
    if (w.device) perm |= P_DEV; // aligned device accesses to RAM may take the fast path
    this.tlbLo[i] = (lo & 0xfffff000) | 1;
    this.tlbHi[i] = hi | 0;
    this.tlbPerm[i] = perm;
    this.tlbPa[i] = pa;
    this.tlbSize[i] = w.size;
    if (w.size > 12 && this.tlbInLarge[i] === 0) {
      this.tlbInLarge[i] = 1;
      this.tlbLargeSlots[this.tlbLargeN++] = i;
    }
    return i;
  }

  /**
   * TLBI by VA: `lo`/`hi` is the TLBI operand (VA[55:12] in bits [43:0], ASID in [63:48], both ignored above bit
   * 43). Drops every entry whose page or block contains that VA, whatever its tag byte (entries are keyed by the
   * whole VA, so TBI can have cached one page under several tags), and the code-page cache.
   */
  invalidateVa(lo: number, hi: number): void {
    // VA[55:12] → 4 KiB page VA as lo/hi halves, bits [55:32] of the VA in vh
    const vl = (lo << 12) >>> 0;
    const vh = ((hi << 12) | (lo >>> 20)) & 0x00ffffff;
    // a 4 KiB entry holding the VA can only be in the VA's own slot; larger ones in any slot of the list
    this.invalidateSlotVa((vl >>> 12) & 4095, vl, vh);
    const list = this.tlbLargeSlots;
    for (let k = 0, n = this.tlbLargeN; k < n; k++) this.invalidateSlotVa(list[k]!, vl, vh);
    this.fLo = -1;
  }

  /** Drops slot `i` if its entry's page or block contains the page VA (vl, VA[55:32] = vh). */
  private invalidateSlotVa(i: number, vl: number, vh: number): void {
    const el = this.tlbLo[i]!;
    if (el === -1) return;
    const eh = this.tlbHi[i]! & 0x00ffffff;
    const s = this.tlbSize[i]!;
    const hit = s >= 32 ? eh >>> (s - 32) === vh >>> (s - 32) : eh === vh && (el & 0xfffff000) >>> s === vl >>> s;
    if (hit) this.tlbLo[i] = -1;
  }

  private readonly walkResult: WalkResult = { fault: -1, level: 0, pa: 0, perm: 0, device: false, size: 12 };

  private accessSlow(lo: number, hi: number, size: number, write: boolean, vlo: number, vhi: number, flags: number): number {
    if (this.bus.generation !== this.busGen) this.flushTlb();
    const unaligned = (lo & (size - 1)) !== 0;
    if (unaligned && ((flags & ACC_ALIGN) !== 0 || this.sys.alignCheck)) {
      this.dataAbort(lo, hi, 0x21, write, flags);
    }
    const i = this.translate(lo, hi, write ? 1 : 0, flags, false);
    const perm = this.tlbPerm[i]!;
    if (unaligned && (perm & P_DEV) !== 0) this.dataAbort(lo, hi, 0x21, write, flags);
    const po = lo & 0xfff;
    if (po + size > 4096) return this.crossPage(lo, hi, size, write, vlo, vhi, flags);
    const pa = this.tlbPa[i]! + po;
    // RAM (maybe partial page or device-typed RAM)
    const r = this.bus.ram(pa);
    if (r !== undefined && pa + size <= r.gpa + r.bytes.length && !(write && r.readonly)) {
      const b = r.bytes;
      const o = pa - r.gpa;
      if (write) {
        let a = vlo >>> 0;
        for (let k = 0; k < size; k++) {
          if (k === 4) a = vhi >>> 0;
          b[o + k] = a & 0xff;
          a >>>= 8;
        }
        return 0;
      }
      let v = 0;
      const n = size > 4 ? 4 : size;
      for (let k = n - 1; k >= 0; k--) v = (v * 256 + b[o + k]!) >>> 0;
      if (size === 8) {
        let h = 0;
        for (let k = 7; k >= 4; k--) h = (h * 256 + b[o + k]!) >>> 0;
        this.mlo = v;
        this.mhi = h;
      }
      return v;
    }
    return this.mmio(pa, size, write, vlo, vhi, flags);
  }

  private crossPage(lo: number, hi: number, size: number, write: boolean, vlo: number, vhi: number, flags: number): number {
    // check both pages first so a fault on the second leaves memory untouched
    const lo2 = ((lo & 0xfffff000) + 4096) >>> 0;
    const hi2 = lo2 === 0 ? (hi + 1) >>> 0 : hi;
    this.translate(lo, hi, write ? 1 : 0, flags, false);
    this.translate(lo2, hi2, write ? 1 : 0, flags, false);
    if (write) {
      let a = vlo >>> 0;
      for (let k = 0; k < size; k++) {
        if (k === 4) a = vhi >>> 0;
        const l = lo + k;
        this.accessSlow(l >>> 0, l >= TWO32 ? (hi + 1) >>> 0 : hi, 1, true, a & 0xff, 0, flags | ACC_NOSYN);
        a >>>= 8;
      }
      return 0;
    }
    const bytes = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < size; k++) {
      const l = lo + k;
      bytes[k] = this.accessSlow(l >>> 0, l >= TWO32 ? (hi + 1) >>> 0 : hi, 1, false, 0, 0, flags | ACC_NOSYN);
    }
    let v = 0;
    for (let k = Math.min(size, 4) - 1; k >= 0; k--) v = (v * 256 + bytes[k]!) >>> 0;
    if (size === 8) {
      let h = 0;
      for (let k = 7; k >= 4; k--) h = (h * 256 + bytes[k]!) >>> 0;
      this.mlo = v;
      this.mhi = h;
    }
    return v;
  }

  private mmio(pa: number, size: number, write: boolean, vlo: number, vhi: number, flags: number): number {
    const value = write ? (size === 8 ? this.bigFrom(vlo, vhi) : BigInt(vlo >>> 0) & ((1n << BigInt(size * 8)) - 1n)) : 0n;
    const res = this.bus.mmio(pa, size, write, value);
    if (res.handled) {
      if (write) return 0;
      const v = BigInt.asUintN(size * 8, res.value);
      this.mlo = Number(v & 0xffffffffn);
      this.mhi = Number(v >> 32n);
      return this.mlo;
    }
    const d = this.decoder.decode(this.curInsn);
    let iss = -1;
    if ((flags & (ACC_NOSYN | ACC_EXCL)) === 0 && d.row.syndrome !== undefined) iss = d.row.syndrome(d.f);
    const wnr = write ? 1 << 6 : 0;
    if (iss >= 0) {
      iss = (iss | wnr | 0x07) >>> 0;
      this.mmioPending = { d, size, isWrite: write, iss };
      this.stopWith({ kind: 'mmio', pa, size, isWrite: write, value, esrIss: iss }, false);
    }
    this.stopWith({ kind: 'nisv', pa, esrIss: (wnr | 0x07) >>> 0, isWrite: write }, false);
  }

  /** Translate a VA for AT / DC (no fault): returns the PA or -1. */
  probe(lo: number, hi: number, kind: number, flags: number): number {
    const i = this.translate(lo, hi, kind, flags, true);
    if (i < 0) return -1;
    return this.tlbPa[i]! + (lo & 0xfff);
  }

  /** Physical read of 8 bytes for the table walker: [lo, hi] into mlo/mhi, false when not RAM. */
  readPhys64(pa: number): boolean {
    const r = this.bus.ram(pa);
    if (r === undefined || pa + 8 > r.gpa + r.bytes.length) return false;
    const b = r.bytes;
    const o = pa - r.gpa;
    this.mlo = (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
    this.mhi = (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
    return true;
  }

  // ===================================================================================== exclusives

  clearExclusive(): void {
    this.exclPa = -1;
  }

  /** Mark the monitor for a load-exclusive at VA (after the load succeeded, so the translation is cached). */
  markExclusive(lo: number, hi: number, size: number, v0 = 0, v1 = 0, v2 = 0, v3 = 0): void {
    const pa = this.probe(lo, hi, 0, 0);
    this.exclPa = pa;
    this.exclSize = size;
    this.exclV0 = v0;
    this.exclV1 = v1;
    this.exclV2 = v2;
    this.exclV3 = v3;
    if (pa >= 0 && this.globalMonitor) this.globalMonitor.mark(this, pa, size);
  }

  /** For a store-exclusive: translate (faulting as a write), then check the monitor. */
  checkExclusive(lo: number, hi: number, size: number): boolean {
    const i = this.translate(lo, hi, 1, 0, false);
    const pa = this.tlbPa[i]! + (lo & 0xfff);
    let ok = this.exclPa >= 0 && this.exclPa === pa && this.exclSize === size;
    if (ok && this.globalMonitor) ok = this.globalMonitor.check(this, pa, size);
    return ok;
  }

  /** Store-exclusive through globalMonitor.storeExclusive (translate faulting as a write, local monitor, then the atomic store). */
  storeExclusive(lo: number, hi: number, esize: number, pair: boolean, v1lo: number, v1hi: number, v2lo: number, v2hi: number): boolean {
    const i = this.translate(lo, hi, 1, 0, false);
    const pa = this.tlbPa[i]! + (lo & 0xfff);
    const total = pair ? esize * 2 : esize;
    if (!(this.exclPa >= 0 && this.exclPa === pa && this.exclSize === total)) return false;
    return this.globalMonitor!.storeExclusive!(this, pa, esize, pair, v1lo, v1hi, v2lo, v2hi);
  }

  // ===================================================================================== API state

  private checkReg(n: number, max: number, what: string): void {
    if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${what} must be an integer 0..${max}: ${n}`);
  }

  getX(n: number): bigint {
    this.checkReg(n, 30, 'n');
    return this.getXBig(n);
  }
  setX(n: number, v: bigint): void {
    this.checkReg(n, 30, 'n');
    checkU64(v, 'v');
    this.setXBig(n, v);
  }
  getSp(el: 0 | 1): bigint {
    if (el !== 0 && el !== 1) throw new RangeError(`el must be 0 or 1: ${String(el)}`);
    if (this.spCur === el) return this.getXBig(31);
    return this.bigFrom(this.spBank[el * 2]!, this.spBank[el * 2 + 1]!);
  }
  setSp(el: 0 | 1, v: bigint): void {
    if (el !== 0 && el !== 1) throw new RangeError(`el must be 0 or 1: ${String(el)}`);
    checkU64(v, 'v');
    if (this.spCur === el) this.setXBig(31, v);
    else {
      this.spBank[el * 2] = Number(v & 0xffffffffn);
      this.spBank[el * 2 + 1] = Number(v >> 32n);
    }
  }
  getPc(): bigint {
    return this.bigFrom(this.pcLo, this.pcHi);
  }
  setPc(v: bigint): void {
    checkU64(v, 'v');
    this.pcLo = Number(v & 0xffffffffn);
    this.pcHi = Number(v >> 32n);
  }
  getPstate(): bigint {
    return BigInt(this.pstateBits());
  }
  setPstate(v: bigint): void {
    checkU64(v, 'v');
    const n = Number(v & 0xffffffffn);
    const m = n & 0x1f;
    // KVM accepts only valid AArch64 modes for a 64-bit vCPU: EL0t, EL1t, EL1h
    if (v > 0xffffffffn || !(m === 0 || m === 4 || m === 5)) throw new RangeError(`pstate: invalid mode 0x${m.toString(16)}`);
    this.setPstateBits(n);
    this.permMasks();
    this.fLo = -1;
  }
  getV(n: number): Uint8Array {
    this.checkReg(n, 31, 'n');
    return this.v.slice(n * 16, n * 16 + 16);
  }
  setV(n: number, bytes: Uint8Array): void {
    this.checkReg(n, 31, 'n');
    if (!(bytes instanceof Uint8Array) || bytes.length !== 16) throw new RangeError('bytes must be a Uint8Array of 16 bytes');
    this.v.set(bytes, n * 16);
  }
  getFpsr(): number {
    return this.fpsr >>> 0;
  }
  setFpsr(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`fpsr out of range: ${v}`);
    this.fpsr = v >>> 0;
  }
  getFpcr(): number {
    return this.fpcr >>> 0;
  }
  setFpcr(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`fpcr out of range: ${v}`);
    this.fpcr = v >>> 0;
  }
  getSysreg(op0: number, op1: number, crn: number, crm: number, op2: number): bigint {
    return this.sys.apiGet(op0, op1, crn, crm, op2);
  }
  setSysreg(op0: number, op1: number, crn: number, crm: number, op2: number, v: bigint): void {
    checkU64(v, 'v');
    this.sys.apiSet(op0, op1, crn, crm, op2, v);
  }
  sysregList(): ReadonlyArray<readonly [number, number, number, number, number]> {
    return this.sys.list();
  }

  reset(options: { mpidr: bigint }): void {
    if (!options || typeof options.mpidr !== 'bigint') throw new TypeError('options.mpidr must be a bigint');
    checkU64(options.mpidr, 'mpidr');
    this.x.fill(0);
    this.spBank.fill(0);
    this.spCur = 1;
    this.v.fill(0);
    this.fpcr = 0;
    this.fpsr = 0;
    this.pcLo = 0;
    this.pcHi = 0;
    this.ipcLo = 0;
    this.ipcHi = 0;
    this.setPstateBits(0x3c5);
    this.sys.reset(options.mpidr);
    this.permMasks();
    this.flushTlb();
    this.clearExclusive();
    this.mmioPending = undefined;
    this.stop = undefined;
    this.irqLine = false;
    this.fiqLine = false;
  }
}
