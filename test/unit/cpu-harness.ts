/**
 * Test harness for the interpreter (test/unit/cpu-*.test.ts): a PhysBus with RAM regions and a recording MMIO
 * handler, and an assembler wrapper around aarch64-linux-gnu-as (tests that need it skip with a printed reason
 * when it is absent).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CpuClock, MmioResult, PhysBus, RamRegion } from '../../lib/soft/cpu/api';
import { createCpu } from '../../lib/soft/cpu';
import type { Core } from '../../lib/soft/cpu/core';

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasAs = which('aarch64-linux-gnu-as') && which('aarch64-linux-gnu-objcopy');
/** `describe` when the cross assembler exists, else a skipped describe that prints why */
export const describeAs: jest.Describe = hasAs
  ? describe
  : (console.warn('skipped: aarch64-linux-gnu-as / objcopy not installed (apt-get install binutils-aarch64-linux-gnu)'), describe.skip);

/** Assemble A64 source (flat, starting at offset 0) into bytes. */
export function asm(src: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-asm-'));
  try {
    writeFileSync(join(dir, 'a.s'), `.text\n${src}\n`);
    execFileSync('aarch64-linux-gnu-as', ['-march=armv8-a+crc', '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    execFileSync('aarch64-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')]);
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MmioLog {
  pa: number;
  size: number;
  isWrite: boolean;
  value: bigint;
}

export class TestBus implements PhysBus {
  regions: RamRegion[] = [];
  generation = 0;
  mmioLog: MmioLog[] = [];
  /** devices handled inside the bus (like the GIC): pa → read value */
  handled = new Map<number, bigint>();

  addRam(gpa: number, size: number, readonly = false): Uint8Array {
    const bytes = new Uint8Array(size);
    this.regions.push({ gpa, bytes, readonly });
    this.generation++;
    return bytes;
  }
  ram(pa: number): RamRegion | undefined {
    for (const r of this.regions) if (pa >= r.gpa && pa < r.gpa + r.bytes.length) return r;
    return undefined;
  }
  mmio(pa: number, size: number, isWrite: boolean, value: bigint): MmioResult {
    this.mmioLog.push({ pa, size, isWrite, value });
    const h = this.handled.get(pa);
    if (h !== undefined) return { handled: true, value: h };
    return { handled: false };
  }
}

export class TestClock implements CpuClock {
  now = 1000n;
  cntvoff = 0n;
  readonly frequency = 62500000n;
  physicalCount(): bigint {
    return this.now;
  }
}

export const RAM_BASE = 0x40000000;

export interface Machine {
  cpu: Core;
  bus: TestBus;
  clock: TestClock;
  ram: Uint8Array;
}

/** One CPU with 2 MiB of RAM at 0x40000000, the code loaded at its start, PC there, SP_EL1 at the top. */
export function machine(code?: Uint8Array, ramSize = 2 << 20): Machine {
  const bus = new TestBus();
  const ram = bus.addRam(RAM_BASE, ramSize);
  const clock = new TestClock();
  const cpu = createCpu({ bus, clock }) as Core;
  if (code) ram.set(code, 0);
  cpu.setPc(BigInt(RAM_BASE));
  cpu.setSp(1, BigInt(RAM_BASE + ramSize));
  return { cpu, bus, clock, ram };
}

/** Encode words little-endian */
export function words(...w: number[]): Uint8Array {
  const b = new Uint8Array(w.length * 4);
  const dv = new DataView(b.buffer);
  w.forEach((x, i) => dv.setUint32(i * 4, x >>> 0, true));
  return b;
}

/** Assemble and run until a stop other than budget; returns the stop (expects `hvc #0` at the end by convention). */
export function runAsm(src: string, setup?: (m: Machine) => void, budget = 100000): { m: Machine; stop: ReturnType<Core['run']> } {
  const m = machine(asm(src));
  if (setup) setup(m);
  const stop = m.cpu.run(budget);
  return { m, stop };
}
