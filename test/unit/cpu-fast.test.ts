/**
 * The executor's fast paths (lib/soft/cpu/fast.ts) against the row handlers they stand in for: the same word run
 * on a CPU whose decoder specializes (createCpu) and on one whose decoder does not (every word through its row
 * handler) must leave the same registers, flags, PC, stop, retired count, exception state and memory. Words come
 * from every row that has fast paths (random field bits), registers from values that hit RAM, page and 2^32
 * boundaries, MMIO space and misaligned SPs, with SCTLR_EL1.A/SA on or off.
 */
import fc from 'fast-check';
import { createCpu, getDecoder } from '../../lib/soft/cpu';
import { Core } from '../../lib/soft/cpu/core';
import { Decoder } from '../../lib/soft/cpu/decoder';
import { ALL_ROWS } from '../../lib/soft/cpu/insns';
import { RAM_BASE, TestBus, TestClock, words } from './cpu-harness';

const FAST_ROWS = ['ADDSUB_imm', 'ADDSUB_shifted', 'LOGIC_shifted', 'LOGIC_imm', 'MOVW', 'B', 'BL', 'B_cond', 'CBZ', 'TBZ', 'BR', 'RET', 'LDST_uimm', 'LDST_imm_wb', 'LDST_reg', 'LDSTP', 'CSEL', 'HINT', 'DSB', 'DMB', 'ISB', 'ADRP', 'BITFIELD', 'ADC', 'DP3'];
const RAM_SIZE = 256 * 1024;
const CODE = 0x20000;

const plainDecoder = new Decoder(ALL_ROWS, (c) => c.undef());
const fastDecoder = getDecoder();
const rows = FAST_ROWS.map((n) => {
  const r = fastDecoder.rows.find((x) => x.name === n);
  if (r === undefined) throw new Error(`no decoder row ${n}`);
  return r;
});

function setup(fast: boolean): { cpu: Core; bus: TestBus; ram: Uint8Array } {
  const bus = new TestBus();
  const ram = bus.addRam(RAM_BASE, RAM_SIZE);
  bus.handled.set(0x09000000, 0x1122334455667788n);
  const clock = new TestClock();
  const cpu = fast ? (createCpu({ bus, clock }) as Core) : new Core({ bus, clock }, plainDecoder);
  return { cpu, bus, ram };
}

/** Register-number fields ([4:0], [9:5], [14:10], [20:16]) drawn from {0, 1, 31} half of the time, so that
 * operands alias (Rt = Rn, Rt2 = Rn, XZR/SP) often enough to reach the handlers' special cases. */
const smallRegs = fc.array(fc.constantFrom(0, 1, 31), { minLength: 4, maxLength: 4 }).map(([a, b, c2, d]) => (a! | (b! << 5) | (c2! << 10) | (d! << 16)) >>> 0);
function wordsOf(rs: typeof rows): fc.Arbitrary<number> {
  return fc
    .tuple(fc.integer({ min: 0, max: rs.length - 1 }), fc.integer({ min: 0, max: 0xffffffff }), fc.option(smallRegs, { freq: 1 }))
    .map(([i, r, regs]) => {
      const row = rs[i]!;
      const bits = regs === null ? r : ((r & ~0x1f7fff) | regs) >>> 0;
      return (row.match | (bits & ~row.mask)) >>> 0;
    });
}
const wordArb = wordsOf(rows);
const memWordArb = wordsOf(rows.filter((r) => r.name.startsWith('LDST')));

const regArb = fc.oneof(
  fc.bigUintN(64),
  fc.integer({ min: 0, max: RAM_SIZE - 1 }).map((o) => BigInt(RAM_BASE + o)),
  fc.integer({ min: -64, max: 64 }).map((o) => BigInt(RAM_BASE + 0x10000 + o * 4)),
  fc.integer({ min: 0, max: 64 }).map((o) => BigInt(o)),
  fc.integer({ min: 0, max: 3 }).map((o) => 0xfffffffen + BigInt(o)),
  fc.integer({ min: 0, max: 3 }).map((o) => 0xfffffffffffffffen - BigInt(o)),
  fc.constantFrom(0n, 0x09000000n, 0xffffffffn, 0x100000000n, 0x7fffffffn, 0x80000000n, 0xffffffffffffffffn, 0x8000000000000000n, 0xfffffffffffff000n, BigInt(RAM_BASE + 0xfff), BigInt(RAM_BASE + RAM_SIZE - 8)),
);

interface Case {
  word: number;
  regs: bigint[];
  sp: bigint;
  nzcv: number;
  sctlr: number;
}

function runOne(fast: boolean, k: Case): { state: unknown; ram: Uint8Array; specialized: boolean } {
  const { cpu, ram, bus } = setup(fast);
  for (let i = 0; i < ram.length; i += 4) ram[i] = (i * 7) & 0xff;
  ram.set(words(k.word), CODE);
  k.regs.forEach((v, i) => cpu.setX(i, v));
  cpu.setSp(1, k.sp);
  cpu.setSysreg(3, 0, 1, 0, 0, BigInt(k.sctlr)); // SCTLR_EL1 (MMU off)
  cpu.setPc(BigInt(RAM_BASE + CODE));
  cpu.setPstate(0x3c5n | (BigInt(k.nzcv) << 28n));
  let stop = cpu.run(1);
  const stops: unknown[] = [stop];
  if (stop.kind === 'mmio') {
    cpu.completeMmio(0xa5a5a5a5a5a5a5a5n);
    stop = cpu.run(0);
    stops.push(stop);
  }
  const regs: bigint[] = [];
  for (let i = 0; i < 31; i++) regs.push(cpu.getX(i));
  const state = {
    stops,
    regs,
    sp0: cpu.getSp(0),
    sp1: cpu.getSp(1),
    pc: cpu.getPc(),
    pstate: cpu.getPstate(),
    retired: cpu.retired,
    esr: cpu.getSysreg(3, 0, 5, 2, 0),
    elr: cpu.getSysreg(3, 0, 4, 0, 1),
    far: cpu.getSysreg(3, 0, 6, 0, 0),
    mmio: bus.mmioLog,
  };
  return { state, ram, specialized: fast && fastDecoder.decode(k.word).op !== 0 };
}

/** registers that mostly point into RAM (8-aligned), for the load/store rows */
const ptrArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: RAM_SIZE / 8 - 1 }).map((o) => BigInt(RAM_BASE + o * 8)) },
  { weight: 1, arbitrary: regArb },
);

function same(k: Case): boolean {
  const a = runOne(true, k);
  const b = runOne(false, k);
  expect(a.state).toEqual(b.state);
  expect(Buffer.compare(a.ram, b.ram)).toBe(0);
  return a.specialized;
}

describe('executor fast paths = row handlers', () => {
  test('load/store rows with base and index registers in RAM: same state and memory', () => {
    let specialized = 0;
    fc.assert(
      fc.property(memWordArb, fc.array(ptrArb, { minLength: 31, maxLength: 31 }), fc.constantFrom(0, 2, 8), (word, regs, sctlr) => {
        if (same({ word, regs, sp: BigInt(RAM_BASE + 0x30000), nzcv: 0, sctlr })) specialized++;
      }),
      { numRuns: 3000 },
    );
    expect(specialized).toBeGreaterThan(1000);
  });

  test('every fast-path row: same state, memory and stops as the plain handlers', () => {
    let specialized = 0;
    let total = 0;
    fc.assert(
      fc.property(
        wordArb,
        fc.array(regArb, { minLength: 31, maxLength: 31 }),
        fc.oneof(fc.constant(BigInt(RAM_BASE + 0x30000)), regArb),
        fc.integer({ min: 0, max: 15 }),
        fc.constantFrom(0, 2, 8, 10),
        (word, regs, sp, nzcv, sctlr) => {
          const k: Case = { word, regs, sp, nzcv, sctlr };
          const a = runOne(true, k);
          const b = runOne(false, k);
          total++;
          if (a.specialized) specialized++;
          expect(a.state).toEqual(b.state);
          expect(Buffer.compare(a.ram, b.ram)).toBe(0);
        },
      ),
      { numRuns: 6000 },
    );
    // the property must have exercised the fast paths, not only the fallbacks
    expect(specialized).toBeGreaterThan(total / 2);
  });

  test('the plain decoder never specializes; the CPU decoder does for the hot forms', () => {
    // add x1, x2, #3 ; ldr x0, [x1, #8] ; b.ne .-8 ; str w3, [x0], #4
    for (const w of [0x91000c41, 0xf9400420, 0x54ffffc1, 0xb8004403]) {
      expect(plainDecoder.decode(w).op).toBe(0);
      expect(fastDecoder.decode(w).op).not.toBe(0);
    }
  });
});
