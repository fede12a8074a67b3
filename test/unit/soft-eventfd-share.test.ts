/**
 * Soft eventfds across Vm.share(): the irqfd / ioeventfd tables are shared memory of the VM, so registrations made
 * on the VMM thread — before or after share(), e.g. an irqfd once the VGIC is initialised — reach the vCPU of the
 * opened VM (structuredClone stands in for postMessage: the SharedArrayBuffers arrive as the same memory), and
 * what that vCPU signals is read on the VMM thread.
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
  0xb9000022, // str  w2, [x1]       doorbell: eventfd `count`
  0xb9000022, // str  w2, [x1]
  0xb9000822, // str  w2, [x1, #8]   second doorbell: eventfd `irq`, an irqfd of SPI 40
  0x52800100, // mov  w0, #8
  0x72b08000, // movk w0, #0x8400, lsl #16
  0xd4000002, // hvc  #0             PSCI SYSTEM_OFF
];

test('registrations made on the VMM thread after share() reach the vCPU of the opened VM, and back', () => {
  const hv = open({ backend: 'soft' });
  const vm = hv.createVm();
  const ram = hv.allocateMemory(0x10000);
  const dv = new DataView(ram.bytes.buffer, ram.bytes.byteOffset);
  PROG.forEach((w, i) => dv.setUint32(i * 4, w, true));
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: ram });
  const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
  gic.setAttr(GRP.ADDR, 0n, 0x08000000n);
  gic.setAttr(GRP.ADDR, 1n, 0x08010000n);
  const count = hv.eventfd();
  vm.ioeventfd({ fd: count.fd, addr: DOORBELL, len: 4 }); // before share()

  const other = openSharedVm(structuredClone(vm.share()) as SharedVmHandle);
  const cpu = other.createVcpu(0);
  cpu.init({ ...other.preferredTarget(), features: ['psci-0.2'] });
  cpu.setOneReg(arm64CoreId('pc'), RAM);
  gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
  const irq = hv.eventfd();
  vm.ioeventfd({ fd: irq.fd, addr: DOORBELL + 8n, len: 4 }); // after share()
  vm.irqfd({ fd: irq.fd, gsi: 8 }); // after the VGIC init, which needs the vCPUs: necessarily after share()

  expect(cpu.run()).toMatchObject({ reason: 'system-event' });
  expect(count.read()).toBe(2n);
  expect(() => irq.read()).toThrow(expect.objectContaining({ code: 'EAGAIN' })); // the irqfd took it
  const ispendr1 = gic.getAttr(GRP.DIST_REGS, encodeVgicV2Attr({ cpu: 0, offset: 0x204 }), 4);
  expect((ispendr1 >> 8n) & 1n).toBe(1n);

  // deassigned on the VMM thread: the opened VM's vCPU exits on that doorbell again
  vm.ioeventfd({ fd: count.fd, addr: DOORBELL, len: 4, deassign: true });
  cpu.setOneReg(arm64CoreId('pc'), RAM);
  cpu.setMpState('runnable'); // SYSTEM_OFF stopped every vCPU
  expect(cpu.run()).toMatchObject({ reason: 'mmio', physAddr: DOORBELL, isWrite: true });
  // closing the eventfd drops its irqfd (KVM: EPOLLHUP), so a new irqfd on SPI 40's gsi with another eventfd is fine
  irq.close();
  const again = hv.eventfd();
  vm.irqfd({ fd: again.fd, gsi: 8 });
  cpu.close();
  other.close();
  vm.close();
  ram.close();
  hv.close();
});
