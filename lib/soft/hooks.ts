/**
 * Hook points of the soft VM for in-backend devices (the GICv2 model in lib/soft/gic and the generic timer in
 * lib/soft/timer*): they attach here instead of the VM knowing them.
 *
 * - MMIO: `SoftVm.addMmioHandler(handler)` puts a handler in the physical bus chain; the first handler that
 *   returns a result (not undefined) claims the access. `vcpu` tells which CPU interface is accessed.
 * - Per-vCPU ticks: `SoftVm.addVcpuHook(hook)`: `beforeSlice` runs before each slice of guest instructions (update
 *   the CPU's irqLine/fiqLine from device state), `deadline` tells a WFI-waiting vCPU when to wake (ms, host clock).
 * The GICv2 (lib/soft/gic SoftVgic) and the generic timer (lib/soft/timer GenericTimer) are wired in by vm.ts / vcpu.ts.
 */
import type { MmioResult } from './cpu/api';
import type { SoftVcpu } from './vcpu';

export type SoftMmioHandler = (vcpu: number, pa: number, size: number, isWrite: boolean, value: bigint) => MmioResult | undefined;

export interface SoftVcpuHook {
  /** before each slice of guest instructions on `vcpu` */
  beforeSlice?(vcpu: SoftVcpu): void;
  /** host time (Date.now()-style ms, from performance.now()) at which a WFI-waiting `vcpu` must wake, or undefined */
  deadline?(vcpu: SoftVcpu): number | undefined;
  /** true when the device has an interrupt pending for `vcpu` (WFI wake-up condition) */
  pending?(vcpu: SoftVcpu): boolean;
}

