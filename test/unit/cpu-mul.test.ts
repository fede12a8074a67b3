/**
 * The 64-bit multiply helpers of the interpreter (lib/soft/cpu/alu.ts: mul64 for MUL/MADD/MSUB/*MADDL, mulHigh for
 * UMULH/SMULH) against BigInt arithmetic, on random operands biased to the edges (0, 1, all ones, the sign bits,
 * 16/32-bit limb boundaries) where carries between the partial products happen.
 */
import fc from 'fast-check';
import { mul64, mulHigh } from '../../lib/soft/cpu/alu';
import { CpuState } from '../../lib/soft/cpu/state';

const edge32 = fc.constantFrom(0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xffff0000, 0x0000ffff);
const word = fc.oneof(edge32, fc.integer({ min: 0, max: 0xffffffff }));
const u64 = fc.tuple(word, word);
const big = ([lo, hi]: [number, number]): bigint => (BigInt(hi) << 32n) | BigInt(lo);
const res = (s: CpuState): bigint => (BigInt(s.rhi >>> 0) << 32n) | BigInt(s.rlo >>> 0);

describe('64-bit multiply helpers', () => {
  const s = new CpuState();
  test('mul64: the low 64 bits of the product', () => {
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        mul64(s, a[0], a[1], b[0], b[1]);
        expect(s.rlo).toBeGreaterThanOrEqual(0);
        expect(res(s)).toBe(BigInt.asUintN(64, big(a) * big(b)));
      }),
      { numRuns: 20000 },
    );
  });
  test('mulHigh unsigned (UMULH): bits 127..64 of the product', () => {
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        mulHigh(s, a[0], a[1], b[0], b[1], false);
        expect(res(s)).toBe((big(a) * big(b)) >> 64n);
      }),
      { numRuns: 20000 },
    );
  });
  test('mulHigh signed (SMULH): bits 127..64 of the signed product', () => {
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        mulHigh(s, a[0], a[1], b[0], b[1], true);
        const p = BigInt.asIntN(64, big(a)) * BigInt.asIntN(64, big(b));
        expect(res(s)).toBe(BigInt.asUintN(64, p >> 64n));
      }),
      { numRuns: 20000 },
    );
  });
  test('operands given as int32 (the handlers pass Uint32Array values, fast paths may pass x | 0)', () => {
    mulHigh(s, -1, -1, -1, -1, false);
    expect(res(s)).toBe(0xfffffffffffffffen);
    mulHigh(s, -1, -1, -1, -1, true);
    expect(res(s)).toBe(0n);
    mul64(s, -1, -1, -1, -1);
    expect(res(s)).toBe(1n);
  });
});
