/**
 * fp.ts: FMULX (fast path against the exact path), the reciprocal / reciprocal square root estimate tables and
 * the alternative half-precision rounding, checked against the ARM ARM definitions. (The instruction-level
 * results are qemu-recorded in fpsimd-insns.test.ts and fpsimd-fp.test.ts.)
 */
import * as fp from '../../lib/soft/cpu/fp';

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const F32_EDGE = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xff812345, 0x00000001, 0x807fffff, 0x3f800000, 0x7f7fffff, 0x00800000];

describe('FMULX', () => {
  test('infinity times zero is 2.0 with the XOR of the signs, no exception', () => {
    const env = { fpcr: 0, fpsr: 0 };
    expect(fp.fpMulX(32, 0x7f800000n, 0x80000000n, env)).toBe(0xc0000000n);
    expect(fp.fpMulX(32, 0n, 0xff800000n, env)).toBe(0xc0000000n);
    expect(fp.fpMulX(64, 0xfff0000000000000n, 0x8000000000000000n, env)).toBe(0x4000000000000000n);
    expect(env.fpsr).toBe(0);
    // FMUL gives the default NaN and Invalid for the same operands
    expect(fp.fpMulN(32, 0x7f800000n, 0n, env)).toBe(0x7fc00000n);
    expect(env.fpsr).toBe(fp.FPSR_IOC);
  });
  test('FZ: a flushed denormal times infinity is 2.0 (input denormal flag set)', () => {
    const env = { fpcr: fp.FPCR_FZ, fpsr: 0 };
    expect(fp.fpMulX(32, 0x7f800000n, 0x00000001n, env)).toBe(0x40000000n);
    expect(env.fpsr).toBe(fp.FPSR_IDC);
  });
  test('the fast path equals the exact path (results and flags) on random and edge operands', () => {
    const r = prng(7);
    const fpcrs = [0, 1 << 22, 2 << 22, 3 << 22, fp.FPCR_FZ, fp.FPCR_DN];
    const bad: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const pick = (): number => (r() % 3 === 0 ? F32_EDGE[r() % F32_EDGE.length]! : r());
      const a = BigInt(pick());
      const b = BigInt(pick());
      const fpcr = fpcrs[r() % fpcrs.length]!;
      const e1 = { fpcr, fpsr: 0 };
      const e2 = { fpcr, fpsr: 0 };
      const x = fp.fpMulX(32, a, b, e1);
      const y = fp.fpMulXN(32, a, b, e2);
      if (x !== y || e1.fpsr !== e2.fpsr) bad.push(`${a.toString(16)} * ${b.toString(16)} fpcr ${fpcr.toString(16)}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('estimate tables', () => {
  test('RecipEstimate: 256..511 → 256..511, decreasing, close to 2^17 / (a + 0.5)', () => {
    let prev = Infinity;
    for (let a = 256; a < 512; a++) {
      const r = fp.recipEstimate(a);
      expect(r).toBeGreaterThanOrEqual(256);
      expect(r).toBeLessThan(512);
      expect(r).toBeLessThanOrEqual(prev);
      // the reciprocal of the interval midpoint (a + 0.5) / 512, in units of 1/256
      expect(Math.abs(r - 2 ** 17 / (a + 0.5))).toBeLessThanOrEqual(1);
      prev = r;
    }
    expect(fp.recipEstimate(256)).toBe(511);
    expect(fp.recipEstimate(511)).toBe(256);
  });
  test('RecipSqrtEstimate: 128..511 → 256..511, near 1/sqrt of the interval midpoint', () => {
    for (let a = 128; a < 512; a++) {
      const r = fp.recipSqrtEstimate(a);
      expect(r).toBeGreaterThanOrEqual(256);
      expect(r).toBeLessThan(512);
      const mid = a < 256 ? (a + 0.5) / 512 : (((a >> 1) << 1) + 1) / 512;
      expect(Math.abs(r - 256 / Math.sqrt(mid))).toBeLessThanOrEqual(1);
    }
  });
  test('FRECPE / FRSQRTE of 1.0, 4.0, -2.0 and the special values', () => {
    const env = { fpcr: 0, fpsr: 0 };
    expect(fp.fpRecipEstimateN(32, 0x3f800000n, env)).toBe(0x3f7f8000n); // 0.998046875
    expect(fp.fpRecipEstimateN(32, 0xc0000000n, env)).toBe(0xbeff8000n); // -0.4990234375
    expect(fp.fpRSqrtEstimateN(32, 0x40800000n, env)).toBe(0x3eff8000n); // 0.4990234375
    expect(env.fpsr).toBe(0);
    expect(fp.fpRecipEstimateN(32, 0x80000000n, env)).toBe(0xff800000n); // -0 → -inf, divide by zero
    expect(env.fpsr).toBe(fp.FPSR_DZC);
    env.fpsr = 0;
    expect(fp.fpRSqrtEstimateN(64, 0xbff0000000000000n, env)).toBe(0x7ff8000000000000n); // negative → default NaN
    expect(env.fpsr).toBe(fp.FPSR_IOC);
    expect(fp.fpRecpXN(32, 0x3f800000n, { fpcr: 0, fpsr: 0 })).toBe(0x40000000n); // exponent field inverted: 127 → 128
    expect(fp.unsignedRecipEstimate(0x7fffffff)).toBe(0xffffffff);
    expect(fp.unsignedRSqrtEstimate(0x3fffffff)).toBe(0xffffffff);
  });
});

describe('FCVT to alternative half precision (FPCR.AHP)', () => {
  const AHP = fp.FPCR_AHP;
  test('the sign bit does not leak into the exponent: tiny negatives round to -0 / -min', () => {
    const rn = { fpcr: AHP, fpsr: 0 };
    expect(fp.fpConvertN(64, 16, 0xb75b74910a139e8bn, rn)).toBe(0x8000n);
    expect(rn.fpsr).toBe(fp.FPSR_UFC | fp.FPSR_IXC);
    const rm = { fpcr: AHP | (2 << 22), fpsr: 0 };
    expect(fp.fpConvertN(64, 16, 0xaf4ffb1708aeb70an, rm)).toBe(0x8001n);
    expect(rm.fpsr).toBe(fp.FPSR_UFC | fp.FPSR_IXC);
  });
  test('131008 and above saturate with Invalid only; 65536..131007 are normal', () => {
    const e = { fpcr: AHP, fpsr: 0 };
    expect(fp.fpConvertN(32, 16, 0x47800000n, e)).toBe(0x7c00n); // 65536
    expect(e.fpsr).toBe(0);
    expect(fp.fpConvertN(32, 16, 0xc7ffe000n, e)).toBe(0xffffn); // -131008 = -max
    expect(e.fpsr).toBe(0);
    expect(fp.fpConvertN(32, 16, 0x48000000n, e)).toBe(0x7fffn); // 131072 saturates
    expect(e.fpsr).toBe(fp.FPSR_IOC);
    const rz = { fpcr: AHP | (3 << 22), fpsr: 0 };
    expect(fp.fpConvertN(32, 16, 0x47fff000n, rz)).toBe(0x7fffn); // 131040 rounds down to max, inexact
    expect(rz.fpsr).toBe(fp.FPSR_IXC);
  });
});
