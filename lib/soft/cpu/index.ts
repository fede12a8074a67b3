/**
 * The AArch64 interpreter (software backend CPU). `createCpu()` builds a {@link Cpu} (see ./api.ts) over a
 * PhysBus; `describe()` names an instruction word for traces and diagnostics.
 */
import type { Cpu, CpuOptions } from './api';
import { Core } from './core';
import { Decoder } from './decoder';
import { ALL_ROWS } from './insns';
import { specialize } from './fast';

export type { Cpu, CpuOptions, CpuStop, PhysBus, RamRegion, MmioResult, CpuClock } from './api';

let decoder: Decoder | undefined;

/** The shared decoder (built once, on first use). */
export function getDecoder(): Decoder {
  if (decoder === undefined) decoder = new Decoder(ALL_ROWS, (c) => c.undef(), specialize);
  return decoder;
}

/** A new CPU in its architectural reset state (PSTATE = EL1h with DAIF masked, MMU off). */
export function createCpu(options: CpuOptions): Cpu {
  return new Core(options, getDecoder());
}

/** `ADDSUB_imm sf=1 op=0 s=0 sh=0 imm12=0x10 rn=1 rd=0` style description of an instruction word. */
export function describe(insn: number): string {
  if (!Number.isInteger(insn) || insn < 0 || insn > 0xffffffff) throw new RangeError(`insn must be a 32-bit unsigned integer: ${insn}`);
  return getDecoder().describe(insn);
}
