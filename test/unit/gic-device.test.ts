/**
 * SoftVgic (lib/soft/gic/device.ts): KVM's VGIC ioctls and device attributes with a fake VM host. Every errno
 * here is the one Linux 6.1 returns (arch/arm64/kvm/arm.c, vgic/vgic-kvm-device.c, vgic-init.c, vgic-mmio*.c).
 */
import { SoftVgic, VGIC_ADDR_UNDEF, type VgicHost } from '../../lib/soft/gic/device';
import { KvmError } from '../../lib/errors';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, encodeVgicV2Attr, encodeDeviceAddrId, gicRegOffset } from '../../lib/codec/vgic';
import { encodeIrq } from '../../lib/codec/irq';

class FakeHost implements VgicHost {
  vcpus = 1;
  running = false;
  ran = false;
  ipaBits = 40;
  lines: Array<[number, string, boolean]> = [];
  outputs: Array<[number, boolean, boolean]> = [];
  vcpuCount(): number {
    return this.vcpus;
  }
  anyVcpuRunning(): boolean {
    return this.running;
  }
  anyVcpuHasRun(): boolean {
    return this.ran;
  }
  setCpuLine(v: number, l: 'irq' | 'fiq', level: boolean): void {
    this.lines.push([v, l, level]);
  }
  gicOutput(c: number, i: boolean, f: boolean): void {
    this.outputs.push([c, i, f]);
  }
}

function errno(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof KvmError) return e.code;
    throw e;
  }
  return 'ok';
}
const dist = (name: string, cpu = 0): bigint => encodeVgicV2Attr({ cpu, offset: gicRegOffset(name).offset });
const cpuAttr = (name: string, cpu = 0): bigint => encodeVgicV2Attr({ cpu, offset: gicRegOffset(name).offset });

function withDevice(vcpus = 1): { host: FakeHost; chip: SoftVgic } {
  const host = new FakeHost();
  host.vcpus = vcpus;
  const chip = new SoftVgic(host);
  chip.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, false);
  return { host, chip };
}

describe('creation', () => {
  test('one VGIC per VM: CREATE_IRQCHIP then CREATE_DEVICE → EEXIST and vice versa', () => {
    const a = new SoftVgic(new FakeHost());
    a.createIrqchip();
    expect(errno(() => a.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, false))).toBe('EEXIST');
    expect(errno(() => a.createIrqchip())).toBe('EEXIST');
    const b = new SoftVgic(new FakeHost());
    b.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, false);
    expect(errno(() => b.createIrqchip())).toBe('EEXIST');
  });
  test('the test flag probes without creating; GICv3 / ITS on this GICv2 machine → ENODEV', () => {
    const a = new SoftVgic(new FakeHost());
    expect(a.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, true)).toBeNull();
    expect(a.inKernel).toBe(false);
    expect(errno(() => a.createDevice(KVM_DEV_TYPE.ARM_VGIC_V3, true))).toBe('ENODEV');
    expect(errno(() => a.createDevice(KVM_DEV_TYPE.ARM_VGIC_V3, false))).toBe('ENODEV');
    expect(errno(() => a.createDevice(KVM_DEV_TYPE.ARM_VGIC_ITS, false))).toBe('ENODEV');
  });
  test('after a vCPU ran → EBUSY; more than 8 vCPUs → E2BIG', () => {
    const h = new FakeHost();
    h.ran = true;
    expect(errno(() => new SoftVgic(h).createIrqchip())).toBe('EBUSY');
    const h9 = new FakeHost();
    h9.vcpus = 9;
    expect(errno(() => new SoftVgic(h9).createIrqchip())).toBe('E2BIG');
  });
  test('KVM_CREATE_VCPU checks: EBUSY after init, EINVAL for a 9th vCPU', () => {
    const { chip } = withDevice(8);
    expect(errno(() => chip.checkCreateVcpu(8))).toBe('EINVAL');
    const { chip: c2 } = withDevice(1);
    expect(errno(() => c2.checkCreateVcpu(1))).toBe('ok');
    c2.setAttr(GRP.CTRL, 0n, 0);
    expect(errno(() => c2.checkCreateVcpu(1))).toBe('EBUSY');
  });
});

describe('addresses', () => {
  test('GRP_ADDR: undefined reads all-ones; set, EEXIST on the second set; 4K alignment EINVAL; beyond IPA E2BIG', () => {
    const { chip } = withDevice();
    expect(chip.getAttr(GRP.ADDR, 0n)).toBe(VGIC_ADDR_UNDEF);
    expect(errno(() => chip.setAttr(GRP.ADDR, 0n, 0x8001000n))).toBe('ok');
    expect(chip.getAttr(GRP.ADDR, 0n)).toBe(0x8001000n);
    expect(errno(() => chip.setAttr(GRP.ADDR, 0n, 0x9000000n))).toBe('EEXIST');
    expect(errno(() => chip.setAttr(GRP.ADDR, 1n, 0x8010800n))).toBe('EINVAL');
    expect(errno(() => chip.setAttr(GRP.ADDR, 1n, 1n << 40n))).toBe('E2BIG');
    expect(errno(() => chip.setAttr(GRP.ADDR, 1n, (1n << 40n) - 0x1000n))).toBe('E2BIG'); // 8 KiB frame crosses the end
    expect(errno(() => chip.setAttr(GRP.ADDR, 1n, (1n << 40n) - 0x2000n))).toBe('ok');
    expect(errno(() => chip.setAttr(GRP.ADDR, 2n, 0x100000n))).toBe('ENXIO'); // a GICv3 type
    expect(errno(() => chip.getAttr(GRP.ADDR, 7n))).toBe('ENXIO');
  });
  test('overlapping frames are accepted at set time and fail the first KVM_RUN with EINVAL', () => {
    const { chip } = withDevice();
    chip.setAttr(GRP.ADDR, 0n, 0x8000000n);
    chip.setAttr(GRP.ADDR, 1n, 0x8000000n);
    expect(errno(() => chip.vcpuFirstRun(0))).toBe('EINVAL');
    expect(chip.dead).toBe(true);
  });
  test('first KVM_RUN without addresses → ENXIO', () => {
    const { chip } = withDevice();
    chip.setAttr(GRP.ADDR, 0n, 0x8000000n);
    expect(errno(() => chip.vcpuFirstRun(0))).toBe('ENXIO');
  });
  test('legacy KVM_ARM_SET_DEVICE_ADDR: ENODEV before CREATE_IRQCHIP, for unknown device or type; then as GRP_ADDR', () => {
    const chip = new SoftVgic(new FakeHost());
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), 0x8000000n))).toBe('ENODEV');
    chip.createIrqchip();
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId({ device: 1, type: 0 }), 0x8000000n))).toBe('ENODEV');
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId({ device: 0, type: 2 }), 0x8000000n))).toBe('ENODEV');
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), 0x8000800n))).toBe('EINVAL');
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), 0x8000000n))).toBe('ok');
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), 0x8000000n))).toBe('EEXIST');
    expect(errno(() => chip.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), 0x8010000n))).toBe('ok');
    expect(chip.addresses).toEqual({ dist: 0x8000000n, cpu: 0x8010000n });
    expect(errno(() => chip.vcpuFirstRun(0))).toBe('ok');
  });
});

describe('NR_IRQS and CTRL_INIT', () => {
  test('NR_IRQS reads 32 before anything; 64..1023 step 32 (1024 is > VGIC_MAX_RESERVED → EINVAL); set once', () => {
    const { chip } = withDevice();
    expect(chip.getAttr(GRP.NR_IRQS, 0n)).toBe(32n);
    for (const bad of [0, 32, 63, 96 + 1, 1024, 2048]) expect(errno(() => chip.setAttr(GRP.NR_IRQS, 0n, bad))).toBe('EINVAL');
    expect(errno(() => chip.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('ok');
    expect(chip.getAttr(GRP.NR_IRQS, 0n)).toBe(128n);
    expect(errno(() => chip.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('EBUSY');
  });
  test('CTRL_INIT freezes nr_irqs at the default 256 → later NR_IRQS EBUSY; GICD_TYPER follows', () => {
    const { chip } = withDevice(2);
    chip.setAttr(GRP.CTRL, 0n, 0);
    expect(chip.getAttr(GRP.NR_IRQS, 0n)).toBe(256n);
    expect(errno(() => chip.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('EBUSY');
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_TYPER'))).toBe(BigInt(7 | (1 << 5)));
    expect(errno(() => chip.setAttr(GRP.CTRL, 0n, 0))).toBe('ok'); // init twice is fine
    expect(errno(() => chip.setAttr(GRP.CTRL, 1n, 0))).toBe('ENXIO');
    expect(errno(() => chip.getAttr(GRP.CTRL, 0n))).toBe('ENXIO');
  });
  test('a register access initialises the VGIC implicitly (NR_IRQS then EBUSY)', () => {
    const { chip } = withDevice();
    expect(chip.initialized).toBe(false);
    chip.getAttr(GRP.DIST_REGS, dist('GICD_CTLR'));
    expect(chip.initialized).toBe(true);
    expect(errno(() => chip.setAttr(GRP.NR_IRQS, 0n, 64))).toBe('EBUSY');
  });
  test('unknown groups → ENXIO (set, get), has_attr false', () => {
    const { chip } = withDevice();
    for (const g of [GRP.REDIST_REGS, GRP.CPU_SYSREGS, GRP.LEVEL_INFO, GRP.ITS_REGS, 99]) {
      expect(errno(() => chip.setAttr(g, 0n, 0))).toBe('ENXIO');
      expect(errno(() => chip.getAttr(g, 0n))).toBe('ENXIO');
      expect(chip.hasAttr(g, 0n)).toBe(false);
    }
  });
});

describe('register groups', () => {
  test('cpu id beyond the vCPUs → EINVAL (get, set and has_attr); reserved bits 63..40 ignored', () => {
    const { chip } = withDevice(2);
    expect(errno(() => chip.getAttr(GRP.DIST_REGS, dist('GICD_CTLR', 2)))).toBe('EINVAL');
    expect(errno(() => chip.setAttr(GRP.CPU_REGS, cpuAttr('GICC_PMR', 5), 0))).toBe('EINVAL');
    expect(errno(() => chip.hasAttr(GRP.CPU_REGS, cpuAttr('GICC_PMR', 3)))).toBe('EINVAL');
    expect(chip.getAttr(GRP.DIST_REGS, (1n << 45n) | dist('GICD_IIDR', 1))).toBe(0x4b00343bn);
  });
  test('EBUSY while a vCPU runs', () => {
    const { host, chip } = withDevice();
    host.running = true;
    expect(errno(() => chip.getAttr(GRP.DIST_REGS, dist('GICD_CTLR')))).toBe('EBUSY');
    expect(errno(() => chip.setAttr(GRP.CPU_REGS, cpuAttr('GICC_CTLR'), 1))).toBe('EBUSY');
  });
  test('unsupported offsets read 0 and ignore writes; has_attr says ENXIO (false)', () => {
    const { chip } = withDevice();
    chip.setAttr(GRP.CTRL, 0n, 0);
    expect(chip.getAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x10 }))).toBe(0n);
    expect(chip.hasAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x10 }))).toBe(false);
    expect(chip.hasAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x101 }))).toBe(false);
    expect(chip.getAttr(GRP.CPU_REGS, cpuAttr('GICC_IAR'))).toBe(0n);
    expect(chip.hasAttr(GRP.CPU_REGS, cpuAttr('GICC_IAR'))).toBe(false);
    expect(chip.hasAttr(GRP.CPU_REGS, cpuAttr('GICC_CTLR'))).toBe(true);
    expect(chip.hasAttr(GRP.DIST_REGS, dist('GICD_ISENABLER7'))).toBe(true);
    expect(chip.hasAttr(GRP.DIST_REGS, dist('GICD_ISENABLER8'))).toBe(false); // beyond 256 irqs
  });
  test('has_attr for SPI registers before NR_IRQS/init uses 32 interrupts (as KVM: nr_spis still 0)', () => {
    const { chip } = withDevice();
    expect(chip.hasAttr(GRP.DIST_REGS, dist('GICD_ISENABLER0'))).toBe(true);
    expect(chip.hasAttr(GRP.DIST_REGS, dist('GICD_ISENABLER1'))).toBe(false);
    chip.setAttr(GRP.NR_IRQS, 0n, 64);
    expect(chip.hasAttr(GRP.DIST_REGS, dist('GICD_ISENABLER1'))).toBe(true);
  });
  test('GICD_IIDR writes other than the revision → EINVAL', () => {
    const { chip } = withDevice();
    expect(errno(() => chip.setAttr(GRP.DIST_REGS, dist('GICD_IIDR'), 0))).toBe('EINVAL');
    expect(errno(() => chip.setAttr(GRP.DIST_REGS, dist('GICD_IIDR'), 0x4b00243b))).toBe('ok');
  });
  test('banked registers per cpu id: ISENABLER0 and PMR', () => {
    const { chip } = withDevice(2);
    chip.setAttr(GRP.DIST_REGS, dist('GICD_ISENABLER0', 1), 0x80000000);
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_ISENABLER0', 1))).toBe(0x8000ffffn);
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_ISENABLER0', 0))).toBe(0xffffn);
    chip.setAttr(GRP.CPU_REGS, cpuAttr('GICC_PMR', 0), 0x1f);
    expect(chip.getAttr(GRP.CPU_REGS, cpuAttr('GICC_PMR', 0))).toBe(0x1fn);
    expect(chip.getAttr(GRP.CPU_REGS, cpuAttr('GICC_PMR', 1))).toBe(0n);
  });
  test('bad argument types: RangeError / TypeError before any emulated syscall', () => {
    const { chip } = withDevice();
    expect(() => chip.setAttr(GRP.DIST_REGS, dist('GICD_CTLR'), 0x100000000)).toThrow(RangeError);
    expect(() => chip.setAttr(GRP.DIST_REGS, -1n, 0)).toThrow(RangeError);
    expect(() => chip.setAttr(GRP.ADDR, 0n, -5n)).toThrow(RangeError);
  });
});

describe('KVM_IRQ_LINE', () => {
  test('no irqchip: CPU type drives the vCPU line; SPI/PPI → ENXIO; vcpu out of range / irq > 1 → EINVAL', () => {
    const host = new FakeHost();
    host.vcpus = 2;
    const chip = new SoftVgic(host);
    chip.irqLine(encodeIrq({ type: 'cpu', irq: 1, vcpu: 1 }), true);
    expect(host.lines).toEqual([[1, 'fiq', true]]);
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'cpu', irq: 0, vcpu: 2 }), true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(0x00000002, true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'spi', irq: 40 }), true))).toBe('ENXIO');
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'ppi', irq: 20, vcpu: 0 }), true))).toBe('ENXIO');
    expect(errno(() => chip.irqLine(0x03000020, true))).toBe('EINVAL'); // irq_type 3
  });
  test('with a VGIC: CPU type → ENXIO; SPI < 32 or ≥ nr_irqs → EINVAL; PPI range and vcpu → EINVAL', () => {
    const { chip } = withDevice(2);
    chip.setAttr(GRP.NR_IRQS, 0n, 64);
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'cpu', irq: 0 }), true))).toBe('ENXIO');
    expect(errno(() => chip.irqLine(0x01000000 | 31, true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'spi', irq: 63 }), true))).toBe('ok');
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'spi', irq: 64 }), true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(0x01000000 | 1020, true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(0x02000000 | 15, true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(0x02000000 | 32, true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'ppi', irq: 23, vcpu: 2 }), true))).toBe('EINVAL');
    expect(errno(() => chip.irqLine(encodeIrq({ type: 'ppi', irq: 23, vcpu: 1 }), 1))).toBe('ok');
  });
  test('an SPI injection initialises the VGIC (nr_irqs frozen at 256)', () => {
    const { chip } = withDevice();
    chip.irqLine(encodeIrq({ type: 'spi', irq: 100 }), true);
    expect(chip.initialized).toBe(true);
    expect(errno(() => chip.setAttr(GRP.NR_IRQS, 0n, 128))).toBe('EBUSY');
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_ISPENDR3'))).toBe(1n << 4n);
  });
  test('timer PPIs belong to the timer after the first run: KVM_IRQ_LINE on them is ignored', () => {
    const { host, chip } = withDevice();
    chip.setAttr(GRP.ADDR, 0n, 0x8000000n);
    chip.setAttr(GRP.ADDR, 1n, 0x8010000n);
    chip.vcpuFirstRun(0);
    chip.setAttr(GRP.DIST_REGS, dist('GICD_CTLR'), 1);
    chip.setAttr(GRP.DIST_REGS, dist('GICD_ISENABLER0'), (1 << 27) | (1 << 20));
    chip.setAttr(GRP.CPU_REGS, cpuAttr('GICC_CTLR'), 1);
    chip.setAttr(GRP.CPU_REGS, cpuAttr('GICC_PMR'), 0x1f);
    chip.irqLine(encodeIrq({ type: 'ppi', irq: 27, vcpu: 0 }), true);
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_ISPENDR0'))).toBe(0n);
    chip.timerLine(0, 27, true);
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_ISPENDR0'))).toBe(1n << 27n);
    expect(host.outputs).toContainEqual([0, true, false]);
    chip.irqLine(encodeIrq({ type: 'ppi', irq: 20, vcpu: 0 }), true);
    expect(chip.getAttr(GRP.DIST_REGS, dist('GICD_ISPENDR0'))).toBe((1n << 27n) | (1n << 20n));
  });
});

describe('guest MMIO through the mapped frames', () => {
  test('dist and cpu frames at their bases after the first run; other addresses not handled', () => {
    const { chip } = withDevice();
    chip.setAttr(GRP.ADDR, 0n, 0x8000000n);
    chip.setAttr(GRP.ADDR, 1n, 0x8010000n);
    expect(chip.handleMmio(0, 0x8000004, 4, false, 0n)).toEqual({ handled: false }); // not mapped before the run
    chip.vcpuFirstRun(0);
    expect(chip.handleMmio(0, 0x8000004, 4, false, 0n)).toEqual({ handled: true, value: 7n });
    expect(chip.handleMmio(0, 0x80100fc, 4, false, 0n)).toEqual({ handled: true, value: 0x04b2043bn });
    expect(chip.handleMmio(0, 0x8011000, 4, true, 0n)).toEqual({ handled: true, value: 0n }); // GICC_DIR
    expect(chip.handleMmio(0, 0x8012000, 4, false, 0n)).toEqual({ handled: false });
    expect(chip.handleMmio(0, 0x8001000, 4, false, 0n)).toEqual({ handled: false });
  });
});
