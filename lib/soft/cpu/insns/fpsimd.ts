/**
 * Scalar floating point: data processing (1/2/3 sources), compares, conditional compare/select, FMOV
 * (register, immediate, general <-> FP incl. the top half of V), precision conversions, FP <-> integer and
 * FP <-> fixed-point conversions. Arithmetic is lib/soft/cpu/fp.ts (ARM ARM pseudocode semantics).
 * Half precision (ftype 11) exists only for FCVT: FEAT_FP16 arithmetic is not implemented (UNDEFINED).
 */
import { row, type Row } from '../decoder';
import type { Core } from '../core';
import { condHolds } from '../alu';
import { rz, wz } from '../state';
import * as fp from '../fp';
import type { Width } from '../fp';
import { fpReg, setFpReg } from '../simd';

/** ftype → width, undefined for the unallocated 10 */
function ftypeWidth(ftype: number): Width | undefined {
  return ftype === 0 ? 32 : ftype === 1 ? 64 : ftype === 3 ? 16 : undefined;
}

/** width for an arithmetic instruction: single or double, else UNDEFINED */
function arithWidth(c: Core, ftype: number): 32 | 64 {
  if (ftype === 0) return 32;
  if (ftype === 1) return 64;
  return c.undef();
}

function getXBig(c: Core, n: number, sf: number): bigint {
  const s = rz(n) * 2;
  return sf ? (BigInt(c.x[s + 1]!) << 32n) | BigInt(c.x[s]!) : BigInt(c.x[s]!);
}

function setXBig(c: Core, n: number, sf: number, v: bigint): void {
  const s = wz(n) * 2;
  c.x[s] = Number(v & 0xffffffffn);
  c.x[s + 1] = sf ? Number((v >> 32n) & 0xffffffffn) : 0;
}

function setNzcv(c: Core, nzcv: number): void {
  c.nf = (nzcv >> 3) & 1;
  c.zf = (nzcv >> 2) & 1;
  c.cf = (nzcv >> 1) & 1;
  c.vf = nzcv & 1;
}

/** FP rounding for the FCVT{N,P,M,Z,A} to-integer forms: rmode field → FPRounding */
const CVT_ROUNDING = [fp.RN, fp.RP, fp.RM, fp.RZ];

export const rows: Row[] = [
  // ---------------------------------------------------------------- data processing, 1 source
  row('FP_1src', '0 0 0 11110 ftype:2 1 opcode:6 10000 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const op = f.opcode;
    if (op >= 0b000100 && op <= 0b000111) {
      // FCVT between precisions: opc<1:0> is the destination type
      const from = ftypeWidth(f.ftype);
      const to = ftypeWidth(op & 3);
      if (from === undefined || to === undefined || from === to) return c.undef();
      setFpReg(c, f.rd, to, fp.fpConvertN(from, to, fpReg(c, f.rn, from), c));
      return;
    }
    const n = arithWidth(c, f.ftype);
    const a = fpReg(c, f.rn, n);
    let r: bigint;
    switch (op) {
      case 0b000000: r = a; break; // FMOV (register)
      case 0b000001: r = fp.fpAbs(n, a); break;
      case 0b000010: r = fp.fpNeg(n, a); break;
      case 0b000011: r = fp.fpSqrt(n, a, c); break;
      case 0b001000: r = fp.fpRoundIntN(n, a, c, fp.RN, false); break; // FRINTN
      case 0b001001: r = fp.fpRoundIntN(n, a, c, fp.RP, false); break; // FRINTP
      case 0b001010: r = fp.fpRoundIntN(n, a, c, fp.RM, false); break; // FRINTM
      case 0b001011: r = fp.fpRoundIntN(n, a, c, fp.RZ, false); break; // FRINTZ
      case 0b001100: r = fp.fpRoundIntN(n, a, c, fp.RA, false); break; // FRINTA
      case 0b001110: r = fp.fpRoundIntN(n, a, c, fp.roundingMode(c), true); break; // FRINTX
      case 0b001111: r = fp.fpRoundIntN(n, a, c, fp.roundingMode(c), false); break; // FRINTI
      default: return c.undef();
    }
    setFpReg(c, f.rd, n, r);
  }),

  // ---------------------------------------------------------------- compare (FCMP, FCMPE, with #0.0)
  row('FCMP', '0 0 0 11110 ftype:2 1 rm:5 00 1000 rn:5 opc:5', (c, f) => {
    c.checkFp();
    if ((f.opc & 0b00111) !== 0) c.undef();
    const n = arithWidth(c, f.ftype);
    // the #0.0 forms have Rm = (0): a nonzero Rm is ignored (as qemu and Cortex-A cores do)
    const withZero = (f.opc & 0b01000) !== 0;
    const b = withZero ? 0n : fpReg(c, f.rm, n);
    setNzcv(c, fp.fpCompare(n, fpReg(c, f.rn, n), b, (f.opc & 0b10000) !== 0, c));
  }),

  // ---------------------------------------------------------------- FMOV (scalar, immediate)
  row('FMOV_imm', '0 0 0 11110 ftype:2 1 imm8:8 100 00000 rd:5', (c, f) => {
    c.checkFp();
    const n = arithWidth(c, f.ftype);
    setFpReg(c, f.rd, n, fp.vfpExpandImm(f.imm8, n));
  }),

  // ---------------------------------------------------------------- FCCMP / FCCMPE
  row('FCCMP', '0 0 0 11110 ftype:2 1 rm:5 cond:4 01 rn:5 op:1 nzcv:4', (c, f) => {
    c.checkFp();
    const n = arithWidth(c, f.ftype);
    if (condHolds(c, f.cond)) setNzcv(c, fp.fpCompare(n, fpReg(c, f.rn, n), fpReg(c, f.rm, n), f.op === 1, c));
    else setNzcv(c, f.nzcv);
  }),

  // ---------------------------------------------------------------- data processing, 2 sources
  row('FP_2src', '0 0 0 11110 ftype:2 1 rm:5 opcode:4 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const n = arithWidth(c, f.ftype);
    const a = fpReg(c, f.rn, n);
    const b = fpReg(c, f.rm, n);
    let r: bigint;
    switch (f.opcode) {
      case 0: r = fp.fpMul(n, a, b, c); break;
      case 1: r = fp.fpDiv(n, a, b, c); break;
      case 2: r = fp.fpAdd(n, a, b, c); break;
      case 3: r = fp.fpSub(n, a, b, c); break;
      case 4: r = fp.fpMaxN(n, a, b, c); break;
      case 5: r = fp.fpMinN(n, a, b, c); break;
      case 6: r = fp.fpMaxNumN(n, a, b, c); break;
      case 7: r = fp.fpMinNumN(n, a, b, c); break;
      case 8: r = fp.fpNeg(n, fp.fpMul(n, a, b, c)); break; // FNMUL
      default: return c.undef();
    }
    setFpReg(c, f.rd, n, r);
  }),

  // ---------------------------------------------------------------- FCSEL
  row('FCSEL', '0 0 0 11110 ftype:2 1 rm:5 cond:4 11 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const n = arithWidth(c, f.ftype);
    setFpReg(c, f.rd, n, fpReg(c, condHolds(c, f.cond) ? f.rn : f.rm, n));
  }),

  // ---------------------------------------------------------------- data processing, 3 sources
  row('FP_3src', '0 0 0 11111 ftype:2 o1:1 rm:5 o0:1 ra:5 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const n = arithWidth(c, f.ftype);
    let a = fpReg(c, f.ra, n);
    let x = fpReg(c, f.rn, n);
    const y = fpReg(c, f.rm, n);
    // FMADD: a + x*y; FMSUB: a - x*y; FNMADD: -a - x*y; FNMSUB: -a + x*y (negations before the fused op)
    if (f.o1) a = fp.fpNeg(n, a);
    if (f.o0 !== f.o1) x = fp.fpNeg(n, x);
    setFpReg(c, f.rd, n, fp.fpMulAdd(n, a, x, y, c));
  }),

  // ---------------------------------------------------------------- FP <-> fixed point
  row('FP_fixed', 'sf:1 0 0 11110 ftype:2 0 rmode:2 opcode:3 scale:6 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const n = arithWidth(c, f.ftype);
    if (f.sf === 0 && f.scale < 32) c.undef();
    const fbits = 64 - f.scale;
    const m = f.sf ? 64 : 32;
    if (f.rmode === 0 && (f.opcode === 2 || f.opcode === 3)) {
      // SCVTF / UCVTF (fixed-point)
      setFpReg(c, f.rd, n, fp.fixedToFpN(n, getXBig(c, f.rn, f.sf), m, fbits, f.opcode === 3, c, fp.roundingMode(c)));
    } else if (f.rmode === 3 && (f.opcode === 0 || f.opcode === 1)) {
      // FCVTZS / FCVTZU (fixed-point)
      setXBig(c, f.rd, f.sf, fp.fpToFixedN(n, fpReg(c, f.rn, n), fbits, f.opcode === 1, c, fp.RZ, m));
    } else c.undef();
  }),

  // ---------------------------------------------------------------- FP <-> integer, FMOV general
  row('FP_int', 'sf:1 0 0 11110 ftype:2 1 rmode:2 opcode:3 000000 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const op = f.opcode;
    const m = f.sf ? 64 : 32;
    if (op === 6 || op === 7) {
      // FMOV general <-> FP
      const toGeneral = op === 6;
      if (f.rmode === 0 && ((f.sf === 0 && f.ftype === 0) || (f.sf === 1 && f.ftype === 1))) {
        if (toGeneral) setXBig(c, f.rd, f.sf, fpReg(c, f.rn, m));
        else setFpReg(c, f.rd, m, getXBig(c, f.rn, f.sf));
        return;
      }
      if (f.rmode === 1 && f.sf === 1 && f.ftype === 2) {
        // FMOV Xd, Vn.D[1] / FMOV Vd.D[1], Xn (the other half of Vd is kept)
        if (toGeneral) {
          const s = wz(f.rd) * 2;
          c.x[s] = c.v32[f.rn * 4 + 2]!;
          c.x[s + 1] = c.v32[f.rn * 4 + 3]!;
        } else {
          const s = rz(f.rn) * 2;
          c.v32[f.rd * 4 + 2] = c.x[s]!;
          c.v32[f.rd * 4 + 3] = c.x[s + 1]!;
        }
        return;
      }
      return c.undef();
    }
    const n = arithWidth(c, f.ftype);
    if (op === 2 || op === 3) {
      // SCVTF / UCVTF (integer)
      if (f.rmode !== 0) c.undef();
      setFpReg(c, f.rd, n, fp.fixedToFpN(n, getXBig(c, f.rn, f.sf), m, 0, op === 3, c, fp.roundingMode(c)));
      return;
    }
    let rounding: number;
    if (op === 0 || op === 1) rounding = CVT_ROUNDING[f.rmode]!; // FCVT{N,P,M,Z}{S,U}
    else if ((op === 4 || op === 5) && f.rmode === 0) rounding = fp.RA; // FCVTA{S,U}
    else return c.undef();
    setXBig(c, f.rd, f.sf, fp.fpToFixedN(n, fpReg(c, f.rn, n), 0, (op & 1) === 1, c, rounding, m));
  }),
];
