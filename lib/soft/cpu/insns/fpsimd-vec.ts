/**
 * AdvSIMD: the integer / bitwise / permute / FP subset compiled C uses (vector and the common scalar forms).
 *
 * Copy: DUP (element, general), INS (element, general), UMOV/SMOV, DUP (scalar element).
 * Modified immediate: MOVI/MVNI/ORR/BIC (immediate), FMOV (vector immediate).
 * Three same: AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF, ADD/SUB, MUL/MLA/MLS, CMEQ/CMGT/CMGE/CMHI/CMHS/CMTST, SSHL/USHL,
 *   SMAX/SMIN/UMAX/UMIN, ADDP, SMAXP/SMINP/UMAXP/UMINP, FADD/FSUB/FMUL/FDIV/FMLA/FMLS/FMAX/FMIN/FMAXNM/FMINNM/
 *   FCMEQ/FCMGE/FCMGT/FADDP/FABD; scalar ADD/SUB/CMxx/SSHL/USHL (D), scalar FCMxx/FABD.
 * Two-register misc: REV16/32/64, CNT, NOT, ABS, NEG, CMxx #0, XTN, FABS/FNEG/FSQRT, FRINTx, FCVT{N,P,M,Z,A}{S,U},
 *   SCVTF/UCVTF, FCMxx #0, FCVTL/FCVTN; scalar forms of the compares and conversions.
 * Across lanes: ADDV, SMAXV/SMINV/UMAXV/UMINV, SADDLV/UADDLV, FMAXV/FMINV/FMAXNMV/FMINNMV.
 * Scalar pairwise: ADDP (D), FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP (2 elements).
 * Shift by immediate: SSHR/USHR/SSRA/USRA/SHL/SLI/SRI, SHRN, SSHLL/USHLL (SXTL/UXTL), SCVTF/UCVTF/FCVTZS/FCVTZU
 *   (fixed point), and the scalar (D) forms.
 * Permute: ZIP1/2, UZP1/2, TRN1/2; EXT; TBL/TBX.
 *
 * Lanes are handled as bigint in the general case; bitwise operations work on 32-bit words, and the hot integer
 * paths (ADD/SUB/CMEQ/CMTST, saturating/halving add/sub, SSHR/USHR/SSRA/USRA) use numbers for lanes up to 32 bits.
 *
 * The rest of ARMv8.0 AdvSIMD (saturating, rounding and narrowing shifts, SQDMULH and the SQDML* family, PMUL/
 * PMULL, pairwise-long adds, CLS/CLZ, SQABS/SQNEG, SUQADD/USQADD, SQXTN and friends, SHLL, xHN, FMULX, the
 * reciprocal estimates and steps, FCVTXN) is in ./fpsimd-sat.ts, called from the rows below; the Cryptographic
 * Extension rows (AES, SHA1, SHA256) are in ./fpsimd-crypto.ts and appended to this file's rows. FP16
 * arithmetic (FEAT_FP16), the v8.1+ groups and the other later extensions stay UNDEFINED, as on a Cortex-A57.
 */
import { row, type Row } from '../decoder';
import type { Core } from '../core';
import { rz, wz } from '../state';
import * as fp from '../fp';
import type { Width } from '../fp';
import { rows as cryptoRows } from './fpsimd-crypto';
import { byElementSat, shiftImmSat, threeDiffSat, threeSameSat, twoMiscSat } from './fpsimd-sat';
import { advSimdExpandImm, clearFrom, elt, eltN, sElt, setElt, setEltN, snapshot, sext, trunc } from '../simd';

const ONES = (e: number): bigint => (1n << BigInt(e)) - 1n;

/** Finish a vector write: a 64-bit (Q = 0) result clears the upper half. */
function finish(c: Core, rd: number, q: number): void {
  if (!q) clearFrom(c, rd, 8);
}

function readX(c: Core, n: number): bigint {
  const s = rz(n) * 2;
  return (BigInt(c.x[s + 1]!) << 32n) | BigInt(c.x[s]!);
}
function writeX(c: Core, n: number, v: bigint, sf: number): void {
  const s = wz(n) * 2;
  c.x[s] = Number(v & 0xffffffffn);
  c.x[s + 1] = sf ? Number((v >> 32n) & 0xffffffffn) : 0;
}

/** Lowest set bit position of imm5 (element size index), -1 when none */
function lsb5(imm5: number): number {
  for (let i = 0; i < 5; i++) if ((imm5 >> i) & 1) return i;
  return -1;
}

// -------------------------------------------------------------------- integer lane operations
type Bin = (a: bigint, b: bigint, esize: number, d: bigint) => bigint;

/** shift for SSHL/USHL: signed low byte of b */
function shlReg(a: bigint, b: bigint, esize: number, unsigned: boolean): bigint {
  const sh = Number(BigInt.asIntN(8, b & 0xffn));
  const v = unsigned ? a : sext(a, esize);
  if (sh >= 0) return trunc(sh >= esize ? 0n : v << BigInt(sh), esize);
  const r = -sh;
  if (unsigned) return r >= esize ? 0n : a >> BigInt(r);
  return trunc(v >> BigInt(Math.min(r, esize)), esize);
}

/** three-same integer ops by (U, opcode) */
function intOp(u: number, opcode: number): Bin | undefined {
  switch (opcode) {
    case 0b00110: return u ? (a, b) => (a > b ? -1n : 0n) : (a, b, e) => (sext(a, e) > sext(b, e) ? -1n : 0n); // CMHI / CMGT
    case 0b00111: return u ? (a, b) => (a >= b ? -1n : 0n) : (a, b, e) => (sext(a, e) >= sext(b, e) ? -1n : 0n); // CMHS / CMGE
    case 0b01000: return (a, b, e) => shlReg(a, b, e, u === 1); // SSHL / USHL
    case 0b01100: return u ? (a, b) => (a > b ? a : b) : (a, b, e) => (sext(a, e) > sext(b, e) ? a : b); // UMAX / SMAX
    case 0b01101: return u ? (a, b) => (a < b ? a : b) : (a, b, e) => (sext(a, e) < sext(b, e) ? a : b); // UMIN / SMIN
    case 0b01110: return u ? (a, b) => (a > b ? a - b : b - a) : (a, b, e) => { const x = sext(a, e) - sext(b, e); return x < 0n ? -x : x; }; // UABD / SABD
    case 0b01111: return u ? (a, b, _e, d) => d + (a > b ? a - b : b - a) : (a, b, e, d) => { const x = sext(a, e) - sext(b, e); return d + (x < 0n ? -x : x); }; // UABA / SABA
    case 0b10000: return u ? (a, b) => a - b : (a, b) => a + b; // SUB / ADD
    case 0b10001: return u ? (a, b) => (a === b ? -1n : 0n) : (a, b) => ((a & b) !== 0n ? -1n : 0n); // CMEQ / CMTST
    case 0b10010: return u ? (a, b, _e, d) => d - a * b : (a, b, _e, d) => d + a * b; // MLS / MLA
    case 0b10011: return u ? undefined : (a, b) => a * b; // MUL (PMUL, U=1: in fpsimd-sat.ts)
    default: return undefined;
  }
}

/** pairwise integer ops (vector ADDP, xMAXP, xMINP) */
function pairOp(u: number, opcode: number): Bin | undefined {
  switch (opcode) {
    case 0b10100: return u ? (a, b) => (a > b ? a : b) : (a, b, e) => (sext(a, e) > sext(b, e) ? a : b);
    case 0b10101: return u ? (a, b) => (a < b ? a : b) : (a, b, e) => (sext(a, e) < sext(b, e) ? a : b);
    case 0b10111: return u ? undefined : (a, b) => a + b;
    default: return undefined;
  }
}

/** SHADD/UHADD, SQADD/UQADD, SRHADD/URHADD, SHSUB/UHSUB, SQSUB/UQSUB (saturation sets FPSR.QC) */
function satHalving(c: Core, q: number, u: number, size: number, rm: number, opcode: number, rn: number, rd: number): boolean {
  if (opcode > 0b00101 || opcode === 0b00011) return false;
  const esize = 8 << size;
  if (size === 3 && (!q || opcode === 0 || opcode === 2 || opcode === 4)) return c.undef();
  const n = (q ? 128 : 64) / esize;
  if (esize <= 32) {
    // numbers: sums and differences of 32-bit lanes are exact
    const sh = 32 - esize;
    const loN = u ? 0 : -(2 ** (esize - 1));
    const hiN = u ? 2 ** esize - 1 : 2 ** (esize - 1) - 1;
    for (let i = 0; i < n; i++) {
      let a = eltN(c, rn, i, esize);
      let b = eltN(c, rm, i, esize);
      if (!u) {
        a = (a << sh) >> sh;
        b = (b << sh) >> sh;
      }
      let r: number;
      switch (opcode) {
        case 0b00000: r = Math.floor((a + b) / 2); break;
        case 0b00010: r = Math.floor((a + b + 1) / 2); break;
        case 0b00100: r = Math.floor((a - b) / 2); break;
        default: {
          r = opcode === 0b00001 ? a + b : a - b;
          if (r > hiN) { r = hiN; c.fpsr |= 1 << 27; }
          else if (r < loN) { r = loN; c.fpsr |= 1 << 27; }
        }
      }
      setEltN(c, rd, i, esize, r); // stores the low esize bits
    }
    finish(c, rd, q);
    return true;
  }
  const lo = u ? 0n : -(1n << BigInt(esize - 1));
  const hi = u ? ONES(esize) : (1n << BigInt(esize - 1)) - 1n;
  for (let i = 0; i < n; i++) {
    let a = elt(c, rn, i, esize);
    let b = elt(c, rm, i, esize);
    if (!u) {
      a = sext(a, esize);
      b = sext(b, esize);
    }
    let r: bigint;
    switch (opcode) {
      case 0b00000: r = (a + b) >> 1n; break;
      case 0b00010: r = (a + b + 1n) >> 1n; break;
      case 0b00100: r = (a - b) >> 1n; break;
      default: {
        r = opcode === 0b00001 ? a + b : a - b;
        if (r > hi) { r = hi; c.fpsr |= 1 << 27; }
        else if (r < lo) { r = lo; c.fpsr |= 1 << 27; }
      }
    }
    setElt(c, rd, i, esize, trunc(r, esize));
  }
  finish(c, rd, q);
  return true;
}

function threeSameInt(c: Core, q: number, u: number, size: number, rm: number, opcode: number, rn: number, rd: number): void {
  const esize = 8 << size;
  const n = (q ? 128 : 64) / esize;
  if (satHalving(c, q, u, size, rm, opcode, rn, rd)) return;
  if (opcode === 0b00011) {
    // bitwise: on 32-bit words
    const w = q ? 4 : 2;
    const v = c.v32;
    for (let i = 0; i < w; i++) {
      const a = v[rn * 4 + i]!;
      const b = v[rm * 4 + i]!;
      const d = v[rd * 4 + i]!;
      let r: number;
      if (!u) r = size === 0 ? a & b : size === 1 ? a & ~b : size === 2 ? a | b : a | ~b; // AND BIC ORR ORN
      else if (size === 0) r = a ^ b; // EOR
      else if (size === 1) r = (d & a) | (~d & b); // BSL
      else if (size === 2) r = (d & ~b) | (a & b); // BIT
      else r = (d & b) | (a & ~b); // BIF
      v[rd * 4 + i] = r >>> 0;
    }
    finish(c, rd, q);
    return;
  }
  if (threeSameSat(c, q, u, size, rm, opcode, rn, rd, false)) return;
  const pair = pairOp(u, opcode);
  if (pair) {
    if (size === 3 && (!q || opcode !== 0b10111)) return c.undef(); // only ADDP has 64-bit lanes
    const A = snapshot(c, rn);
    const B = snapshot(c, rm);
    const half = n / 2;
    for (let i = 0; i < n; i++) {
      const src = i < half ? A : B;
      const j = (i % half) * 2;
      setElt(c, rd, i, esize, trunc(pair(sElt(src, j, esize), sElt(src, j + 1, esize), esize, 0n), esize));
    }
    finish(c, rd, q);
    return;
  }
  const op = intOp(u, opcode);
  if (op === undefined) return c.undef();
  if (size === 3 && !q) return c.undef();
  if ((opcode === 0b10010 || opcode === 0b10011 || opcode === 0b01100 || opcode === 0b01101 || opcode === 0b01110 || opcode === 0b01111) && size === 3) {
    return c.undef();
  }
  if (esize <= 32 && (opcode === 0b10000 || opcode === 0b10001)) {
    // fast ADD/SUB/CMEQ/CMTST for lanes up to 32 bits
    const mask = esize === 32 ? 0xffffffff : (1 << esize) - 1;
    for (let i = 0; i < n; i++) {
      const a = eltN(c, rn, i, esize);
      const b = eltN(c, rm, i, esize);
      let r: number;
      if (opcode === 0b10000) r = u ? a - b : a + b;
      else r = u ? (a === b ? -1 : 0) : (a & b) !== 0 ? -1 : 0;
      setEltN(c, rd, i, esize, (r & mask) >>> 0);
    }
    finish(c, rd, q);
    return;
  }
  for (let i = 0; i < n; i++) {
    setElt(c, rd, i, esize, trunc(op(elt(c, rn, i, esize), elt(c, rm, i, esize), esize, elt(c, rd, i, esize)), esize));
  }
  finish(c, rd, q);
}

// -------------------------------------------------------------------- FP lanes
function fpWidth(sz: number): Width {
  return sz ? 64 : 32;
}

type FBin = (n: Width, a: bigint, b: bigint, c: Core, d: bigint) => bigint;
const fpTrue = (n: Width): bigint => ONES(n);

/** three-same FP by (U, a, opcode) → per-lane op */
function fpOp(u: number, a: number, opcode: number): FBin | undefined {
  const key = (u << 6) | (a << 5) | opcode;
  switch (key) {
    case 0b0011000: return (n, x, y, c) => fp.fpMaxNumN(n, x, y, c); // FMAXNM
    case 0b0011011: return (n, x, y, c) => fp.fpMulX(n, x, y, c); // FMULX
    case 0b0011111: return (n, x, y, c) => fp.fpRecipStepN(n, x, y, c); // FRECPS
    case 0b0111111: return (n, x, y, c) => fp.fpRSqrtStepN(n, x, y, c); // FRSQRTS
    case 0b0011001: return (n, x, y, c, d) => fp.fpMulAdd(n, d, x, y, c); // FMLA
    case 0b0011010: return (n, x, y, c) => fp.fpAdd(n, x, y, c); // FADD
    case 0b0011100: return (n, x, y, c) => (fp.fpCompareCondN(n, x, y, 'eq', c) ? fpTrue(n) : 0n); // FCMEQ
    case 0b0011110: return (n, x, y, c) => fp.fpMaxN(n, x, y, c); // FMAX
    case 0b0111000: return (n, x, y, c) => fp.fpMinNumN(n, x, y, c); // FMINNM
    case 0b0111001: return (n, x, y, c, d) => fp.fpMulAdd(n, d, fp.fpNeg(n, x), y, c); // FMLS
    case 0b0111010: return (n, x, y, c) => fp.fpSub(n, x, y, c); // FSUB
    case 0b0111110: return (n, x, y, c) => fp.fpMinN(n, x, y, c); // FMIN
    case 0b1011011: return (n, x, y, c) => fp.fpMul(n, x, y, c); // FMUL
    case 0b1011100: return (n, x, y, c) => (fp.fpCompareCondN(n, x, y, 'ge', c) ? fpTrue(n) : 0n); // FCMGE
    case 0b1011101: return (n, x, y, c) => (fp.fpCompareCondN(n, fp.fpAbs(n, x), fp.fpAbs(n, y), 'ge', c) ? fpTrue(n) : 0n); // FACGE
    case 0b1011111: return (n, x, y, c) => fp.fpDiv(n, x, y, c); // FDIV
    case 0b1111010: return (n, x, y, c) => fp.fpAbs(n, fp.fpSub(n, x, y, c)); // FABD
    case 0b1111100: return (n, x, y, c) => (fp.fpCompareCondN(n, x, y, 'gt', c) ? fpTrue(n) : 0n); // FCMGT
    case 0b1111101: return (n, x, y, c) => (fp.fpCompareCondN(n, fp.fpAbs(n, x), fp.fpAbs(n, y), 'gt', c) ? fpTrue(n) : 0n); // FACGT
    default: return undefined;
  }
}

/** pairwise FP by (a, opcode) with U = 1 */
function fpPairOp(a: number, opcode: number): FBin | undefined {
  switch ((a << 5) | opcode) {
    case 0b011000: return (n, x, y, c) => fp.fpMaxNumN(n, x, y, c); // FMAXNMP
    case 0b011010: return (n, x, y, c) => fp.fpAdd(n, x, y, c); // FADDP
    case 0b011110: return (n, x, y, c) => fp.fpMaxN(n, x, y, c); // FMAXP
    case 0b111000: return (n, x, y, c) => fp.fpMinNumN(n, x, y, c); // FMINNMP
    case 0b111110: return (n, x, y, c) => fp.fpMinN(n, x, y, c); // FMINP
    default: return undefined;
  }
}

function threeSameFp(c: Core, q: number, u: number, a: number, sz: number, rm: number, opcode: number, rn: number, rd: number): void {
  if (sz && !q) return c.undef();
  const n = fpWidth(sz);
  const lanes = (q ? 128 : 64) / n;
  if (u) {
    const pair = fpPairOp(a, opcode);
    if (pair) {
      const A = snapshot(c, rn);
      const B = snapshot(c, rm);
      const half = lanes / 2;
      for (let i = 0; i < lanes; i++) {
        const src = i < half ? A : B;
        const j = (i % half) * 2;
        setElt(c, rd, i, n, pair(n, sElt(src, j, n), sElt(src, j + 1, n), c, 0n));
      }
      finish(c, rd, q);
      return;
    }
  }
  const op = fpOp(u, a, opcode);
  if (op === undefined) return c.undef();
  for (let i = 0; i < lanes; i++) setElt(c, rd, i, n, op(n, elt(c, rn, i, n), elt(c, rm, i, n), c, elt(c, rd, i, n)));
  finish(c, rd, q);
}

// -------------------------------------------------------------------- two-register misc
const CVT_RMODE: Record<number, number> = { 0b11010: fp.RN, 0b11011: fp.RM, 0b11100: fp.RA }; // a = 0
const CVT_RMODE_A1: Record<number, number> = { 0b11010: fp.RP, 0b11011: fp.RZ };

/** FP two-reg misc lane op by (U, a, opcode); undefined when not an FP op */
function fpMiscOp(u: number, a: number, opcode: number): ((n: Width, x: bigint, c: Core) => bigint) | undefined {
  const key = (u << 6) | (a << 5) | opcode;
  switch (key) {
    case 0b0101111: return (n, x) => fp.fpAbs(n, x); // FABS
    case 0b1101111: return (n, x) => fp.fpNeg(n, x); // FNEG
    case 0b1111111: return (n, x, c) => fp.fpSqrt(n, x, c); // FSQRT
    case 0b0011000: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.RN, false); // FRINTN
    case 0b0111000: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.RP, false); // FRINTP
    case 0b0011001: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.RM, false); // FRINTM
    case 0b0111001: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.RZ, false); // FRINTZ
    case 0b1011000: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.RA, false); // FRINTA
    case 0b1011001: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.roundingMode(c), true); // FRINTX
    case 0b1111001: return (n, x, c) => fp.fpRoundIntN(n, x, c, fp.roundingMode(c), false); // FRINTI
    case 0b0011101: return (n, x, c) => fp.fixedToFpN(n, x, n as 32 | 64, 0, false, c, fp.roundingMode(c)); // SCVTF
    case 0b1011101: return (n, x, c) => fp.fixedToFpN(n, x, n as 32 | 64, 0, true, c, fp.roundingMode(c)); // UCVTF
    case 0b0101100: return (n, x, c) => (fp.fpCompareCondN(n, x, 0n, 'gt', c) ? fpTrue(n) : 0n); // FCMGT #0
    case 0b0101101: return (n, x, c) => (fp.fpCompareCondN(n, x, 0n, 'eq', c) ? fpTrue(n) : 0n); // FCMEQ #0
    case 0b0101110: return (n, x, c) => (fp.fpCompareCondN(n, 0n, x, 'gt', c) ? fpTrue(n) : 0n); // FCMLT #0
    case 0b1101100: return (n, x, c) => (fp.fpCompareCondN(n, x, 0n, 'ge', c) ? fpTrue(n) : 0n); // FCMGE #0
    case 0b1101101: return (n, x, c) => (fp.fpCompareCondN(n, 0n, x, 'ge', c) ? fpTrue(n) : 0n); // FCMLE #0
    default: break;
  }
  const rm = a ? CVT_RMODE_A1[opcode] : CVT_RMODE[opcode];
  if (rm !== undefined) return (n, x, c) => fp.fpToFixedN(n, x, 0, u === 1, c, rm, n as 32 | 64); // FCVT{N,M,A,P,Z}{S,U}
  return undefined;
}

/** integer two-reg misc compare-with-zero and ABS/NEG by (U, opcode) */
function intMiscOp(u: number, opcode: number): ((x: bigint, e: number) => bigint) | undefined {
  switch ((u << 5) | opcode) {
    case 0b001000: return (x, e) => (sext(x, e) > 0n ? -1n : 0n); // CMGT #0
    case 0b001001: return (x) => (x === 0n ? -1n : 0n); // CMEQ #0
    case 0b001010: return (x, e) => (sext(x, e) < 0n ? -1n : 0n); // CMLT #0
    case 0b001011: return (x, e) => { const s = sext(x, e); return s < 0n ? -s : s; }; // ABS
    case 0b101000: return (x, e) => (sext(x, e) >= 0n ? -1n : 0n); // CMGE #0
    case 0b101001: return (x, e) => (sext(x, e) <= 0n ? -1n : 0n); // CMLE #0
    case 0b101011: return (x) => -x; // NEG
    default: return undefined;
  }
}

function twoRegMisc(c: Core, q: number, u: number, size: number, opcode: number, rn: number, rd: number): void {
  const esize = 8 << size;
  if (twoMiscSat(c, q, u, size, opcode, rn, rd, false)) return;
  // FP forms: opcode 01100..01111 with size<1> = 1, and 1xxxx ≥ 11000
  if (opcode >= 0b11000 || (opcode >= 0b01100 && opcode <= 0b01111 && (size & 2) !== 0)) {
    const op = fpMiscOp(u, size >> 1, opcode);
    if (op === undefined) return c.undef();
    const sz = size & 1;
    if (sz && !q) return c.undef();
    const n = fpWidth(sz);
    const lanes = (q ? 128 : 64) / n;
    for (let i = 0; i < lanes; i++) setElt(c, rd, i, n, op(n, elt(c, rn, i, n), c));
    finish(c, rd, q);
    return;
  }
  switch ((u << 5) | opcode) {
    case 0b000000: // REV64
    case 0b000001: // REV16
    case 0b100000: { // REV32
      const container = opcode === 1 ? 16 : u ? 32 : 64;
      if (esize >= container) return c.undef();
      const A = snapshot(c, rn);
      const per = container / esize;
      const lanes = (q ? 128 : 64) / esize;
      for (let i = 0; i < lanes; i++) {
        const blk = Math.floor(i / per) * per;
        setElt(c, rd, i, esize, sElt(A, blk + (per - 1 - (i - blk)), esize));
      }
      finish(c, rd, q);
      return;
    }
    case 0b000101: { // CNT (size 00)
      if (size !== 0) return c.undef();
      const bytes = q ? 16 : 8;
      for (let i = 0; i < bytes; i++) {
        let x = c.v[rn * 16 + i]!;
        let k = 0;
        while (x) {
          k += x & 1;
          x >>= 1;
        }
        c.v[rd * 16 + i] = k;
      }
      finish(c, rd, q);
      return;
    }
    case 0b100101: { // NOT (size 00), RBIT (size 01)
      const bytes = q ? 16 : 8;
      if (size === 0) {
        for (let i = 0; i < bytes; i++) c.v[rd * 16 + i] = ~c.v[rn * 16 + i]! & 0xff;
      } else if (size === 1) {
        for (let i = 0; i < bytes; i++) {
          const x = c.v[rn * 16 + i]!;
          let r = 0;
          for (let b = 0; b < 8; b++) if ((x >> b) & 1) r |= 0x80 >> b;
          c.v[rd * 16 + i] = r;
        }
      } else return c.undef();
      finish(c, rd, q);
      return;
    }
    case 0b010010: { // XTN, XTN2
      if (size === 3) return c.undef();
      const A = snapshot(c, rn);
      const lanes = 64 / esize;
      const off = q ? lanes : 0;
      for (let i = 0; i < lanes; i++) setElt(c, rd, off + i, esize, trunc(sElt(A, i, 2 * esize), esize));
      if (!q) clearFrom(c, rd, 8);
      return;
    }
    default:
      break;
  }
  const op = intMiscOp(u, opcode);
  if (op === undefined) return c.undef();
  if (size === 3 && !q) return c.undef();
  const lanes = (q ? 128 : 64) / esize;
  for (let i = 0; i < lanes; i++) setElt(c, rd, i, esize, trunc(op(elt(c, rn, i, esize), esize), esize));
  finish(c, rd, q);
}

// -------------------------------------------------------------------- shift by immediate
function shiftImm(c: Core, q: number, u: number, immh: number, immb: number, opcode: number, rn: number, rd: number, scalar: boolean): void {
  if (shiftImmSat(c, q, u, immh, immb, opcode, rn, rd, scalar)) return;
  const hb = 31 - Math.clz32(immh); // highest set bit of immh
  let esize = 8 << hb;
  const immhb = (immh << 3) | immb;
  if (scalar && esize !== 64 && !(opcode === 0b11100 || opcode === 0b11111)) return c.undef();
  if (!scalar && esize === 64 && !q && opcode !== 0b10100 && opcode !== 0b10000) return c.undef();
  const lanesOf = (e: number): number => (scalar ? 1 : (q ? 128 : 64) / e);
  switch (opcode) {
    case 0b00000: // SSHR / USHR
    case 0b00010: { // SSRA / USRA
      const sh = 2 * esize - immhb;
      const acc = opcode === 0b00010;
      const n = lanesOf(esize);
      if (esize <= 32) {
        const k = 32 - esize;
        for (let i = 0; i < n; i++) {
          const x = eltN(c, rn, i, esize);
          // sh is 1..esize: an unsigned shift by 32 gives 0, a signed one is clamped to esize - 1 (sign fill)
          const r = u ? (sh >= 32 ? 0 : x >>> sh) : ((x << k) >> k) >> Math.min(sh, esize - 1);
          setEltN(c, rd, i, esize, acc ? eltN(c, rd, i, esize) + r : r); // low esize bits
        }
        break;
      }
      for (let i = 0; i < n; i++) {
        const x = elt(c, rn, i, esize);
        const r = u ? (sh >= esize ? 0n : x >> BigInt(sh)) : sext(x, esize) >> BigInt(Math.min(sh, esize - 1));
        setElt(c, rd, i, esize, trunc(acc ? elt(c, rd, i, esize) + r : r, esize));
      }
      break;
    }
    case 0b01010: // SHL (U=0) / SLI (U=1)
    case 0b01000: { // SRI (U=1)
      if (opcode === 0b01000 && !u) return c.undef();
      const n = lanesOf(esize);
      const left = opcode === 0b01010;
      const sh = left ? immhb - esize : 2 * esize - immhb;
      for (let i = 0; i < n; i++) {
        const x = elt(c, rn, i, esize);
        if (left) {
          const r = trunc(x << BigInt(sh), esize);
          if (u) {
            const keep = ONES(sh); // SLI keeps the low sh bits of the destination
            setElt(c, rd, i, esize, r | (elt(c, rd, i, esize) & keep));
          } else setElt(c, rd, i, esize, r);
        } else {
          const r = sh >= esize ? 0n : x >> BigInt(sh);
          const keep = sh >= esize ? ONES(esize) : trunc(~(ONES(esize) >> BigInt(sh)), esize);
          setElt(c, rd, i, esize, r | (elt(c, rd, i, esize) & keep));
        }
      }
      break;
    }
    case 0b10000: { // SHRN (U=0)
      if (u || scalar || esize === 64) return c.undef();
      const sh = 2 * esize - immhb;
      const A = snapshot(c, rn);
      const n = 64 / esize;
      const off = q ? n : 0;
      for (let i = 0; i < n; i++) setElt(c, rd, off + i, esize, trunc(sElt(A, i, 2 * esize) >> BigInt(sh), esize));
      if (!q) clearFrom(c, rd, 8);
      return;
    }
    case 0b10100: { // SSHLL / USHLL (SXTL / UXTL), ...2
      if (scalar || esize === 64) return c.undef();
      const sh = immhb - esize;
      const A = snapshot(c, rn);
      const n = 64 / esize;
      const base = q ? n : 0;
      for (let i = 0; i < n; i++) {
        const x = sElt(A, base + i, esize);
        const v = u ? x : sext(x, esize);
        setElt(c, rd, i, 2 * esize, trunc(v << BigInt(sh), 2 * esize));
      }
      return;
    }
    case 0b11100: // SCVTF / UCVTF (fixed)
    case 0b11111: { // FCVTZS / FCVTZU (fixed)
      if (esize < 32) return c.undef();
      if (!scalar && esize === 64 && !q) return c.undef();
      const fbits = 2 * esize - immhb;
      const n = esize as Width;
      const lanes = lanesOf(esize);
      for (let i = 0; i < lanes; i++) {
        const x = elt(c, rn, i, esize);
        setElt(
          c, rd, i, esize,
          opcode === 0b11100
            ? fp.fixedToFpN(n, x, esize as 32 | 64, fbits, u === 1, c, fp.roundingMode(c))
            : fp.fpToFixedN(n, x, fbits, u === 1, c, fp.RZ, esize as 32 | 64),
        );
      }
      esize = lanes * esize; // bytes written
      if (scalar) clearFrom(c, rd, esize >> 3);
      else finish(c, rd, q);
      return;
    }
    default:
      return c.undef();
  }
  if (scalar) clearFrom(c, rd, 8);
  else finish(c, rd, q);
}

// -------------------------------------------------------------------- rows
export const rows: Row[] = [
  // ---- copy
  row('DUP_elt', '0 q:1 0 01110000 imm5:5 0 0000 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const s = lsb5(f.imm5);
    if (s < 0 || s > 3 || (s === 3 && !f.q)) return c.undef();
    const esize = 8 << s;
    const x = elt(c, f.rn, f.imm5 >> (s + 1), esize);
    const n = (f.q ? 128 : 64) / esize;
    for (let i = 0; i < n; i++) setElt(c, f.rd, i, esize, x);
    finish(c, f.rd, f.q);
  }),
  row('DUP_gen', '0 q:1 0 01110000 imm5:5 0 0001 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const s = lsb5(f.imm5);
    if (s < 0 || s > 3 || (s === 3 && !f.q)) return c.undef();
    const esize = 8 << s;
    const x = trunc(readX(c, f.rn), esize);
    const n = (f.q ? 128 : 64) / esize;
    for (let i = 0; i < n; i++) setElt(c, f.rd, i, esize, x);
    finish(c, f.rd, f.q);
  }),
  row('SMOV_UMOV', '0 q:1 0 01110000 imm5:5 0 01 u:1 1 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const s = lsb5(f.imm5);
    if (s < 0 || s > 3) return c.undef();
    const esize = 8 << s;
    if (f.u) {
      // UMOV: Wd for 8/16/32, Xd for 64 (Q must match)
      if ((esize === 64) !== (f.q === 1)) return c.undef();
    } else if (esize === 64 || (esize === 32 && !f.q)) return c.undef(); // SMOV
    const x = elt(c, f.rn, f.imm5 >> (s + 1), esize);
    writeX(c, f.rd, f.u ? x : trunc(sext(x, esize), 64), f.q);
  }),
  row('INS_gen', '0 1 0 01110000 imm5:5 0 0011 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const s = lsb5(f.imm5);
    if (s < 0 || s > 3) return c.undef();
    const esize = 8 << s;
    setElt(c, f.rd, f.imm5 >> (s + 1), esize, trunc(readX(c, f.rn), esize));
  }),
  row('INS_elt', '0 1 1 01110000 imm5:5 0 imm4:4 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const s = lsb5(f.imm5);
    if (s < 0 || s > 3) return c.undef();
    const esize = 8 << s;
    setElt(c, f.rd, f.imm5 >> (s + 1), esize, elt(c, f.rn, f.imm4 >> s, esize));
  }),
  // DUP (element, scalar) aka MOV Sd/Dd/Hd/Bd, Vn.T[i]
  row('DUP_scalar', '01 0 11110000 imm5:5 0 0000 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const s = lsb5(f.imm5);
    if (s < 0 || s > 3) return c.undef();
    const esize = 8 << s;
    const x = elt(c, f.rn, f.imm5 >> (s + 1), esize);
    clearFrom(c, f.rd, 0);
    setElt(c, f.rd, 0, esize, x);
  }),

  // ---- modified immediate
  row('MOVI', '0 q:1 op:1 0111100000 abc:3 cmode:4 o2:1 1 defgh:5 rd:5', (c, f) => {
    c.checkFp();
    const imm8 = (f.abc << 5) | f.defgh;
    const cm = f.cmode;
    if (f.o2) return c.undef(); // FMOV half (FEAT_FP16)
    const v = c.v32;
    const w = f.rd * 4;
    if (cm === 0b1111) {
      if (f.op === 0) {
        const [lo] = advSimdExpandImm(0, cm, imm8);
        for (let i = 0; i < 4; i++) v[w + i] = lo;
      } else {
        if (!f.q) return c.undef();
        const d = fp.vfpExpandImm(imm8, 64);
        const lo = Number(d & 0xffffffffn);
        const hi = Number(d >> 32n);
        v[w] = lo;
        v[w + 1] = hi;
        v[w + 2] = lo;
        v[w + 3] = hi;
      }
      finish(c, f.rd, f.q);
      return;
    }
    let [lo, hi] = advSimdExpandImm(f.op, cm, imm8);
    const isMovi64 = cm === 0b1110 && f.op === 1;
    const logical = (cm & 1) === 1 && cm < 0b1100; // ORR / BIC (immediate)
    if (f.op === 1 && !isMovi64 && !logical) {
      lo = ~lo >>> 0; // MVNI
      hi = ~hi >>> 0;
    }
    for (let i = 0; i < 4; i += 2) {
      if (logical) {
        if (f.op) {
          v[w + i] = (v[w + i]! & ~lo) >>> 0;
          v[w + i + 1] = (v[w + i + 1]! & ~hi) >>> 0;
        } else {
          v[w + i] = (v[w + i]! | lo) >>> 0;
          v[w + i + 1] = (v[w + i + 1]! | hi) >>> 0;
        }
      } else {
        v[w + i] = lo;
        v[w + i + 1] = hi;
      }
    }
    finish(c, f.rd, f.q);
  }),

  // ---- three same (integer and FP)
  row('SIMD_3same', '0 q:1 u:1 01110 size:2 1 rm:5 opcode:5 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.opcode >= 0b11000) threeSameFp(c, f.q, f.u, f.size >> 1, f.size & 1, f.rm, f.opcode, f.rn, f.rd);
    else threeSameInt(c, f.q, f.u, f.size, f.rm, f.opcode, f.rn, f.rd);
  }),
  // scalar three same: ADD/SUB/CMxx/SSHL/USHL (D) and FP compares/FABD
  row('SIMD_3same_scalar', '01 u:1 11110 size:2 1 rm:5 opcode:5 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.opcode >= 0b11000) {
      const op = fpOp(f.u, f.size >> 1, f.opcode);
      // FCMxx, FACxx, FABD (U=1 a=1), FMULX / FRECPS / FRSQRTS (U=0)
      const allowed = [0b11100, 0b11101, 0b11010].includes(f.opcode) || ((f.opcode === 0b11011 || f.opcode === 0b11111) && !f.u);
      if (op === undefined || !allowed || (f.opcode === 0b11010 && !(f.u && f.size >> 1))) return c.undef();
      const n = fpWidth(f.size & 1);
      const r = op(n, elt(c, f.rn, 0, n), elt(c, f.rm, 0, n), c, 0n);
      clearFrom(c, f.rd, 0);
      setElt(c, f.rd, 0, n, r);
      return;
    }
    if (threeSameSat(c, 1, f.u, f.size, f.rm, f.opcode, f.rn, f.rd, true)) return;
    const allowed = [0b00110, 0b00111, 0b01000, 0b10000, 0b10001];
    const op = intOp(f.u, f.opcode);
    if (f.size !== 3 || op === undefined || !allowed.includes(f.opcode)) return c.undef();
    const r = trunc(op(elt(c, f.rn, 0, 64), elt(c, f.rm, 0, 64), 64, 0n), 64);
    clearFrom(c, f.rd, 0);
    setElt(c, f.rd, 0, 64, r);
  }),

  // ---- two-register misc
  row('SIMD_2misc', '0 q:1 u:1 01110 size:2 10000 opcode:5 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    // FCVTL/FCVTN (a = 0, opcode 10111 / 10110)
    if ((f.opcode === 0b10110 || f.opcode === 0b10111) && (f.size & 2) === 0 && !f.u) {
      const A = snapshot(c, f.rn);
      const wide = f.size & 1 ? 64 : 32;
      const narrow = (wide / 2) as Width;
      const lanes = 64 / narrow;
      if (f.opcode === 0b10111) {
        // FCVTL{2}: widen the low or high half
        const base = f.q ? lanes : 0;
        for (let i = 0; i < lanes; i++) setElt(c, f.rd, i, wide, fp.fpConvertN(narrow, wide as Width, sElt(A, base + i, narrow), c));
      } else {
        // FCVTN{2}
        const off = f.q ? lanes : 0;
        for (let i = 0; i < lanes; i++) setElt(c, f.rd, off + i, narrow, fp.fpConvertN(wide as Width, narrow, sElt(A, i, wide), c));
        if (!f.q) clearFrom(c, f.rd, 8);
      }
      return;
    }
    twoRegMisc(c, f.q, f.u, f.size, f.opcode, f.rn, f.rd);
  }),
  // scalar two-register misc: CMxx #0, ABS/NEG (D), FP compares with zero, conversions
  row('SIMD_2misc_scalar', '01 u:1 11110 size:2 10000 opcode:5 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (twoMiscSat(c, 1, f.u, f.size, f.opcode, f.rn, f.rd, true)) return;
    const isFp = f.opcode >= 0b11010 || (f.opcode >= 0b01100 && f.opcode <= 0b01110 && (f.size & 2) !== 0);
    if (isFp) {
      const op = fpMiscOp(f.u, f.size >> 1, f.opcode);
      // scalar forms exist for the conversions and compares, not for FRINT*/FABS/FNEG/FSQRT
      if (op === undefined || f.opcode === 0b11111 || (f.opcode >= 0b11000 && f.opcode <= 0b11001)) return c.undef();
      const n = fpWidth(f.size & 1);
      const r = op(n, elt(c, f.rn, 0, n), c);
      clearFrom(c, f.rd, 0);
      setElt(c, f.rd, 0, n, r);
      return;
    }
    const op = intMiscOp(f.u, f.opcode);
    if (op === undefined || f.size !== 3) return c.undef();
    const r = trunc(op(elt(c, f.rn, 0, 64), 64), 64);
    clearFrom(c, f.rd, 0);
    setElt(c, f.rd, 0, 64, r);
  }),

  // ---- across lanes
  row('SIMD_across', '0 q:1 u:1 01110 size:2 11000 opcode:5 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.opcode === 0b01100 || f.opcode === 0b01111) {
      // FMAXNMV / FMINNMV / FMAXV / FMINV (single, Q = 1 only in v8.0)
      if (!f.u || (f.size & 1) || !f.q) return c.undef();
      const isMin = (f.size & 2) !== 0;
      const num = f.opcode === 0b01100;
      const fn = num ? (isMin ? fp.fpMinNumN : fp.fpMaxNumN) : isMin ? fp.fpMinN : fp.fpMaxN;
      const e = [elt(c, f.rn, 0, 32), elt(c, f.rn, 1, 32), elt(c, f.rn, 2, 32), elt(c, f.rn, 3, 32)] as const;
      // Reduce() pairs the halves recursively
      const r = fn(32, fn(32, e[0], e[1], c), fn(32, e[2], e[3], c), c);
      clearFrom(c, f.rd, 0);
      setElt(c, f.rd, 0, 32, r);
      return;
    }
    const esize = 8 << f.size;
    const lanes = (f.q ? 128 : 64) / esize;
    if (f.size === 3 || (f.size === 2 && !f.q)) return c.undef();
    const xs: bigint[] = [];
    for (let i = 0; i < lanes; i++) xs.push(elt(c, f.rn, i, esize));
    let r: bigint;
    let outSize = esize;
    switch ((f.u << 5) | f.opcode) {
      case 0b011011: r = trunc(xs.reduce((a, b) => a + b, 0n), esize); break; // ADDV
      case 0b000011: outSize = 2 * esize; r = trunc(xs.reduce((a, b) => a + sext(b, esize), 0n), outSize); break; // SADDLV
      case 0b100011: outSize = 2 * esize; r = xs.reduce((a, b) => a + b, 0n); break; // UADDLV
      case 0b001010: r = xs.reduce((a, b) => (sext(b, esize) > sext(a, esize) ? b : a)); break; // SMAXV
      case 0b011010: r = xs.reduce((a, b) => (sext(b, esize) < sext(a, esize) ? b : a)); break; // SMINV
      case 0b101010: r = xs.reduce((a, b) => (b > a ? b : a)); break; // UMAXV
      case 0b111010: r = xs.reduce((a, b) => (b < a ? b : a)); break; // UMINV
      default: return c.undef();
    }
    clearFrom(c, f.rd, 0);
    setElt(c, f.rd, 0, outSize, r);
  }),

  // ---- scalar pairwise: ADDP (D), FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP
  row('SIMD_pair_scalar', '01 u:1 11110 size:2 11000 opcode:5 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (!f.u && f.opcode === 0b11011) {
      if (f.size !== 3) return c.undef();
      const r = trunc(elt(c, f.rn, 0, 64) + elt(c, f.rn, 1, 64), 64);
      clearFrom(c, f.rd, 0);
      setElt(c, f.rd, 0, 64, r);
      return;
    }
    // FP pairwise: U = 1 (single/double); the U = 0 forms are half precision (FEAT_FP16)
    let op: FBin | undefined;
    if (f.u) {
      const a = f.size >> 1;
      const map: Record<number, number> = { 0b01100: 0b11000, 0b01101: 0b11010, 0b01111: 0b11110 };
      const o = map[f.opcode];
      if (o !== undefined && !(a === 1 && o === 0b11010)) op = fpPairOp(a, o);
    }
    if (op === undefined) return c.undef();
    const n = fpWidth(f.size & 1);
    const r = op(n, elt(c, f.rn, 0, n), elt(c, f.rn, 1, n), c, 0n);
    clearFrom(c, f.rd, 0);
    setElt(c, f.rd, 0, n, r);
  }),

  // ---- shift by immediate (immh != 0; immh = 0 is the modified-immediate class, more specific)
  row('SIMD_shimm', '0 q:1 u:1 011110 immh:4 immb:3 opcode:5 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.immh === 0) return c.undef();
    shiftImm(c, f.q, f.u, f.immh, f.immb, f.opcode, f.rn, f.rd, false);
  }),
  row('SIMD_shimm_scalar', '01 u:1 111110 immh:4 immb:3 opcode:5 1 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.immh === 0) return c.undef();
    shiftImm(c, 1, f.u, f.immh, f.immb, f.opcode, f.rn, f.rd, true);
  }),

  // ---- permute
  row('SIMD_perm', '0 q:1 001110 size:2 0 rm:5 0 opcode:3 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.opcode === 0 || f.opcode === 4 || (f.size === 3 && !f.q)) return c.undef();
    const esize = 8 << f.size;
    const lanes = (f.q ? 128 : 64) / esize;
    const half = lanes / 2;
    const A = snapshot(c, f.rn);
    const B = snapshot(c, f.rm);
    const part = f.opcode >> 2; // 0: ...1, 1: ...2
    const kind = f.opcode & 3; // 1 UZP, 2 TRN, 3 ZIP
    for (let i = 0; i < lanes; i++) {
      let x: bigint;
      if (kind === 1) {
        const j = 2 * i + part;
        x = j < lanes ? sElt(A, j, esize) : sElt(B, j - lanes, esize);
      } else if (kind === 2) {
        const p = i >> 1;
        x = (i & 1) === 0 ? sElt(A, 2 * p + part, esize) : sElt(B, 2 * p + part, esize);
      } else {
        const base = part * half;
        x = (i & 1) === 0 ? sElt(A, base + (i >> 1), esize) : sElt(B, base + (i >> 1), esize);
      }
      setElt(c, f.rd, i, esize, x);
    }
    finish(c, f.rd, f.q);
  }),
  row('EXT', '0 q:1 101110 00 0 rm:5 0 imm4:4 0 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (!f.q && f.imm4 >= 8) return c.undef();
    const bytes = f.q ? 16 : 8;
    const A = snapshot(c, f.rn);
    const B = snapshot(c, f.rm);
    for (let i = 0; i < bytes; i++) {
      const j = f.imm4 + i;
      c.v[f.rd * 16 + i] = j < bytes ? A[j]! : B[j - bytes]!;
    }
    finish(c, f.rd, f.q);
  }),
  row('TBL_TBX', '0 q:1 001110 00 0 rm:5 0 len:2 op:1 00 rn:5 rd:5', (c, f) => {
    c.checkFp();
    const regs = f.len + 1;
    const table = new Uint8Array(16 * regs);
    for (let r = 0; r < regs; r++) table.set(snapshot(c, (f.rn + r) % 32), r * 16);
    const idx = snapshot(c, f.rm);
    const bytes = f.q ? 16 : 8;
    for (let i = 0; i < bytes; i++) {
      const k = idx[i]!;
      if (k < table.length) c.v[f.rd * 16 + i] = table[k]!;
      else if (f.op === 0) c.v[f.rd * 16 + i] = 0;
    }
    finish(c, f.rd, f.q);
  }),
  // ---- three different: xADDL/xADDW/xSUBL/xSUBW/xABAL/xABDL/xMLAL/xMLSL/xMULL (and the ...2 forms)
  row('SIMD_3diff', '0 q:1 u:1 01110 size:2 1 rm:5 opcode:4 00 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (threeDiffSat(c, f.q, f.u, f.size, f.rm, f.opcode, f.rn, f.rd, false)) return;
    if (f.size === 3) return c.undef();
    const esize = 8 << f.size;
    const wide = 2 * esize;
    const lanes = 64 / esize;
    const base = f.q ? lanes : 0;
    const A = snapshot(c, f.rn);
    const B = snapshot(c, f.rm);
    const ext = (x: bigint, e: number): bigint => (f.u ? x : sext(x, e));
    const op = f.opcode;
    if (![0b0000, 0b0001, 0b0010, 0b0011, 0b0101, 0b0111, 0b1000, 0b1010, 0b1100].includes(op)) return c.undef();
    for (let i = 0; i < lanes; i++) {
      const a = op === 0b0001 || op === 0b0011 ? ext(sElt(A, i, wide), wide) : ext(sElt(A, base + i, esize), esize);
      const b = ext(sElt(B, base + i, esize), esize);
      const d = elt(c, f.rd, i, wide);
      let r: bigint;
      switch (op) {
        case 0b0000: case 0b0001: r = a + b; break;
        case 0b0010: case 0b0011: r = a - b; break;
        case 0b0101: r = d + (a > b ? a - b : b - a); break;
        case 0b0111: r = a > b ? a - b : b - a; break;
        case 0b1000: r = d + a * b; break;
        case 0b1010: r = d - a * b; break;
        default: r = a * b;
      }
      setElt(c, f.rd, i, wide, trunc(r, wide));
    }
  }),

  // scalar three different: SQDMLAL / SQDMLSL / SQDMULL
  row('SIMD_3diff_scalar', '01 u:1 11110 size:2 1 rm:5 opcode:4 00 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (!threeDiffSat(c, 1, f.u, f.size, f.rm, f.opcode, f.rn, f.rd, true)) c.undef();
  }),

  // ---- vector by element: MUL/MLA/MLS, xMULL/xMLAL/xMLSL, FMUL/FMLA/FMLS (and scalar FP forms)
  row('SIMD_elem', '0 q:1 u:1 01111 size:2 l:1 m:1 rm:4 opcode:4 h:1 0 rn:5 rd:5', (c, f) => {
    c.checkFp();
    byElement(c, f.q, f.u, f.size, f.l, f.m, f.rm, f.opcode, f.h, f.rn, f.rd, false);
  }),
  row('SIMD_elem_scalar', '01 u:1 11111 size:2 l:1 m:1 rm:4 opcode:4 h:1 0 rn:5 rd:5', (c, f) => {
    c.checkFp();
    byElement(c, 1, f.u, f.size, f.l, f.m, f.rm, f.opcode, f.h, f.rn, f.rd, true);
  }),
  // AES / SHA1 / SHA256 (./fpsimd-crypto)
  ...cryptoRows,
];

function byElement(
  c: Core, q: number, u: number, size: number, l: number, m: number, rm4: number, opcode: number, h: number, rn: number, rd: number, scalar: boolean,
): void {
  if (byElementSat(c, q, u, size, l, m, rm4, opcode, h, rn, rd, scalar)) return;
  const isFmulx = u === 1 && opcode === 0b1001 && (size & 2) !== 0;
  const isFp = isFmulx || (u === 0 && (opcode === 0b0001 || opcode === 0b0101 || opcode === 0b1001) && (size & 2) !== 0);
  if (isFp) {
    const sz = size & 1;
    const n = fpWidth(sz);
    if (sz && l) return c.undef();
    if (sz && !q && !scalar) return c.undef();
    const index = sz ? h : (h << 1) | l;
    const rm = (m << 4) | rm4;
    const x = elt(c, rm, index, n);
    const lanes = scalar ? 1 : (q ? 128 : 64) / n;
    const res: bigint[] = [];
    for (let i = 0; i < lanes; i++) {
      const a = elt(c, rn, i, n);
      const d = elt(c, rd, i, n);
      if (isFmulx) res.push(fp.fpMulX(n, a, x, c));
      else if (opcode === 0b1001) res.push(fp.fpMul(n, a, x, c));
      else if (opcode === 0b0001) res.push(fp.fpMulAdd(n, d, a, x, c));
      else res.push(fp.fpMulAdd(n, d, fp.fpNeg(n, a), x, c));
    }
    if (scalar) clearFrom(c, rd, 0);
    res.forEach((r, i) => setElt(c, rd, i, n, r));
    if (!scalar) finish(c, rd, q);
    return;
  }
  if (scalar) return c.undef();
  if (size === 0 || size === 3) return c.undef();
  const esize = 8 << size;
  const index = size === 1 ? (h << 2) | (l << 1) | m : (h << 1) | l;
  const rm = size === 1 ? rm4 : (m << 4) | rm4;
  const xu = elt(c, rm, index, esize);
  const long = opcode === 0b0010 || opcode === 0b0110 || opcode === 0b1010;
  if (long) {
    // xMLAL / xMLSL / xMULL (by element), ...2 uses the upper half of Vn
    const wide = 2 * esize;
    const lanes = 64 / esize;
    const A = snapshot(c, rn);
    const base = q ? lanes : 0;
    const x = u ? xu : sext(xu, esize);
    for (let i = 0; i < lanes; i++) {
      const a = u ? sElt(A, base + i, esize) : sext(sElt(A, base + i, esize), esize);
      const d = elt(c, rd, i, wide);
      const p = a * x;
      const r = opcode === 0b0010 ? d + p : opcode === 0b0110 ? d - p : p;
      setElt(c, rd, i, wide, trunc(r, wide));
    }
    return;
  }
  let op: ((a: bigint, d: bigint) => bigint) | undefined;
  if (u === 0 && opcode === 0b1000) op = (a) => a * xu; // MUL
  else if (u === 1 && opcode === 0b0000) op = (a, d) => d + a * xu; // MLA
  else if (u === 1 && opcode === 0b0100) op = (a, d) => d - a * xu; // MLS
  if (op === undefined) return c.undef();
  const lanes = (q ? 128 : 64) / esize;
  const A = snapshot(c, rn);
  for (let i = 0; i < lanes; i++) setElt(c, rd, i, esize, trunc(op(sElt(A, i, esize), elt(c, rd, i, esize)), esize));
  finish(c, rd, q);
}
