/**
 * VGICv2 conformance: one expectation set for every available backend (soft here; soft + kvm inside the arm64
 * lab, whose machine is a GICv2 one). The errnos are arm-vgic.txt's and api.txt's, as Linux 6.1 returns them
 * (arch/arm64/kvm/vgic/vgic-kvm-device.c, vgic-init.c, arm.c kvm_vm_ioctl_irq_line).
 */
import { open } from '../../lib/index';
import { code, conformanceBackendNames } from './backends';
import type { Hypervisor, Vm, Device } from '../../lib/backend';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, encodeVgicV2Attr, encodeDeviceAddrId, gicRegOffset } from '../../lib/codec/vgic';
import { encodeIrq } from '../../lib/codec/irq';

const backends: Array<'soft' | 'kvm'> = conformanceBackendNames('vgic conformance');

const reg = (name: string, cpu = 0): bigint => encodeVgicV2Attr({ cpu, offset: gicRegOffset(name).offset });
const DIST = 0x08000000n;
const CPU = 0x08010000n;

describe.each(backends)('VGICv2 on the %s backend', (backend) => {
  let hv: Hypervisor;
  const vms: Vm[] = [];
  beforeAll(() => {
    hv = open({ backend });
  });
  afterAll(() => {
    for (const vm of vms) vm.close();
    hv.close();
  });
  const newVm = (): Vm => {
    const vm = hv.createVm();
    vms.push(vm);
    return vm;
  };
  const withVgic = (vcpus = 1): { vm: Vm; dev: Device } => {
    const vm = newVm();
    for (let i = 0; i < vcpus; i++) vm.createVcpu(i);
    return { vm, dev: vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2) };
  };

  test('KVM_CREATE_DEVICE: test flag probes; GICv3 on a GICv2 machine → ENODEV; one VGIC per VM → EEXIST', () => {
    const vm = newVm();
    expect(vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, { test: true })).toBeNull();
    expect(code(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V3))).toBe('ENODEV');
    const dev = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    expect(dev.type).toBe(KVM_DEV_TYPE.ARM_VGIC_V2);
    expect(code(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2))).toBe('EEXIST');
    expect(code(() => vm.createIrqchip())).toBe('EEXIST');
  });

  test('GRP_ADDR: undefined reads all-ones; EEXIST twice; EINVAL unaligned; E2BIG beyond the IPA; ENXIO other types', () => {
    const { dev } = withVgic();
    expect(dev.getAttr(GRP.ADDR, 0n, 8)).toBe(0xffffffffffffffffn);
    expect(code(() => dev.setAttr(GRP.ADDR, 1n, CPU + 0x800n))).toBe('EINVAL');
    expect(code(() => dev.setAttr(GRP.ADDR, 1n, 1n << 48n))).toBe('E2BIG');
    dev.setAttr(GRP.ADDR, 0n, DIST);
    expect(dev.getAttr(GRP.ADDR, 0n, 8)).toBe(DIST);
    expect(code(() => dev.setAttr(GRP.ADDR, 0n, DIST + 0x10000n))).toBe('EEXIST');
    expect(code(() => dev.setAttr(GRP.ADDR, 2n, DIST))).toBe('ENXIO');
    expect(dev.hasAttr(GRP.ADDR, 1n)).toBe(true);
    expect(dev.hasAttr(GRP.ADDR, 2n)).toBe(false);
  });

  test('GRP_NR_IRQS: 32 before set; 64..1023 step 32 else EINVAL; a second set → EBUSY', () => {
    const { dev } = withVgic();
    expect(dev.getAttr(GRP.NR_IRQS, 0n, 4)).toBe(32n);
    expect(code(() => dev.setAttr(GRP.NR_IRQS, 0n, 48))).toBe('EINVAL');
    expect(code(() => dev.setAttr(GRP.NR_IRQS, 0n, 100))).toBe('EINVAL');
    expect(code(() => dev.setAttr(GRP.NR_IRQS, 0n, 1024))).toBe('EINVAL');
    dev.setAttr(GRP.NR_IRQS, 0n, 128);
    expect(dev.getAttr(GRP.NR_IRQS, 0n, 4)).toBe(128n);
    expect(code(() => dev.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('EBUSY');
    expect(dev.hasAttr(GRP.NR_IRQS, 0n)).toBe(true);
  });

  test('GRP_DIST_REGS: TYPER, IIDR, banking, EINVAL for a missing vCPU, RAZ for unknown offsets', () => {
    const { dev } = withVgic(2);
    dev.setAttr(GRP.NR_IRQS, 0n, 128);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_TYPER'))).toBe(0x23n);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_IIDR'))).toBe(0x4b00343bn);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_ITARGETSR0', 1))).toBe(0x02020202n);
    dev.setAttr(GRP.DIST_REGS, reg('GICD_ISENABLER0', 1), 0x08000000);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_ISENABLER0', 1))).toBe(0x0800ffffn);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_ISENABLER0', 0))).toBe(0x0000ffffn);
    dev.setAttr(GRP.DIST_REGS, reg('GICD_IPRIORITYR8'), 0xffffffff);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_IPRIORITYR8'))).toBe(0xf8f8f8f8n);
    expect(code(() => dev.getAttr(GRP.DIST_REGS, reg('GICD_CTLR', 2)))).toBe('EINVAL');
    expect(dev.getAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x10 }))).toBe(0n);
    expect(dev.hasAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x10 }))).toBe(false);
    expect(dev.hasAttr(GRP.DIST_REGS, reg('GICD_ISENABLER3'))).toBe(true);
    expect(dev.hasAttr(GRP.DIST_REGS, reg('GICD_ISENABLER4'))).toBe(false);
    expect(code(() => dev.setAttr(GRP.DIST_REGS, reg('GICD_IIDR'), 0))).toBe('EINVAL');
  });

  test('GRP_CPU_REGS: the VMCR view (PMR as 5 bits), IIDR, APR0; IAR is not a userspace register', () => {
    const { dev } = withVgic(1);
    dev.setAttr(GRP.CPU_REGS, reg('GICC_PMR'), 0x1f);
    expect(dev.getAttr(GRP.CPU_REGS, reg('GICC_PMR'))).toBe(0x1fn);
    dev.setAttr(GRP.CPU_REGS, reg('GICC_CTLR'), 0x201);
    expect(dev.getAttr(GRP.CPU_REGS, reg('GICC_CTLR'))).toBe(0x201n);
    expect(dev.getAttr(GRP.CPU_REGS, reg('GICC_IIDR'))).toBe(0x04b2043bn);
    dev.setAttr(GRP.CPU_REGS, reg('GICC_APR0'), 0x100);
    expect(dev.getAttr(GRP.CPU_REGS, reg('GICC_APR0'))).toBe(0x100n);
    expect(dev.hasAttr(GRP.CPU_REGS, reg('GICC_APR3'))).toBe(true);
    expect(dev.hasAttr(GRP.CPU_REGS, reg('GICC_IAR'))).toBe(false);
    expect(dev.getAttr(GRP.CPU_REGS, reg('GICC_IAR'))).toBe(0n);
    expect(code(() => dev.setAttr(GRP.CPU_REGS, reg('GICC_PMR', 1), 0))).toBe('EINVAL');
  });

  test('GRP_CTRL INIT: freezes nr_irqs at 256, then NR_IRQS → EBUSY and KVM_CREATE_VCPU → EBUSY', () => {
    const { vm, dev } = withVgic(1);
    expect(dev.hasAttr(GRP.CTRL, 0n)).toBe(true);
    expect(dev.hasAttr(GRP.CTRL, 1n)).toBe(false);
    dev.setAttr(GRP.CTRL, 0n, 0);
    expect(dev.getAttr(GRP.NR_IRQS, 0n, 4)).toBe(256n);
    expect(code(() => dev.setAttr(GRP.NR_IRQS, 0n, 64))).toBe('EBUSY');
    expect(code(() => vm.createVcpu(1))).toBe('EBUSY');
  });

  test('unknown groups → ENXIO', () => {
    const { dev } = withVgic(1);
    expect(code(() => dev.setAttr(GRP.REDIST_REGS, 0n, 0))).toBe('ENXIO');
    expect(code(() => dev.getAttr(GRP.CPU_SYSREGS, 0n))).toBe('ENXIO');
    expect(dev.hasAttr(GRP.LEVEL_INFO, 0n)).toBe(false);
  });

  test('KVM_IRQ_LINE with the VGIC: CPU type ENXIO; SPI range by nr_irqs; PPI range and vCPU', () => {
    const { vm, dev } = withVgic(1);
    dev.setAttr(GRP.NR_IRQS, 0n, 128);
    expect(code(() => vm.irqLine(encodeIrq({ type: 'cpu', irq: 0, vcpu: 0 }), true))).toBe('ENXIO');
    expect(code(() => vm.irqLine(0x01000000 | 31, true))).toBe('EINVAL');
    expect(code(() => vm.irqLine(encodeIrq({ type: 'spi', irq: 128 }), true))).toBe('EINVAL');
    expect(code(() => vm.irqLine(encodeIrq({ type: 'ppi', irq: 20, vcpu: 1 }), true))).toBe('EINVAL');
    expect(code(() => vm.irqLine(0x02000000 | 32, true))).toBe('EINVAL');
    vm.irqLine(encodeIrq({ type: 'spi', irq: 100 }), true);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_ISPENDR3'))).toBe(1n << 4n);
    vm.irqLine(encodeIrq({ type: 'ppi', irq: 20, vcpu: 0 }), true);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_ISPENDR0'))).toBe(1n << 20n);
    vm.irqLine(encodeIrq({ type: 'ppi', irq: 20, vcpu: 0 }), false);
    expect(dev.getAttr(GRP.DIST_REGS, reg('GICD_ISPENDR0'))).toBe(0n);
  });

  test('KVM_IRQ_LINE without an irqchip: SPI/PPI → ENXIO; CPU type needs an existing vCPU and irq 0/1', () => {
    const vm = newVm();
    vm.createVcpu(0);
    expect(code(() => vm.irqLine(encodeIrq({ type: 'spi', irq: 40 }), true))).toBe('ENXIO');
    expect(code(() => vm.irqLine(encodeIrq({ type: 'ppi', irq: 20, vcpu: 0 }), true))).toBe('ENXIO');
    expect(code(() => vm.irqLine(encodeIrq({ type: 'cpu', irq: 0, vcpu: 1 }), true))).toBe('EINVAL');
    expect(code(() => vm.irqLine(0x00000002, true))).toBe('EINVAL');
    expect(code(() => vm.irqLine(encodeIrq({ type: 'cpu', irq: 0, vcpu: 0 }), true))).toBe('ok');
    expect(code(() => vm.irqLine(encodeIrq({ type: 'cpu', irq: 1, vcpu: 0 }), false))).toBe('ok');
  });

  test('legacy path: SET_DEVICE_ADDR before CREATE_IRQCHIP → ENODEV; unknown device → ENODEV; EINVAL; EEXIST', () => {
    const vm = newVm();
    vm.createVcpu(0);
    expect(code(() => vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), DIST))).toBe('ENODEV');
    vm.createIrqchip();
    expect(code(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2))).toBe('EEXIST');
    expect(code(() => vm.setDeviceAddr(encodeDeviceAddrId({ device: 1, type: 0 }), DIST))).toBe('ENODEV');
    expect(code(() => vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), CPU + 0x100n))).toBe('EINVAL');
    vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), DIST);
    expect(code(() => vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), DIST))).toBe('EEXIST');
    vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), CPU);
  });

  test('first KVM_RUN with the VGIC but no addresses → ENXIO', () => {
    const vm = newVm();
    const vcpu = vm.createVcpu(0);
    const dev = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    dev.setAttr(GRP.ADDR, 0n, DIST);
    vcpu.init(vm.preferredTarget());
    expect(code(() => vcpu.run())).toBe('ENXIO');
  });
});
