/**
 * Robustness: any instruction word, with any register values, in any EL, MMU on or off, must end in a guest
 * exception or a CpuStop — run() never throws and never touches memory outside the RAM regions. Words are drawn
 * from every decoder row (its fixed bits plus random field bits) and fully at random.
 */
import fc from 'fast-check';
import { getDecoder } from '../../lib/soft/cpu';
import { machine, RAM_BASE, words } from './cpu-harness';

const dec = getDecoder();
const rows = dec.rows;

const wordArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: rows.length - 1 }), fc.integer({ min: 0, max: 0xffffffff })).map(([i, r]) => {
    const row = rows[i]!;
    return (row.match | (r & ~row.mask)) >>> 0;
  }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

const regArb = fc.oneof(
  fc.bigUintN(64),
  fc.integer({ min: 0, max: 0x1fffff }).map((o) => BigInt(RAM_BASE + o)),
  fc.constantFrom(0n, 0x09000000n, 0xffffffffffffffffn, BigInt(RAM_BASE + 0x1ffff8)),
);

describe('the interpreter never throws for guest behaviour', () => {
  test('random words from every row, random registers, EL0/EL1, MMU off', () => {
    const m = machine();
    // RAM is a view into a larger buffer with guard bytes on both sides that the CPU must never write
    const GUARD = 8192;
    const backing = new Uint8Array(GUARD + m.ram.length + GUARD).fill(0xa5);
    const ram = new Uint8Array(backing.buffer, GUARD, m.ram.length);
    m.bus.regions = [{ gpa: RAM_BASE, bytes: ram, readonly: false }];
    m.bus.generation++;
    m.ram = ram;
    const guardsIntact = (): boolean => backing.subarray(0, GUARD).every((b) => b === 0xa5) && backing.subarray(GUARD + ram.length).every((b) => b === 0xa5);
    fc.assert(
      fc.property(fc.array(wordArb, { minLength: 1, maxLength: 4 }), fc.array(regArb, { minLength: 31, maxLength: 31 }), fc.boolean(), fc.integer({ min: 0, max: 15 }), (ws, regs, el0, nzcv) => {
        m.cpu.reset({ mpidr: 0x80000000n });
        m.ram.set(words(...ws), 0x1000);
        regs.forEach((v, i) => m.cpu.setX(i, v));
        m.cpu.setSp(1, BigInt(RAM_BASE + 0x100000));
        m.cpu.setSp(0, BigInt(RAM_BASE + 0x80000));
        m.cpu.setSysreg(3, 0, 1, 0, 2, 3n << 20n); // FP on
        m.cpu.setPc(BigInt(RAM_BASE + 0x1000));
        m.cpu.setPstate((el0 ? 0x0n : 0x3c5n) | (BigInt(nzcv) << 28n));
        for (let i = 0; i < 4; i++) {
          const s = m.cpu.run(8);
          if (s.kind === 'mmio') m.cpu.completeMmio(0x1234n);
          else if (s.kind === 'budget') break;
        }
        return guardsIntact();
      }),
      { numRuns: 3000 },
    );
  });
});
