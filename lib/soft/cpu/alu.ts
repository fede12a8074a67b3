/**
 * 64-bit arithmetic on uint32 halves. Results go to `s.rlo` / `s.rhi` (no allocation).
 */

import type { CpuState } from './state';

const TWO32 = 4294967296;

/** a + b + cin (64-bit); flags when setFlags */
export function add64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number, cin: number, setFlags: boolean): void {
  const l = alo + blo + cin;
  const lc = l >= TWO32 ? 1 : 0;
  const lo = l >>> 0;
  const h = ahi + bhi + lc;
  const hi = h >>> 0;
  s.rlo = lo;
  s.rhi = hi;
  if (setFlags) {
    s.nf = hi >>> 31;
    s.zf = (lo | hi) === 0 ? 1 : 0;
    s.cf = h >= TWO32 ? 1 : 0;
    s.vf = (~(ahi ^ bhi) & (ahi ^ hi)) >>> 31;
  }
}

/** a + b + cin (32-bit) → s.rlo, s.rhi = 0 */
export function add32(s: CpuState, a: number, b: number, cin: number, setFlags: boolean): void {
  const r = a + b + cin;
  const lo = r >>> 0;
  s.rlo = lo;
  s.rhi = 0;
  if (setFlags) {
    s.nf = lo >>> 31;
    s.zf = lo === 0 ? 1 : 0;
    s.cf = r >= TWO32 ? 1 : 0;
    s.vf = (~(a ^ b) & (a ^ lo)) >>> 31;
  }
}

/** Logical flags (N, Z; C = V = 0) */
export function nzLogic(s: CpuState, lo: number, hi: number, sf: number): void {
  if (sf) {
    s.nf = hi >>> 31;
    s.zf = ((lo | hi) >>> 0) === 0 ? 1 : 0;
  } else {
    s.nf = lo >>> 31;
    s.zf = lo >>> 0 === 0 ? 1 : 0;
  }
  s.cf = 0;
  s.vf = 0;
}

export function lsl64(s: CpuState, lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) {
    s.rlo = lo >>> 0;
    s.rhi = hi >>> 0;
  } else if (n < 32) {
    s.rhi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
    s.rlo = (lo << n) >>> 0;
  } else {
    s.rhi = (lo << (n - 32)) >>> 0;
    s.rlo = 0;
  }
}

export function lsr64(s: CpuState, lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) {
    s.rlo = lo >>> 0;
    s.rhi = hi >>> 0;
  } else if (n < 32) {
    s.rlo = ((lo >>> n) | (hi << (32 - n))) >>> 0;
    s.rhi = hi >>> n;
  } else {
    s.rlo = hi >>> (n - 32);
    s.rhi = 0;
  }
}

export function asr64(s: CpuState, lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) {
    s.rlo = lo >>> 0;
    s.rhi = hi >>> 0;
  } else if (n < 32) {
    s.rlo = ((lo >>> n) | (hi << (32 - n))) >>> 0;
    s.rhi = (hi >> n) >>> 0;
  } else {
    s.rlo = (hi >> (n - 32)) >>> 0;
    s.rhi = (hi >> 31) >>> 0;
  }
}

export function ror64(s: CpuState, lo: number, hi: number, n: number): void {
  n &= 63;
  if (n === 0) {
    s.rlo = lo >>> 0;
    s.rhi = hi >>> 0;
    return;
  }
  if (n >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    n -= 32;
    if (n === 0) {
      s.rlo = lo >>> 0;
      s.rhi = hi >>> 0;
      return;
    }
  }
  s.rlo = ((lo >>> n) | (hi << (32 - n))) >>> 0;
  s.rhi = ((hi >>> n) | (lo << (32 - n))) >>> 0;
}

export function ror32(x: number, n: number): number {
  n &= 31;
  return n === 0 ? x >>> 0 : ((x >>> n) | (x << (32 - n))) >>> 0;
}

/** Shift by type (0 LSL, 1 LSR, 2 ASR, 3 ROR) for 64 or 32 bits; result in s.rlo/s.rhi. */
export function shiftBy(s: CpuState, lo: number, hi: number, type: number, amount: number, sf: number): void {
  if (sf) {
    switch (type) {
      case 0:
        lsl64(s, lo, hi, amount);
        return;
      case 1:
        lsr64(s, lo, hi, amount);
        return;
      case 2:
        asr64(s, lo, hi, amount);
        return;
      default:
        ror64(s, lo, hi, amount);
        return;
    }
  }
  amount &= 31;
  s.rhi = 0;
  switch (type) {
    case 0:
      s.rlo = (lo << amount) >>> 0;
      return;
    case 1:
      s.rlo = lo >>> amount;
      return;
    case 2:
      s.rlo = (lo >> amount) >>> 0;
      return;
    default:
      s.rlo = ror32(lo, amount);
  }
}

/** ConditionHolds */
export function condHolds(s: CpuState, cond: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = s.zf === 1;
      break;
    case 1:
      r = s.cf === 1;
      break;
    case 2:
      r = s.nf === 1;
      break;
    case 3:
      r = s.vf === 1;
      break;
    case 4:
      r = s.cf === 1 && s.zf === 0;
      break;
    case 5:
      r = s.nf === s.vf;
      break;
    case 6:
      r = s.nf === s.vf && s.zf === 0;
      break;
    default:
      return true;
  }
  return (cond & 1) !== 0 ? !r : r;
}

// ---- DecodeBitMasks, memoised: [wmaskLo, wmaskHi, tmaskLo, tmaskHi], or undefined when reserved
const bmCache = new Map<number, Uint32Array | null>();

function ones(n: number): bigint {
  return (1n << BigInt(n)) - 1n;
}

function rorE(x: bigint, r: number, e: number): bigint {
  if (r === 0) return x;
  const m = ones(e);
  return ((x >> BigInt(r)) | (x << BigInt(e - r))) & m;
}

function replicate(x: bigint, e: number): bigint {
  let r = 0n;
  for (let i = 0; i < 64; i += e) r |= x << BigInt(i);
  return r & 0xffffffffffffffffn;
}

/** ARM ARM DecodeBitMasks(immN, imms, immr, immediate). Returns null for reserved encodings. */
export function decodeBitMasks(immN: number, imms: number, immr: number, immediate: boolean, sf: number): Uint32Array | null {
  const key = (immN << 14) | (imms << 8) | (immr << 2) | (immediate ? 2 : 0) | sf;
  const hit = bmCache.get(key);
  if (hit !== undefined) return hit;
  let res: Uint32Array | null = null;
  const x = (immN << 6) | (~imms & 0x3f);
  let len = -1;
  for (let i = 6; i >= 0; i--) if ((x >> i) & 1) {
    len = i;
    break;
  }
  if (len >= 1 && !(sf === 0 && immN === 1)) {
    const levels = (1 << len) - 1;
    if (!(immediate && (imms & levels) === levels)) {
      const S = imms & levels;
      const R = immr & levels;
      const d = (S - R) & levels;
      const esize = 1 << len;
      const welem = ones(S + 1);
      const telem = ones(d + 1);
      const wmask = replicate(rorE(welem, R, esize), esize);
      const tmask = replicate(telem, esize);
      res = new Uint32Array([Number(wmask & 0xffffffffn), Number(wmask >> 32n), Number(tmask & 0xffffffffn), Number(tmask >> 32n)]);
    }
  }
  bmCache.set(key, res);
  return res;
}


/** high half of the last {@link mulWide} */
let wideHi = 0;

/**
 * 32x32 → 64 unsigned product: returns the low 32 bits, leaves the high 32 in `wideHi`. 16-bit limbs, integer
 * operations only (no `%`: a floating-point modulus is a call into fmod, which made mul64 8.5% of the crypto
 * self-test boot).
 */
function mulWide(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33, exact
  const low = a0 * b0 + (mid & 0xffff) * 65536; // < 2^33 (mid & 0xffff: ToInt32 keeps the low bits exactly)
  const lo = low >>> 0;
  wideHi = ((low - lo) / 4294967296 + Math.floor(mid / 65536) + a1 * b1) >>> 0;
  return lo;
}

/** 64x64 → high 64 (signed or unsigned), from four 32x32 products (no BigInt). */
export function mulHigh(s: CpuState, alo: number, ahi: number, blo: number, bhi: number, signed: boolean): void {
  alo >>>= 0;
  ahi >>>= 0;
  blo >>>= 0;
  bhi >>>= 0;
  mulWide(alo, blo);
  const llHi = wideHi;
  const lhLo = mulWide(alo, bhi);
  const lhHi = wideHi;
  const hlLo = mulWide(ahi, blo);
  const hlHi = wideHi;
  const hhLo = mulWide(ahi, bhi);
  const hhHi = wideHi;
  // bits 32..63 only for their carry, then 64..95 and 96..127 (each sum exact: below 2^34)
  const w1 = llHi + lhLo + hlLo;
  const w2 = lhHi + hlHi + hhLo + Math.floor(w1 / 4294967296);
  let rlo = w2 >>> 0;
  let rhi = (hhHi + Math.floor(w2 / 4294967296)) >>> 0;
  if (signed) {
    // signed high = unsigned high − (a < 0 ? b : 0) − (b < 0 ? a : 0)  (mod 2^64)
    if (ahi >= 0x80000000) {
      const t = rlo - blo;
      rhi = (rhi - bhi - (t < 0 ? 1 : 0)) >>> 0;
      rlo = t >>> 0;
    }
    if (bhi >= 0x80000000) {
      const t = rlo - alo;
      rhi = (rhi - ahi - (t < 0 ? 1 : 0)) >>> 0;
      rlo = t >>> 0;
    }
  }
  s.rlo = rlo;
  s.rhi = rhi;
}

/** 64-bit low product a*b (mod 2^64) from halves without BigInt. */
export function mul64(s: CpuState, alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = mulWide(alo >>> 0, blo >>> 0);
  s.rlo = lo;
  s.rhi = (wideHi + Math.imul(alo, bhi) + Math.imul(ahi, blo)) >>> 0;
}
