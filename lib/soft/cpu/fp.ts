/**
 * IEEE 754 floating point exactly as the ARMv8-A pseudocode (shared/functions/float) defines it, for the
 * AArch64 interpreter's scalar FP and AdvSIMD instructions.
 *
 * Operands and results are bit patterns: half and single precision as `number` (u16 / u32), double
 * precision as `bigint` (u64). Every operation takes an {@link FpEnv} (FPCR in, FPSR cumulative flags out).
 *
 * Two paths:
 * - the exact path (`*N` functions, generic over 16/32/64 bits): operands unpacked to sign * mant * 2^exp with
 *   BigInt mantissas, the exact real result (or a truncated quotient/root plus a sticky bit) and the ARM ARM
 *   FPRound (flush-to-zero, underflow before rounding, all rounding modes, overflow, inexact);
 * - fast paths for the common case (round to nearest, FZ = 0, finite operands) on JS doubles. They are used only
 *   where the JS result is provably the correctly rounded one and the flags can be derived exactly (error-free
 *   transformations), and fall back to the exact path otherwise. test/unit/fpsimd-fp.test.ts cross-checks them.
 *
 * Floating-point exception trapping (FPCR.{IOE,DZE,OFE,UFE,IXE,IDE}) is not implemented (as on Cortex-A57:
 * the enable bits are RAZ/WI), so every exception only sets its cumulative FPSR bit.
 */

/** The FP environment: FPCR (read) and FPSR (cumulative flags are ORed in). */
export interface FpEnv {
  fpcr: number;
  fpsr: number;
}

// ---- FPSR cumulative exception bits
export const FPSR_IOC = 1 << 0;
export const FPSR_DZC = 1 << 1;
export const FPSR_OFC = 1 << 2;
export const FPSR_UFC = 1 << 3;
export const FPSR_IXC = 1 << 4;
export const FPSR_IDC = 1 << 7;
export const FPSR_QC = 1 << 27;

// ---- FPCR control bits
export const FPCR_AHP = 1 << 26;
export const FPCR_DN = 1 << 25;
export const FPCR_FZ = 1 << 24;
export const FPCR_RMODE_SHIFT = 22;

// ---- rounding modes (FPRounding_*); the first four equal FPCR.RMode
export const RN = 0; // TIEEVEN
export const RP = 1; // POSINF
export const RM = 2; // NEGINF
export const RZ = 3; // ZERO
export const RA = 4; // TIEAWAY
export const RO = 5; // ODD

/** FPRoundingMode(FPCR) */
export function roundingMode(env: FpEnv): number {
  return (env.fpcr >>> FPCR_RMODE_SHIFT) & 3;
}

// ---- formats
export type Width = 16 | 32 | 64;
interface Fmt {
  readonly N: Width;
  readonly E: number;
  readonly F: number;
  readonly minExp: number;
  readonly bias: number;
  readonly expMax: number; // all-ones exponent field
}
const FMT16: Fmt = { N: 16, E: 5, F: 10, minExp: -14, bias: 15, expMax: 31 };
const FMT32: Fmt = { N: 32, E: 8, F: 23, minExp: -126, bias: 127, expMax: 255 };
const FMT64: Fmt = { N: 64, E: 11, F: 52, minExp: -1022, bias: 1023, expMax: 2047 };
function fmtOf(n: Width): Fmt {
  return n === 64 ? FMT64 : n === 32 ? FMT32 : FMT16;
}

// ---- unpacked values
const T_ZERO = 0;
const T_NONZERO = 1;
const T_INF = 2;
const T_QNAN = 3;
const T_SNAN = 4;

/** A value sign * mant * 2^exp (mant > 0 for T_NONZERO). */
interface Unpacked {
  type: number;
  sign: number;
  mant: bigint;
  exp: number;
}

function fzFor(f: Fmt, env: FpEnv): boolean {
  // FZ16 does not exist in ARMv8.0: half-precision values are never flushed.
  return f.N !== 16 && (env.fpcr & FPCR_FZ) !== 0;
}

/** FPUnpack (FPUnpackCV when `fz` is false for half precision, which it always is here). */
function unpack(f: Fmt, bits: bigint, env: FpEnv, ahp = false): Unpacked {
  const sign = Number((bits >> BigInt(f.N - 1)) & 1n);
  const e = Number((bits >> BigInt(f.F)) & BigInt(f.expMax));
  const frac = bits & ((1n << BigInt(f.F)) - 1n);
  if (e === 0) {
    if (frac === 0n) return { type: T_ZERO, sign, mant: 0n, exp: 0 };
    if (fzFor(f, env)) {
      env.fpsr |= FPSR_IDC;
      return { type: T_ZERO, sign, mant: 0n, exp: 0 };
    }
    return { type: T_NONZERO, sign, mant: frac, exp: f.minExp - f.F };
  }
  if (e === f.expMax && !(ahp && f.N === 16)) {
    if (frac === 0n) return { type: T_INF, sign, mant: 0n, exp: 0 };
    const quiet = (frac >> BigInt(f.F - 1)) & 1n;
    return { type: quiet ? T_QNAN : T_SNAN, sign, mant: 0n, exp: 0 };
  }
  return { type: T_NONZERO, sign, mant: frac | (1n << BigInt(f.F)), exp: e - f.bias - f.F };
}

function isNaNType(t: number): boolean {
  return t === T_QNAN || t === T_SNAN;
}

function defaultNaN(f: Fmt): bigint {
  return (BigInt(f.expMax) << BigInt(f.F)) | (1n << BigInt(f.F - 1));
}
function infinity(f: Fmt, sign: number): bigint {
  return (BigInt(sign) << BigInt(f.N - 1)) | (BigInt(f.expMax) << BigInt(f.F));
}
function zero(f: Fmt, sign: number): bigint {
  return BigInt(sign) << BigInt(f.N - 1);
}
function maxNormal(f: Fmt, sign: number): bigint {
  return (BigInt(sign) << BigInt(f.N - 1)) | (BigInt(f.expMax - 1) << BigInt(f.F)) | ((1n << BigInt(f.F)) - 1n);
}

/** FPProcessNaN */
function processNaN(f: Fmt, type: number, op: bigint, env: FpEnv): bigint {
  let r = op;
  if (type === T_SNAN) {
    r |= 1n << BigInt(f.F - 1);
    env.fpsr |= FPSR_IOC;
  }
  if (env.fpcr & FPCR_DN) r = defaultNaN(f);
  return r;
}

/** FPProcessNaNs: undefined when neither operand is a NaN. */
function processNaNs(f: Fmt, a: Unpacked, b: Unpacked, opA: bigint, opB: bigint, env: FpEnv): bigint | undefined {
  if (a.type === T_SNAN) return processNaN(f, a.type, opA, env);
  if (b.type === T_SNAN) return processNaN(f, b.type, opB, env);
  if (a.type === T_QNAN) return processNaN(f, a.type, opA, env);
  if (b.type === T_QNAN) return processNaN(f, b.type, opB, env);
  return undefined;
}

function processNaNs3(
  f: Fmt, a: Unpacked, b: Unpacked, c: Unpacked, opA: bigint, opB: bigint, opC: bigint, env: FpEnv,
): bigint | undefined {
  if (a.type === T_SNAN) return processNaN(f, a.type, opA, env);
  if (b.type === T_SNAN) return processNaN(f, b.type, opB, env);
  if (c.type === T_SNAN) return processNaN(f, c.type, opC, env);
  if (a.type === T_QNAN) return processNaN(f, a.type, opA, env);
  if (b.type === T_QNAN) return processNaN(f, b.type, opB, env);
  if (c.type === T_QNAN) return processNaN(f, c.type, opC, env);
  return undefined;
}

function bitLength(x: bigint): number {
  // x > 0
  const s = x.toString(16);
  const top = parseInt(s[0] as string, 16);
  return (s.length - 1) * 4 + (32 - Math.clz32(top));
}

/**
 * FPRound of the real value (-1)^sign * (mant + sticky') * 2^exp, where sticky means "plus something in (0, 1)".
 * When sticky is set, mant must carry at least F + 2 significant bits so the sticky part lies below the
 * rounding position. mant > 0.
 */
function roundReal(f: Fmt, sign: number, mant: bigint, exp: number, sticky: boolean, env: FpEnv, rounding: number): bigint {
  const exponent = exp + bitLength(mant) - 1; // value in [2^exponent, 2^(exponent+1))
  if (fzFor(f, env) && exponent < f.minExp) {
    env.fpsr |= FPSR_UFC;
    return zero(f, sign);
  }
  let biasedExp = Math.max(exponent - f.minExp + 1, 0);
  const eUnit = biasedExp === 0 ? f.minExp : exponent; // exponent of the leading bit position
  const s = exp + f.F - eUnit; // int_mant = floor(mant * 2^s)
  let intMant: bigint;
  // error class: 0 = exact, 1 = below half, 2 = exactly half, 3 = above half
  let err: number;
  if (s >= 0) {
    intMant = mant << BigInt(s);
    err = sticky ? 1 : 0; // only reachable with sticky when the caller gave too few bits (never here)
  } else {
    const k = BigInt(-s);
    intMant = mant >> k;
    const rem = mant & ((1n << k) - 1n);
    const half = 1n << (k - 1n);
    if (rem === 0n) err = sticky ? 1 : 0;
    else if (rem < half) err = 1;
    else if (rem === half) err = sticky ? 3 : 2;
    else err = 3;
  }
  if (biasedExp === 0 && err !== 0) env.fpsr |= FPSR_UFC;
  let roundUp: boolean;
  let overflowToInf: boolean;
  switch (rounding) {
    case RN:
      roundUp = err === 3 || (err === 2 && (intMant & 1n) === 1n);
      overflowToInf = true;
      break;
    case RP:
      roundUp = err !== 0 && sign === 0;
      overflowToInf = sign === 0;
      break;
    case RM:
      roundUp = err !== 0 && sign === 1;
      overflowToInf = sign === 1;
      break;
    case RA: // only FPRoundInt/FPToFixed use TIEAWAY; kept for completeness
      roundUp = err >= 2;
      overflowToInf = true;
      break;
    default: // RZ, RO
      roundUp = false;
      overflowToInf = false;
      break;
  }
  if (roundUp) {
    intMant += 1n;
    if (intMant === 1n << BigInt(f.F)) biasedExp = 1;
    if (intMant === 1n << BigInt(f.F + 1)) {
      biasedExp += 1;
      intMant >>= 1n;
    }
  }
  if (err !== 0 && rounding === RO) intMant |= 1n;
  let result: bigint;
  if (biasedExp >= f.expMax) {
    result = overflowToInf ? infinity(f, sign) : maxNormal(f, sign);
    env.fpsr |= FPSR_OFC;
    err = 1;
  } else {
    result = (BigInt(sign) << BigInt(f.N - 1)) | (BigInt(biasedExp) << BigInt(f.F)) | (intMant & ((1n << BigInt(f.F)) - 1n));
  }
  if (err !== 0) env.fpsr |= FPSR_IXC;
  return result;
}

/** Rounds the exact value (-1)^sign * |m| * 2^exp where m may be 0 (then the rounding-mode zero). */
function roundExactSum(f: Fmt, m: bigint, exp: number, env: FpEnv, rounding: number): bigint {
  if (m === 0n) return zero(f, rounding === RM ? 1 : 0);
  return m < 0n ? roundReal(f, 1, -m, exp, false, env, rounding) : roundReal(f, 0, m, exp, false, env, rounding);
}

/** sign-applied mantissas aligned to a common exponent */
function signedAdd(a: Unpacked, b: Unpacked, negB: boolean): { m: bigint; exp: number } {
  const e = Math.min(a.exp, b.exp);
  let ma = a.mant << BigInt(a.exp - e);
  let mb = b.mant << BigInt(b.exp - e);
  if (a.sign) ma = -ma;
  if (b.sign !== (negB ? 1 : 0)) mb = -mb;
  return { m: ma + mb, exp: e };
}

// ======================================================================================
// Generic (exact) operations. Bits as bigint for every width.

export function fpAddN(n: Width, op1: bigint, op2: bigint, env: FpEnv, sub = false): bigint {
  const f = fmtOf(n);
  const rounding = roundingMode(env);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  const nan = processNaNs(f, a, b, op1, op2, env);
  if (nan !== undefined) return nan;
  const s2 = sub ? b.sign ^ 1 : b.sign; // effective sign of the second operand
  const inf1 = a.type === T_INF;
  const inf2 = b.type === T_INF;
  if (inf1 && inf2 && a.sign !== s2) {
    env.fpsr |= FPSR_IOC;
    return defaultNaN(f);
  }
  if ((inf1 && a.sign === 0) || (inf2 && s2 === 0)) return infinity(f, 0);
  if ((inf1 && a.sign === 1) || (inf2 && s2 === 1)) return infinity(f, 1);
  if (a.type === T_ZERO && b.type === T_ZERO && a.sign === s2) return zero(f, a.sign);
  const r = signedAdd(a, b, sub);
  return roundExactSum(f, r.m, r.exp, env, rounding);
}

export function fpSubN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return fpAddN(n, op1, op2, env, true);
}

export function fpMulN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  const nan = processNaNs(f, a, b, op1, op2, env);
  if (nan !== undefined) return nan;
  const sign = a.sign ^ b.sign;
  if ((a.type === T_INF && b.type === T_ZERO) || (a.type === T_ZERO && b.type === T_INF)) {
    env.fpsr |= FPSR_IOC;
    return defaultNaN(f);
  }
  if (a.type === T_INF || b.type === T_INF) return infinity(f, sign);
  if (a.type === T_ZERO || b.type === T_ZERO) return zero(f, sign);
  return roundReal(f, sign, a.mant * b.mant, a.exp + b.exp, false, env, roundingMode(env));
}

export function fpDivN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  const nan = processNaNs(f, a, b, op1, op2, env);
  if (nan !== undefined) return nan;
  const sign = a.sign ^ b.sign;
  if ((a.type === T_INF && b.type === T_INF) || (a.type === T_ZERO && b.type === T_ZERO)) {
    env.fpsr |= FPSR_IOC;
    return defaultNaN(f);
  }
  if (a.type === T_INF || b.type === T_ZERO) {
    if (a.type !== T_INF) env.fpsr |= FPSR_DZC;
    return infinity(f, sign);
  }
  if (a.type === T_ZERO || b.type === T_INF) return zero(f, sign);
  // quotient with at least F + 3 significant bits, plus a sticky remainder
  const k = Math.max(0, f.F + 4 + bitLength(b.mant) - bitLength(a.mant));
  const num = a.mant << BigInt(k);
  const q = num / b.mant;
  const rem = num - q * b.mant;
  return roundReal(f, sign, q, a.exp - b.exp - k, rem !== 0n, env, roundingMode(env));
}

function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  // initial estimate from a double, then Newton from above
  let r = BigInt(Math.floor(Math.sqrt(Number(x)))) + 1n;
  if (r <= 0n || !Number.isFinite(Number(x))) r = 1n << BigInt(Math.ceil(bitLength(x) / 2));
  for (;;) {
    const nr = (r + x / r) >> 1n;
    if (nr >= r) break;
    r = nr;
  }
  while (r * r > x) r -= 1n;
  while ((r + 1n) * (r + 1n) <= x) r += 1n;
  return r;
}

export function fpSqrtN(n: Width, op: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op, env);
  if (isNaNType(a.type)) return processNaN(f, a.type, op, env);
  if (a.type === T_ZERO) return zero(f, a.sign);
  if (a.type === T_INF && a.sign === 0) return infinity(f, 0);
  if (a.sign === 1) {
    env.fpsr |= FPSR_IOC;
    return defaultNaN(f);
  }
  // make the mantissa at least 2 * (F + 4) bits with an even exponent
  let shift = Math.max(0, 2 * (f.F + 4) - bitLength(a.mant));
  if ((a.exp - shift) & 1) shift += 1;
  const m = a.mant << BigInt(shift);
  const r = isqrt(m);
  return roundReal(f, 0, r, (a.exp - shift) / 2, r * r !== m, env, roundingMode(env));
}

/** FPMulAdd: addend + op1 * op2 with a single rounding (FMADD; the callers negate for FMSUB/FNMADD/FNMSUB). */
export function fpMulAddN(n: Width, addend: bigint, op1: bigint, op2: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const rounding = roundingMode(env);
  const c = unpack(f, addend, env);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  const inf1 = a.type === T_INF;
  const inf2 = b.type === T_INF;
  const zero1 = a.type === T_ZERO;
  const zero2 = b.type === T_ZERO;
  let nan = processNaNs3(f, c, a, b, addend, op1, op2, env);
  if (c.type === T_QNAN && ((inf1 && zero2) || (zero1 && inf2))) {
    env.fpsr |= FPSR_IOC;
    nan = defaultNaN(f);
  }
  if (nan !== undefined) return nan;
  const infA = c.type === T_INF;
  const zeroA = c.type === T_ZERO;
  const signP = a.sign ^ b.sign;
  const infP = inf1 || inf2;
  const zeroP = zero1 || zero2;
  if ((inf1 && zero2) || (zero1 && inf2) || (infA && infP && c.sign !== signP)) {
    env.fpsr |= FPSR_IOC;
    return defaultNaN(f);
  }
  if ((infA && c.sign === 0) || (infP && signP === 0)) return infinity(f, 0);
  if ((infA && c.sign === 1) || (infP && signP === 1)) return infinity(f, 1);
  if (zeroA && zeroP && c.sign === signP) return zero(f, c.sign);
  const p: Unpacked = { type: zeroP ? T_ZERO : T_NONZERO, sign: signP, mant: zeroP ? 0n : a.mant * b.mant, exp: zeroP ? 0 : a.exp + b.exp };
  const cc: Unpacked = zeroA ? { type: T_ZERO, sign: c.sign, mant: 0n, exp: 0 } : c;
  const r = signedAdd(cc, p, false);
  return roundExactSum(f, r.m, r.exp, env, rounding);
}

/** -1, 0, 1 comparison of two non-NaN unpacked values (zeros of either sign compare equal) */
function cmpValues(a: Unpacked, b: Unpacked): number {
  const za = a.type === T_ZERO;
  const zb = b.type === T_ZERO;
  if (za && zb) return 0;
  const sa = za ? 0 : a.sign ? -1 : 1;
  const sb = zb ? 0 : b.sign ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  // same nonzero sign
  let mag: number;
  if (a.type === T_INF || b.type === T_INF) {
    mag = a.type === b.type ? 0 : a.type === T_INF ? 1 : -1;
  } else {
    const e = Math.min(a.exp, b.exp);
    const ma = a.mant << BigInt(a.exp - e);
    const mb = b.mant << BigInt(b.exp - e);
    mag = ma === mb ? 0 : ma > mb ? 1 : -1;
  }
  return sa < 0 ? -mag : mag;
}

function maxMin(n: Width, op1: bigint, op2: bigint, env: FpEnv, isMax: boolean): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  const nan = processNaNs(f, a, b, op1, op2, env);
  if (nan !== undefined) return nan;
  const c = cmpValues(a, b);
  const pick1 = isMax ? c > 0 : c < 0;
  const r = pick1 ? a : b;
  if (r.type === T_INF) return infinity(f, r.sign);
  if (r.type === T_ZERO) return zero(f, isMax ? a.sign & b.sign : a.sign | b.sign);
  return roundReal(f, r.sign, r.mant, r.exp, false, env, roundingMode(env));
}

export function fpMaxN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return maxMin(n, op1, op2, env, true);
}
export function fpMinN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return maxMin(n, op1, op2, env, false);
}

function numVariant(n: Width, op1: bigint, op2: bigint, env: FpEnv, isMax: boolean): bigint {
  const f = fmtOf(n);
  const t1 = unpack(f, op1, { fpcr: env.fpcr, fpsr: 0 }).type;
  const t2 = unpack(f, op2, { fpcr: env.fpcr, fpsr: 0 }).type;
  // a single quiet NaN is treated as -Infinity (max) / +Infinity (min)
  const sub = infinity(f, isMax ? 1 : 0);
  if (t1 === T_QNAN && t2 !== T_QNAN) op1 = sub;
  else if (t1 !== T_QNAN && t2 === T_QNAN) op2 = sub;
  return maxMin(n, op1, op2, env, isMax);
}
export function fpMaxNumN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return numVariant(n, op1, op2, env, true);
}
export function fpMinNumN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return numVariant(n, op1, op2, env, false);
}

/** FPCompare: NZCV as a 4-bit number (N=8, Z=4, C=2, V=1). `signalNaNs` for FCMPE. */
export function fpCompareN(n: Width, op1: bigint, op2: bigint, signalNaNs: boolean, env: FpEnv): number {
  const f = fmtOf(n);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  if (isNaNType(a.type) || isNaNType(b.type)) {
    if (a.type === T_SNAN || b.type === T_SNAN || signalNaNs) env.fpsr |= FPSR_IOC;
    return 0b0011;
  }
  const c = cmpValues(a, b);
  return c === 0 ? 0b0110 : c < 0 ? 0b1000 : 0b0010;
}

/** FPCompareEQ / FPCompareGE / FPCompareGT for the AdvSIMD and scalar FCMxx instructions. */
export function fpCompareCondN(n: Width, op1: bigint, op2: bigint, cond: 'eq' | 'ge' | 'gt', env: FpEnv): boolean {
  const f = fmtOf(n);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  if (isNaNType(a.type) || isNaNType(b.type)) {
    if (cond !== 'eq' || a.type === T_SNAN || b.type === T_SNAN) env.fpsr |= FPSR_IOC;
    return false;
  }
  const c = cmpValues(a, b);
  return cond === 'eq' ? c === 0 : cond === 'ge' ? c >= 0 : c > 0;
}

/** floor division of the magnitude at scale 2^exp with an error class (0 exact, 1 < half, 2 half, 3 > half) */
function splitInt(mant: bigint, exp: number): { int: bigint; err: number } {
  if (exp >= 0) return { int: mant << BigInt(exp), err: 0 };
  if (-exp > bitLength(mant) + 1) return { int: 0n, err: mant === 0n ? 0 : 1 };
  const k = BigInt(-exp);
  const int = mant >> k;
  const rem = mant & ((1n << k) - 1n);
  const half = 1n << (k - 1n);
  return { int, err: rem === 0n ? 0 : rem < half ? 1 : rem === half ? 2 : 3 };
}

/** Rounds a signed value sign*(int + err) to an integer per FPRoundInt/FPToFixed (value = -(mag) for sign 1). */
function roundToInt(sign: number, int: bigint, err: number, rounding: number): bigint {
  // The pseudocode works on RoundDown(value) (toward -inf) with error = value - RoundDown(value) >= 0.
  let down: bigint;
  let e: number; // error class of (value - down)
  if (sign === 0 || err === 0) {
    down = sign ? -int : int;
    e = err;
  } else {
    down = -int - 1n;
    e = err === 2 ? 2 : err === 1 ? 3 : 1; // 1 - error
  }
  let up: boolean;
  switch (rounding) {
    case RN:
      up = e === 3 || (e === 2 && (down & 1n) === 1n);
      break;
    case RP:
      up = e !== 0;
      break;
    case RM:
      up = false;
      break;
    case RZ:
      up = e !== 0 && down < 0n;
      break;
    case RA:
      up = e === 3 || (e === 2 && down >= 0n);
      break;
    default:
      throw new RangeError(`rounding: unsupported mode ${rounding}`);
  }
  return up ? down + 1n : down;
}

/** FPRoundInt (FRINT*). `exact` raises Inexact (FRINTX). */
export function fpRoundIntN(n: Width, op: bigint, env: FpEnv, rounding: number, exact: boolean): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op, env);
  if (isNaNType(a.type)) return processNaN(f, a.type, op, env);
  if (a.type === T_INF) return infinity(f, a.sign);
  if (a.type === T_ZERO) return zero(f, a.sign);
  const { int, err } = splitInt(a.mant, a.exp);
  const r = roundToInt(a.sign, int, err, rounding);
  let result: bigint;
  if (r === 0n) result = zero(f, a.sign);
  else result = r < 0n ? roundReal(f, 1, -r, 0, false, env, RZ) : roundReal(f, 0, r, 0, false, env, RZ);
  if (err !== 0 && exact) env.fpsr |= FPSR_IXC;
  return result;
}

/**
 * FPToFixed: op (width n) times 2^fbits converted to an m-bit integer (saturating, Invalid on overflow or NaN).
 * Returns the m-bit two's complement pattern as a non-negative bigint.
 */
export function fpToFixedN(n: Width, op: bigint, fbits: number, unsigned: boolean, env: FpEnv, rounding: number, m: 32 | 64): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op, env);
  const mask = (1n << BigInt(m)) - 1n;
  const maxV = unsigned ? mask : (1n << BigInt(m - 1)) - 1n;
  const minV = unsigned ? 0n : -(1n << BigInt(m - 1));
  if (isNaNType(a.type)) {
    env.fpsr |= FPSR_IOC;
    return 0n;
  }
  if (a.type === T_INF) {
    env.fpsr |= FPSR_IOC;
    return (a.sign ? minV : maxV) & mask;
  }
  if (a.type === T_ZERO) return 0n;
  const { int, err } = splitInt(a.mant, a.exp + fbits);
  const r = roundToInt(a.sign, int, err, rounding);
  if (r > maxV || r < minV) {
    env.fpsr |= FPSR_IOC;
    return (r > maxV ? maxV : minV) & mask;
  }
  if (err !== 0) env.fpsr |= FPSR_IXC;
  return r & mask;
}

/** FixedToFP: the m-bit integer `op` (raw pattern) divided by 2^fbits, rounded to width n. */
export function fixedToFpN(n: Width, op: bigint, m: 32 | 64, fbits: number, unsigned: boolean, env: FpEnv, rounding: number): bigint {
  const f = fmtOf(n);
  let v = op & ((1n << BigInt(m)) - 1n);
  if (!unsigned && v >> BigInt(m - 1)) v -= 1n << BigInt(m);
  if (v === 0n) return zero(f, 0);
  return v < 0n ? roundReal(f, 1, -v, -fbits, false, env, rounding) : roundReal(f, 0, v, -fbits, false, env, rounding);
}

/** FPConvert between half / single / double (FCVT). Half precision uses FPCR.AHP. */
export function fpConvertN(from: Width, to: Width, op: bigint, env: FpEnv, rounding: number = roundingMode(env)): bigint {
  const fi = fmtOf(from);
  const fo = fmtOf(to);
  const ahp = (env.fpcr & FPCR_AHP) !== 0;
  const a = unpack(fi, op, env, ahp);
  const alt = to === 16 && ahp;
  if (isNaNType(a.type)) {
    let r: bigint;
    if (alt) r = zero(fo, a.sign);
    else if (env.fpcr & FPCR_DN) r = defaultNaN(fo);
    else {
      // FPConvertNaN: sign, quiet, and the top of the payload
      const payload = op & ((1n << BigInt(fi.F - 1)) - 1n); // below the quiet bit
      const shift = (fo.F - 1) - (fi.F - 1);
      const p = shift >= 0 ? payload << BigInt(shift) : payload >> BigInt(-shift);
      r = (BigInt(a.sign) << BigInt(fo.N - 1)) | (BigInt(fo.expMax) << BigInt(fo.F)) | (1n << BigInt(fo.F - 1)) | p;
    }
    if (a.type === T_SNAN || alt) env.fpsr |= FPSR_IOC;
    return r;
  }
  if (a.type === T_INF) {
    if (alt) {
      env.fpsr |= FPSR_IOC;
      return (BigInt(a.sign) << 15n) | 0x7fffn;
    }
    return infinity(fo, a.sign);
  }
  if (a.type === T_ZERO) return zero(fo, a.sign);
  if (alt) return roundAhp(a.sign, a.mant, a.exp, env, rounding);
  return roundReal(fo, a.sign, a.mant, a.exp, false, env, rounding);
}

/**
 * FPRound for the alternative half-precision format (FPCR.AHP): the all-ones exponent is an ordinary one, there
 * are no infinities, and a result whose biased exponent would reach 2^E saturates to sign:Ones(15) with Invalid
 * and no Inexact or Overflow.
 */
function roundAhp(sign: number, mant: bigint, exp: number, env: FpEnv, rounding: number): bigint {
  // Round the magnitude as IEEE half with one more exponent value (32) available. The format's exponent field
  // would reach the sign bit, so round the magnitude (sign 0) with the directed modes mirrored for negatives.
  const wide: Fmt = { N: 16, E: 5, F: 10, minExp: -14, bias: 15, expMax: 33 };
  const mag = sign === 0 ? rounding : rounding === RP ? RM : rounding === RM ? RP : rounding;
  const probe: FpEnv = { fpcr: env.fpcr, fpsr: 0 };
  const r = roundReal(wide, 0, mant, exp, false, probe, mag);
  const bexp = Number(r >> 10n);
  if (bexp >= 32) {
    env.fpsr |= FPSR_IOC;
    return (BigInt(sign) << 15n) | 0x7fffn;
  }
  env.fpsr |= probe.fpsr;
  return (BigInt(sign) << 15n) | r;
}

/** VFPExpandImm (FMOV immediate). */
export function vfpExpandImm(imm8: number, n: Width): bigint {
  const f = fmtOf(n);
  const sign = (imm8 >> 7) & 1;
  const b6 = (imm8 >> 6) & 1;
  // exp = NOT(b6) : Replicate(b6, E-3) : imm8<5:4>
  let exp = (b6 ^ 1) << (f.E - 1);
  if (b6) exp |= ((1 << (f.E - 3)) - 1) << 2;
  exp |= (imm8 >> 4) & 3;
  const frac = BigInt(imm8 & 15) << BigInt(f.F - 4);
  return (BigInt(sign) << BigInt(f.N - 1)) | (BigInt(exp) << BigInt(f.F)) | frac;
}

// ======================================================================================
// Typed entry points with fast paths. Singles/halves as number bits, doubles as bigint bits.

const buf = new ArrayBuffer(8);
const F64 = new Float64Array(buf);
const U64 = new BigUint64Array(buf);
const F32 = new Float32Array(buf);
const U32 = new Uint32Array(buf);

export function f32ToNumber(bits: number): number {
  U32[0] = bits;
  return F32[0] as number;
}
export function numberToF32(x: number): number {
  F32[0] = x;
  return U32[0] as number;
}
export function f64ToNumber(bits: bigint): number {
  U64[0] = bits;
  return F64[0] as number;
}
export function numberToF64(x: number): bigint {
  F64[0] = x;
  return U64[0] as bigint;
}

const MIN_NORMAL_32 = 2 ** -126;
const MIN_NORMAL_64 = 2 ** -1022;
/** FPCR bits that disable the fast paths: RMode != RN, FZ. (DN only matters for NaN results: slow path.) */
const SLOW_FPCR = FPCR_FZ | (3 << FPCR_RMODE_SHIFT);

const SPLIT = 134217729; // 2^27 + 1

/** The exact error of x*y - RN(x*y) when representable (see ranges at the call sites), else NaN. */
function twoProductErr(x: number, y: number, p: number): number {
  const ap = Math.abs(p);
  if (!(ap >= 2 ** -960 && ap < 2 ** 1000) || Math.abs(x) >= 2 ** 995 || Math.abs(y) >= 2 ** 995) return NaN;
  let t = SPLIT * x;
  const xh = t - (t - x);
  const xl = x - xh;
  t = SPLIT * y;
  const yh = t - (t - y);
  const yl = y - yh;
  return xh * yh - p + xh * yl + xl * yh + xl * yl;
}

function f32bin(a: number, b: number, env: FpEnv, op: number): number {
  const x = f32ToNumber(a);
  const y = f32ToNumber(b);
  if ((env.fpcr & SLOW_FPCR) === 0 && Number.isFinite(x) && Number.isFinite(y)) {
    switch (op) {
      case 0:
      case 1: {
        const yy = op === 1 ? -y : y;
        const s = x + yy;
        const r = Math.fround(s);
        if (Number.isFinite(r)) {
          const bb = s - x;
          const err = x - (s - bb) + (yy - bb);
          if (r !== s || err !== 0) env.fpsr |= FPSR_IXC;
          // an exact-zero sum of nonzero singles is +0 in RN (JS agrees); singles' sums never underflow inexactly
          return numberToF32(r);
        }
        break;
      }
      case 2: {
        const d = x * y; // exact in double
        const r = Math.fround(d);
        if (Number.isFinite(r)) {
          if (r !== d) {
            env.fpsr |= FPSR_IXC;
            if (Math.abs(d) < MIN_NORMAL_32) env.fpsr |= FPSR_UFC;
          }
          return numberToF32(r);
        }
        break;
      }
      case 3: {
        if (y !== 0 && x !== 0) {
          const r = Math.fround(x / y);
          if (Number.isFinite(r) && Math.abs(r) > MIN_NORMAL_32) {
            if (r * y !== x) env.fpsr |= FPSR_IXC; // r*y is exact in double
            return numberToF32(r);
          }
        }
        break;
      }
    }
  }
  const big = BigInt(a);
  const bigB = BigInt(b);
  switch (op) {
    case 0: return Number(fpAddN(32, big, bigB, env));
    case 1: return Number(fpSubN(32, big, bigB, env));
    case 2: return Number(fpMulN(32, big, bigB, env));
    default: return Number(fpDivN(32, big, bigB, env));
  }
}

export function f32Add(a: number, b: number, env: FpEnv): number {
  return f32bin(a, b, env, 0);
}
export function f32Sub(a: number, b: number, env: FpEnv): number {
  return f32bin(a, b, env, 1);
}
export function f32Mul(a: number, b: number, env: FpEnv): number {
  return f32bin(a, b, env, 2);
}
export function f32Div(a: number, b: number, env: FpEnv): number {
  return f32bin(a, b, env, 3);
}
export function f32Sqrt(a: number, env: FpEnv): number {
  const x = f32ToNumber(a);
  if ((env.fpcr & SLOW_FPCR) === 0 && x > 0 && x !== Infinity) {
    const r = Math.fround(Math.sqrt(x));
    if (r * r !== x) env.fpsr |= FPSR_IXC;
    return numberToF32(r);
  }
  return Number(fpSqrtN(32, BigInt(a), env));
}

function f64bin(a: bigint, b: bigint, env: FpEnv, op: number): bigint {
  if ((env.fpcr & SLOW_FPCR) === 0) {
    const x = f64ToNumber(a);
    const y = f64ToNumber(b);
    if (Number.isFinite(x) && Number.isFinite(y)) {
      switch (op) {
        case 0:
        case 1: {
          const yy = op === 1 ? -y : y;
          const s = x + yy;
          if (Number.isFinite(s)) {
            const bb = s - x;
            const err = x - (s - bb) + (yy - bb);
            if (err !== 0) env.fpsr |= FPSR_IXC;
            return numberToF64(s);
          }
          break;
        }
        case 2: {
          const p = x * y;
          if (x === 0 || y === 0) return numberToF64(p);
          if (Number.isFinite(p) && Math.abs(p) > MIN_NORMAL_64) {
            if ((env.fpsr & FPSR_IXC) === 0) {
              const e = twoProductErr(x, y, p);
              if (Number.isNaN(e)) break;
              if (e !== 0) env.fpsr |= FPSR_IXC;
            }
            return numberToF64(p);
          }
          break;
        }
        case 3: {
          if (x !== 0 && y !== 0) {
            const q = x / y;
            if (Number.isFinite(q) && Math.abs(q) > MIN_NORMAL_64) {
              if ((env.fpsr & FPSR_IXC) === 0) {
                const p = q * y;
                const e = twoProductErr(q, y, p);
                if (Number.isNaN(e)) break;
                if (p !== x || e !== 0) env.fpsr |= FPSR_IXC;
              }
              return numberToF64(q);
            }
          }
          break;
        }
      }
    }
  }
  switch (op) {
    case 0: return fpAddN(64, a, b, env);
    case 1: return fpSubN(64, a, b, env);
    case 2: return fpMulN(64, a, b, env);
    default: return fpDivN(64, a, b, env);
  }
}

export function f64Add(a: bigint, b: bigint, env: FpEnv): bigint {
  return f64bin(a, b, env, 0);
}
export function f64Sub(a: bigint, b: bigint, env: FpEnv): bigint {
  return f64bin(a, b, env, 1);
}
export function f64Mul(a: bigint, b: bigint, env: FpEnv): bigint {
  return f64bin(a, b, env, 2);
}
export function f64Div(a: bigint, b: bigint, env: FpEnv): bigint {
  return f64bin(a, b, env, 3);
}
export function f64Sqrt(a: bigint, env: FpEnv): bigint {
  if ((env.fpcr & SLOW_FPCR) === 0) {
    const x = f64ToNumber(a);
    if (x > 0 && x !== Infinity) {
      const r = Math.sqrt(x);
      if ((env.fpsr & FPSR_IXC) === 0) {
        const p = r * r;
        const e = twoProductErr(r, r, p);
        if (!Number.isNaN(e)) {
          if (p !== x || e !== 0) env.fpsr |= FPSR_IXC;
          return numberToF64(r);
        }
      } else {
        return numberToF64(r);
      }
    }
  }
  return fpSqrtN(64, a, env);
}

/** Width-generic wrappers on bigint bits for the instruction handlers (dispatch to the fast paths). */
export function fpAdd(n: Width, a: bigint, b: bigint, env: FpEnv): bigint {
  return n === 64 ? f64Add(a, b, env) : n === 32 ? BigInt(f32Add(Number(a), Number(b), env)) : fpAddN(n, a, b, env);
}
export function fpSub(n: Width, a: bigint, b: bigint, env: FpEnv): bigint {
  return n === 64 ? f64Sub(a, b, env) : n === 32 ? BigInt(f32Sub(Number(a), Number(b), env)) : fpSubN(n, a, b, env);
}
export function fpMul(n: Width, a: bigint, b: bigint, env: FpEnv): bigint {
  return n === 64 ? f64Mul(a, b, env) : n === 32 ? BigInt(f32Mul(Number(a), Number(b), env)) : fpMulN(n, a, b, env);
}
export function fpDiv(n: Width, a: bigint, b: bigint, env: FpEnv): bigint {
  return n === 64 ? f64Div(a, b, env) : n === 32 ? BigInt(f32Div(Number(a), Number(b), env)) : fpDivN(n, a, b, env);
}
export function fpSqrt(n: Width, a: bigint, env: FpEnv): bigint {
  return n === 64 ? f64Sqrt(a, env) : n === 32 ? BigInt(f32Sqrt(Number(a), env)) : fpSqrtN(n, a, env);
}

/** FPCompare with a fast path on JS doubles. */
export function fpCompare(n: Width, a: bigint, b: bigint, signalNaNs: boolean, env: FpEnv): number {
  if (n !== 16 && (env.fpcr & FPCR_FZ) === 0) {
    const x = n === 64 ? f64ToNumber(a) : f32ToNumber(Number(a));
    const y = n === 64 ? f64ToNumber(b) : f32ToNumber(Number(b));
    if (x === x && y === y) return x === y ? 0b0110 : x < y ? 0b1000 : 0b0010;
  }
  return fpCompareN(n, a, b, signalNaNs, env);
}

/** FPNeg / FPAbs (bit operations, no exceptions, NaNs included). */
export function fpNeg(n: Width, a: bigint): bigint {
  return a ^ (1n << BigInt(n - 1));
}
export function fpAbs(n: Width, a: bigint): bigint {
  return a & ((1n << BigInt(n - 1)) - 1n);
}

/**
 * Single-precision fused multiply-add fast path: the product of two singles is exact in a double, TwoSum gives
 * the exact sum as s + err, and rounding that to odd at 53 bits before Math.fround makes the final rounding
 * correct (53 >= 24 + 2).
 */
export function f32MulAdd(addend: number, op1: number, op2: number, env: FpEnv): number {
  const x = f32ToNumber(op1);
  const y = f32ToNumber(op2);
  const c = f32ToNumber(addend);
  if ((env.fpcr & SLOW_FPCR) === 0 && Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(c)) {
    const d = x * y;
    let s = d + c;
    const bb = s - d;
    const err = d - (s - bb) + (c - bb);
    if (err !== 0) {
      F64[0] = s;
      if ((U32[0]! & 1) === 0) {
        // move one ulp toward the exact value, onto the odd neighbour
        const up = (err > 0) === (s > 0);
        if (up) U32[0] = U32[0]! + 1;
        else if (U32[0] === 0) {
          U32[0] = 0xffffffff;
          U32[1] = U32[1]! - 1;
        } else U32[0] = U32[0]! - 1;
        s = F64[0]!;
      }
    }
    const r = Math.fround(s);
    if (Number.isFinite(r)) {
      if (err !== 0 || r !== s) {
        env.fpsr |= FPSR_IXC;
        if (Math.abs(s) < MIN_NORMAL_32) env.fpsr |= FPSR_UFC;
      }
      return numberToF32(r);
    }
  }
  return Number(fpMulAddN(32, BigInt(addend), BigInt(op1), BigInt(op2), env));
}

/** FPMulAdd on bigint bits with the single-precision fast path. */
export function fpMulAdd(n: Width, addend: bigint, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return n === 32 ? BigInt(f32MulAdd(Number(addend), Number(op1), Number(op2), env)) : fpMulAddN(n, addend, op1, op2, env);
}

// ======================================================================================
// FMULX, the Newton-Raphson step instructions and the reciprocal (square root) estimates (AdvSIMD / scalar).

function two(f: Fmt, sign: number): bigint {
  return (BigInt(sign) << BigInt(f.N - 1)) | (BigInt(f.bias + 1) << BigInt(f.F));
}

/** FPMulX: FPMul except that infinity times zero is 2.0 (sign: the XOR of the operands' signs), not Invalid. */
export function fpMulXN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op1, env);
  const b = unpack(f, op2, env);
  const nan = processNaNs(f, a, b, op1, op2, env);
  if (nan !== undefined) return nan;
  const sign = a.sign ^ b.sign;
  if ((a.type === T_INF && b.type === T_ZERO) || (a.type === T_ZERO && b.type === T_INF)) return two(f, sign);
  if (a.type === T_INF || b.type === T_INF) return infinity(f, sign);
  if (a.type === T_ZERO || b.type === T_ZERO) return zero(f, sign);
  return roundReal(f, sign, a.mant * b.mant, a.exp + b.exp, false, env, roundingMode(env));
}

/**
 * FPRecipStepFused (FRECPS: 2.0 - op1 * op2) and FPRSqrtStepFused (FRSQRTS: (3.0 - op1 * op2) / 2), each with a
 * single rounding. op1 is negated first, so a NaN from op1 comes back with its sign flipped; infinity times
 * zero gives 2.0 / 1.5 without Invalid.
 */
function stepFused(n: Width, op1: bigint, op2: bigint, env: FpEnv, rsqrt: boolean): bigint {
  const f = fmtOf(n);
  const nop1 = fpNeg(n, op1);
  const a = unpack(f, nop1, env);
  const b = unpack(f, op2, env);
  const nan = processNaNs(f, a, b, nop1, op2, env);
  if (nan !== undefined) return nan;
  const inf1 = a.type === T_INF;
  const inf2 = b.type === T_INF;
  const zero1 = a.type === T_ZERO;
  const zero2 = b.type === T_ZERO;
  if ((inf1 && zero2) || (zero1 && inf2)) {
    // 2.0, or 1.5 = 0 : bias : 1000...
    return rsqrt ? (BigInt(f.bias) << BigInt(f.F)) | (1n << BigInt(f.F - 1)) : two(f, 0);
  }
  if (inf1 || inf2) return infinity(f, a.sign ^ b.sign);
  // c + (-op1) * op2 exactly, c = 2 or 3, then halved for FRSQRTS
  const c: Unpacked = { type: T_NONZERO, sign: 0, mant: rsqrt ? 3n : 2n, exp: 0 };
  const p: Unpacked = zero1 || zero2
    ? { type: T_ZERO, sign: a.sign ^ b.sign, mant: 0n, exp: 0 }
    : { type: T_NONZERO, sign: a.sign ^ b.sign, mant: a.mant * b.mant, exp: a.exp + b.exp };
  const r = signedAdd(c, p, false);
  return roundExactSum(f, r.m, rsqrt ? r.exp - 1 : r.exp, env, roundingMode(env));
}
export function fpRecipStepN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return stepFused(n, op1, op2, env, false);
}
export function fpRSqrtStepN(n: Width, op1: bigint, op2: bigint, env: FpEnv): bigint {
  return stepFused(n, op1, op2, env, true);
}

/** RecipEstimate: 9-bit input 256..511 (0.5 <= x < 1 in units of 1/512) → 9-bit estimate 256..511. */
export function recipEstimate(a: number): number {
  const b = Math.floor((1 << 19) / (a * 2 + 1));
  return (b + 1) >> 1;
}

/** RecipSqrtEstimate: 9-bit input 128..511 (0.25 <= x < 1) → 9-bit estimate 256..511. */
export function recipSqrtEstimate(a0: number): number {
  // a in units of 1/512 (below 0.5) or 1/256 (0.5 and above), rounded to nearest
  const a = a0 < 256 ? a0 * 2 + 1 : (((a0 >> 1) << 1) + 1) * 2;
  // the largest b with a * b * b < 2^28: b < 2^14 / sqrt(a); the estimate is (b + 1) / 2 rounded
  let b = Math.floor(Math.sqrt(2 ** 28 / a));
  while (a * b * b >= 2 ** 28) b--;
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++;
  return (b + 1) >> 1;
}

/** FPRecipEstimate (FRECPE). */
export function fpRecipEstimateN(n: Width, op: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op, env);
  if (isNaNType(a.type)) return processNaN(f, a.type, op, env);
  if (a.type === T_INF) return zero(f, a.sign);
  if (a.type === T_ZERO) {
    env.fpsr |= FPSR_DZC;
    return infinity(f, a.sign);
  }
  // |value| = mant * 2^exp: its binary exponent
  const e2 = a.exp + bitLength(a.mant) - 1;
  if (e2 < -(f.bias + 1)) {
    // |value| < 2^-(bias+1) (2^-128, 2^-1024, 2^-16): the reciprocal overflows
    const rm = roundingMode(env);
    const toInf = rm === RN || (rm === RP && a.sign === 0) || (rm === RM && a.sign === 1);
    env.fpsr |= FPSR_OFC | FPSR_IXC;
    return toInf ? infinity(f, a.sign) : maxNormal(f, a.sign);
  }
  if (fzFor(f, env) && e2 >= f.bias - 1) {
    env.fpsr |= FPSR_UFC;
    return zero(f, a.sign);
  }
  let exp = Number((op >> BigInt(f.F)) & BigInt(f.expMax));
  let frac = op & ((1n << BigInt(f.F)) - 1n);
  const fmask = (1n << BigInt(f.F)) - 1n;
  if (exp === 0) {
    if (((frac >> BigInt(f.F - 1)) & 1n) === 0n) {
      exp = -1;
      frac = (frac << 2n) & fmask;
    } else frac = (frac << 1n) & fmask;
  }
  const scaled = 256 | Number(frac >> BigInt(f.F - 8));
  let rexp = 2 * f.bias - 1 - exp;
  const est = recipEstimate(scaled);
  let rfrac = BigInt(est & 0xff) << BigInt(f.F - 8);
  if (rexp === 0) rfrac = (1n << BigInt(f.F - 1)) | (rfrac >> 1n);
  else if (rexp === -1) {
    rfrac = (1n << BigInt(f.F - 2)) | (rfrac >> 2n);
    rexp = 0;
  }
  return (BigInt(a.sign) << BigInt(f.N - 1)) | (BigInt(rexp) << BigInt(f.F)) | rfrac;
}

/** FPRSqrtEstimate (FRSQRTE). */
export function fpRSqrtEstimateN(n: Width, op: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op, env);
  if (isNaNType(a.type)) return processNaN(f, a.type, op, env);
  if (a.type === T_ZERO) {
    env.fpsr |= FPSR_DZC;
    return infinity(f, a.sign);
  }
  if (a.sign === 1) {
    env.fpsr |= FPSR_IOC;
    return defaultNaN(f);
  }
  if (a.type === T_INF) return zero(f, 0);
  let exp = Number((op >> BigInt(f.F)) & BigInt(f.expMax));
  let frac = op & ((1n << BigInt(f.F)) - 1n);
  const fmask = (1n << BigInt(f.F)) - 1n;
  const top = 1n << BigInt(f.F - 1);
  if (exp === 0) {
    while ((frac & top) === 0n) {
      frac = (frac << 1n) & fmask;
      exp -= 1;
    }
    frac = (frac << 1n) & fmask;
  }
  const scaled = (exp & 1) === 0 ? 256 | Number(frac >> BigInt(f.F - 8)) : 128 | Number(frac >> BigInt(f.F - 7));
  const rexp = Math.floor((3 * f.bias - 1 - exp) / 2);
  const est = recipSqrtEstimate(scaled);
  return (BigInt(rexp) << BigInt(f.F)) | (BigInt(est & 0xff) << BigInt(f.F - 8));
}

/** FPRecpX (FRECPX): the exponent inverted, fraction zero; zeros and denormals give the largest exponent. */
export function fpRecpXN(n: Width, op: bigint, env: FpEnv): bigint {
  const f = fmtOf(n);
  const a = unpack(f, op, env);
  if (isNaNType(a.type)) return processNaN(f, a.type, op, env);
  const exp = Number((op >> BigInt(f.F)) & BigInt(f.expMax));
  const rexp = exp === 0 ? f.expMax - 1 : ~exp & f.expMax;
  return (BigInt(a.sign) << BigInt(f.N - 1)) | (BigInt(rexp) << BigInt(f.F));
}

/** UnsignedRecipEstimate (URECPE) on a 32-bit lane. */
export function unsignedRecipEstimate(x: number): number {
  if ((x >>> 31) === 0) return 0xffffffff;
  return (recipEstimate(x >>> 23) << 23) >>> 0;
}

/** UnsignedRSqrtEstimate (URSQRTE) on a 32-bit lane. */
export function unsignedRSqrtEstimate(x: number): number {
  if ((x >>> 30) === 0) return 0xffffffff;
  return (recipSqrtEstimate(x >>> 23) << 23) >>> 0;
}

/** FMULX with the FMUL fast paths: only infinity times zero (and FZ, which can make a zero) differ from FMUL. */
export function fpMulX(n: Width, a: bigint, b: bigint, env: FpEnv): bigint {
  if ((env.fpcr & FPCR_FZ) === 0) {
    const f = fmtOf(n);
    const mag = (1n << BigInt(n - 1)) - 1n;
    const inf = BigInt(f.expMax) << BigInt(f.F);
    const ma = a & mag;
    const mb = b & mag;
    if (!((ma === inf && mb === 0n) || (ma === 0n && mb === inf))) return fpMul(n, a, b, env);
  }
  return fpMulXN(n, a, b, env);
}
