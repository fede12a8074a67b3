/**
 * System registers of the cortex-a57 model as a KVM guest sees them (arch/arm64/kvm/sys_regs.c, 6.1):
 * one row per register `[name, op0, op1, CRn, CRm, op2]` plus how it behaves. Plain registers are storage with
 * a KVM reset value; ID registers are constants; the MMU/exception registers keep decoded copies the
 * interpreter uses on its hot path (SCTLR.M/A/WXN, TCR, TTBRn, MAIR, CPACR.FPEN).
 *
 * Keys are the MRS/MSR instruction's bits [20:5]: op0:op1:CRn:CRm:op2 (16 bits).
 *
 * Generic timer: CNTV_CTL/CVAL and CNTP_CTL/CVAL are storage the timer model reads (ISTATUS is computed on
 * read from the CpuClock); CNTVCT = physicalCount - cntvoff; TVAL is derived from CVAL.
 * Note: these are the architectural encodings; KVM's ONE_REG ids KVM_REG_ARM_TIMER_CVAL/CNT are swapped
 * (the VM layer maps them).
 */

import type { Core } from './core';

export function sysKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return ((op0 & 3) << 14) | ((op1 & 7) << 11) | ((crn & 15) << 7) | ((crm & 15) << 3) | (op2 & 7);
}

type Access = 'rw' | 'ro' | 'wo';

interface SysregDef {
  readonly name: string;
  readonly key: number;
  readonly enc: readonly [number, number, number, number, number];
  readonly access: Access;
  /** in KVM_GET_REG_LIST */
  readonly listed: boolean;
  /** EL0 may access it (evaluated at access time) */
  readonly el0?: (c: Core, write: boolean) => boolean;
  readonly get?: (c: Core, s: SysregFile) => bigint;
  readonly set?: (c: Core, s: SysregFile, v: bigint) => void;
  /** reset value for plain storage registers */
  readonly reset?: bigint;
  /** writable bits for plain storage */
  readonly wmask?: bigint;
}

/** cortex-a57 ID register values as KVM 6.1 shows them to a guest (no PMU, no SVE, GICv2). */
export const CORTEX_A57_ID: Readonly<Record<string, bigint>> = {
  MIDR_EL1: 0x411fd070n,
  REVIDR_EL1: 0n,
  AIDR_EL1: 0n,
  CTR_EL0: 0x8444c004n,
  CLIDR_EL1: 0x0a200023n,
  DCZID_EL0: 0x4n,
  ID_PFR0_EL1: 0x00000131n,
  ID_PFR1_EL1: 0x00011001n,
  ID_DFR0_EL1: 0x00010006n,
  ID_AFR0_EL1: 0n,
  ID_MMFR0_EL1: 0x10101105n,
  ID_MMFR1_EL1: 0x40000000n,
  ID_MMFR2_EL1: 0x01260000n,
  ID_MMFR3_EL1: 0x02102211n,
  ID_ISAR0_EL1: 0x02101110n,
  ID_ISAR1_EL1: 0x13112111n,
  ID_ISAR2_EL1: 0x21232042n,
  ID_ISAR3_EL1: 0x01112131n,
  ID_ISAR4_EL1: 0x00011142n,
  ID_ISAR5_EL1: 0x00011121n,
  ID_MMFR4_EL1: 0n,
  ID_ISAR6_EL1: 0n,
  MVFR0_EL1: 0x10110222n,
  MVFR1_EL1: 0x12111111n,
  MVFR2_EL1: 0x00000043n,
  ID_PFR2_EL1: 0n,
  ID_DFR1_EL1: 0n,
  ID_MMFR5_EL1: 0n,
  ID_AA64PFR0_EL1: 0x1000000000000222n, // CSV3=1, EL3 not implemented, as KVM 6.1 shows it
  ID_AA64PFR1_EL1: 0n,
  ID_AA64ZFR0_EL1: 0n,
  ID_AA64SMFR0_EL1: 0n,
  ID_AA64DFR0_EL1: 0x0000000010305006n,
  ID_AA64DFR1_EL1: 0n,
  ID_AA64AFR0_EL1: 0n,
  ID_AA64AFR1_EL1: 0n,
  ID_AA64ISAR0_EL1: 0x0000000000011120n,
  ID_AA64ISAR1_EL1: 0n,
  ID_AA64ISAR2_EL1: 0n,
  ID_AA64MMFR0_EL1: 0x0000000000001124n,
  ID_AA64MMFR1_EL1: 0n,
  ID_AA64MMFR2_EL1: 0n,
};

/** CCSIDR per CSSELR (cortex-a57 TRM): L1D 32K 2-way... as the TRM gives them */
const CCSIDR: Readonly<Record<number, bigint>> = {
  0: 0x701fe00an, // L1 D: 32 KiB, 2-way, 64-byte lines
  1: 0x201fe012n, // L1 I: 48 KiB, 3-way
  2: 0x70ffe07an, // L2 unified: 2 MiB, 16-way
};

const M64 = 0xffffffffffffffffn;

/** What KVM's reset_unknown() writes into registers whose reset value is architecturally UNKNOWN (6.1). */
export const KVM_RESET_UNKNOWN = 0x1de7ec7edbadc0den;

const el0Always = (): boolean => true;

export class SysregFile {
  private readonly c: Core;
  private readonly byKey = new Map<number, SysregDef>();
  private readonly defs: SysregDef[] = [];
  private readonly vals = new Map<number, bigint>();

  // registers the interpreter uses directly
  esr = 0n;
  farReg = 0n;
  elr = 0n;
  spsr = 0n;
  vbar = 0n;
  sctlr = 0n;
  mpidr = 0n;
  cpacr = 0n;
  cntkctl = 0n;
  cntvCtl = 0n;
  cntvCval = 0n;
  cntpCtl = 0n;
  cntpCval = 0n;
  // decoded copies
  mmuOn = false;
  alignCheck = false;
  wxn = false;
  fpen = 0;
  tcrLo = 0;
  tcrHi = 0;
  ttbr0Lo = 0;
  ttbr0Hi = 0;
  ttbr1Lo = 0;
  ttbr1Hi = 0;
  mairLo = 0;
  mairHi = 0;
  /**
   * bumped on every write to a timer register (for the timer model); the write also ends the run slice
   * (requestStop), so the vCPU re-evaluates the timer output and the GIC sees a masked/reprogrammed timer
   * before the guest's EOI: a level that lagged to the slice end re-signalled the PPI after every EOI
   */
  timerGeneration = 0;

  constructor(c: Core) {
    this.c = c;
    this.build();
  }

  private add(
    name: string,
    enc: readonly [number, number, number, number, number],
    opts: Partial<Omit<SysregDef, 'name' | 'key' | 'enc'>> = {},
  ): void {
    const key = sysKey(...enc);
    const def: SysregDef = { name, key, enc, access: opts.access ?? 'rw', listed: opts.listed ?? true, ...opts };
    if (this.byKey.has(key)) throw new Error(`sysreg ${name}: duplicate encoding`);
    this.byKey.set(key, def);
    this.defs.push(def);
  }

  private build(): void {
    const c = this.c;
    // ---- debug (KVM keeps them as storage; no debug architecture behind them here)
    for (let n = 0; n < 16; n++) {
      this.add(`DBGBVR${n}_EL1`, [2, 0, 0, n, 4], { reset: 0n });
      this.add(`DBGBCR${n}_EL1`, [2, 0, 0, n, 5], { reset: 0n });
      this.add(`DBGWVR${n}_EL1`, [2, 0, 0, n, 6], { reset: 0n });
      this.add(`DBGWCR${n}_EL1`, [2, 0, 0, n, 7], { reset: 0n });
    }
    this.add('MDCCINT_EL1', [2, 0, 0, 2, 0], { reset: 0n });
    this.add('MDSCR_EL1', [2, 0, 0, 2, 2], { reset: 0n });
    this.add('MDRAR_EL1', [2, 0, 1, 0, 0], { access: 'ro', listed: false, get: () => 0n });
    this.add('OSLAR_EL1', [2, 0, 1, 0, 4], {
      access: 'wo',
      listed: false,
      set: (_c, s, v) => s.vals.set(sysKey(2, 0, 1, 1, 4), (s.vals.get(sysKey(2, 0, 1, 1, 4))! & ~2n) | ((v & 1n) << 1n)),
    });
    this.add('OSLSR_EL1', [2, 0, 1, 1, 4], { access: 'ro', reset: 0x8n });
    this.add('OSDLR_EL1', [2, 0, 1, 3, 4], { listed: false, get: () => 0n, set: () => undefined });
    this.add('DBGPRCR_EL1', [2, 0, 1, 4, 4], { listed: false, get: () => 0n, set: () => undefined });
    this.add('DBGCLAIMSET_EL1', [2, 0, 7, 8, 6], { listed: false, get: () => 0n, set: () => undefined });
    this.add('DBGCLAIMCLR_EL1', [2, 0, 7, 9, 6], { listed: false, get: () => 0n, set: () => undefined });
    this.add('DBGAUTHSTATUS_EL1', [2, 0, 7, 14, 6], { access: 'ro', listed: false, get: () => 0x88n });
    this.add('MDCCSR_EL0', [2, 3, 0, 1, 0], { access: 'ro', listed: false, get: () => 0n });
    this.add('DBGDTR_EL0', [2, 3, 0, 4, 0], { listed: false, get: () => 0n, set: () => undefined });
    this.add('DBGDTRRX_EL0', [2, 3, 0, 5, 0], { listed: false, get: () => 0n, set: () => undefined });
    this.add('DBGVCR32_EL2', [2, 4, 0, 7, 0], { reset: 0n });

    // ---- identification
    const id = (name: string, enc: readonly [number, number, number, number, number]): void => {
      const v = CORTEX_A57_ID[name] ?? 0n;
      this.add(name, enc, { access: 'ro', get: () => v });
    };
    this.add('MIDR_EL1', [3, 0, 0, 0, 0], { access: 'ro', get: () => CORTEX_A57_ID['MIDR_EL1']! });
    this.add('MPIDR_EL1', [3, 0, 0, 0, 5], { access: 'ro', get: (_c, s) => s.mpidr });
    this.add('REVIDR_EL1', [3, 0, 0, 0, 6], { access: 'ro', get: () => 0n });
    const aa32 = ['ID_PFR0_EL1', 'ID_PFR1_EL1', 'ID_DFR0_EL1', 'ID_AFR0_EL1', 'ID_MMFR0_EL1', 'ID_MMFR1_EL1', 'ID_MMFR2_EL1', 'ID_MMFR3_EL1'];
    aa32.forEach((n, i) => id(n, [3, 0, 0, 1, i]));
    const aa32b = ['ID_ISAR0_EL1', 'ID_ISAR1_EL1', 'ID_ISAR2_EL1', 'ID_ISAR3_EL1', 'ID_ISAR4_EL1', 'ID_ISAR5_EL1', 'ID_MMFR4_EL1', 'ID_ISAR6_EL1'];
    aa32b.forEach((n, i) => id(n, [3, 0, 0, 2, i]));
    const c3 = ['MVFR0_EL1', 'MVFR1_EL1', 'MVFR2_EL1', '', 'ID_PFR2_EL1', 'ID_DFR1_EL1', 'ID_MMFR5_EL1', ''];
    c3.forEach((n, i) => id(n || `ID_UNALLOCATED_3_${i}`, [3, 0, 0, 3, i]));
    const aa64: Record<number, string[]> = {
      4: ['ID_AA64PFR0_EL1', 'ID_AA64PFR1_EL1', '', '', 'ID_AA64ZFR0_EL1', 'ID_AA64SMFR0_EL1', '', ''],
      5: ['ID_AA64DFR0_EL1', 'ID_AA64DFR1_EL1', '', '', 'ID_AA64AFR0_EL1', 'ID_AA64AFR1_EL1', '', ''],
      6: ['ID_AA64ISAR0_EL1', 'ID_AA64ISAR1_EL1', 'ID_AA64ISAR2_EL1', '', '', '', '', ''],
      7: ['ID_AA64MMFR0_EL1', 'ID_AA64MMFR1_EL1', 'ID_AA64MMFR2_EL1', '', '', '', '', ''],
    };
    for (const [crm, names] of Object.entries(aa64)) {
      names.forEach((n, i) => id(n || `ID_UNALLOCATED_${crm}_${i}`, [3, 0, 0, Number(crm), i]));
    }
    this.add('CCSIDR_EL1', [3, 1, 0, 0, 0], { access: 'ro', listed: false, get: (_c, s) => CCSIDR[Number(s.vals.get(sysKey(3, 2, 0, 0, 0)) ?? 0n)] ?? 0n });
    this.add('CLIDR_EL1', [3, 1, 0, 0, 1], { access: 'ro', get: () => CORTEX_A57_ID['CLIDR_EL1']! });
    this.add('AIDR_EL1', [3, 1, 0, 0, 7], { access: 'ro', get: () => 0n });
    this.add('CSSELR_EL1', [3, 2, 0, 0, 0], { reset: KVM_RESET_UNKNOWN }); // stored whole, as KVM does
    this.add('CTR_EL0', [3, 3, 0, 0, 1], { access: 'ro', get: () => CORTEX_A57_ID['CTR_EL0']!, el0: (_c) => this.uct() });
    this.add('DCZID_EL0', [3, 3, 0, 0, 7], { access: 'ro', listed: false, get: (_c, s) => (s.dze() || _c.el === 1 ? 4n : 0x14n), el0: el0Always });

    // ---- memory system, exceptions
    this.add('SCTLR_EL1', [3, 0, 1, 0, 0], {
      get: (_c, s) => s.sctlr,
      set: (cc, s, v) => {
        // RES1 bits of v8.0 SCTLR_EL1: 29,28,23,22,20,11
        s.sctlr = (v & 0xffffffffn) | 0x30d00800n;
        s.decodeSctlr();
        cc.flushTlb();
      },
    });
    this.add('ACTLR_EL1', [3, 0, 1, 0, 1], { reset: 0n });
    this.add('CPACR_EL1', [3, 0, 1, 0, 2], {
      get: (_c, s) => s.cpacr,
      set: (_c, s, v) => {
        s.cpacr = v & 0x00300000n;
        s.fpen = Number((s.cpacr >> 20n) & 3n);
      },
    });
    this.add('TTBR0_EL1', [3, 0, 2, 0, 0], { reset: KVM_RESET_UNKNOWN, set: (cc, s, v) => { s.vals.set(sysKey(3, 0, 2, 0, 0), v); s.decodeMmu(); cc.flushTlb(); } });
    this.add('TTBR1_EL1', [3, 0, 2, 0, 1], { reset: KVM_RESET_UNKNOWN, set: (cc, s, v) => { s.vals.set(sysKey(3, 0, 2, 0, 1), v); s.decodeMmu(); cc.flushTlb(); } });
    this.add('TCR_EL1', [3, 0, 2, 0, 2], {
      reset: 0n,
      set: (cc, s, v) => {
        s.vals.set(sysKey(3, 0, 2, 0, 2), v & 0x7fffffffffn);
        s.decodeMmu();
        cc.flushTlb();
      },
    });
    this.add('SPSR_EL1', [3, 0, 4, 0, 0], { listed: false, get: (_c, s) => s.spsr, set: (_c, s, v) => { s.spsr = v & 0xffffffffn; } });
    this.add('ELR_EL1', [3, 0, 4, 0, 1], { listed: false, get: (_c, s) => s.elr, set: (_c, s, v) => { s.elr = v; } });
    this.add('SP_EL0', [3, 0, 4, 1, 0], {
      listed: false,
      get: (cc) => cc.getSp(0),
      set: (cc, _s, v) => {
        cc.setSp(0, v);
      },
    });
    this.add('AFSR0_EL1', [3, 0, 5, 1, 0], { reset: KVM_RESET_UNKNOWN });
    this.add('AFSR1_EL1', [3, 0, 5, 1, 1], { reset: KVM_RESET_UNKNOWN });
    this.add('ESR_EL1', [3, 0, 5, 2, 0], { get: (_c, s) => s.esr, set: (_c, s, v) => { s.esr = v; } }); // 64 bits stored, as KVM does (bits 63..32 RES0 in v8.0)
    this.add('FAR_EL1', [3, 0, 6, 0, 0], { get: (_c, s) => s.farReg, set: (_c, s, v) => { s.farReg = v; } });
    this.add('PAR_EL1', [3, 0, 7, 4, 0], { reset: KVM_RESET_UNKNOWN });
    this.add('MAIR_EL1', [3, 0, 10, 2, 0], { reset: KVM_RESET_UNKNOWN, set: (cc, s, v) => { s.vals.set(sysKey(3, 0, 10, 2, 0), v); s.decodeMmu(); cc.flushTlb(); } });
    this.add('AMAIR_EL1', [3, 0, 10, 3, 0], { reset: 0n });
    this.add('VBAR_EL1', [3, 0, 12, 0, 0], { get: (_c, s) => s.vbar, set: (_c, s, v) => { s.vbar = v & ~0x7ffn & M64; } });
    this.add('DISR_EL1', [3, 0, 12, 1, 1], { reset: 0n });
    // GICv2 guest: the GICv3 system register interface is absent; KVM answers ICC_SRE_EL1 reads with 0
    this.add('ICC_SRE_EL1', [3, 0, 12, 12, 5], { listed: false, get: () => 0n, set: () => undefined });
    this.add('CONTEXTIDR_EL1', [3, 0, 13, 0, 1], { reset: 0n, wmask: 0xffffffffn });
    this.add('TPIDR_EL1', [3, 0, 13, 0, 4], { reset: KVM_RESET_UNKNOWN });
    this.add('CNTKCTL_EL1', [3, 0, 14, 1, 0], { get: (_c, s) => s.cntkctl, set: (_c, s, v) => { s.cntkctl = v & 0x3ffn; } });
    this.add('TPIDR_EL0', [3, 3, 13, 0, 2], { reset: KVM_RESET_UNKNOWN, el0: el0Always });
    this.add('TPIDRRO_EL0', [3, 3, 13, 0, 3], { reset: KVM_RESET_UNKNOWN, el0: (_c, w) => !w });
    this.add('DACR32_EL2', [3, 4, 3, 0, 0], { reset: KVM_RESET_UNKNOWN });
    this.add('IFSR32_EL2', [3, 4, 5, 0, 1], { reset: KVM_RESET_UNKNOWN });
    this.add('FPEXC32_EL2', [3, 4, 5, 3, 0], { reset: 0x700n });

    // ---- generic timer
    const k = (bit: number) => (): boolean => ((this.cntkctl >> BigInt(bit)) & 1n) !== 0n;
    this.add('CNTFRQ_EL0', [3, 3, 14, 0, 0], { access: 'ro', listed: false, get: (cc) => cc.clock.frequency, el0: (_c, w) => !w && (k(0)() || k(1)()) });
    this.add('CNTPCT_EL0', [3, 3, 14, 0, 1], { access: 'ro', listed: false, get: (cc) => cc.clock.physicalCount(), el0: k(0) });
    this.add('CNTVCT_EL0', [3, 3, 14, 0, 2], { access: 'ro', get: (cc) => this.vcount(cc), el0: k(1) });
    this.add('CNTP_TVAL_EL0', [3, 3, 14, 2, 0], {
      listed: false,
      get: (cc, s) => BigInt.asUintN(32, s.cntpCval - cc.clock.physicalCount()),
      set: (cc, s, v) => {
        s.cntpCval = BigInt.asUintN(64, cc.clock.physicalCount() + BigInt.asIntN(32, v));
        s.timerGeneration++;
        cc.requestStop();
      },
      el0: k(9),
    });
    this.add('CNTP_CTL_EL0', [3, 3, 14, 2, 1], {
      listed: false,
      // ISTATUS: computed whether or not ENABLE is set (UNKNOWN when disabled; KVM reports the comparison)
      get: (cc, s) => (s.cntpCtl & 3n) | (cc.clock.physicalCount() >= s.cntpCval ? 4n : 0n),
      set: (cc, s, v) => {
        s.cntpCtl = v & 3n;
        s.timerGeneration++;
        cc.requestStop();
      },
      el0: k(9),
    });
    this.add('CNTP_CVAL_EL0', [3, 3, 14, 2, 2], {
      listed: false,
      get: (_c, s) => s.cntpCval,
      set: (cc, s, v) => {
        s.cntpCval = v;
        s.timerGeneration++;
        cc.requestStop();
      },
      el0: k(9),
    });
    this.add('CNTV_TVAL_EL0', [3, 3, 14, 3, 0], {
      listed: false,
      get: (cc, s) => BigInt.asUintN(32, s.cntvCval - s.vcount(cc)),
      set: (cc, s, v) => {
        s.cntvCval = BigInt.asUintN(64, s.vcount(cc) + BigInt.asIntN(32, v));
        s.timerGeneration++;
        cc.requestStop();
      },
      el0: k(8),
    });
    this.add('CNTV_CTL_EL0', [3, 3, 14, 3, 1], {
      get: (cc, s) => (s.cntvCtl & 3n) | (s.vcount(cc) >= s.cntvCval ? 4n : 0n),
      set: (cc, s, v) => {
        s.cntvCtl = v & 3n;
        s.timerGeneration++;
        cc.requestStop();
      },
      el0: k(8),
    });
    this.add('CNTV_CVAL_EL0', [3, 3, 14, 3, 2], {
      get: (_c, s) => s.cntvCval,
      set: (cc, s, v) => {
        s.cntvCval = v;
        s.timerGeneration++;
        cc.requestStop();
      },
      el0: k(8),
    });

    // ---- PSTATE and FP control as system registers (MRS/MSR; not in the KVM list)
    this.add('NZCV', [3, 3, 4, 2, 0], {
      listed: false,
      get: (cc) => BigInt(cc.pstateBits() & 0xf0000000),
      set: (cc, _s, v) => {
        const n = Number(v & 0xf0000000n);
        cc.nf = (n >>> 31) & 1;
        cc.zf = (n >>> 30) & 1;
        cc.cf = (n >>> 29) & 1;
        cc.vf = (n >>> 28) & 1;
      },
      el0: el0Always,
    });
    this.add('DAIF', [3, 3, 4, 2, 1], {
      listed: false,
      get: (cc) => BigInt(cc.daif << 6),
      set: (cc, _s, v) => {
        cc.daif = Number((v >> 6n) & 0xfn);
      },
      el0: () => this.uma(),
    });
    this.add('CurrentEL', [3, 0, 4, 2, 2], { access: 'ro', listed: false, get: (cc) => BigInt(cc.el << 2) });
    this.add('SPSel', [3, 0, 4, 2, 0], {
      listed: false,
      get: (cc) => BigInt(cc.spsel),
      set: (cc, _s, v) => {
        cc.spsel = Number(v & 1n);
        cc.syncSp();
      },
    });
    this.add('FPCR', [3, 3, 4, 4, 0], { listed: false, get: (cc) => BigInt(cc.fpcr), set: (cc, _s, v) => { cc.fpcr = Number(v & 0x07ff9f00n); }, el0: el0Always });
    this.add('FPSR', [3, 3, 4, 4, 1], { listed: false, get: (cc) => BigInt(cc.fpsr), set: (cc, _s, v) => { cc.fpsr = Number(v & 0xf800009fn); }, el0: el0Always });
    void c;
  }

  vcount(c: Core): bigint {
    return BigInt.asUintN(64, c.clock.physicalCount() - c.clock.cntvoff);
  }

  uct(): boolean {
    return ((this.sctlr >> 15n) & 1n) !== 0n;
  }
  dze(): boolean {
    return ((this.sctlr >> 14n) & 1n) !== 0n;
  }
  uma(): boolean {
    return ((this.sctlr >> 9n) & 1n) !== 0n;
  }
  uci(): boolean {
    return ((this.sctlr >> 26n) & 1n) !== 0n;
  }

  private sa = true;
  private sa0 = true;
  /** SCTLR_EL1.SA / SA0: SP alignment checking for the EL */
  spAlignCheck(el: number): boolean {
    return el === 0 ? this.sa0 : this.sa;
  }

  decodeSctlr(): void {
    const s = Number(this.sctlr & 0xffffffffn);
    this.sa = (s & 8) !== 0;
    this.sa0 = (s & 16) !== 0;
    this.mmuOn = (s & 1) !== 0;
    this.alignCheck = (s & 2) !== 0;
    this.wxn = ((s >>> 19) & 1) !== 0;
  }

  decodeMmu(): void {
    const tcr = this.vals.get(sysKey(3, 0, 2, 0, 2)) ?? 0n;
    this.tcrLo = Number(tcr & 0xffffffffn);
    this.tcrHi = Number(tcr >> 32n);
    const t0 = this.vals.get(sysKey(3, 0, 2, 0, 0)) ?? 0n;
    this.ttbr0Lo = Number(t0 & 0xffffffffn);
    this.ttbr0Hi = Number(t0 >> 32n);
    const t1 = this.vals.get(sysKey(3, 0, 2, 0, 1)) ?? 0n;
    this.ttbr1Lo = Number(t1 & 0xffffffffn);
    this.ttbr1Hi = Number(t1 >> 32n);
    const m = this.vals.get(sysKey(3, 0, 10, 2, 0)) ?? 0n;
    this.mairLo = Number(m & 0xffffffffn);
    this.mairHi = Number(m >> 32n);
  }

  reset(mpidr: bigint): void {
    this.vals.clear();
    for (const d of this.defs) if (d.reset !== undefined) this.vals.set(d.key, d.reset);
    this.esr = KVM_RESET_UNKNOWN;
    this.farReg = KVM_RESET_UNKNOWN;
    this.elr = 0n;
    this.spsr = 0n;
    this.vbar = 0n;
    // KVM resets SCTLR_EL1 to 0x00C50078 (the RES1 bits of ARMv8.0 included)
    this.sctlr = 0x00c50078n;
    this.cpacr = 0n;
    this.fpen = 0;
    this.cntkctl = 0n;
    this.cntvCtl = 0n;
    this.cntvCval = 0n;
    this.cntpCtl = 0n;
    this.cntpCval = 0n;
    // KVM: MPIDR from the vcpu index with bit 31 (RES1) set
    this.mpidr = mpidr;
    this.decodeSctlr();
    this.decodeMmu();
  }

  private def(op0: number, op1: number, crn: number, crm: number, op2: number): SysregDef {
    for (const [n, v, max] of [
      ['op0', op0, 3],
      ['op1', op1, 7],
      ['crn', crn, 15],
      ['crm', crm, 15],
      ['op2', op2, 7],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${n} must be an integer 0..${max}: ${v}`);
    }
    const d = this.byKey.get(sysKey(op0, op1, crn, crm, op2));
    if (!d) throw new RangeError(`system register S${op0}_${op1}_C${crn}_C${crm}_${op2} is not implemented by the model`);
    return d;
  }

  private read(d: SysregDef): bigint {
    if (d.get) return d.get(this.c, this);
    return this.vals.get(d.key) ?? 0n;
  }

  private write(d: SysregDef, v: bigint): void {
    if (d.set) {
      d.set(this.c, this, v);
      return;
    }
    this.vals.set(d.key, d.wmask !== undefined ? v & d.wmask : v);
  }

  /** The API (KVM ONE_REG view): read any implemented register, including write-only ones (as 0). */
  apiGet(op0: number, op1: number, crn: number, crm: number, op2: number): bigint {
    const d = this.def(op0, op1, crn, crm, op2);
    if (d.access === 'wo') return 0n;
    return this.read(d);
  }

  /** The API view: writes to ID registers must match (KVM: EINVAL otherwise → RangeError here). */
  apiSet(op0: number, op1: number, crn: number, crm: number, op2: number, v: bigint): void {
    const d = this.def(op0, op1, crn, crm, op2);
    if (d.name === 'MPIDR_EL1') {
      this.mpidr = v;
      return;
    }
    if (d.name === 'OSLSR_EL1') {
      this.vals.set(d.key, (v & 2n) | 8n);
      return;
    }
    if (d.access === 'ro') {
      if (d.key === sysKey(3, 3, 14, 0, 2)) {
        // CNTVCT: the VM sets the virtual counter by adjusting cntvoff
        this.c.clock.cntvoff = BigInt.asUintN(64, this.c.clock.physicalCount() - v);
        return;
      }
      if (this.read(d) !== v) throw new RangeError(`${d.name} is read-only: writing 0x${v.toString(16)} differs from its value`);
      return;
    }
    this.write(d, v);
  }

  list(): ReadonlyArray<readonly [number, number, number, number, number]> {
    return this.defs.filter((d) => d.listed).map((d) => d.enc);
  }

  nameOf(key: number): string | undefined {
    return this.byKey.get(key)?.name;
  }

  /** ESR ISS of a trapped MSR/MRS/SYS (EC 0x18) */
  static sysIss(key: number, rt: number, read: boolean): number {
    const op0 = (key >>> 14) & 3;
    const op1 = (key >>> 11) & 7;
    const crn = (key >>> 7) & 15;
    const crm = (key >>> 3) & 15;
    const op2 = key & 7;
    return ((op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0)) >>> 0;
  }

  private check(key: number, rt: number, read: boolean): SysregDef {
    const d = this.byKey.get(key);
    const c: Core = this.c;
    if (d === undefined) return c.undef();
    if (read ? d.access === 'wo' : d.access === 'ro') c.undef();
    if ((d.enc[0] === 3 && d.enc[1] >= 4) || (d.enc[0] === 2 && d.enc[1] === 4)) c.undef(); // EL2 registers
    if (c.el === 0) {
      // EL1-only registers are UNDEFINED at EL0; EL0 registers disabled by SCTLR/CNTKCTL trap to EL1 (EC 0x18)
      if (d.el0 === undefined) return c.undef();
      if (!d.el0(c, !read)) {
        if (d.access === 'ro' && !read) c.undef();
        if (d.name === 'TPIDRRO_EL0') c.undef();
        c.takeSync(0x18, SysregFile.sysIss(key, rt, read));
      }
    }
    if (d.name === 'SP_EL0' && c.spsel === 0) c.undef();
    if (d.name === 'FPCR' || d.name === 'FPSR') c.checkFp(); // CPACR_EL1.FPEN traps these too (EC 0x07)
    return d;
  }

  /** MRS from the guest: the value, or the UNDEFINED / trap exception. */
  mrs(key: number, rt: number): bigint {
    return this.read(this.check(key, rt, true));
  }

  /** MSR (register) from the guest. */
  msr(key: number, v: bigint, rt: number): void {
    this.write(this.check(key, rt, false), v);
  }
}
