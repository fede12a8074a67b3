/**
 * lib/soft/gic: the soft backend's GICv2 (gicv2.ts: the model; device.ts: KVM's VGIC ioctls and device
 * attributes) and `createSoftIrqchip`, the factory lib/soft/hooks.ts looks for.
 *
 * createSoftIrqchip(vm, how) builds a SoftVgic over the soft VM, puts its MMIO handler on the VM's bus and a
 * per-vCPU hook that copies the GIC's outputs into each vCPU's IRQ/FIQ inputs before every run slice (and wakes
 * a vCPU waiting in WFI when its output rises). The VM is used through the small structural type below so this
 * module does not depend on lib/soft/vm.ts.
 */
import type { IrqField } from '../../codec/irq';
import type { MmioResult } from '../cpu/api';
import { SoftVgic, type VgicHost } from './device';
import { KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V2_ADDR_TYPE_CPU } from '../../codec/vgic';
import { KvmError } from '../../errors';

export * from './gicv2';
export * from './device';

/** What createSoftIrqchip needs from a vCPU of the soft VM. */
export interface SoftVcpuLike {
  readonly index: number;
  /** the vCPU has entered KVM_RUN at least once */
  readonly hasRun?: boolean;
  /** the vCPU is inside KVM_RUN now */
  readonly running?: boolean;
  /** drives the vCPU's IRQ / FIQ input (KVM_IRQ_LINE type CPU, and the GIC's outputs) */
  setInterruptLine(line: 'irq' | 'fiq', level: boolean): void;
  /** wakes the vCPU from WFI */
  wake?(): void;
}
/** What createSoftIrqchip needs from the soft VM. */
export interface SoftVmLike {
  readonly ipaSize: number;
  readonly vcpus: readonly (SoftVcpuLike | undefined)[];
  addMmioHandler(handler: (vcpu: number, pa: number, size: number, isWrite: boolean, value: bigint) => MmioResult | undefined): () => void;
  addVcpuHook(hook: { beforeSlice?(vcpu: SoftVcpuLike): void; pending?(vcpu: SoftVcpuLike): boolean }): () => void;
}

/** The object lib/soft/hooks.ts's SoftIrqchip interface describes, plus the SoftVgic for everything else. */
export interface SoftIrqchipAdapter {
  readonly vgic: SoftVgic;
  setAddress(type: number, addr: bigint): void;
  irqLine(field: IrqField, level: boolean): void;
  readonly initialized: boolean;
  initOnFirstRun(): void;
  setAttr(group: number, attr: bigint, value: bigint | number): void;
  getAttr(group: number, attr: bigint, bytes: 4 | 8): bigint;
  hasAttr(group: number, attr: bigint): boolean;
  /** the vCPU's first KVM_RUN (map the VGIC once, hand the timer PPIs to the timer) */
  vcpuFirstRun(index: number): void;
  /** a timer output into the GIC (GenericTimer.onLevel) */
  timerLine(cpu: number, intid: number, level: boolean): void;
}

export function createSoftIrqchip(vm: SoftVmLike, how: 'create-irqchip' | 'create-device'): SoftIrqchipAdapter {
  const host: VgicHost = {
    vcpuCount: () => vm.vcpus.length,
    anyVcpuRunning: () => vm.vcpus.some((v) => v?.running === true),
    anyVcpuHasRun: () => vm.vcpus.some((v) => v?.hasRun === true),
    get ipaBits() {
      return vm.ipaSize;
    },
    setCpuLine: (i, line, level) => vm.vcpus[i]?.setInterruptLine(line, level),
    gicOutput: (i, irq, fiq) => {
      const v = vm.vcpus[i];
      if (v === undefined) return;
      v.setInterruptLine('irq', irq);
      v.setInterruptLine('fiq', fiq);
      if (irq || fiq) v.wake?.();
    },
  };
  const vgic = new SoftVgic(host);
  if (how === 'create-irqchip') vgic.createIrqchip();
  else vgic.createDevice(5, false);
  vm.addMmioHandler((vcpu, pa, size, isWrite, value) => {
    const r = vgic.handleMmio(vcpu, pa, size, isWrite, value);
    return r.handled ? r : undefined;
  });
  vm.addVcpuHook({
    beforeSlice: (v) => {
      const gic = vgic.gic;
      if (gic === undefined || v.index >= gic.nrCpus) return;
      v.setInterruptLine('irq', gic.irqLevel(v.index));
      v.setInterruptLine('fiq', gic.fiqLevel(v.index));
    },
    pending: (v) => {
      const gic = vgic.gic;
      return gic !== undefined && v.index < gic.nrCpus && (gic.irqLevel(v.index) || gic.fiqLevel(v.index));
    },
  });
  const types = ['cpu', 'spi', 'ppi'] as const;
  return {
    vgic,
    setAddress(type, addr) {
      if (type !== KVM_VGIC_V2_ADDR_TYPE_DIST && type !== KVM_VGIC_V2_ADDR_TYPE_CPU) {
        throw new KvmError('ENODEV', { syscall: 'ioctl', ioctl: 'KVM_ARM_SET_DEVICE_ADDR', context: `address type ${type}`, backend: 'soft' });
      }
      vgic.setDeviceAddr(BigInt(type), addr);
    },
    irqLine(field, level) {
      vgic.inject(types.indexOf(field.type), field.vcpu, field.irq, level);
    },
    get initialized() {
      return vgic.initialized;
    },
    initOnFirstRun() {
      for (const v of vm.vcpus) if (v !== undefined) vgic.vcpuFirstRun(v.index);
    },
    setAttr: (g, a, v) => vgic.setAttr(g, a, v),
    getAttr: (g, a, bytes) => {
      const v = vgic.getAttr(g, a);
      return bytes === 4 ? v & 0xffffffffn : v;
    },
    hasAttr: (g, a) => vgic.hasAttr(g, a),
    vcpuFirstRun: (i) => vgic.vcpuFirstRun(i),
    timerLine: (c, i, l) => vgic.timerLine(c, i, l),
  };
}
