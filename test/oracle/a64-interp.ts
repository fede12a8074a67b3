/**
 * The interpreter side of the differential oracle: runs snippet records on lib/soft/cpu (createCpu) with the
 * same memory layout as the arm64 harness, and produces the same output records.
 *
 * Set-up per batch (one fresh CPU): RAM regions for the code slots (CODE_ADDR), the scratch page (SCRATCH_ADDR),
 * a page table and a vector page. The snippets run at EL0 like the harness under Linux, with the stage-1 MMU on
 * (identity map, Normal write-back memory, so unaligned accesses behave as on Linux; TBI0 set as Linux does);
 * FP/SIMD enabled (CPACR_EL1.FPEN). Every vector entry holds `HVC #n`, so the exception that ends a snippet
 * (the UDF after it, or a fault inside it) stops run() with 'hvc', and ESR/ELR/FAR/SPSR_EL1 give what the
 * harness gets from the signal: the pc, the signal Linux would send, the fault address and the state.
 */
import type { Cpu, CpuClock, CpuOptions, PhysBus, RamRegion } from '../../lib/soft/cpu/api';
import {
  CODE_ADDR,
  SCRATCH_ADDR,
  SCRATCH_SIZE,
  SIGBUS,
  SIGILL,
  SIGSEGV,
  SIGTRAP,
  SLOT_BYTES,
  fnv1a,
  scratchInit,
  type SnippetIn,
  type SnippetOut,
} from './a64-record';

/** Vector page (EL1-only, in its own 1 GiB block) and the page table. */
const VBAR = 0x40000000;
const PT_ADDR = 0x1000;

/** Signals Linux would deliver for the exception (interpreter-only kinds are >= 100). */
export const SIG_BUDGET = 100;
export const SIG_STOP = 101;
export const SIG_OTHER_EXC = 102;

type CreateCpu = (o: CpuOptions) => Cpu;

let createCpuFn: CreateCpu | undefined;
/** createCpu from lib/soft/cpu, or the reason it is not available yet. */
export function loadCreateCpu(): CreateCpu | string {
  if (createCpuFn) return createCpuFn;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const m = require('../../lib/soft/cpu') as { createCpu?: CreateCpu };
    if (typeof m.createCpu !== 'function') return 'lib/soft/cpu does not export createCpu yet';
    createCpuFn = m.createCpu;
    return createCpuFn;
  } catch (e) {
    return `lib/soft/cpu cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
}

// sysreg encodings (op0, op1, crn, crm, op2)
const SCTLR_EL1 = [3, 0, 1, 0, 0] as const;
const CPACR_EL1 = [3, 0, 1, 0, 2] as const;
const TTBR0_EL1 = [3, 0, 2, 0, 0] as const;
const TCR_EL1 = [3, 0, 2, 0, 2] as const;
const SPSR_EL1 = [3, 0, 4, 0, 0] as const;
const ELR_EL1 = [3, 0, 4, 0, 1] as const;
const ESR_EL1 = [3, 0, 5, 2, 0] as const;
const FAR_EL1 = [3, 0, 6, 0, 0] as const;
const MAIR_EL1 = [3, 0, 10, 2, 0] as const;
const VBAR_EL1 = [3, 0, 12, 0, 0] as const;

type Enc = readonly [number, number, number, number, number];
const getS = (c: Cpu, e: Enc): bigint => c.getSysreg(e[0], e[1], e[2], e[3], e[4]);
const setS = (c: Cpu, e: Enc, v: bigint): void => c.setSysreg(e[0], e[1], e[2], e[3], e[4], v);

const clock: CpuClock = { physicalCount: () => 0n, cntvoff: 0n, frequency: 62500000n };

/** The signal Linux sends for a synchronous exception from EL0 (arch/arm64/mm/fault.c, traps.c). */
function signalFor(esr: number): number {
  const ec = esr >>> 26;
  switch (ec) {
    case 0x00: // unknown / UNDEFINED
    case 0x0e: // illegal execution state
      return SIGILL;
    case 0x20: // instruction abort
      return SIGSEGV;
    case 0x22: // PC alignment
    case 0x26: // SP alignment
      return SIGBUS;
    case 0x24: {
      const dfsc = esr & 0x3f;
      return dfsc === 0x21 ? SIGBUS : SIGSEGV;
    }
    case 0x3c: // BRK
      return SIGTRAP;
    default:
      return SIG_OTHER_EXC + ec;
  }
}

export class InterpRunner {
  private readonly codeRam: Uint8Array;
  private readonly scratch = new Uint8Array(SCRATCH_SIZE);
  private readonly init = scratchInit();
  private readonly pt = new Uint8Array(4096);
  private readonly vec = new Uint8Array(2048);
  private readonly regions: RamRegion[];
  mmuOn = false;

  constructor(private readonly createCpu: CreateCpu, maxRecords: number) {
    this.codeRam = new Uint8Array(Math.ceil((maxRecords * SLOT_BYTES) / 4096) * 4096 || 4096);
    // vectors: HVC #k at the start of each of the 16 entries (k = entry index)
    const dv = new DataView(this.vec.buffer);
    for (let k = 0; k < 16; k++) dv.setUint32(k * 0x80, (0xd4000002 | (k << 5)) >>> 0, true);
    // L1 table for a 39-bit VA space: [0] 1 GiB block at 0 (EL0+EL1 RW, Normal), [1] 1 GiB block at 1 GiB (EL1 RW)
    const ptv = new DataView(this.pt.buffer);
    const block = (pa: number, ap: number): bigint => BigInt(pa) | 1n | (0n << 2n) | (BigInt(ap) << 6n) | (3n << 8n) | (1n << 10n);
    ptv.setBigUint64(0, block(0, 1), true);
    ptv.setBigUint64(8, block(0x40000000, 0), true);
    this.regions = [
      { gpa: PT_ADDR, bytes: this.pt, readonly: false },
      { gpa: SCRATCH_ADDR, bytes: this.scratch, readonly: false },
      { gpa: CODE_ADDR, bytes: this.codeRam, readonly: false },
      { gpa: VBAR, bytes: this.vec, readonly: false },
    ];
  }

  /** Runs a batch; `outs[i]` receives the result of `recs[i]` (slot i). */
  runBatch(recs: readonly SnippetIn[], budget = 64): SnippetOut[] {
    if (recs.length * SLOT_BYTES > this.codeRam.length) throw new RangeError('runBatch: batch larger than maxRecords');
    const code = this.codeRam;
    code.fill(0);
    const cdv = new DataView(code.buffer);
    recs.forEach((r, i) => r.insns.forEach((w, k) => cdv.setUint32(i * SLOT_BYTES + k * 4, w >>> 0, true)));
    const regions = this.regions;
    const bus: PhysBus = {
      generation: 1,
      ram(pa: number): RamRegion | undefined {
        for (let i = 0; i < regions.length; i++) {
          const g = regions[i] as RamRegion;
          if (pa >= g.gpa && pa < g.gpa + g.bytes.length) return g;
        }
        return undefined;
      },
      mmio: () => ({ handled: false }),
    };
    const cpu = this.createCpu({ bus, clock });
    cpu.reset({ mpidr: 0x80000000n });
    setS(cpu, CPACR_EL1, 3n << 20n);
    setS(cpu, VBAR_EL1, BigInt(VBAR));
    this.mmuOn = false;
    try {
      setS(cpu, MAIR_EL1, 0xffn);
      // T0SZ=25, IRGN0=ORGN0=WBWA, SH0=inner, TG0=4K, EPD1, IPS=40 bits, TBI0
      setS(cpu, TCR_EL1, 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (1n << 23n) | (2n << 32n) | (1n << 37n));
      setS(cpu, TTBR0_EL1, BigInt(PT_ADDR));
      const sctlr = getS(cpu, SCTLR_EL1);
      // M, C, I on; A, SA, SA0 off (qemu-user does not check SP alignment)
      setS(cpu, SCTLR_EL1, (sctlr | 1n | 4n | 0x1000n) & ~(2n | 8n | 16n));
      this.mmuOn = true;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
    const outs: SnippetOut[] = [];
    for (let i = 0; i < recs.length; i++) outs.push(this.runOne(cpu, recs[i] as SnippetIn, i, budget));
    return outs;
  }

  private runOne(cpu: Cpu, r: SnippetIn, i: number, budget: number): SnippetOut {
    this.scratch.set(this.init);
    for (let k = 0; k < 31; k++) cpu.setX(k, r.x[k] as bigint);
    cpu.setSp(0, r.sp);
    const base = CODE_ADDR + i * SLOT_BYTES;
    cpu.setPc(BigInt(base));
    cpu.setPstate(BigInt(r.nzcv >>> 0)); // EL0t, DAIF clear (no interrupt lines are raised)
    for (let n = 0; n < 32; n++) cpu.setV(n, r.v.subarray(n * 16, n * 16 + 16));
    cpu.setFpsr(r.fpsr);
    cpu.setFpcr(r.fpcr);
    cpu.clearExclusive();
    const stop = cpu.run(budget);
    let signo: number;
    let pc: bigint;
    let faultAddr = 0n;
    let nzcv: number;
    if (stop.kind === 'hvc') {
      const esr = Number(getS(cpu, ESR_EL1));
      pc = getS(cpu, ELR_EL1);
      signo = stop.imm === 8 ? signalFor(esr) : SIG_OTHER_EXC + 0x100 + stop.imm; // 8: lower EL AArch64 sync
      if (signo === SIGSEGV || signo === SIGBUS) faultAddr = (esr >>> 26) === 0x22 ? pc : getS(cpu, FAR_EL1);
      nzcv = Number(getS(cpu, SPSR_EL1) & 0xf0000000n);
    } else {
      pc = cpu.getPc();
      nzcv = Number(cpu.getPstate() & 0xf0000000n);
      if (stop.kind === 'mmio' || stop.kind === 'nisv') {
        signo = SIGSEGV;
        faultAddr = BigInt(stop.pa);
      } else if (stop.kind === 'fetch-abort') {
        signo = SIGSEGV;
        faultAddr = BigInt(stop.pa);
      } else signo = stop.kind === 'budget' ? SIG_BUDGET : SIG_STOP;
    }
    const x: bigint[] = [];
    for (let k = 0; k < 31; k++) x.push(cpu.getX(k));
    const v = new Uint8Array(512);
    for (let n = 0; n < 32; n++) v.set(cpu.getV(n), n * 16);
    const out: SnippetOut = {
      x,
      sp: cpu.getSp(0),
      nzcv,
      pcIndex: Number((pc - BigInt(base)) / 4n),
      signo,
      faultAddr,
      memHash: fnv1a(this.scratch),
      fpsr: cpu.getFpsr(),
      fpcr: cpu.getFpcr(),
      v,
    };
    // the snippet ended at the MMIO access (state captured above); retire it so the CPU can run again
    if (stop.kind === 'mmio') cpu.completeMmio(0n);
    return out;
  }
}
