/**
 * FP/SIMD instructions and the core's machinery: the CPACR_EL1.FPEN trap (EC 0x07), SIMD&FP accesses to MMIO
 * (no valid syndrome: 'nisv', nothing retired), precise loads (no register written when part of the access
 * faults), LDR (literal), post-index write-back.
 */
import { Core } from '../../lib/soft/cpu/core';
import { Decoder } from '../../lib/soft/cpu/decoder';
import { ALL_ROWS } from '../../lib/soft/cpu/insns';
import type { PhysBus, RamRegion } from '../../lib/soft/cpu/api';

const RAM = 0x40000000;
const RAM_SIZE = 0x3000;
const decoder = new Decoder(ALL_ROWS, (c) => c.undef());

function setup(words: number[], fpen = 3): { cpu: Core; ram: Uint8Array } {
  const ram = new Uint8Array(RAM_SIZE);
  const dv = new DataView(ram.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  const region: RamRegion = { gpa: RAM, bytes: ram, readonly: false };
  const bus: PhysBus = {
    ram: (pa) => (pa >= RAM && pa < RAM + RAM_SIZE ? region : undefined),
    mmio: () => ({ handled: false }),
    generation: 0,
  };
  const cpu = new Core({ bus, clock: { physicalCount: () => 0n, cntvoff: 0n, frequency: 62500000n } }, decoder);
  cpu.setSysreg(3, 0, 1, 0, 2, BigInt(fpen) << 20n); // CPACR_EL1
  cpu.setSysreg(3, 0, 12, 0, 0, BigInt(RAM + 0x1000)); // VBAR_EL1
  cpu.setPc(BigInt(RAM));
  return { cpu, ram };
}

const vec = (...bytes: number[]): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => bytes[i % bytes.length]!);
const ESR_EL1: [number, number, number, number, number] = [3, 0, 5, 2, 0];

describe('CPACR_EL1.FPEN', () => {
  test.each([0, 2])('FPEN=%i traps FADD at EL1 with EC 0x07, V unchanged', (fpen) => {
    const { cpu } = setup([0x1e222820], fpen); // fadd s0, s1, s2
    cpu.setV(1, vec(0x00, 0x00, 0x80, 0x3f));
    cpu.setV(2, vec(0x00, 0x00, 0x80, 0x3f));
    expect(cpu.run(1)).toEqual({ kind: 'budget' });
    expect(Number(cpu.getSysreg(...ESR_EL1) >> 26n)).toBe(0x07);
    expect(cpu.getPc()).toBe(BigInt(RAM + 0x1000 + 0x200)); // current EL with SP_ELx, synchronous
    expect(Array.from(cpu.getV(0))).toEqual(new Array(16).fill(0));
  });
  test('FPEN=1 allows EL1', () => {
    const { cpu } = setup([0x1e222820], 1);
    cpu.setV(1, vec(0x00, 0x00, 0x80, 0x3f));
    cpu.setV(2, vec(0x00, 0x00, 0x80, 0x3f));
    cpu.run(1);
    expect(cpu.getPc()).toBe(BigInt(RAM + 4));
    expect(Array.from(cpu.getV(0).slice(0, 8))).toEqual([0, 0, 0, 0x40, 0, 0, 0, 0]); // 2.0f, upper cleared
  });
  test('loads trap too (before any access)', () => {
    const { cpu } = setup([0x3dc00020], 0); // ldr q0, [x1]
    cpu.setX(1, 0x09000000n);
    expect(cpu.run(1)).toEqual({ kind: 'budget' });
    expect(Number(cpu.getSysreg(...ESR_EL1) >> 26n)).toBe(0x07);
  });
});

describe('SIMD&FP accesses to MMIO have no valid syndrome', () => {
  test('LDR Q from MMIO stops with nisv, PC at the instruction, V unchanged', () => {
    const { cpu } = setup([0x3dc00020]); // ldr q0, [x1]
    cpu.setX(1, 0x09000000n);
    cpu.setV(0, vec(7));
    const stop = cpu.run(1);
    expect(stop).toMatchObject({ kind: 'nisv', pa: 0x09000000, isWrite: false });
    expect(cpu.getPc()).toBe(BigInt(RAM));
    expect(Array.from(cpu.getV(0))).toEqual(new Array(16).fill(7));
  });
  test('STR D to MMIO stops with nisv (write)', () => {
    const { cpu } = setup([0xfd000020]); // str d0, [x1]
    cpu.setX(1, 0x09000010n);
    expect(cpu.run(1)).toMatchObject({ kind: 'nisv', pa: 0x09000010, isWrite: true });
  });
  test('a Q load whose second half leaves RAM writes no register and no base', () => {
    const { cpu } = setup([0xacc10420]); // ldp q0, q1, [x1], #32
    cpu.setX(1, BigInt(RAM + RAM_SIZE - 16)); // q0 in RAM, q1 outside
    cpu.setV(0, vec(1));
    cpu.setV(1, vec(2));
    expect(cpu.run(1).kind).toBe('nisv');
    expect(Array.from(cpu.getV(0))).toEqual(new Array(16).fill(1));
    expect(Array.from(cpu.getV(1))).toEqual(new Array(16).fill(2));
    expect(cpu.getX(1)).toBe(BigInt(RAM + RAM_SIZE - 16));
  });
});

describe('loads and stores in RAM', () => {
  test('LDR Q (literal) reads PC-relative', () => {
    const { cpu, ram } = setup([0x9c000080]); // ldr q0, .+16
    ram.set(Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i), 16);
    cpu.run(1);
    expect(Array.from(cpu.getV(0))).toEqual(Array.from({ length: 16 }, (_, i) => 0x10 + i));
  });
  test('LDP Q post-index loads both and writes back', () => {
    const { cpu, ram } = setup([0xacc10420]); // ldp q0, q1, [x1], #32
    ram.set(Uint8Array.from({ length: 32 }, (_, i) => i), 0x800);
    cpu.setX(1, BigInt(RAM + 0x800));
    cpu.run(1);
    expect(Array.from(cpu.getV(0))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(Array.from(cpu.getV(1))).toEqual(Array.from({ length: 16 }, (_, i) => 16 + i));
    expect(cpu.getX(1)).toBe(BigInt(RAM + 0x820));
  });
  test('ST1 two registers stores them consecutively', () => {
    const { cpu, ram } = setup([0x4c00a020]); // st1 {v0.16b, v1.16b}, [x1]
    cpu.setV(0, vec(0xaa));
    cpu.setV(1, vec(0xbb));
    cpu.setX(1, BigInt(RAM + 0x900));
    cpu.run(1);
    expect(Array.from(ram.slice(0x900, 0x920))).toEqual([...new Array(16).fill(0xaa), ...new Array(16).fill(0xbb)]);
  });
});
