/**
 * Hook points of the soft VM for in-backend devices (the GICv2 model in lib/soft/gic and the generic timer in
 * lib/soft/timer*): they attach here instead of the VM knowing them.
 *
 * - MMIO: `SoftVm.addMmioHandler(handler)` puts a handler in the physical bus chain; the first handler that
 *   returns a result (not undefined) claims the access. `vcpu` tells which CPU interface is accessed.
 * - Per-vCPU ticks: `SoftVm.addVcpuHook(hook)`: `beforeSlice` runs before each slice of guest instructions (update
 *   the CPU's irqLine/fiqLine from device state), `deadline` tells a WFI-waiting vCPU when to wake (ms, host clock).
 * - The in-kernel irqchip: `registerSoftIrqchip(factory)` (or a `createSoftIrqchip` export of lib/soft/gic) makes
 *   KVM_CREATE_IRQCHIP / KVM_CREATE_DEVICE(VGIC_V2) / KVM_ARM_SET_DEVICE_ADDR / KVM_IRQ_LINE(SPI, PPI) work.
 */
import type { MmioResult } from './cpu/api';
import type { IrqField } from '../codec/irq';
import type { SoftVcpu } from './vcpu';
import type { SoftVm } from './vm';

export type SoftMmioHandler = (vcpu: number, pa: number, size: number, isWrite: boolean, value: bigint) => MmioResult | undefined;

export interface SoftVcpuHook {
  /** before each slice of guest instructions on `vcpu` */
  beforeSlice?(vcpu: SoftVcpu): void;
  /** host time (Date.now()-style ms, from performance.now()) at which a WFI-waiting `vcpu` must wake, or undefined */
  deadline?(vcpu: SoftVcpu): number | undefined;
  /** true when the device has an interrupt pending for `vcpu` (WFI wake-up condition) */
  pending?(vcpu: SoftVcpu): boolean;
}

/** What an in-kernel GICv2 model offers the VM. Methods throw KvmError with KVM's errno. */
export interface SoftIrqchip {
  /** KVM_ARM_SET_DEVICE_ADDR / KVM_DEV_ARM_VGIC_GRP_ADDR: type 0 = distributor, 1 = CPU interface */
  setAddress(type: number, addr: bigint): void;
  /** KVM_IRQ_LINE for SPI and PPI types */
  irqLine(field: IrqField, level: boolean): void;
  /** true once initialised (first KVM_RUN or KVM_DEV_ARM_VGIC_CTRL_INIT) */
  readonly initialized: boolean;
  /** called by the first KVM_RUN of any vCPU (KVM's kvm_vgic_map_resources): may throw (e.g. ENXIO without addresses) */
  initOnFirstRun(): void;
  /** KVM_{SET,GET,HAS}_DEVICE_ATTR on the VGIC device fd */
  setAttr(group: number, attr: bigint, value: bigint | number): void;
  getAttr(group: number, attr: bigint, bytes: 4 | 8): bigint;
  hasAttr(group: number, attr: bigint): boolean;
}

export type SoftIrqchipFactory = (vm: SoftVm, how: 'create-irqchip' | 'create-device') => SoftIrqchip;

let registered: SoftIrqchipFactory | undefined;
/** Lets the GIC model register itself. */
export function registerSoftIrqchip(factory: SoftIrqchipFactory): void {
  registered = factory;
}
/** The registered factory, else a `createSoftIrqchip` export of lib/soft/gic when present, else undefined. */
export function softIrqchipFactory(): SoftIrqchipFactory | undefined {
  if (registered !== undefined) return registered;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require('./gic') as { createSoftIrqchip?: SoftIrqchipFactory };
    if (typeof mod.createSoftIrqchip === 'function') return mod.createSoftIrqchip;
  } catch {
    // no GIC model (yet)
  }
  return undefined;
}
