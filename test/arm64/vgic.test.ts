/**
 * arm64 tier: the in-kernel GICv2 (VGIC) and KVM_IRQ_LINE on a real arm64 KVM through lib/kvm. The lab machine is
 * a GICv2 one (-M virt,gic-version=2), so VGIC_V2 exists; on a GICv3-only host without v2 compatibility it is
 * ENODEV and these tests say so.
 */
import { openKvm, type KvmHypervisor, type KvmVm } from '../../lib/kvm';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, KVM_DEV_ARM_VGIC_CTRL_INIT, encodeDeviceAddrId, encodeVgicV2Attr } from '../../lib/codec/vgic';
import { describeArm64, errnoOf } from './helpers';

const DIST = 0x0800_0000n;
const CPUIF = 0x0801_0000n;
const GICD_TYPER = 0x4;
const GICD_ISPENDR = 0x200;
const GICC_IIDR = 0xfc;
/** An irq field built by hand (type << 24 | vcpu << 16 | num), for values the codec refuses to encode. */
const rawIrq = (type: number, vcpu: number, num: number) => (type << 24) | (vcpu << 16) | num;

function vmWithVcpus(hv: KvmHypervisor, n: number): { vm: KvmVm; close(): void } {
  const vm = hv.createVm();
  const t = vm.preferredTarget().target;
  const vcpus = Array.from({ length: n }, (_, i) => {
    const v = vm.createVcpu(i);
    v.init({ target: t, features: ['psci-0.2'] });
    return v;
  });
  return { vm, close: () => { for (const v of vcpus) v.close(); vm.close(); } };
}

describeArm64('arm64 KVM: VGICv2 through KVM_CREATE_DEVICE', () => {
  test('addresses, NR_IRQS, CTRL_INIT, GICD_TYPER, a CPU interface register; EBUSY / EEXIST / ENXIO / ENODEV', () => {
    const hv = openKvm();
    const { vm, close } = vmWithVcpus(hv, 2);
    expect(vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, { test: true })).toBeNull();
    expect(errnoOf(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V3))).toBe('ENODEV'); // GICv2 machine
    const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    expect(errnoOf(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2))).toBe('EEXIST');
    expect(errnoOf(() => vm.createIrqchip())).toBe('EEXIST');
    expect(gic.hasAttr(GRP.NR_IRQS, 0n)).toBe(true);
    expect(gic.hasAttr(99, 0n)).toBe(false);
    // NR_IRQS: a multiple of 32 in 64..1024, once
    expect(errnoOf(() => gic.setAttr(GRP.NR_IRQS, 0n, 63))).toBe('EINVAL');
    expect(errnoOf(() => gic.setAttr(GRP.NR_IRQS, 0n, 1056))).toBe('EINVAL');
    gic.setAttr(GRP.NR_IRQS, 0n, 96);
    expect(errnoOf(() => gic.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('EBUSY');
    expect(gic.getAttr(GRP.NR_IRQS, 0n, 4)).toBe(96n);
    // addresses: 4K aligned, once each
    expect(errnoOf(() => gic.setAttr(GRP.ADDR, 0n, DIST + 0x800n))).toBe('EINVAL');
    gic.setAttr(GRP.ADDR, 0n, DIST);
    expect(errnoOf(() => gic.setAttr(GRP.ADDR, 0n, DIST + 0x100000n))).toBe('EEXIST');
    gic.setAttr(GRP.ADDR, 1n, CPUIF);
    expect(gic.getAttr(GRP.ADDR, 1n, 8)).toBe(CPUIF);
    gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
    gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n); // a second init is a no-op
    // GICD_TYPER: ITLinesNumber = 96/32 - 1 = 2, CPUNumber = 2 vCPUs - 1 = 1
    expect(gic.getAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: GICD_TYPER }), 4)).toBe(0x22n);
    // GICC_IIDR of KVM's GICv2 CPU interface: ProductID 0x4b ("K"), implementer ARM (0x43b), arch version 2
    const iidr = gic.getAttr(GRP.CPU_REGS, encodeVgicV2Attr({ cpu: 1, offset: GICC_IIDR }), 4);
    expect(iidr & 0xfffn).toBe(0x43bn);
    expect((iidr >> 16n) & 0xfn).toBe(2n);
    expect(errnoOf(() => gic.getAttr(GRP.CPU_REGS, encodeVgicV2Attr({ cpu: 2, offset: 0 }), 4))).toBe('EINVAL');
    expect(errnoOf(() => gic.getAttr(99, 0n, 4))).toBe('ENXIO');
    expect(errnoOf(() => gic.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('EBUSY');
    expect(errnoOf(() => vm.createVcpu(2))).toBe('EBUSY'); // no vCPUs after the VGIC is initialised
    // IRQ_LINE into the VGIC: SPI 95 is the last of 96; it shows as pending in GICD_ISPENDR2 bit 31
    vm.irqLine({ type: 'spi', irq: 95, vcpu: 0 }, true);
    expect(gic.getAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: GICD_ISPENDR + 8 }), 4)).toBe(0x80000000n);
    expect(errnoOf(() => vm.irqLine({ type: 'spi', irq: 96, vcpu: 0 }, true))).toBe('EINVAL');
    vm.irqLine({ type: 'ppi', irq: 27, vcpu: 1 }, true);
    expect(errnoOf(() => vm.irqLine({ type: 'cpu', irq: 0, vcpu: 0 }, true))).toBe('ENXIO'); // in-kernel irqchip
    gic.close();
    close();
    hv.close();
  });
});

describeArm64('arm64 KVM: legacy KVM_CREATE_IRQCHIP + KVM_ARM_SET_DEVICE_ADDR, and KVM_IRQ_LINE', () => {
  test('CREATE_IRQCHIP once, SET_DEVICE_ADDR once per region; IRQ_LINE SPI/PPI and its failures', () => {
    const hv = openKvm();
    const { vm, close } = vmWithVcpus(hv, 1);
    vm.createIrqchip();
    expect(errnoOf(() => vm.createIrqchip())).toBe('EEXIST');
    expect(errnoOf(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2))).toBe('EEXIST');
    vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), DIST);
    expect(errnoOf(() => vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), DIST))).toBe('EEXIST');
    expect(errnoOf(() => vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), CPUIF + 0x800n))).toBe('EINVAL');
    vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), CPUIF);
    vm.irqLine({ type: 'spi', irq: 32, vcpu: 0 }, true);
    vm.irqLine({ type: 'spi', irq: 32, vcpu: 0 }, false);
    vm.irqLine({ type: 'ppi', irq: 27, vcpu: 0 }, true);
    // the codec refuses these fields (RangeError); raw irq fields reach the kernel, which says EINVAL
    expect(() => vm.irqLine({ type: 'spi', irq: 1020, vcpu: 0 }, true)).toThrow(RangeError);
    expect(errnoOf(() => vm.irqLine(rawIrq(1, 0, 1020), true))).toBe('EINVAL');
    expect(errnoOf(() => vm.irqLine(rawIrq(1, 0, 31), true))).toBe('EINVAL');
    expect(errnoOf(() => vm.irqLine(rawIrq(2, 0, 15), true))).toBe('EINVAL');
    expect(errnoOf(() => vm.irqLine({ type: 'ppi', irq: 27, vcpu: 3 }, true))).toBe('EINVAL');
    close();
    hv.close();
  });

  test('without an irqchip: SPI and PPI are ENXIO, the CPU line works', () => {
    const hv = openKvm();
    const { vm, close } = vmWithVcpus(hv, 1);
    expect(errnoOf(() => vm.irqLine({ type: 'spi', irq: 32, vcpu: 0 }, true))).toBe('ENXIO');
    expect(errnoOf(() => vm.irqLine({ type: 'ppi', irq: 16, vcpu: 0 }, true))).toBe('ENXIO');
    vm.irqLine({ type: 'cpu', irq: 0, vcpu: 0 }, true);
    vm.irqLine({ type: 'cpu', irq: 0, vcpu: 0 }, false);
    close();
    hv.close();
  });
});
