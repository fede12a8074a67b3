/**
 * System instructions: exception generation (SVC/HVC/SMC/BRK/HLT/DCPS/UDF), hints (NOP/YIELD/WFE/WFI/SEV/SEVL),
 * barriers, CLREX, MSR (immediate) to PSTATE fields, SYS (DC/IC/AT/TLBI), MRS/MSR (register).
 */
import { row, type Row } from '../decoder';
import { type Core, ACC_CM, ACC_NOSYN, EC } from '../core';
import { SysregFile } from '../sysregs';
import { walk, type WalkResult, P_R0, P_R1, P_W0, P_W1 } from '../mmu';
import { rz, wz } from '../state';

const walkTmp: WalkResult = { fault: -1, level: 0, pa: 0, perm: 0, device: false, size: 12 };

/** DC by VA outside RAM or to an unmapped VA: permission/translation faults are reported (CM=1); a PA that is
 * not RAM is ignored (KVM skips cache maintenance on MMIO). */
function dcByVa(c: Core, rt: number): void {
  const s = rz(rt) * 2;
  c.translate(c.x[s]!, c.x[s + 1]!, 0, ACC_CM, false);
}

function dcZva(c: Core, rt: number): void {
  const s = rz(rt) * 2;
  const lo = (c.x[s]! & ~63) >>> 0;
  const hi = c.x[s + 1]!;
  // translate first (a fault leaves memory untouched), then zero 64 bytes
  c.translate(lo, hi, 1, 0, false);
  for (let i = 0; i < 64; i += 8) c.st(lo + i, hi, 8, 0, 0, ACC_NOSYN);
}

/** AT S1E{0,1}{R,W}: PAR_EL1 */
function at(c: Core, rt: number, el: number, write: boolean): void {
  const s = rz(rt) * 2;
  const lo = c.x[s]!;
  const hi = c.x[s + 1]!;
  walk(c, lo, hi, write ? 1 : 0, el, walkTmp);
  let fault = walkTmp.fault;
  if (fault < 0) {
    const need = write ? (el === 0 ? P_W0 : P_W1) : el === 0 ? P_R0 : P_R1;
    if ((walkTmp.perm & need) === 0) fault = 0x0c | walkTmp.level;
  }
  let par: bigint;
  if (fault >= 0) par = BigInt((fault << 1) | 1);
  else {
    // PA[47:12], NS=0, SH, ATTR: report Device-nGnRnE (0x00) or Normal WB (0xff)
    const attr = walkTmp.device ? 0n : 0xffn;
    par = (attr << 56n) | BigInt(walkTmp.pa);
  }
  c.setSysreg(3, 0, 7, 4, 0, par);
}

function sysOp(c: Core, op1: number, crn: number, crm: number, op2: number, rt: number): void {
  const key = (1 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
  const el0 = c.el === 0;
  const trap = (): never => c.takeSync(EC.SYS64, SysregFile.sysIss(key, rt, false));
  if (crn === 7) {
    if (op1 === 0 && crm === 1 && op2 === 0) return el0 ? c.undef() : undefined; // IC IALLUIS
    if (op1 === 0 && crm === 5 && op2 === 0) return el0 ? c.undef() : undefined; // IC IALLU
    if (op1 === 3 && crm === 5 && op2 === 1) {
      if (el0 && !c.sys.uci()) trap();
      return; // IC IVAU
    }
    if (op1 === 0 && crm === 6 && op2 === 1) {
      if (el0) c.undef();
      return dcByVa(c, rt); // DC IVAC
    }
    if (op1 === 0 && (crm === 6 || crm === 10 || crm === 14) && op2 === 2) return el0 ? c.undef() : undefined; // DC ISW/CSW/CISW
    if (op1 === 3 && crm === 4 && op2 === 1) {
      if (el0 && !c.sys.dze()) trap();
      return dcZva(c, rt); // DC ZVA
    }
    if (op1 === 3 && (crm === 10 || crm === 11 || crm === 14) && op2 === 1) {
      if (el0 && !c.sys.uci()) trap();
      return dcByVa(c, rt); // DC CVAC / CVAU / CIVAC
    }
    if (op1 === 0 && crm === 8 && op2 <= 3) {
      if (el0) c.undef();
      return at(c, rt, op2 >= 2 ? 0 : 1, (op2 & 1) !== 0); // AT S1E1R/W, S1E0R/W
    }
    c.undef();
  }
  if (crn === 8 && op1 === 0 && (crm === 3 || crm === 7)) {
    if (el0) c.undef();
    // TLBI VMALLE1(IS), ASIDE1(IS): drop everything. By VA — VAE1(IS), VAAE1(IS), VALE1(IS), VAALE1(IS) — drop
    // the entries of the translation that maps Xt's VA[55:12], in every ASID (over-invalidation is
    // architecturally allowed; entries are not ASID-tagged). Linux issues a VAALE1IS per page of a kernel range.
    if (op2 === 1 || op2 === 3 || op2 === 5 || op2 === 7) {
      const s = rz(rt) * 2;
      c.invalidateVa(c.x[s]!, c.x[s + 1]!);
      return;
    }
    if (op2 === 0 || op2 === 2) {
      c.flushTlb();
      return;
    }
  }
  c.undef();
}

export const rows: Row[] = [
  // SVC #imm16
  row('SVC', '11010100 000 imm16:16 000 01', (c, f) => {
    c.takeSync(EC.SVC64, f.imm16, true);
  }),
  // HVC #imm16: at EL1 the hypervisor call stops run() (PC advanced, as a trapped HVC)
  row('HVC', '11010100 000 imm16:16 000 10', (c, f) => {
    if (c.el === 0) c.undef();
    c.stopWith({ kind: 'hvc', imm: f.imm16 }, true);
  }),
  // SMC #imm16: trapped by KVM (PC at the SMC)
  row('SMC', '11010100 000 imm16:16 000 11', (c, f) => {
    if (c.el === 0) c.undef();
    c.stopWith({ kind: 'smc', imm: f.imm16 }, false);
  }),
  // BRK #imm16
  row('BRK', '11010100 001 imm16:16 000 00', (c, f) => c.takeSync(EC.BRK64, f.imm16)),
  // HLT #imm16: UNDEFINED (halting debug disabled)
  row('HLT', '11010100 010 imm16:16 000 00', (c) => c.undef()),
  // DCPS1/2/3: UNDEFINED outside Debug state
  row('DCPS', '11010100 101 imm16:16 000 ll:2', (c) => c.undef()),
  // UDF #imm16
  row('UDF', '0000000000000000 imm16:16', (c) => c.undef()),

  // hints: NOP, YIELD, WFE, WFI, SEV, SEVL, and the rest of the hint space as NOP
  row('HINT', '11010101000000110010 crm:4 op2:3 11111', (c, f) => {
    if (f.crm !== 0) return;
    if (f.op2 === 3) {
      // WFI: completes at once when an interrupt is pending, even masked (the architecture's wake-up rule)
      if (c.irqLine || c.fiqLine) return;
      c.stopWith({ kind: 'wfi' }, true);
    }
    if (f.op2 === 2) {
      if (c.eventRegister) {
        c.eventRegister = false;
        return;
      }
      if (c.irqLine || c.fiqLine) return;
      c.stopWith({ kind: 'wfe' }, true);
    }
    if (f.op2 === 5) c.eventRegister = true; // SEVL
    if (f.op2 === 4) {
      // SEV: an event for every PE (this one included); the SMP layer wakes the other vCPUs
      c.eventRegister = true;
      c.onSev?.();
    }
  }),
  // CLREX
  row('CLREX', '11010101000000110011 crm:4 010 11111', (c) => c.clearExclusive()),
  // DSB / DMB / ISB
  row('DSB', '11010101000000110011 crm:4 100 11111', () => undefined),
  row('DMB', '11010101000000110011 crm:4 101 11111', () => undefined),
  row('ISB', '11010101000000110011 crm:4 110 11111', () => undefined),

  // MSR <pstatefield>, #imm
  row('MSR_imm', '1101010100000 op1:3 0100 crm:4 op2:3 11111', (c, f) => {
    if (f.op1 === 0 && f.op2 === 5) {
      // SPSel
      if (c.el === 0) c.undef();
      c.spsel = f.crm & 1;
      c.syncSp();
      return;
    }
    if (f.op1 === 3 && (f.op2 === 6 || f.op2 === 7)) {
      if (c.el === 0 && !c.sys.uma()) {
        c.takeSync(EC.SYS64, SysregFile.sysIss((0 << 14) | (3 << 11) | (4 << 7) | (f.crm << 3) | f.op2, 31, false));
      }
      if (f.op2 === 6) c.daif |= f.crm; // DAIFSet
      else c.daif &= ~f.crm & 0xf; // DAIFClr
      return;
    }
    c.undef(); // UAO/PAN and the rest: not in ARMv8.0
  }),

  // SYS #op1, Cn, Cm, #op2, Xt (DC, IC, AT, TLBI)
  row('SYS', '1101010100001 op1:3 crn:4 crm:4 op2:3 rt:5', (c, f) => sysOp(c, f.op1, f.crn, f.crm, f.op2, f.rt)),
  // SYSL: nothing allocated
  row('SYSL', '1101010100101 op1:3 crn:4 crm:4 op2:3 rt:5', (c) => c.undef()),

  // MSR <sysreg>, Xt
  row('MSR_reg', '1101010100 0 1 sysreg:15 rt:5', (c, f) => {
    const s = rz(f.rt) * 2;
    const v = (BigInt(c.x[s + 1]!) << 32n) | BigInt(c.x[s]!);
    c.sys.msr(0x8000 | f.sysreg, v, f.rt);
  }),
  // MRS Xt, <sysreg>
  row('MRS', '1101010100 1 1 sysreg:15 rt:5', (c, f) => {
    const v = c.sys.mrs(0x8000 | f.sysreg, f.rt);
    const d = wz(f.rt) * 2;
    c.x[d] = Number(v & 0xffffffffn);
    c.x[d + 1] = Number((v >> 32n) & 0xffffffffn);
  }),
];
