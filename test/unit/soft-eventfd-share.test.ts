/**
 * Soft eventfds across Vm.share(): the irqfd / ioeventfd tables travel with the handle (structuredClone stands in
 * for postMessage: the SharedArrayBuffers arrive as the same memory), a vCPU of the opened VM signals the eventfd
 * the VMM thread reads, and changing the tables after share() is refused instead of silently diverging.
 */
import { open, openSharedVm } from '../../lib/index';
import type { SharedVmHandle } from '../../lib/backend';
import { arm64CoreId } from '../../lib/codec/regid';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, KVM_DEV_ARM_VGIC_CTRL_INIT, encodeVgicV2Attr } from '../../lib/codec/vgic';

const RAM = 0x40000000n;
const DOORBELL = 0x0a000050n;
const PROG = [
  0xd2a14001, // mov  x1, #0x0a000000
  0x91014021, // add  x1, x1, #0x50
  0xd2800022, // mov  x2, #1
  0xb9000022, // str  w2, [x1]       doorbell (ioeventfd, and an irqfd on the same eventfd)
  0xb9000022, // str  w2, [x1]
  0x52800100, // mov  w0, #8
  0x72b08000, // movk w0, #0x8400, lsl #16
  0xd4000002, // hvc  #0             PSCI SYSTEM_OFF
];

test('a vCPU of the shared VM rings the doorbell: the eventfd counts on the VMM thread; an irqfd on it injects', () => {
  const hv = open({ backend: 'soft' });
  const vm = hv.createVm();
  const ram = hv.allocateMemory(0x10000);
  const dv = new DataView(ram.bytes.buffer, ram.bytes.byteOffset);
  PROG.forEach((w, i) => dv.setUint32(i * 4, w, true));
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: ram });
  const count = hv.eventfd();
  vm.ioeventfd({ fd: count.fd, addr: DOORBELL, len: 4 });
  // a second VM whose doorbell eventfd is also an irqfd: the write becomes SPI 40 pending, the count is taken
  const vm2 = hv.createVm();
  vm2.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: ram });
  const irq = hv.eventfd();
  vm2.ioeventfd({ fd: irq.fd, addr: DOORBELL, len: 4 });
  vm2.irqfd({ fd: irq.fd, gsi: 8 });
  const gic = vm2.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
  gic.setAttr(GRP.ADDR, 0n, 0x08000000n);
  gic.setAttr(GRP.ADDR, 1n, 0x08010000n);

  for (const [v, ev] of [
    [vm, count],
    [vm2, irq],
  ] as const) {
    const handle = structuredClone(v.share()) as SharedVmHandle;
    expect(() => v.ioeventfd({ fd: ev.fd, addr: DOORBELL + 8n, len: 4 })).toThrow(/share\(\)/);
    expect(() => v.irqfd({ fd: hv.eventfd().fd, gsi: 9 })).toThrow(/share\(\)/);
    const other = openSharedVm(handle);
    const cpu = other.createVcpu(0);
    cpu.init({ ...other.preferredTarget(), features: ['psci-0.2'] });
    cpu.setOneReg(arm64CoreId('pc'), RAM);
    if (v === vm2) gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
    expect(cpu.run()).toMatchObject({ reason: 'system-event' });
    cpu.close();
    other.close();
  }
  expect(count.read()).toBe(2n);
  expect(() => irq.read()).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
  const ispendr1 = gic.getAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x204 }), 4);
  expect((ispendr1 >> 8n) & 1n).toBe(1n);
  vm.close();
  vm2.close();
  ram.close();
  hv.close();
});
