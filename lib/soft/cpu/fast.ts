/**
 * Fast paths of the interpreter: common special cases of the hottest rows, executed by one `switch` on a small
 * operation number instead of the row's general handler.
 *
 * At decode time (once per cached instruction word) {@link specialize} looks at the row and its fields and, for a
 * case it covers, stores an operation number and pre-extracted operands (register slot offsets, immediates,
 * shift amounts, branch offsets) in the {@link Decoded} entry; {@link execFast} runs it. Every other word keeps
 * `op = 0` and runs its row's handler as before. Each fast operation is the same computation as the row handler
 * for that case (the row handlers stay the reference: the oracle and unit tests exercise both paths, and a fast
 * path falls back to `d.exec` for anything it does not cover at run time, e.g. an SP base that fails the SP
 * alignment check). Memory goes through Core.ld/Core.st (TLB fast path inside; faults, MMIO and the ISS for MMIO
 * stops unchanged: the slow path re-decodes the current word for the row's syndrome), and every access is done
 * before any register write, as the handlers do.
 *
 * Operand fields of a Decoded entry: `a` destination slot offset (2 * slot), `b` first source / base slot
 * offset, `g` second source / index slot offset, `k` immediate or offset, `c` and `e` small per-op parameters.
 * Slot offsets already map register 31 to SP, XZR (read) or the discard slot (write), as the row would.
 *
 * Adding a case: a new `OP_*` number, a branch in `specialize` that sets it only when the row's handler would do
 * exactly the computation in the new `case` (and raise no exception the case does not raise), and the case.
 */
import type { Decoded, Row } from './decoder';
import type { Core } from './core';
import type { CpuStop } from './api';
import { ACC_NOSYN, EC, UNWIND } from './core';
import { condHolds, decodeBitMasks, mul64, mulHigh, nzLogic } from './alu';
import { rz, wz } from './state';

/** no fast path: run the row's handler */
export const OP_NONE = 0;
const OP_ADDI_X = 1;
const OP_SUBI_X = 2;
const OP_ADDI_W = 3;
const OP_SUBI_W = 4;
const OP_ADDSI = 5; // S forms of ADD/SUB (immediate): e = sf, c = 1 for SUBS
const OP_ADDR_X = 6; // ADD (shifted register, LSL #k), 64-bit
const OP_SUBR_X = 7;
const OP_ADDR_W = 8;
const OP_SUBR_W = 9;
const OP_ADDSR = 10; // ADDS/SUBS (shifted register, no shift): e = sf, c = 1 for SUBS
const OP_LOG_X = 11; // AND/ORR/EOR/ANDS (+ inverted forms) shifted register, no shift, 64-bit: c = opc, e = N
const OP_LOG_W = 12; // the same, 32-bit, LSL/LSR/ASR #k: c = opc | N << 2 | shift type << 3
const OP_LOGI_X = 13; // AND/ORR/EOR/ANDS (immediate): k = mask low, e = mask high, c = opc
const OP_LOGI_W = 14;
const OP_MOVC = 15; // MOVZ/MOVN: k = low, e = high
const OP_B = 16;
const OP_BL = 17;
const OP_BCOND = 18; // c = cond
const OP_CBZ = 19; // e = sf, c = 1 for CBNZ
const OP_TBZ = 20; // b = slot word, c = bit, e = 1 for TBNZ
const OP_RET = 21; // RET/BR
const OP_LDST_U = 22; // unsigned offset: e = size, c = 0 store / 1 load (zero-extending)
const OP_LDST_WB = 23; // pre/post-index: e = size, c = opc | pre << 1 | writeback << 2
const OP_LDST_R = 24; // register offset (UXTW or LSL/UXTX): e = size, c = opc | 64-bit index << 1, k = shift
const OP_LDSTP = 25; // LDP/STP/LDNP/STNP 32/64-bit: a = Rt, g = Rt2, k = offset, e = size, c = L | mode << 1 | writeback << 3
const OP_CSEL = 26; // CSEL/CSINC/CSINV/CSNEG: c = cond, e = sf | op << 1 | o2 << 2
const OP_NOP = 27; // hints that do nothing here (NOP, YIELD, PACIASP/AUTIASP/BTI... as v8.0 NOPs), DMB/DSB/ISB
const OP_ADRP = 28; // k = signed page offset in bytes
const OP_UBFM = 29; // UBFM (LSL/LSR/UBFX/UBFIZ/UXTB/UXTH): c = immr, e = sf, k = mask low, g = mask high
const OP_ADC = 30; // ADC/ADCS/SBC/SBCS: c = 1 for SBC, e = sf | S << 1
const OP_MADD = 31; // MADD/MSUB (MUL/MNEG) 64-bit: k = Ra slot offset, c = o0 (MSUB)
const OP_MULH = 32; // UMULH/SMULH: c = 1 for SMULH
const OP_SBFM = 33; // SBFM (ASR/SXTB/SXTH/SXTW/SBFX/SBFIZ): c = immr | imms << 6 | sf << 12, e = tmask width, k/g = wmask & tmask

/** Fill `d.op` and the operand fields for a word of `row` with fields `f`; leaves `op = 0` when not covered. */
export function specialize(row: Row, f: any, d: Decoded): void {
  switch (row.name) {
    case 'ADDSUB_imm': {
      const imm = f.sh ? f.imm12 * 4096 : f.imm12;
      d.b = f.rn * 2;
      d.k = imm;
      if (f.s) {
        d.a = wz(f.rd) * 2;
        d.e = f.sf;
        d.c = f.op;
        d.op = OP_ADDSI;
      } else {
        d.a = f.rd * 2;
        d.op = f.sf ? (f.op ? OP_SUBI_X : OP_ADDI_X) : f.op ? OP_SUBI_W : OP_ADDI_W;
      }
      return;
    }
    case 'ADDSUB_shifted': {
      if (f.shift === 3 || (!f.sf && f.imm6 >= 32)) return; // UNDEFINED: the handler raises it
      d.a = wz(f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.g = rz(f.rm) * 2;
      if (f.s) {
        if (f.imm6 !== 0) return;
        d.e = f.sf;
        d.c = f.op;
        d.op = OP_ADDSR;
        return;
      }
      if (f.shift !== 0 && f.imm6 !== 0) return; // LSR/ASR by a non-zero amount: the handler
      d.k = f.imm6;
      d.op = f.sf ? (f.op ? OP_SUBR_X : OP_ADDR_X) : f.op ? OP_SUBR_W : OP_ADDR_W;
      return;
    }
    case 'LOGIC_shifted': {
      if (!f.sf && f.imm6 >= 32) return;
      d.a = wz(f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.g = rz(f.rm) * 2;
      if (f.sf) {
        if (f.imm6 !== 0) return;
        d.c = f.opc;
        d.e = f.n;
        d.op = OP_LOG_X;
      } else {
        if (f.shift === 3 && f.imm6 !== 0) return; // ROR: the handler
        d.c = f.opc | (f.n << 2) | ((f.imm6 === 0 ? 0 : f.shift) << 3);
        d.k = f.imm6;
        d.op = OP_LOG_W;
      }
      return;
    }
    case 'LOGIC_imm': {
      const m = decodeBitMasks(f.n, f.imms, f.immr, true, f.sf);
      if (m === null) return;
      d.a = (f.opc === 3 ? wz(f.rd) : f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.k = m[0]!;
      d.e = f.sf ? m[1]! : 0;
      d.c = f.opc;
      d.op = f.sf ? OP_LOGI_X : OP_LOGI_W;
      return;
    }
    case 'MOVW': {
      if (f.opc === 1 || f.opc === 3 || (f.sf === 0 && f.hw >= 2)) return; // MOVK and UNDEFINED: the handler
      const pos = f.hw * 16;
      let lo = pos < 32 ? (f.imm16 << pos) >>> 0 : 0;
      let hi = pos >= 32 ? (f.imm16 << (pos - 32)) >>> 0 : 0;
      if (f.opc === 0) {
        lo = ~lo >>> 0;
        hi = f.sf ? ~hi >>> 0 : 0;
      }
      d.a = wz(f.rd) * 2;
      d.k = lo;
      d.e = hi;
      d.op = OP_MOVC;
      return;
    }
    case 'B':
    case 'BL':
      d.k = ((f.imm26 << 6) >> 6) * 4;
      d.op = row.name === 'B' ? OP_B : OP_BL;
      return;
    case 'B_cond':
      d.k = ((f.imm19 << 13) >> 13) * 4;
      d.c = f.cond;
      d.op = OP_BCOND;
      return;
    case 'CBZ':
      d.k = ((f.imm19 << 13) >> 13) * 4;
      d.b = rz(f.rt) * 2;
      d.e = f.sf;
      d.c = f.op;
      d.op = OP_CBZ;
      return;
    case 'TBZ':
      d.k = ((f.imm14 << 18) >> 18) * 4;
      d.b = rz(f.rt) * 2 + f.b5;
      d.c = f.b40;
      d.e = f.op;
      d.op = OP_TBZ;
      return;
    case 'BR':
    case 'RET':
      d.b = rz(f.rn) * 2;
      d.op = OP_RET;
      return;
    case 'LDST_uimm':
      if (f.opc > 1) return; // signed loads, PRFM: the handler
      d.a = (f.opc === 0 ? rz(f.rt) : wz(f.rt)) * 2;
      d.b = f.rn * 2;
      d.k = f.imm12 << f.size;
      d.e = 1 << f.size;
      d.c = f.opc;
      d.op = OP_LDST_U;
      return;
    case 'LDST_imm_wb': {
      if (f.opc > 1) return;
      const wb = !(f.opc !== 0 && f.rt === f.rn && f.rn !== 31);
      d.a = (f.opc === 0 ? rz(f.rt) : wz(f.rt)) * 2;
      d.b = f.rn * 2;
      d.k = (f.imm9 << 23) >> 23;
      d.e = 1 << f.size;
      d.c = f.opc | (f.pre << 1) | (wb ? 4 : 0);
      d.op = OP_LDST_WB;
      return;
    }
    case 'LDST_reg':
      if (f.opc > 1 || (f.option !== 2 && f.option !== 3)) return;
      d.a = (f.opc === 0 ? rz(f.rt) : wz(f.rt)) * 2;
      d.b = f.rn * 2;
      d.g = rz(f.rm) * 2;
      d.k = f.s ? f.size : 0;
      d.e = 1 << f.size;
      d.c = f.opc | (f.option === 3 ? 2 : 0);
      d.op = OP_LDST_R;
      return;
    case 'LDSTP': {
      if (f.opc === 3 || f.opc === 1) return; // LDPSW and UNDEFINED: the handler
      if (f.l && f.rt === f.rt2) return; // the handler's UNDEFINED choice
      const size = f.opc === 2 ? 8 : 4;
      const wb = f.mode === 1 || f.mode === 3;
      const doWb = f.l ? wb && ((f.rt !== f.rn && f.rt2 !== f.rn) || f.rn === 31) : wb;
      d.a = (f.l ? wz(f.rt) : rz(f.rt)) * 2;
      d.g = (f.l ? wz(f.rt2) : rz(f.rt2)) * 2;
      d.b = f.rn * 2;
      d.k = ((f.imm7 << 25) >> 25) * size;
      d.e = size;
      d.c = f.l | (f.mode << 1) | (doWb ? 8 : 0);
      d.op = OP_LDSTP;
      return;
    }
    case 'HINT':
      // the handler acts only on crm 0 with op2 2..5 (WFE, WFI, SEV, SEVL)
      if (f.crm === 0 && f.op2 >= 2 && f.op2 <= 5) return;
      d.op = OP_NOP;
      return;
    case 'DSB':
    case 'DMB':
    case 'ISB':
      d.op = OP_NOP;
      return;
    case 'ADRP':
      d.a = wz(f.rd) * 2;
      d.k = (((f.immhi << 13) >> 13) * 4 + f.immlo) * 4096;
      d.op = OP_ADRP;
      return;
    case 'BITFIELD': {
      if ((f.opc !== 2 && f.opc !== 0) || f.n !== f.sf) return; // BFM and UNDEFINED: the handler
      if (!f.sf && (f.immr >= 32 || f.imms >= 32)) return;
      const m = decodeBitMasks(f.n, f.imms, f.immr, false, f.sf);
      if (m === null) return;
      if (f.opc === 0) {
        // SBFM: (ROR(src, immr) AND wmask AND tmask) OR (src<imms> ? NOT tmask : 0); tmask = Ones(d + 1),
        // d = (imms - immr) MOD esize
        d.a = wz(f.rd) * 2;
        d.b = rz(f.rn) * 2;
        d.c = f.immr | (f.imms << 6) | (f.sf << 12);
        d.e = ((f.imms - f.immr) & (f.sf ? 63 : 31)) + 1;
        d.k = (m[0]! & m[2]!) >>> 0;
        d.g = f.sf ? (m[1]! & m[3]!) >>> 0 : 0;
        d.op = OP_SBFM;
        return;
      }
      // UBFM: (ROR(src, immr) AND wmask) AND tmask
      d.a = wz(f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.c = f.immr;
      d.e = f.sf;
      d.k = (m[0]! & m[2]!) >>> 0;
      d.g = f.sf ? (m[1]! & m[3]!) >>> 0 : 0;
      d.op = OP_UBFM;
      return;
    }
    case 'ADC':
      d.a = wz(f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.g = rz(f.rm) * 2;
      d.c = f.op;
      d.e = f.sf | (f.s << 1);
      d.op = OP_ADC;
      return;
    case 'DP3':
      if (f.sf !== 1) return;
      if (f.op31 === 0) {
        d.k = rz(f.ra) * 2;
        d.c = f.o0;
        d.op = OP_MADD;
      } else if ((f.op31 === 2 || f.op31 === 6) && f.o0 === 0) {
        d.c = f.op31 === 2 ? 1 : 0;
        d.op = OP_MULH;
      } else return;
      d.a = wz(f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.g = rz(f.rm) * 2;
      return;
    case 'CSEL':
      if (f.o2 >= 2) return;
      d.a = wz(f.rd) * 2;
      d.b = rz(f.rn) * 2;
      d.g = rz(f.rm) * 2;
      d.c = f.cond;
      d.e = f.sf | (f.op << 1) | (f.o2 << 2);
      d.op = OP_CSEL;
      return;
    default:
      return;
  }
}


/** Branch to ipc + off (|off| < 2^28) without the division of the general Core.branchRel when no carry. */
function branchRel(c: Core, off: number): void {
  const ip = c.ipcLo;
  const t = (ip + off) >>> 0;
  c.pcLo = t;
  // carry / borrow out of the low half by uint32 compares (no float compare with 2^32)
  if (off >= 0) c.pcHi = t < ip ? (c.ipcHi + 1) >>> 0 : c.ipcHi;
  else c.pcHi = t > ip ? (c.ipcHi - 1) >>> 0 : c.ipcHi;
}

/**
 * One load or store of `size` bytes at (lo, hi): opc 0 stores slot `t`, 1 loads it zero-extended. The TLB hit
 * path of Core.ld/Core.st is repeated here (an aligned access to a RAM page with the permission; `flags` never
 * has ACC_UNPRIV here); everything else goes through them.
 */
function ldst(c: Core, x: Uint32Array, opc: number, size: number, lo: number, hi: number, t: number, flags: number): void {
  const i = (lo >>> 12) & 4095;
  const hit = c.tlbLo[i] === ((lo & 0xfffff000) | 1) && c.tlbHi[i] === (hi | 0) && (lo & (size - 1)) === 0;
  if (opc === 0) {
    const m = c.wrMask;
    if (hit && (c.tlbPerm[i]! & m) === m && c.exclPa < 0) {
      const dv = c.tlbDv[i]!;
      const o = lo & 0xfff;
      if (size === 8) {
        dv.setUint32(o, x[t]!, true);
        dv.setUint32(o + 4, x[t + 1]!, true);
      } else if (size === 4) dv.setUint32(o, x[t]!, true);
      else if (size === 1) dv.setUint8(o, x[t]!);
      else dv.setUint16(o, x[t]!, true);
      return;
    }
    c.st(lo, hi, size, x[t]!, x[t + 1]!, flags);
    return;
  }
  const m = c.rdMask;
  if (hit && (c.tlbPerm[i]! & m) === m) {
    const dv = c.tlbDv[i]!;
    const o = lo & 0xfff;
    if (size === 8) {
      const vlo = dv.getUint32(o, true);
      x[t + 1] = dv.getUint32(o + 4, true);
      x[t] = vlo;
    } else {
      x[t] = size === 4 ? dv.getUint32(o, true) : size === 1 ? dv.getUint8(o) : dv.getUint16(o, true);
      x[t + 1] = 0;
    }
    return;
  }
  const v = c.ld(lo, hi, size, flags);
  if (size === 8) {
    x[t] = c.mlo;
    x[t + 1] = c.mhi;
  } else {
    x[t] = v;
    x[t + 1] = 0;
  }
}

/** a + b + cin on 64-bit halves with NZCV, the same as alu.add64(..., true) (inlined here). */
function adds64(c: Core, x: Uint32Array, dst: number, alo: number, ahi: number, blo: number, bhi: number, cin: number): void {
  // carries by uint32 compares: a + b + cin wrapped is < a (cin 0) or <= a (cin 1) exactly when it carried
  const lo = (alo + blo + cin) >>> 0;
  const lc = cin === 0 ? (lo < alo ? 1 : 0) : lo <= alo ? 1 : 0;
  const hi = (ahi + bhi + lc) >>> 0;
  c.nf = hi >>> 31;
  c.zf = (lo | hi) === 0 ? 1 : 0;
  c.cf = lc === 0 ? (hi < ahi ? 1 : 0) : hi <= ahi ? 1 : 0;
  c.vf = (~(ahi ^ bhi) & (ahi ^ hi)) >>> 31;
  x[dst] = lo;
  x[dst + 1] = hi;
}

/** a + b + cin on 32 bits with NZCV, the same as alu.add32(..., true). */
function adds32(c: Core, x: Uint32Array, dst: number, a: number, b: number, cin: number): void {
  const lo = (a + b + cin) >>> 0;
  c.nf = lo >>> 31;
  c.zf = lo === 0 ? 1 : 0;
  c.cf = cin === 0 ? (lo < a ? 1 : 0) : lo <= a ? 1 : 0;
  c.vf = (~(a ^ b) & (a ^ lo)) >>> 31;
  x[dst] = lo;
  x[dst + 1] = 0;
}

const BUDGET: CpuStop = Object.freeze({ kind: 'budget' });

/**
 * The executor loop behind Core.run(): at most `budget` instructions, each fetched through the current code
 * page (Core.fLo/fDv; Core.fetchSlow translates on a page change), decoded through the decoder's cache and run by
 * its fast path or its row handler. A guest exception or a stop unwinds a handler with the UNWIND sentinel to the
 * catch here; the loop then goes on (exception) or returns the stop. The interrupt lines are sampled before
 * every instruction, `retired` counts each instruction whose handler returned.
 */
export function execute(c: Core, budget: number): CpuStop {
  // Case labels and constants here are literals: module-level consts are context loads in V8's optimized code
  // (a switch over them compiles to a chain of loads and compares instead of a jump table).
  const trace = c.trace;
  const dec = c.decoder;
  const x = c.x;
  let left = budget;
  for (;;) {
    try {
      while (left > 0) {
        left--;
        if ((c.irqLine && (c.daif & 2) === 0) || (c.fiqLine && (c.daif & 1) === 0)) c.takeInterrupt();
        const pcLo = c.pcLo;
        const pcHi = c.pcHi;
        c.ipcLo = pcLo;
        c.ipcHi = pcHi;
        // fLo/fHi are int32 (Smi fields): compare int32 to int32 (pcHi is a uint32, so a kernel PC with VA[63] set
        // never matched an unconverted compare and every instruction went through fetchSlow)
        const insn = (pcLo & 0xfffff003) === c.fLo && (pcHi | 0) === c.fHi ? c.fDv!.getUint32(pcLo & 0xfff, true) : c.fetchSlow();
        if ((pcLo | 0) === -4) {
          // pcLo is 4-aligned here (the fetch checked it): 0xfffffffc, compared as an int32
          c.pcLo = 0;
          c.pcHi = (pcHi + 1) >>> 0;
        } else c.pcLo = pcLo + 4;
        if (c.il !== 0) c.takeSync(EC.ILLEGAL, 0);
        const d = dec.decode(insn);
        c.curInsn = insn | 0; // int32: a Smi field (a uint32 above 2^31 would make it a boxed double)
        if (trace !== undefined) trace(c.bigFrom(pcLo, pcHi), insn);
        switch (d.op) {
          case 1 /* OP_ADDI_X */: {
            const n = d.b;
            const a = x[n]!;
            const h = x[n + 1]!;
            const lo = (a + d.k) >>> 0;
            x[d.a] = lo;
            x[d.a + 1] = lo < a ? h + 1 : h; // Uint32Array stores reduce modulo 2^32
            break;
          }
          case 2 /* OP_SUBI_X */: {
            const n = d.b;
            const a = x[n]!;
            const h = x[n + 1]!;
            const k = d.k;
            x[d.a] = a - k;
            x[d.a + 1] = a < k ? h - 1 : h;
            break;
          }
          case 3 /* OP_ADDI_W */:
            x[d.a] = x[d.b]! + d.k;
            x[d.a + 1] = 0;
            break;
          case 4 /* OP_SUBI_W */:
            x[d.a] = x[d.b]! - d.k;
            x[d.a + 1] = 0;
            break;
          case 5 /* OP_ADDSI */: {
            const n = d.b;
            const imm = d.k;
            if (d.e) {
              if (d.c) adds64(c, x, d.a, x[n]!, x[n + 1]!, ~imm >>> 0, 0xffffffff, 1);
              else adds64(c, x, d.a, x[n]!, x[n + 1]!, imm, 0, 0);
            } else if (d.c) adds32(c, x, d.a, x[n]!, ~imm >>> 0, 1);
            else adds32(c, x, d.a, x[n]!, imm, 0);
            break;
          }
          case 6 /* OP_ADDR_X */:
          case 7 /* OP_SUBR_X */: {
            const m = d.g;
            let blo = x[m]!;
            let bhi = x[m + 1]!;
            const sh = d.k;
            if (sh !== 0) {
              if (sh < 32) {
                bhi = ((bhi << sh) | (blo >>> (32 - sh))) >>> 0;
                blo = (blo << sh) >>> 0;
              } else {
                bhi = (blo << (sh - 32)) >>> 0;
                blo = 0;
              }
            }
            const n = d.b;
            const a = x[n]!;
            const h = x[n + 1]!;
            if (d.op === 6 /* OP_ADDR_X */) {
              const lo = (a + blo) >>> 0;
              x[d.a] = lo;
              x[d.a + 1] = h + bhi + (lo < a ? 1 : 0);
            } else {
              x[d.a] = a - blo;
              x[d.a + 1] = h - bhi - (a < blo ? 1 : 0);
            }
            break;
          }
          case 8 /* OP_ADDR_W */:
            x[d.a] = x[d.b]! + (x[d.g]! << d.k);
            x[d.a + 1] = 0;
            break;
          case 9 /* OP_SUBR_W */:
            x[d.a] = x[d.b]! - (x[d.g]! << d.k);
            x[d.a + 1] = 0;
            break;
          case 10 /* OP_ADDSR */: {
            const n = d.b;
            const m = d.g;
            if (d.e) {
              if (d.c) adds64(c, x, d.a, x[n]!, x[n + 1]!, ~x[m]! >>> 0, ~x[m + 1]! >>> 0, 1);
              else adds64(c, x, d.a, x[n]!, x[n + 1]!, x[m]!, x[m + 1]!, 0);
            } else if (d.c) adds32(c, x, d.a, x[n]!, ~x[m]! >>> 0, 1);
            else adds32(c, x, d.a, x[n]!, x[m]!, 0);
            break;
          }
          case 11 /* OP_LOG_X */: {
            const n = d.b;
            const m = d.g;
            let blo = x[m]!;
            let bhi = x[m + 1]!;
            if (d.e) {
              blo = ~blo;
              bhi = ~bhi;
            }
            let lo: number;
            let hi: number;
            const opc = d.c;
            if (opc === 1) {
              lo = (x[n]! | blo) >>> 0;
              hi = (x[n + 1]! | bhi) >>> 0;
            } else if (opc === 2) {
              lo = (x[n]! ^ blo) >>> 0;
              hi = (x[n + 1]! ^ bhi) >>> 0;
            } else {
              lo = (x[n]! & blo) >>> 0;
              hi = (x[n + 1]! & bhi) >>> 0;
              if (opc === 3) nzLogic(c, lo, hi, 1);
            }
            x[d.a] = lo;
            x[d.a + 1] = hi;
            break;
          }
          case 12 /* OP_LOG_W */: {
            const p = d.c;
            const v = x[d.g]!;
            const k = d.k;
            const t = p >>> 3;
            let b = t === 0 ? v << k : t === 1 ? v >>> k : v >> k;
            if ((p & 4) !== 0) b = ~b;
            const a = x[d.b]!;
            const opc = p & 3;
            const r = (opc === 1 ? a | b : opc === 2 ? a ^ b : a & b) >>> 0;
            if (opc === 3) nzLogic(c, r, 0, 0);
            x[d.a] = r;
            x[d.a + 1] = 0;
            break;
          }
          case 13 /* OP_LOGI_X */:
          case 14 /* OP_LOGI_W */: {
            const n = d.b;
            const mlo = d.k;
            const mhi = d.e;
            const lo0 = x[n]!;
            const hi0 = d.op === 13 /* OP_LOGI_X */ ? x[n + 1]! : 0;
            const opc = d.c;
            let lo: number;
            let hi: number;
            if (opc === 1) {
              lo = (lo0 | mlo) >>> 0;
              hi = (hi0 | mhi) >>> 0;
            } else if (opc === 2) {
              lo = (lo0 ^ mlo) >>> 0;
              hi = (hi0 ^ mhi) >>> 0;
            } else {
              lo = (lo0 & mlo) >>> 0;
              hi = (hi0 & mhi) >>> 0;
              if (opc === 3) nzLogic(c, lo, hi, d.op === 13 /* OP_LOGI_X */ ? 1 : 0);
            }
            x[d.a] = lo;
            x[d.a + 1] = hi;
            break;
          }
          case 15 /* OP_MOVC */:
            x[d.a] = d.k;
            x[d.a + 1] = d.e;
            break;
          case 16 /* OP_B */:
            branchRel(c, d.k);
            break;
          case 17 /* OP_BL */:
            x[60] = c.pcLo;
            x[61] = c.pcHi;
            branchRel(c, d.k);
            break;
          case 18 /* OP_BCOND */:
            if (condHolds(c, d.c)) branchRel(c, d.k);
            break;
          case 19 /* OP_CBZ */: {
            const s = d.b;
            const zero = d.e ? (x[s]! | x[s + 1]!) === 0 : x[s] === 0;
            if (zero !== (d.c === 1)) branchRel(c, d.k);
            break;
          }
          case 20 /* OP_TBZ */:
            if (((x[d.b]! >>> d.c) & 1) === d.e) branchRel(c, d.k);
            break;
          case 21 /* OP_RET */: {
            const s = d.b;
            c.branchTo(x[s]!, x[s + 1]!);
            break;
          }
          case 22 /* OP_LDST_U */: {
            const n = d.b;
            let lo = x[n]!;
            let hi = x[n + 1]!;
            if (n === 62 && (lo & 15) !== 0) {
              d.exec(c, d.f); // SP base that may fail the SP alignment check: the handler
              break;
            }
            const base = lo;
            lo = (lo + d.k) >>> 0;
            if (lo < base) hi = (hi + 1) >>> 0;
            ldst(c, x, d.c, d.e, lo, hi, d.a, 0);
            break;
          }
          case 23 /* OP_LDST_WB */: {
            const n = d.b;
            const blo = x[n]!;
            const bhi = x[n + 1]!;
            if (n === 62 && (blo & 15) !== 0) {
              d.exec(c, d.f);
              break;
            }
            const k = d.k;
            const nlo = (blo + k) >>> 0;
            let nhi = bhi;
            if (k >= 0) {
              if (nlo < blo) nhi = (bhi + 1) >>> 0;
            } else if (nlo > blo) nhi = (bhi - 1) >>> 0;
            const p = d.c;
            if ((p & 2) !== 0) ldst(c, x, p & 1, d.e, nlo, nhi, d.a, ACC_NOSYN);
            else ldst(c, x, p & 1, d.e, blo, bhi, d.a, ACC_NOSYN);
            if ((p & 4) !== 0) {
              x[n] = nlo;
              x[n + 1] = nhi;
            }
            break;
          }
          case 24 /* OP_LDST_R */: {
            const n = d.b;
            const blo = x[n]!;
            if (n === 62 && (blo & 15) !== 0) {
              d.exec(c, d.f);
              break;
            }
            const m = d.g;
            const p = d.c;
            let olo = x[m]!;
            let ohi = (p & 2) !== 0 ? x[m + 1]! : 0;
            const sh = d.k;
            if (sh !== 0) {
              ohi = ((ohi << sh) | (olo >>> (32 - sh))) >>> 0;
              olo = (olo << sh) >>> 0;
            }
            const l = (blo + olo) >>> 0;
            ldst(c, x, p & 1, d.e, l, (x[n + 1]! + ohi + (l < blo ? 1 : 0)) >>> 0, d.a, 0);
            break;
          }
          case 25 /* OP_LDSTP */: {
            const n = d.b;
            const blo = x[n]!;
            const bhi = x[n + 1]!;
            if (n === 62 && (blo & 15) !== 0) {
              d.exec(c, d.f);
              break;
            }
            const k = d.k;
            const nlo = (blo + k) >>> 0;
            let nhi = bhi;
            if (k >= 0) {
              if (nlo < blo) nhi = (bhi + 1) >>> 0;
            } else if (nlo > blo) nhi = (bhi - 1) >>> 0;
            const p = d.c;
            const post = (p & 6) === 2; // mode 1
            const alo = post ? blo : nlo;
            const ahi = post ? bhi : nhi;
            const size = d.e;
            const a2lo = (alo + size) >>> 0;
            const a2hi = a2lo < alo ? (ahi + 1) >>> 0 : ahi;
            const t1 = d.a;
            const t2 = d.g;
            if ((p & 1) !== 0) {
              const v1 = c.ld(alo, ahi, size, ACC_NOSYN);
              const h1 = size === 8 ? c.mhi : 0;
              const v2 = c.ld(a2lo, a2hi, size, ACC_NOSYN);
              const h2 = size === 8 ? c.mhi : 0;
              x[t1] = v1;
              x[t1 + 1] = h1;
              x[t2] = v2;
              x[t2 + 1] = h2;
            } else {
              const v1lo = x[t1]!;
              const v1hi = x[t1 + 1]!;
              const v2lo = x[t2]!;
              const v2hi = x[t2 + 1]!;
              c.st(alo, ahi, size, v1lo, v1hi, ACC_NOSYN);
              c.st(a2lo, a2hi, size, v2lo, v2hi, ACC_NOSYN);
            }
            if ((p & 8) !== 0) {
              x[n] = nlo;
              x[n + 1] = nhi;
            }
            break;
          }
          case 26 /* OP_CSEL */: {
            const e = d.e;
            const sf = e & 1;
            let lo: number;
            let hi: number;
            if (condHolds(c, d.c)) {
              const b = d.b;
              lo = x[b]!;
              hi = sf !== 0 ? x[b + 1]! : 0;
            } else {
              const g = d.g;
              lo = x[g]!;
              hi = sf !== 0 ? x[g + 1]! : 0;
              if ((e & 2) !== 0) {
                lo = ~lo >>> 0;
                hi = sf !== 0 ? ~hi >>> 0 : 0;
              }
              if ((e & 4) !== 0) {
                lo = (lo + 1) >>> 0;
                if (sf !== 0 && lo === 0) hi = (hi + 1) >>> 0;
              }
            }
            x[d.a] = lo;
            x[d.a + 1] = hi;
            break;
          }
          case 27 /* OP_NOP */:
            break;
          case 28 /* OP_ADRP */: {
            const t = ((pcLo & 0xfffff000) >>> 0) + d.k; // exact in a double: |k| < 2^33
            const carry = Math.floor(t / 4294967296);
            x[d.a] = t - carry * 4294967296;
            x[d.a + 1] = pcHi + carry; // Uint32Array stores reduce modulo 2^32
            break;
          }
          case 29 /* OP_UBFM */: {
            const n = d.b;
            const r = d.c;
            const lo = x[n]!;
            let rlo: number;
            let rhi: number;
            if (d.e !== 0) {
              const hi = x[n + 1]!;
              if (r === 0) {
                rlo = lo;
                rhi = hi;
              } else if (r < 32) {
                rlo = (lo >>> r) | (hi << (32 - r));
                rhi = (hi >>> r) | (lo << (32 - r));
              } else if (r === 32) {
                rlo = hi;
                rhi = lo;
              } else {
                rlo = (hi >>> (r - 32)) | (lo << (64 - r));
                rhi = (lo >>> (r - 32)) | (hi << (64 - r));
              }
            } else {
              rlo = r === 0 ? lo : (lo >>> r) | (lo << (32 - r));
              rhi = 0;
            }
            x[d.a] = rlo & d.k;
            x[d.a + 1] = rhi & d.g;
            break;
          }
          case 33 /* OP_SBFM */: {
            const n = d.b;
            const p = d.c;
            const r = p & 63;
            const s = (p >>> 6) & 63;
            const lo = x[n]!;
            const w = d.e;
            let rlo: number;
            let rhi: number;
            let ntlo: number;
            let nthi: number;
            let sign: number;
            if ((p & 4096) !== 0) {
              const hi = x[n + 1]!;
              if (r === 0) {
                rlo = lo;
                rhi = hi;
              } else if (r < 32) {
                rlo = (lo >>> r) | (hi << (32 - r));
                rhi = (hi >>> r) | (lo << (32 - r));
              } else if (r === 32) {
                rlo = hi;
                rhi = lo;
              } else {
                rlo = (hi >>> (r - 32)) | (lo << (64 - r));
                rhi = (lo >>> (r - 32)) | (hi << (64 - r));
              }
              sign = s < 32 ? (lo >>> s) & 1 : (hi >>> (s - 32)) & 1;
              ntlo = w >= 32 ? 0 : -1 << w;
              nthi = w <= 32 ? -1 : w === 64 ? 0 : -1 << (w - 32);
            } else {
              rlo = r === 0 ? lo : (lo >>> r) | (lo << (32 - r));
              rhi = 0;
              sign = (lo >>> s) & 1;
              ntlo = w === 32 ? 0 : -1 << w;
              nthi = 0;
            }
            rlo &= d.k;
            rhi &= d.g;
            if (sign !== 0) {
              rlo |= ntlo;
              rhi |= nthi;
            }
            x[d.a] = rlo;
            x[d.a + 1] = rhi;
            break;
          }
          case 30 /* OP_ADC */: {
            const n = d.b;
            const m = d.g;
            const e = d.e;
            let blo = x[m]!;
            let bhi = x[m + 1]!;
            if (d.c !== 0) {
              blo = ~blo >>> 0;
              bhi = ~bhi >>> 0;
            }
            const cin = c.cf;
            if ((e & 2) !== 0) {
              if ((e & 1) !== 0) adds64(c, x, d.a, x[n]!, x[n + 1]!, blo, bhi, cin);
              else adds32(c, x, d.a, x[n]!, blo, cin);
            } else if ((e & 1) !== 0) {
              const alo = x[n]!;
              const lo = (alo + blo + cin) >>> 0;
              const lc = cin === 0 ? (lo < alo ? 1 : 0) : lo <= alo ? 1 : 0;
              x[d.a + 1] = x[n + 1]! + bhi + lc;
              x[d.a] = lo;
            } else {
              x[d.a] = x[n]! + blo + cin;
              x[d.a + 1] = 0;
            }
            break;
          }
          case 31 /* OP_MADD */: {
            const n = d.b;
            const m = d.g;
            mul64(c, x[n]!, x[n + 1]!, x[m]!, x[m + 1]!);
            const r = d.k;
            const plo = c.rlo;
            const phi = c.rhi;
            const alo = x[r]!;
            const ahi = x[r + 1]!;
            if (d.c === 0) {
              const lo = (alo + plo) >>> 0;
              x[d.a + 1] = ahi + phi + (lo < alo ? 1 : 0);
              x[d.a] = lo;
            } else {
              x[d.a + 1] = ahi - phi - (alo < plo ? 1 : 0);
              x[d.a] = alo - plo;
            }
            break;
          }
          case 32 /* OP_MULH */: {
            const n = d.b;
            const m = d.g;
            mulHigh(c, x[n]!, x[n + 1]!, x[m]!, x[m + 1]!, d.c !== 0);
            x[d.a] = c.rlo;
            x[d.a + 1] = c.rhi;
            break;
          }
          default:
            d.exec(c, d.f);
        }
        c.retired++;
        if (c.stopRequested) return BUDGET;
      }
      return BUDGET;
    } catch (e) {
      if (e !== UNWIND) throw e;
      const s = c.stop;
      if (s !== undefined) {
        c.stop = undefined;
        return s;
      }
    }
  }
}
