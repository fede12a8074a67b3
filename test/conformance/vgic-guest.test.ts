/**
 * VGICv2 seen by a guest, on every available backend: the guest programs the distributor and its CPU interface
 * through MMIO (no exits: the GIC is in the kernel / in the backend), the VMM injects SPI 40 with KVM_IRQ_LINE,
 * the guest takes the IRQ, reads GICC_IAR and reports it with an MMIO write, then EOIs.
 */
import { open } from '../../lib/index';
import { conformanceBackendNames } from './backends';
import type { Hypervisor, Vm, Vcpu, GuestMemory } from '../../lib/backend';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, encodeVgicV2Attr, gicRegOffset } from '../../lib/codec/vgic';
import { encodeIrq } from '../../lib/codec/irq';
import { arm64CoreId } from '../../lib/codec/regid';

const backends: Array<'soft' | 'kvm'> = conformanceBackendNames('vgic guest conformance');

const RAM = 0x40000000;
const DIST = 0x08000000n;
const CPU = 0x08010000n;
const DOORBELL = 0x09000000n;

// prettier-ignore
const MAIN = [
  0xd2a10001, // mov  x1, #0x08000000          GICD base
  0xd2a10022, // mov  x2, #0x08010000          GICC base
  0x52800023, // mov  w3, #1
  0xb9000023, // str  w3, [x1]                 GICD_CTLR = 1
  0xb9000043, // str  w3, [x2]                 GICC_CTLR = EnableGrp0
  0x52801e04, // mov  w4, #0xf0
  0xb9000444, // str  w4, [x2, #4]             GICC_PMR = 0xf0
  0x52802005, // mov  w5, #0x100
  0xb9010425, // str  w5, [x1, #0x104]         GICD_ISENABLER1 = bit 8 (SPI 40)
  0x10003ee6, // adr  x6, vectors (+0x7dc → 0x800)
  0xd518c006, // msr  vbar_el1, x6
  0xd2a12007, // mov  x7, #0x09000000          doorbell
  0xd50342ff, // msr  daifclr, #2              unmask IRQ
  0xb90000e3, // str  w3, [x7]                 MMIO exit: "ready"
  0xd503207f, // 1: wfi
  0x17ffffff, // b    1b
];
// prettier-ignore
const IRQ_HANDLER = [ // at vectors + 0x280 (IRQ, current EL with SP_ELx)
  0xb9400c48, // ldr  w8, [x2, #0xc]           GICC_IAR
  0xb90004e8, // str  w8, [x7, #4]             MMIO exit: the acknowledged id
  0xb9001048, // str  w8, [x2, #0x10]          GICC_EOIR
  0xd69f03e0, // eret
];

function load(mem: GuestMemory): void {
  const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset, mem.bytes.byteLength);
  MAIN.forEach((w, i) => dv.setUint32(i * 4, w, true));
  IRQ_HANDLER.forEach((w, i) => dv.setUint32(0xa80 + i * 4, w, true));
}

describe.each(backends)('a guest takes a GICv2 interrupt (%s backend)', (backend) => {
  let hv: Hypervisor;
  let vm: Vm;
  let vcpu: Vcpu;
  let mem: GuestMemory;
  beforeAll(() => {
    hv = open({ backend });
    vm = hv.createVm();
    mem = hv.allocateMemory(0x10000);
    load(mem);
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: BigInt(RAM), memory: mem });
    vcpu = vm.createVcpu(0);
    const dev = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    dev.setAttr(GRP.ADDR, 0n, DIST);
    dev.setAttr(GRP.ADDR, 1n, CPU);
    dev.setAttr(GRP.NR_IRQS, 0n, 64);
    vcpu.init(vm.preferredTarget());
    vcpu.setOneReg(arm64CoreId('pc'), BigInt(RAM));
  });
  afterAll(() => {
    vcpu.close();
    vm.close();
    mem.close();
    hv.close();
  });

  test('the guest enables the GIC without exits, takes SPI 40 and reads it from GICC_IAR', () => {
    const ready = vcpu.run();
    expect(ready).toMatchObject({ reason: 'mmio', physAddr: DOORBELL, isWrite: true, len: 4 });
    vm.irqLine(encodeIrq({ type: 'spi', irq: 40 }), true);
    const got = vcpu.run();
    expect(got.reason).toBe('mmio');
    if (got.reason !== 'mmio') return;
    expect(got.physAddr).toBe(DOORBELL + 4n);
    expect(new DataView(got.data.buffer, got.data.byteOffset, 4).getUint32(0, true)).toBe(40);
  });
});

// the GIC state the guest wrote through MMIO, read back through the device attributes
describe.each(backends)('guest GIC writes are the device API state (%s backend)', (backend) => {
  test('GICD_CTLR, GICD_ISENABLER1 and GICC PMR after the guest set them', () => {
    const hv = open({ backend });
    const vm = hv.createVm();
    const mem = hv.allocateMemory(0x10000);
    load(mem);
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: BigInt(RAM), memory: mem });
    const vcpu = vm.createVcpu(0);
    const dev = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    dev.setAttr(GRP.ADDR, 0n, DIST);
    dev.setAttr(GRP.ADDR, 1n, CPU);
    vcpu.init(vm.preferredTarget());
    vcpu.setOneReg(arm64CoreId('pc'), BigInt(RAM));
    expect(vcpu.run()).toMatchObject({ reason: 'mmio', physAddr: DOORBELL });
    const a = (name: string): bigint => encodeVgicV2Attr({ cpu: 0, offset: gicRegOffset(name).offset });
    expect(dev.getAttr(GRP.DIST_REGS, a('GICD_CTLR'))).toBe(1n);
    expect(dev.getAttr(GRP.DIST_REGS, a('GICD_ISENABLER1'))).toBe(0x100n);
    expect(dev.getAttr(GRP.CPU_REGS, a('GICC_PMR'))).toBe(0xf0n >> 3n);
    expect(dev.getAttr(GRP.CPU_REGS, a('GICC_CTLR')) & 1n).toBe(1n);
    vcpu.close();
    vm.close();
    mem.close();
    hv.close();
  });
});
