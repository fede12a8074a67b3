/**
 * Integer ISA against an independent BigInt reference model: each instruction is assembled once
 * (aarch64-linux-gnu-as), then run on random operands (fast-check) and compared with the ARM ARM pseudocode
 * written here in BigInt. (The differential oracle in test/oracle compares against qemu on top of this.)
 */
import fc from 'fast-check';
import { describeAs, asm, machine, RAM_BASE } from './cpu-harness';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);

type Nzcv = { n: number; z: number; c: number; v: number };
function addWithCarry(a: bigint, b: bigint, cin: bigint, bits: 32 | 64): [bigint, Nzcv] {
  const mask = bits === 64 ? M64 : M32;
  const us = (a & mask) + (b & mask) + cin;
  const ss = BigInt.asIntN(bits, a) + BigInt.asIntN(bits, b) + cin;
  const r = us & mask;
  return [r, { n: Number(r >> BigInt(bits - 1)), z: r === 0n ? 1 : 0, c: r === us ? 0 : 1, v: BigInt.asIntN(bits, r) === ss ? 0 : 1 }];
}

interface Case {
  src: string;
  /** reference: inputs x1, x2, x3 and NZCV in, → x0 (and flags when `flags`) */
  ref: (a: bigint, b: bigint, c: bigint, f: Nzcv) => bigint | [bigint, Nzcv];
}

const rbit = (v: bigint, bits: number): bigint => {
  let r = 0n;
  for (let i = 0; i < bits; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
  return r;
};
const bswap = (v: bigint, bytes: number): bigint => {
  let r = 0n;
  for (let i = 0; i < bytes; i++) r |= ((v >> BigInt(8 * i)) & 0xffn) << BigInt(8 * (bytes - 1 - i));
  return r;
};
const clz = (v: bigint, bits: number): bigint => {
  for (let i = bits - 1; i >= 0; i--) if ((v >> BigInt(i)) & 1n) return BigInt(bits - 1 - i);
  return BigInt(bits);
};
const crc = (acc: bigint, data: bigint, bytes: number, poly: bigint): bigint => {
  let c = acc & M32;
  for (let i = 0; i < bytes; i++) {
    c ^= (data >> BigInt(8 * i)) & 0xffn;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
  }
  return c;
};
const cond = (f: Nzcv, code: string): boolean =>
  ({ eq: f.z === 1, ne: f.z === 0, hs: f.c === 1, lo: f.c === 0, mi: f.n === 1, pl: f.n === 0, vs: f.v === 1, vc: f.v === 0, hi: f.c === 1 && f.z === 0, ls: !(f.c === 1 && f.z === 0), ge: f.n === f.v, lt: f.n !== f.v, gt: f.z === 0 && f.n === f.v, le: !(f.z === 0 && f.n === f.v) })[code]!;

const CASES: Case[] = [
  { src: 'adds x0, x1, x2', ref: (a, b) => addWithCarry(a, b, 0n, 64) },
  { src: 'subs x0, x1, x2', ref: (a, b) => addWithCarry(a, ~b & M64, 1n, 64) },
  { src: 'adds w0, w1, w2', ref: (a, b) => addWithCarry(a, b, 0n, 32) },
  { src: 'subs w0, w1, w2, lsl #7', ref: (a, b) => addWithCarry(a, ~(b << 7n) & M32, 1n, 32) },
  { src: 'adcs x0, x1, x2', ref: (a, b, _c, f) => addWithCarry(a, b, BigInt(f.c), 64) },
  { src: 'sbcs w0, w1, w2', ref: (a, b, _c, f) => addWithCarry(a, ~b & M32, BigInt(f.c), 32) },
  { src: 'add x0, x1, w2, sxtw #3', ref: (a, b) => (a + (s32(b) << 3n)) & M64 },
  { src: 'subs x0, x1, w2, uxtb #2', ref: (a, b) => addWithCarry(a, ~((b & 0xffn) << 2n) & M64, 1n, 64) },
  { src: 'add x0, x1, x2, asr #13', ref: (a, b) => (a + (s64(b) >> 13n)) & M64 },
  { src: 'ands x0, x1, #0x00ff00ff00ff00ff', ref: (a) => { const r = a & 0x00ff00ff00ff00ffn; return [r, { n: Number(r >> 63n), z: r === 0n ? 1 : 0, c: 0, v: 0 }]; } },
  { src: 'eor w0, w1, #0xfffffff0', ref: (a) => (a ^ 0xfffffff0n) & M32 },
  { src: 'orn x0, x1, x2, ror #17', ref: (a, b) => (a | (~(((b >> 17n) | (b << 47n)) & M64) & M64)) & M64 },
  { src: 'bics w0, w1, w2, lsr #3', ref: (a, b) => { const r = a & ~((b & M32) >> 3n) & M32; return [r, { n: Number(r >> 31n), z: r === 0n ? 1 : 0, c: 0, v: 0 }]; } },
  { src: 'movk x0, #0xbeef, lsl #32', ref: (_a, _b, c) => (c & ~(0xffffn << 32n)) | (0xbeefn << 32n) },
  { src: 'movn w0, #0x1234, lsl #16', ref: () => ~(0x1234n << 16n) & M32 },
  { src: 'sbfx x0, x1, #5, #11', ref: (a) => BigInt.asUintN(64, BigInt.asIntN(11, a >> 5n)) },
  { src: 'ubfiz w0, w1, #7, #9', ref: (a) => ((a & 0x1ffn) << 7n) & M32 },
  { src: 'bfi x0, x1, #20, #30', ref: (a, _b, c) => (c & ~(((1n << 30n) - 1n) << 20n)) | ((a & ((1n << 30n) - 1n)) << 20n) },
  { src: 'bfxil w0, w1, #3, #8', ref: (a, _b, c) => ((c & M32) & ~0xffn) | ((a >> 3n) & 0xffn) },
  { src: 'sxth x0, w1', ref: (a) => BigInt.asUintN(64, BigInt.asIntN(16, a)) },
  { src: 'extr x0, x1, x2, #23', ref: (a, b) => ((b >> 23n) | (a << 41n)) & M64 },
  { src: 'extr w0, w1, w2, #5', ref: (a, b) => (((b & M32) >> 5n) | (a << 27n)) & M32 },
  { src: 'lslv x0, x1, x2', ref: (a, b) => (a << (b & 63n)) & M64 },
  { src: 'asrv w0, w1, w2', ref: (a, b) => BigInt.asUintN(32, s32(a) >> (b & 31n)) },
  { src: 'rorv x0, x1, x2', ref: (a, b) => { const n = b & 63n; return ((a >> n) | (a << ((64n - n) & 63n))) & M64 & (n === 0n ? M64 : M64); } },
  { src: 'csinc x0, x1, x2, ge', ref: (a, b, _c, f) => (cond(f, 'ge') ? a : (b + 1n) & M64) },
  { src: 'csneg w0, w1, w2, hi', ref: (a, b, _c, f) => (cond(f, 'hi') ? a & M32 : (-b) & M32) },
  { src: 'csinv x0, x1, x2, vs', ref: (a, b, _c, f) => (cond(f, 'vs') ? a : ~b & M64) },
  { src: 'ccmp x1, x2, #5, lt\n cset x0, hi', ref: (a, b, _c, f) => { const g = cond(f, 'lt') ? addWithCarry(a, ~b & M64, 1n, 64)[1] : { n: 0, z: 1, c: 0, v: 1 }; return [cond(g, 'hi') ? 1n : 0n, g]; } },
  { src: 'ccmn w1, #17, #10, eq\n cset x0, ge', ref: (a, _b, _c, f) => { const g = cond(f, 'eq') ? addWithCarry(a, 17n, 0n, 32)[1] : { n: 1, z: 0, c: 1, v: 0 }; return [cond(g, 'ge') ? 1n : 0n, g]; } },
  { src: 'madd x0, x1, x2, x3', ref: (a, b, c) => (a * b + c) & M64 },
  { src: 'msub w0, w1, w2, w3', ref: (a, b, c) => (c - (a & M32) * (b & M32)) & M32 },
  { src: 'smaddl x0, w1, w2, x3', ref: (a, b, c) => BigInt.asUintN(64, s32(a) * s32(b) + c) },
  { src: 'umsubl x0, w1, w2, x3', ref: (a, b, c) => BigInt.asUintN(64, c - (a & M32) * (b & M32)) },
  { src: 'smulh x0, x1, x2', ref: (a, b) => BigInt.asUintN(64, (s64(a) * s64(b)) >> 64n) },
  { src: 'umulh x0, x1, x2', ref: (a, b) => ((a * b) >> 64n) & M64 },
  { src: 'udiv x0, x1, x2', ref: (a, b) => (b === 0n ? 0n : a / b) },
  { src: 'sdiv w0, w1, w2', ref: (a, b) => (s32(b) === 0n ? 0n : BigInt.asUintN(32, s32(a) / s32(b))) },
  { src: 'sdiv x0, x1, x2', ref: (a, b) => (b === 0n ? 0n : BigInt.asUintN(64, s64(a) / s64(b))) },
  { src: 'clz x0, x1', ref: (a) => clz(a, 64) },
  { src: 'cls w0, w1', ref: (a) => { const w = a & M32; return clz((w ^ (w >> 1n)) & 0x7fffffffn, 31); } },
  { src: 'rbit x0, x1', ref: (a) => rbit(a, 64) },
  { src: 'rev x0, x1', ref: (a) => bswap(a, 8) },
  { src: 'rev16 w0, w1', ref: (a) => (bswap(a & 0xffffn, 2) | (bswap((a >> 16n) & 0xffffn, 2) << 16n)) },
  { src: 'rev32 x0, x1', ref: (a) => bswap(a & M32, 4) | (bswap(a >> 32n, 4) << 32n) },
  { src: 'crc32b w0, w1, w2', ref: (a, b) => crc(a, b, 1, 0xedb88320n) },
  { src: 'crc32cx w0, w1, x2', ref: (a, b) => crc(a, b, 8, 0x82f63b78n) },
  { src: 'crc32h w0, w1, w2', ref: (a, b) => crc(a, b, 2, 0xedb88320n) },
];

const u64 = fc.oneof(
  fc.bigUintN(64),
  fc.constantFrom(0n, 1n, M64, 1n << 63n, (1n << 63n) - 1n, M32, 1n << 31n, 0x80000000n),
);

describeAs('integer ISA vs the BigInt reference', () => {
  test.each(CASES.map((c) => [c.src.replace(/\n\s*/g, '; '), c] as const))('%s', (_n, c) => {
    const code = asm(`${c.src}\nhvc #0`);
    const m = machine(code);
    fc.assert(
      fc.property(u64, u64, u64, fc.integer({ min: 0, max: 15 }), (a, b, x3, nzcv) => {
        m.cpu.setPc(BigInt(RAM_BASE));
        m.cpu.setX(0, x3);
        m.cpu.setX(1, a);
        m.cpu.setX(2, b);
        m.cpu.setX(3, x3);
        m.cpu.setPstate(0x3c5n | (BigInt(nzcv) << 28n));
        const f: Nzcv = { n: (nzcv >> 3) & 1, z: (nzcv >> 2) & 1, c: (nzcv >> 1) & 1, v: nzcv & 1 };
        expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
        const r = c.ref(a, b, x3, f);
        const [want, flags] = Array.isArray(r) ? r : [r, f];
        expect(m.cpu.getX(0).toString(16)).toBe(want.toString(16));
        const got = Number(m.cpu.getPstate() >> 28n);
        expect(got).toBe((flags.n << 3) | (flags.z << 2) | (flags.c << 1) | flags.v);
      }),
      { numRuns: 150 },
    );
  });
});

describeAs('branches and PC-relative', () => {
  test('B/BL/B.cond/CBZ/CBNZ/TBZ/TBNZ/BR/BLR/RET/ADR/ADRP', () => {
    const m = machine(
      asm(`
      mov x0, #0
      bl f            // x30 = return
      cbz x0, bad
      cbnz x5, bad
      tbz x6, #40, bad
      tbnz x6, #3, bad
      cmp x0, #1
      b.ne bad
      adr x7, data
      adrp x8, data
      adr x9, g
      blr x9
      b end
    f: add x0, x0, #1
      ret
    g: mov x10, x30
      ret
    bad: hvc #1
    end: hvc #0
    data: .quad 0
    `),
    );
    m.cpu.setX(6, 1n << 40n);
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    const base = BigInt(RAM_BASE);
    expect(m.cpu.getX(8)).toBe(m.cpu.getX(7) & ~0xfffn);
    expect(m.cpu.getX(7)).toBeGreaterThan(base);
    expect(m.cpu.getX(10)).toBe(base + 48n); // after the blr
  });
});

describeAs('loads and stores', () => {
  test('addressing modes, sizes, sign extension, pairs and writeback', () => {
    const m = machine(
      asm(`
      ldrb w0, [x1, #1]
      ldrsb x2, [x1, #1]
      ldrsh w3, [x1, #2]
      ldr w4, [x1, #4]!
      ldrsw x5, [x1], #-4
      ldur x6, [x1, #8]
      ldr x7, [x1, x8, lsl #3]
      ldr w9, [x1, w10, sxtw #2]
      ldp x11, x12, [x1, #16]
      ldpsw x13, x14, [x1, #24]
      stp x1, x2, [sp, #-16]!
      ldp x15, x16, [sp], #16
      str x7, [x1, #64]
      strh w3, [x1, #72]
      sturb w0, [x1, #73]
      ldr x17, lit
      mov x18, sp
      hvc #0
    lit: .quad 0x0123456789abcdef
    `),
    );
    const buf = new DataView(m.ram.buffer, 0x8000);
    const bytes = [0x11, 0xf2, 0x83, 0x84, 0x85, 0x86, 0x87, 0xf8, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10];
    bytes.forEach((b, i) => buf.setUint8(i, b));
    buf.setBigUint64(16, 0x1111n, true);
    buf.setBigUint64(24, 0xfffffffe00000005n, true);
    m.cpu.setX(1, BigInt(RAM_BASE + 0x8000));
    m.cpu.setX(8, 1n);
    m.cpu.setX(10, 0xffffffffn); // -1 as sxtw → [x1 - 4]
    buf.setUint32(0, 0x8483f211, true);
    new DataView(m.ram.buffer).setUint32(0x8000 - 4, 0xcafef00d, true);
    const sp = m.cpu.getSp(1);
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    const x = (n: number): bigint => m.cpu.getX(n);
    expect(x(0)).toBe(0xf2n);
    expect(x(2)).toBe(0xfffffffffffffff2n);
    expect(x(3)).toBe(0xffff8483n);
    expect(x(4)).toBe(0xf8878685n);
    expect(x(5)).toBe(0xfffffffff8878685n);
    expect(x(1)).toBe(BigInt(RAM_BASE + 0x8000));
    expect(x(6)).toBe(0x100f0e0d0c0b0a09n);
    expect(x(7)).toBe(0x100f0e0d0c0b0a09n);
    expect(x(9)).toBe(0xcafef00dn);
    expect(x(11)).toBe(0x1111n);
    expect(x(13)).toBe(5n);
    expect(x(14)).toBe(0xfffffffffffffffen);
    expect(x(15)).toBe(BigInt(RAM_BASE + 0x8000));
    expect(x(16)).toBe(0xfffffffffffffff2n);
    expect(x(17)).toBe(0x0123456789abcdefn);
    expect(x(18)).toBe(sp);
    expect(buf.getBigUint64(64, true)).toBe(0x100f0e0d0c0b0a09n);
    expect(buf.getUint16(72, true)).toBe(0xf283); // strh 0x8483, then sturb 0xf2 over byte 73
    expect(buf.getUint8(73)).toBe(0xf2);
  });
});
