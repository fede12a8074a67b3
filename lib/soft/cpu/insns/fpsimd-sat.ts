/**
 * AdvSIMD (ARMv8.0) saturating, rounding, narrowing, pairwise-long, polynomial and estimate operations, for
 * the row handlers in ./fpsimd-vec.ts (which call these where an encoding class holds them):
 *
 * Three same: SQSHL/UQSHL, SRSHL/URSHL, SQRSHL/UQRSHL (register), SQDMULH/SQRDMULH, PMUL, and the scalar
 *   SQADD/UQADD/SQSUB/UQSUB.
 * Two-register misc: SADDLP/UADDLP, SADALP/UADALP, SUQADD/USQADD, CLS/CLZ, SQABS/SQNEG, SQXTN/UQXTN/SQXTUN,
 *   SHLL, FCVTXN, URECPE/URSQRTE, FRECPE/FRSQRTE, FRECPX (scalar forms where the architecture has them).
 * Shift by immediate: SRSHR/URSHR, SRSRA/URSRA, SQSHL/UQSHL/SQSHLU (immediate), SQSHRN/UQSHRN/SQRSHRN/UQRSHRN,
 *   SQSHRUN/SQRSHRUN, RSHRN.
 * Three different: ADDHN/RADDHN/SUBHN/RSUBHN, SQDMLAL/SQDMLSL/SQDMULL (vector and scalar), PMULL (8 and 64 bit).
 * By element: SQDMLAL/SQDMLSL/SQDMULL, SQDMULH/SQRDMULH (vector and scalar).
 *
 * Every function returns true when it handled (or UNDEFINED-trapped) the encoding, false when the encoding is
 * not one of its operations. Saturation sets FPSR.QC. Lane values are unsigned bigints from ../simd (the
 * arithmetic needs up to 2 * 64 + 1 bits); lanes up to 16 bits use plain numbers on the common paths.
 */
import type { Core } from '../core';
import * as fp from '../fp';
import type { Width } from '../fp';
import { clearFrom, elt, eltN, sElt, setElt, setEltN, snapshot, sext, trunc } from '../simd';

const QC = 1 << 27;

// saturation bounds by element size (8, 16, 32, 64, 128)
const SMAX: Record<number, bigint> = {};
const SMIN: Record<number, bigint> = {};
const UMAX: Record<number, bigint> = {};
for (const e of [8, 16, 32, 64, 128]) {
  SMAX[e] = (1n << BigInt(e - 1)) - 1n;
  SMIN[e] = -(1n << BigInt(e - 1));
  UMAX[e] = (1n << BigInt(e)) - 1n;
}

/** SignedSatQ / UnsignedSatQ: the saturated value as an unsigned esize-bit pattern; sets QC when it saturates. */
function satQ(c: Core, v: bigint, e: number, unsigned: boolean): bigint {
  if (unsigned) {
    if (v > UMAX[e]!) {
      c.fpsr |= QC;
      return UMAX[e]!;
    }
    if (v < 0n) {
      c.fpsr |= QC;
      return 0n;
    }
    return v;
  }
  if (v > SMAX[e]!) {
    c.fpsr |= QC;
    return SMAX[e]!;
  }
  if (v < SMIN[e]!) {
    c.fpsr |= QC;
    return trunc(SMIN[e]!, e);
  }
  return trunc(v, e);
}

// ---- number paths for lanes up to 32 bits (results up to 2^53 are exact in doubles)
const P2: number[] = Array.from({ length: 130 }, (_, i) => 2 ** i);
const SMAXN = [127, 32767, 2147483647];
const SMINN = [-128, -32768, -2147483648];
const UMAXN = [255, 65535, 4294967295];

/** satQ on a number for esize 8 << s (s = 0..2); the result may be negative (setEltN stores the pattern). */
function satQN(c: Core, v: number, s: number, unsigned: boolean): number {
  if (unsigned) {
    if (v > UMAXN[s]!) {
      c.fpsr |= QC;
      return UMAXN[s]!;
    }
    if (v < 0) {
      c.fpsr |= QC;
      return 0;
    }
    return v;
  }
  if (v > SMAXN[s]!) {
    c.fpsr |= QC;
    return SMAXN[s]!;
  }
  if (v < SMINN[s]!) {
    c.fpsr |= QC;
    return SMINN[s]!;
  }
  return v;
}

/** Lane (esize <= 32) as a signed or unsigned number */
function lane(c: Core, n: number, i: number, esize: number, unsigned: boolean): number {
  const x = eltN(c, n, i, esize);
  return unsigned ? x : (x << (32 - esize)) >> (32 - esize);
}

/** x * 2^sh, or (x + round) / 2^-sh rounded down for negative sh (exact: see the comment in the body). */
function shiftRoundN(x: number, sh: number, rounding: boolean): number {
  if (sh >= 0) return x * P2[sh]!; // |x| < 2^32: exact, and compared exactly against the bounds
  const k = -sh;
  // x + 2^(k-1) is exact for k <= 33; for larger k the quotient lies in (1/4, 3/4) + ... and floors to 0 either way
  return Math.floor((rounding ? x + P2[k - 1]! : x) / P2[k]!);
}

/** Unsigned element (esize 8 or 16) of a snapshot */
function sElt8(b: Uint8Array, i: number, esize: number): number {
  return esize === 8 ? b[i]! : b[2 * i]! | (b[2 * i + 1]! << 8);
}

/** mapLanes with number lanes (esize <= 32) */
function mapLanesN(c: Core, q: number, scalar: boolean, esize: number, rd: number, fn: (i: number) => number): void {
  if (scalar) {
    const r = fn(0);
    clearFrom(c, rd, 0);
    setEltN(c, rd, 0, esize, r);
    return;
  }
  const n = (q ? 128 : 64) / esize;
  for (let i = 0; i < n; i++) setEltN(c, rd, i, esize, fn(i));
  if (!q) clearFrom(c, rd, 8);
}

/** writeNarrow with number lanes (esize <= 16) */
function writeNarrowN(c: Core, q: number, scalar: boolean, esize: number, rd: number, fn: (i: number) => number): void {
  if (scalar) {
    const r = fn(0);
    clearFrom(c, rd, 0);
    setEltN(c, rd, 0, esize, r);
    return;
  }
  const n = 64 / esize;
  const res: number[] = [];
  for (let i = 0; i < n; i++) res.push(fn(i));
  const off = q ? n : 0;
  for (let i = 0; i < n; i++) setEltN(c, rd, off + i, esize, res[i]!);
  if (!q) clearFrom(c, rd, 8);
}

/** Lane value as a (signed or unsigned) integer */
function ext(x: bigint, e: number, unsigned: boolean): bigint {
  return unsigned ? x : sext(x, e);
}

/** Writes fn(i) to every lane of Vd (a scalar writes lane 0 and clears the rest; Q = 0 clears the top half). */
function mapLanes(c: Core, q: number, scalar: boolean, esize: number, rd: number, fn: (i: number) => bigint): void {
  if (scalar) {
    const r = fn(0);
    clearFrom(c, rd, 0);
    setElt(c, rd, 0, esize, r);
    return;
  }
  const n = (q ? 128 : 64) / esize;
  for (let i = 0; i < n; i++) setElt(c, rd, i, esize, fn(i));
  if (!q) clearFrom(c, rd, 8);
}

/**
 * Writes narrow results: scalar → lane 0 only; vector → the lower half (Q = 0, upper half cleared) or the upper
 * half (Q = 1, the ...2 forms, lower half kept). All results are computed before the first write.
 */
function writeNarrow(c: Core, q: number, scalar: boolean, esize: number, rd: number, fn: (i: number) => bigint): void {
  if (scalar) {
    const r = fn(0);
    clearFrom(c, rd, 0);
    setElt(c, rd, 0, esize, r);
    return;
  }
  const n = 64 / esize;
  const res: bigint[] = [];
  for (let i = 0; i < n; i++) res.push(fn(i));
  const off = q ? n : 0;
  for (let i = 0; i < n; i++) setElt(c, rd, off + i, esize, res[i]!);
  if (!q) clearFrom(c, rd, 8);
}

/** (element + round) shifted left by sh (right when negative); BigInt shifts floor like the pseudocode. */
function shiftRound(x: bigint, sh: number, rounding: boolean): bigint {
  if (sh >= 0) return x << BigInt(sh);
  const r = rounding ? 1n << BigInt(-sh - 1) : 0n;
  return (x + r) >> BigInt(-sh);
}

/** Carry-less multiply of two unsigned values of `bits` bits. */
function polyMul(a: bigint, b: bigint, bits: number): bigint {
  let r = 0n;
  for (let i = 0; i < bits; i++) if ((b >> BigInt(i)) & 1n) r ^= a << BigInt(i);
  return r;
}
function polyMul8(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) if ((b >> i) & 1) r ^= a << i;
  return r;
}

// ------------------------------------------------------------------------------------------ three same

/** SQDMULH / SQRDMULH of two signed lanes (esize 16 or 32): SignedSatQ((2ab + round) >> esize), exact in doubles. */
function sqdmulhN(c: Core, a: number, b: number, esize: number, rounding: boolean): number {
  if (esize === 16) return satQN(c, Math.floor((2 * a * b + (rounding ? 0x8000 : 0)) / 65536), 1, false);
  // floor((a*b + r/2) / 2^31) with b = bh * 2^16 + bl: every partial product stays below 2^53
  const bl = b & 0xffff;
  const bh = (b - bl) / 65536;
  const t = a * bl + (rounding ? 0x40000000 : 0);
  const t1 = Math.floor(t / 65536);
  return satQN(c, Math.floor((a * bh + t1) / 32768), 2, false);
}

/**
 * Three-same integer operations missing from the basic set. `scalar` for the `01 U 11110 ...` encodings.
 */
export function threeSameSat(c: Core, q: number, u: number, size: number, rm: number, opcode: number, rn: number, rd: number, scalar: boolean): boolean {
  const esize = 8 << size;
  const uns = u === 1;
  switch (opcode) {
    case 0b00001: // SQADD / UQADD
    case 0b00101: { // SQSUB / UQSUB
      if (!scalar) return false; // the vector forms are in fpsimd-vec
      const sub = opcode === 0b00101;
      if (size < 3) {
        mapLanesN(c, q, true, esize, rd, (i) => {
          const a = lane(c, rn, i, esize, uns);
          const b = lane(c, rm, i, esize, uns);
          return satQN(c, sub ? a - b : a + b, size, uns);
        });
        return true;
      }
      mapLanes(c, q, true, esize, rd, (i) => {
        const a = ext(elt(c, rn, i, esize), esize, uns);
        const b = ext(elt(c, rm, i, esize), esize, uns);
        return satQ(c, sub ? a - b : a + b, esize, uns);
      });
      return true;
    }
    case 0b01001: // SQSHL / UQSHL (register)
    case 0b01010: // SRSHL / URSHL
    case 0b01011: { // SQRSHL / UQRSHL
      if (!scalar && size === 3 && !q) return c.undef();
      if (scalar && opcode === 0b01010 && size !== 3) return c.undef();
      const saturating = opcode !== 0b01010;
      const rounding = opcode !== 0b01001;
      if (size < 3) {
        mapLanesN(c, q, scalar, esize, rd, (i) => {
          const sh = (eltN(c, rm, i, esize) << 24) >> 24;
          const v = shiftRoundN(lane(c, rn, i, esize, uns), sh, rounding);
          return saturating ? satQN(c, v, size, uns) : v % P2[esize]!; // the low esize bits (setEltN wraps)
        });
        return true;
      }
      mapLanes(c, q, scalar, esize, rd, (i) => {
        const sh = Number(BigInt.asIntN(8, elt(c, rm, i, esize) & 0xffn));
        const v = shiftRound(ext(elt(c, rn, i, esize), esize, uns), sh, rounding);
        return saturating ? satQ(c, v, esize, uns) : trunc(v, esize);
      });
      return true;
    }
    case 0b10110: { // SQDMULH (U=0) / SQRDMULH (U=1)
      if (size === 0 || size === 3) return c.undef();
      mapLanesN(c, q, scalar, esize, rd, (i) => sqdmulhN(c, lane(c, rn, i, esize, false), lane(c, rm, i, esize, false), esize, u === 1));
      return true;
    }
    case 0b10011: { // PMUL (U=1, bytes)
      if (!u || scalar) return false;
      if (size !== 0) return c.undef();
      const n = q ? 16 : 8;
      for (let i = 0; i < n; i++) setEltN(c, rd, i, 8, polyMul8(eltN(c, rn, i, 8), eltN(c, rm, i, 8)) & 0xff);
      if (!q) clearFrom(c, rd, 8);
      return true;
    }
    default:
      return false;
  }
}

// ------------------------------------------------------------------------------------------ two-register misc

/** CountLeadingSignBits / CountLeadingZeroBits of an esize-bit value (esize <= 32) */
function clz(x: number, e: number): number {
  return Math.clz32(x) - (32 - e);
}
function cls(x: number, e: number): number {
  const s = (x >>> (e - 1)) & 1;
  const y = s ? ~x & ((e === 32 ? 0xffffffff : (1 << e) - 1)) : x;
  return clz(y >>> 0, e) - 1;
}

export function twoMiscSat(c: Core, q: number, u: number, size: number, opcode: number, rn: number, rd: number, scalar: boolean): boolean {
  const esize = 8 << size;
  const uns = u === 1;
  switch (opcode) {
    case 0b00010: // SADDLP / UADDLP
    case 0b00110: { // SADALP / UADALP
      if (scalar) return false;
      if (size === 3) return c.undef();
      const wide = 2 * esize;
      const n = (q ? 128 : 64) / wide;
      const acc = opcode === 0b00110;
      if (size < 2) {
        const res: number[] = [];
        for (let i = 0; i < n; i++) {
          const sum = lane(c, rn, 2 * i, esize, uns) + lane(c, rn, 2 * i + 1, esize, uns);
          res.push(acc ? eltN(c, rd, i, wide) + sum : sum);
        }
        for (let i = 0; i < n; i++) setEltN(c, rd, i, wide, res[i]!);
        if (!q) clearFrom(c, rd, 8);
        return true;
      }
      const A = snapshot(c, rn);
      for (let i = 0; i < n; i++) {
        const s = ext(sElt(A, 2 * i, esize), esize, uns) + ext(sElt(A, 2 * i + 1, esize), esize, uns);
        setElt(c, rd, i, wide, trunc(acc ? elt(c, rd, i, wide) + s : s, wide));
      }
      if (!q) clearFrom(c, rd, 8);
      return true;
    }
    case 0b00011: { // SUQADD (U=0) / USQADD (U=1)
      if (!scalar && size === 3 && !q) return c.undef();
      if (size < 3) {
        mapLanesN(c, q, scalar, esize, rd, (i) => satQN(c, lane(c, rd, i, esize, uns) + lane(c, rn, i, esize, !uns), size, uns));
        return true;
      }
      mapLanes(c, q, scalar, esize, rd, (i) => {
        const x = elt(c, rn, i, esize);
        const d = elt(c, rd, i, esize);
        // SUQADD: signed accumulator + unsigned operand; USQADD: unsigned accumulator + signed operand
        return uns ? satQ(c, d + sext(x, esize), esize, true) : satQ(c, sext(d, esize) + x, esize, false);
      });
      return true;
    }
    case 0b00100: { // CLS (U=0) / CLZ (U=1)
      if (scalar) return false;
      if (size === 3) return c.undef();
      const n = (q ? 128 : 64) / esize;
      for (let i = 0; i < n; i++) {
        const x = eltN(c, rn, i, esize);
        setEltN(c, rd, i, esize, uns ? clz(x, esize) : cls(x, esize));
      }
      if (!q) clearFrom(c, rd, 8);
      return true;
    }
    case 0b00111: { // SQABS (U=0) / SQNEG (U=1)
      if (!scalar && size === 3 && !q) return c.undef();
      if (size < 3) {
        mapLanesN(c, q, scalar, esize, rd, (i) => {
          const x = lane(c, rn, i, esize, false);
          return satQN(c, uns || x < 0 ? -x : x, size, false);
        });
        return true;
      }
      mapLanes(c, q, scalar, esize, rd, (i) => {
        const x = sext(elt(c, rn, i, esize), esize);
        return satQ(c, uns || x < 0n ? -x : x, esize, false);
      });
      return true;
    }
    case 0b10010: // SQXTUN (U=1); XTN (U=0) is in fpsimd-vec
    case 0b10100: { // SQXTN (U=0) / UQXTN (U=1)
      if (opcode === 0b10010 && !uns) return false;
      if (size === 3) return c.undef();
      const wide = 2 * esize;
      const srcUns = opcode === 0b10100 && uns; // UQXTN: unsigned source
      const dstUns = uns; // SQXTUN and UQXTN saturate to unsigned
      if (size < 2) {
        writeNarrowN(c, q, scalar, esize, rd, (i) => satQN(c, lane(c, rn, i, wide, srcUns), size, dstUns));
        return true;
      }
      const A = snapshot(c, rn);
      writeNarrow(c, q, scalar, esize, rd, (i) => satQ(c, ext(sElt(A, i, wide), wide, srcUns), esize, dstUns));
      return true;
    }
    case 0b10011: { // SHLL (U=1)
      if (!uns || scalar) return false;
      if (size === 3) return c.undef();
      const wide = 2 * esize;
      const n = 64 / esize;
      const A = snapshot(c, rn);
      const base = q ? n : 0;
      if (size < 2) for (let i = 0; i < n; i++) setEltN(c, rd, i, wide, sElt8(A, base + i, esize) * P2[esize]!);
      else for (let i = 0; i < n; i++) setElt(c, rd, i, wide, sElt(A, base + i, esize) << BigInt(esize));
      return true;
    }
    case 0b10110: { // FCVTXN (U=1, size 01): double → single, round to odd
      if (!uns) return false;
      if (size !== 1) return c.undef();
      const A = snapshot(c, rn);
      writeNarrow(c, q, scalar, 32, rd, (i) => fp.fpConvertN(64, 32, sElt(A, i, 64), c, fp.RO));
      return true;
    }
    case 0b11100: { // URECPE (U=0) / URSQRTE (U=1): size 1x, sz = 0 only
      if ((size & 2) === 0) return false;
      if (scalar) return false;
      if (size & 1) return c.undef();
      const n = q ? 4 : 2;
      for (let i = 0; i < n; i++) {
        const x = eltN(c, rn, i, 32);
        setEltN(c, rd, i, 32, uns ? fp.unsignedRSqrtEstimate(x) : fp.unsignedRecipEstimate(x));
      }
      if (!q) clearFrom(c, rd, 8);
      return true;
    }
    case 0b11101: { // FRECPE (U=0) / FRSQRTE (U=1): size 1x
      if ((size & 2) === 0) return false;
      const n: Width = size & 1 ? 64 : 32;
      if (!scalar && n === 64 && !q) return c.undef();
      mapLanes(c, q, scalar, n, rd, (i) => (uns ? fp.fpRSqrtEstimateN(n, elt(c, rn, i, n), c) : fp.fpRecipEstimateN(n, elt(c, rn, i, n), c)));
      return true;
    }
    case 0b11111: { // FRECPX (scalar, U=0, size 1x)
      if (!scalar || uns || (size & 2) === 0) return false;
      const n: Width = size & 1 ? 64 : 32;
      mapLanes(c, 1, true, n, rd, (i) => fp.fpRecpXN(n, elt(c, rn, i, n), c));
      return true;
    }
    default:
      return false;
  }
}

// ------------------------------------------------------------------------------------------ shift by immediate

export function shiftImmSat(c: Core, q: number, u: number, immh: number, immb: number, opcode: number, rn: number, rd: number, scalar: boolean): boolean {
  const hb = 31 - Math.clz32(immh);
  const esize = 8 << hb;
  const immhb = (immh << 3) | immb;
  const uns = u === 1;
  switch (opcode) {
    case 0b00100: // SRSHR / URSHR
    case 0b00110: { // SRSRA / URSRA
      if (scalar ? esize !== 64 : esize === 64 && !q) return c.undef();
      const sh = 2 * esize - immhb;
      const acc = opcode === 0b00110;
      if (esize < 64) {
        const rnd = P2[sh - 1]!;
        const div = P2[sh]!;
        mapLanesN(c, q, scalar, esize, rd, (i) => {
          const r = Math.floor((lane(c, rn, i, esize, uns) + rnd) / div);
          return acc ? eltN(c, rd, i, esize) + r : r; // setEltN keeps the low esize bits (|value| < 2^34)
        });
        return true;
      }
      const round = 1n << BigInt(sh - 1);
      const bsh = BigInt(sh);
      mapLanes(c, q, scalar, esize, rd, (i) => {
        const r = (ext(elt(c, rn, i, esize), esize, uns) + round) >> bsh;
        return trunc(acc ? elt(c, rd, i, esize) + r : r, esize);
      });
      return true;
    }
    case 0b01100: // SQSHLU (U=1)
    case 0b01110: { // SQSHL / UQSHL (immediate)
      if (opcode === 0b01100 && !uns) return c.undef();
      if (!scalar && esize === 64 && !q) return c.undef();
      const srcUns = opcode === 0b01110 && uns;
      const dstUns = uns;
      if (esize < 64) {
        const m = P2[immhb - esize]!;
        mapLanesN(c, q, scalar, esize, rd, (i) => satQN(c, lane(c, rn, i, esize, srcUns) * m, hb, dstUns));
        return true;
      }
      const sh = BigInt(immhb - esize);
      mapLanes(c, q, scalar, esize, rd, (i) => satQ(c, ext(elt(c, rn, i, esize), esize, srcUns) << sh, esize, dstUns));
      return true;
    }
    case 0b10000: // SHRN (U=0, in fpsimd-vec) / SQSHRUN (U=1)
    case 0b10001: // RSHRN (U=0) / SQRSHRUN (U=1)
    case 0b10010: // SQSHRN / UQSHRN
    case 0b10011: { // SQRSHRN / UQRSHRN
      if (opcode === 0b10000 && !uns) return false;
      if (esize === 64) return c.undef(); // immh = 1xxx
      if (scalar && opcode === 0b10001 && !uns) return c.undef(); // RSHRN has no scalar form
      const wide = 2 * esize;
      const sh = BigInt(2 * esize - immhb);
      const rounding = (opcode & 1) === 1;
      const round = rounding ? 1n << (sh - 1n) : 0n;
      const srcUns = opcode >= 0b10010 && uns; // UQSHRN / UQRSHRN
      if (esize < 32) {
        const div = P2[2 * esize - immhb]!;
        const rnd = rounding ? div / 2 : 0;
        if (opcode === 0b10001 && !uns) writeNarrowN(c, q, false, esize, rd, (i) => Math.floor((eltN(c, rn, i, wide) + rnd) / div)); // RSHRN
        else writeNarrowN(c, q, scalar, esize, rd, (i) => satQN(c, Math.floor((lane(c, rn, i, wide, srcUns) + rnd) / div), hb, uns));
        return true;
      }
      const A = snapshot(c, rn);
      if (opcode === 0b10001 && !uns) {
        writeNarrow(c, q, false, esize, rd, (i) => trunc((sElt(A, i, wide) + round) >> sh, esize)); // RSHRN
        return true;
      }
      writeNarrow(c, q, scalar, esize, rd, (i) => satQ(c, (ext(sElt(A, i, wide), wide, srcUns) + round) >> sh, esize, uns));
      return true;
    }
    default:
      return false;
  }
}

// ------------------------------------------------------------------------------------------ three different

export function threeDiffSat(c: Core, q: number, u: number, size: number, rm: number, opcode: number, rn: number, rd: number, scalar: boolean): boolean {
  const esize = 8 << size;
  switch (opcode) {
    case 0b0100: // ADDHN / RADDHN
    case 0b0110: { // SUBHN / RSUBHN
      if (scalar) return false;
      if (size === 3) return c.undef();
      const wide = 2 * esize;
      const sub = opcode === 0b0110;
      if (size < 2) {
        const div = P2[esize]!;
        const rnd = u ? div / 2 : 0;
        writeNarrowN(c, q, false, esize, rd, (i) => {
          const a = eltN(c, rn, i, wide);
          const b = eltN(c, rm, i, wide);
          return Math.floor(((sub ? a - b : a + b) + rnd) / div); // setEltN keeps the low esize bits
        });
        return true;
      }
      const round = u ? 1n << BigInt(esize - 1) : 0n;
      const sh = BigInt(esize);
      const A = snapshot(c, rn);
      const B = snapshot(c, rm);
      writeNarrow(c, q, false, esize, rd, (i) => {
        const a = sElt(A, i, wide);
        const b = sElt(B, i, wide);
        return trunc(((sub ? a - b : a + b) + round) >> sh, esize);
      });
      return true;
    }
    case 0b1001: // SQDMLAL
    case 0b1011: // SQDMLSL
    case 0b1101: { // SQDMULL
      if (u) return false;
      if (size === 0 || size === 3) return c.undef();
      const wide = 2 * esize;
      const lanes = scalar ? 1 : 64 / esize;
      const base = q && !scalar ? lanes : 0;
      const kind = opcode === 0b1101 ? SQDM_MUL : opcode === 0b1001 ? SQDM_ADD : SQDM_SUB;
      if (size === 1) {
        sqdml16(c, scalar, rd, lanes, kind, (i) => lane(c, rn, base + i, 16, false) * lane(c, rm, base + i, 16, false));
        return true;
      }
      const A = snapshot(c, rn);
      const B = snapshot(c, rm);
      const res: bigint[] = [];
      for (let i = 0; i < lanes; i++) {
        const p = sext(sElt(A, base + i, esize), esize) * sext(sElt(B, base + i, esize), esize);
        res.push(sqdmAcc(c, kind, p, wide, elt(c, rd, i, wide)));
      }
      if (scalar) clearFrom(c, rd, 0);
      for (let i = 0; i < lanes; i++) setElt(c, rd, i, wide, res[i]!);
      return true;
    }
    case 0b1110: { // PMULL (U=0): 8x8 → 16 or 64x64 → 128
      if (u || scalar) return false;
      if (size === 1 || size === 2) return c.undef();
      const A = snapshot(c, rn);
      const B = snapshot(c, rm);
      if (size === 3) {
        const r = polyMul(sElt(A, q, 64), sElt(B, q, 64), 64);
        setElt(c, rd, 0, 64, r & UMAX[64]!);
        setElt(c, rd, 1, 64, r >> 64n);
        return true;
      }
      const base = q ? 8 : 0;
      for (let i = 0; i < 8; i++) setEltN(c, rd, i, 16, polyMul8(A[base + i]!, B[base + i]!));
      return true;
    }
    default:
      return false;
  }
}

const SQDM_MUL = 0;
const SQDM_ADD = 1;
const SQDM_SUB = 2;

/** SQDMULL / SQDMLAL / SQDMLSL on 16-bit elements (32-bit results) with numbers; prod(i) is the plain product. */
function sqdml16(c: Core, scalar: boolean, rd: number, lanes: number, kind: number, prod: (i: number) => number): void {
  const res: number[] = [];
  for (let i = 0; i < lanes; i++) {
    const p = satQN(c, 2 * prod(i), 2, false);
    if (kind === SQDM_MUL) res.push(p);
    else {
      const d = lane(c, rd, i, 32, false);
      res.push(satQN(c, kind === SQDM_ADD ? d + p : d - p, 2, false));
    }
  }
  if (scalar) clearFrom(c, rd, 0);
  for (let i = 0; i < lanes; i++) setEltN(c, rd, i, 32, res[i]!);
}

/** SQDMULL / SQDMLAL / SQDMLSL tail: 2 * product saturated, then the saturating accumulate. */
function sqdmAcc(c: Core, kind: number, p: bigint, wide: number, d: bigint): bigint {
  const prod = satQ(c, 2n * p, wide, false);
  if (kind === SQDM_MUL) return prod;
  const ps = sext(prod, wide);
  const acc = sext(d, wide);
  return satQ(c, kind === SQDM_ADD ? acc + ps : acc - ps, wide, false);
}

// ------------------------------------------------------------------------------------------ by element

/** Integer by-element operations SQDMLAL/SQDMLSL/SQDMULL/SQDMULH/SQRDMULH (U = 0). */
export function byElementSat(
  c: Core, q: number, u: number, size: number, l: number, m: number, rm4: number, opcode: number, h: number, rn: number, rd: number, scalar: boolean,
): boolean {
  if (u) return false;
  if (![0b0011, 0b0111, 0b1011, 0b1100, 0b1101].includes(opcode)) return false;
  if (size === 0 || size === 3) return c.undef();
  const esize = 8 << size;
  const index = size === 1 ? (h << 2) | (l << 1) | m : (h << 1) | l;
  const rmr = size === 1 ? rm4 : (m << 4) | rm4;
  const x = sext(elt(c, rmr, index, esize), esize);
  if (opcode >= 0b1100) {
    const xn = Number(x);
    mapLanesN(c, q, scalar, esize, rd, (i) => sqdmulhN(c, lane(c, rn, i, esize, false), xn, esize, opcode === 0b1101));
    return true;
  }
  const wide = 2 * esize;
  const lanes = scalar ? 1 : 64 / esize;
  const base = q && !scalar ? lanes : 0;
  const kind = opcode === 0b1011 ? SQDM_MUL : opcode === 0b0011 ? SQDM_ADD : SQDM_SUB;
  if (size === 1) {
    const xn = Number(x);
    sqdml16(c, scalar, rd, lanes, kind, (i) => lane(c, rn, base + i, 16, false) * xn);
    return true;
  }
  const A = snapshot(c, rn);
  const res: bigint[] = [];
  for (let i = 0; i < lanes; i++) {
    const p = sext(sElt(A, base + i, esize), esize) * x;
    res.push(sqdmAcc(c, kind, p, wide, elt(c, rd, i, wide)));
  }
  if (scalar) clearFrom(c, rd, 0);
  for (let i = 0; i < lanes; i++) setElt(c, rd, i, wide, res[i]!);
  return true;
}
