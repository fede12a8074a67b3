/**
 * V register access helpers for the FP/AdvSIMD instruction handlers (insns/fpsimd*.ts).
 *
 * The V file is `CpuState.v` (32 x 16 bytes, little-endian) with a Uint32Array view `v32`. Element `i` of size
 * `esize` bits in register `n` starts at byte n*16 + i*esize/8. Elements up to 32 bits are `number`
 * (unsigned), 64-bit elements are `bigint` (unsigned) or two uint32 halves.
 */
import type { CpuState } from './state';

/** Unsigned element (esize 8, 16, 32) */
export function eltN(s: CpuState, n: number, i: number, esize: number): number {
  const o = n * 16 + ((i * esize) >> 3);
  const v = s.v;
  switch (esize) {
    case 8:
      return v[o]!;
    case 16:
      return v[o]! | (v[o + 1]! << 8);
    default:
      return s.v32[o >> 2]!;
  }
}

export function setEltN(s: CpuState, n: number, i: number, esize: number, x: number): void {
  const o = n * 16 + ((i * esize) >> 3);
  const v = s.v;
  switch (esize) {
    case 8:
      v[o] = x;
      break;
    case 16:
      v[o] = x;
      v[o + 1] = x >>> 8;
      break;
    default:
      s.v32[o >> 2] = x;
  }
}

/** Unsigned element of any size as bigint */
export function elt(s: CpuState, n: number, i: number, esize: number): bigint {
  if (esize === 64) {
    const w = n * 4 + i * 2;
    return (BigInt(s.v32[w + 1]!) << 32n) | BigInt(s.v32[w]!);
  }
  return BigInt(eltN(s, n, i, esize));
}

export function setElt(s: CpuState, n: number, i: number, esize: number, x: bigint): void {
  if (esize === 64) {
    const w = n * 4 + i * 2;
    s.v32[w] = Number(x & 0xffffffffn);
    s.v32[w + 1] = Number((x >> 32n) & 0xffffffffn);
    return;
  }
  setEltN(s, n, i, esize, Number(x & ((1n << BigInt(esize)) - 1n)));
}

/** Zero bytes [from, 16) of V[n] (a 64-bit vector or scalar write clears the rest of the register). */
export function clearFrom(s: CpuState, n: number, from: number): void {
  s.v.fill(0, n * 16 + from, n * 16 + 16);
}

/** Copy a whole 16-byte register out (for handlers whose sources overlap the destination). */
export function snapshot(s: CpuState, n: number): Uint8Array {
  return s.v.slice(n * 16, n * 16 + 16);
}

/** Element from a snapshot as bigint */
export function sElt(b: Uint8Array, i: number, esize: number): bigint {
  const nb = esize >> 3;
  let r = 0n;
  for (let k = nb - 1; k >= 0; k--) r = (r << 8n) | BigInt(b[i * nb + k]!);
  return r;
}

/** Sign-extend an esize-bit unsigned bigint */
export function sext(x: bigint, esize: number): bigint {
  return BigInt.asIntN(esize, x);
}

/** Mask to esize bits */
export function trunc(x: bigint, esize: number): bigint {
  return BigInt.asUintN(esize, x);
}

/** Scalar FP register read as bits (16/32/64). */
export function fpReg(s: CpuState, n: number, width: number): bigint {
  if (width === 64) return (BigInt(s.v32[n * 4 + 1]!) << 32n) | BigInt(s.v32[n * 4]!);
  if (width === 32) return BigInt(s.v32[n * 4]!);
  return BigInt(s.v[n * 16]! | (s.v[n * 16 + 1]! << 8));
}

/** Scalar FP register write (the rest of the 128-bit register is zeroed). */
export function setFpReg(s: CpuState, n: number, width: number, x: bigint): void {
  const w = n * 4;
  const v32 = s.v32;
  if (width === 64) {
    v32[w] = Number(x & 0xffffffffn);
    v32[w + 1] = Number((x >> 32n) & 0xffffffffn);
  } else if (width === 32) {
    v32[w] = Number(x & 0xffffffffn);
    v32[w + 1] = 0;
  } else {
    v32[w] = Number(x & 0xffffn);
    v32[w + 1] = 0;
  }
  v32[w + 2] = 0;
  v32[w + 3] = 0;
}

/**
 * AdvSIMDExpandImm(op, cmode, imm8) as [lo, hi] uint32 halves of the 64-bit pattern.
 * Returns undefined for the reserved op=1 cmode=1111 (FMOV double is handled by the caller).
 */
export function advSimdExpandImm(op: number, cmode: number, imm8: number): [number, number] {
  let lo: number;
  switch (cmode >> 1) {
    case 0:
      lo = imm8;
      return [lo, lo];
    case 1:
      lo = (imm8 << 8) >>> 0;
      return [lo, lo];
    case 2:
      lo = (imm8 << 16) >>> 0;
      return [lo, lo];
    case 3:
      lo = (imm8 << 24) >>> 0;
      return [lo, lo];
    case 4:
      lo = (imm8 | (imm8 << 16)) >>> 0;
      return [lo, lo];
    case 5:
      lo = ((imm8 << 8) | (imm8 << 24)) >>> 0;
      return [lo, lo];
    case 6:
      lo = (cmode & 1) === 0 ? ((imm8 << 8) | 0xff) >>> 0 : ((imm8 << 16) | 0xffff) >>> 0;
      return [lo, lo];
    default: {
      if ((cmode & 1) === 0 && op === 0) {
        lo = (imm8 * 0x01010101) >>> 0;
        return [lo, lo];
      }
      if ((cmode & 1) === 0 && op === 1) {
        let l = 0;
        let h = 0;
        for (let b = 0; b < 4; b++) if ((imm8 >> b) & 1) l |= 0xff << (b * 8);
        for (let b = 4; b < 8; b++) if ((imm8 >> b) & 1) h |= 0xff << ((b - 4) * 8);
        return [l >>> 0, h >>> 0];
      }
      // cmode 1111 op 0: FMOV single: imm32 = a:NOT(b):bbbbb:cdefgh:Zeros(19), replicated
      const a = (imm8 >> 7) & 1;
      const b = (imm8 >> 6) & 1;
      const w = ((a << 31) | ((b ^ 1) << 30) | ((b ? 0x1f : 0) << 25) | ((imm8 & 0x3f) << 19)) >>> 0;
      return [w, w];
    }
  }
}
