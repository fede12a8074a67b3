/**
 * Soft-backend bugs that booting arm64 Linux exposed (test/linux), each pinned by a small guest.
 */
import { openSoft } from '../../lib/soft';
import { arm64CoreId } from '../../lib/codec/regid';
import { encodeDeviceAddrId } from '../../lib/codec/vgic';

const BASE = 0x10000n;

function gicMachine(main: number[], at: Record<number, number[]>) {
  const hv = openSoft();
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  const dv = new DataView(mem.bytes.buffer);
  main.forEach((w, i) => dv.setUint32(i * 4, w, true));
  for (const [off, words] of Object.entries(at)) words.forEach((w, i) => dv.setUint32(Number(off) + i * 4, w, true));
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: BASE, memory: mem });
  vm.createIrqchip();
  vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), 0x08000000n);
  vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), 0x08010000n);
  const vcpu = vm.createVcpu(0);
  vcpu.init({ target: 2, features: ['psci-0.2'] });
  vcpu.setOneReg(arm64CoreId('pc'), BASE);
  return { hv, vm, mem, vcpu };
}

// Linux's arch timer handler masks the timer (CNTV_CTL.IMASK) and EOIs. The soft timer's output reached the GIC
// only at run-slice boundaries (20 000 instructions), so the level-sensitive PPI 27 stayed high after the mask
// and the GIC re-signalled it after every EOI: an interrupt storm that ate ~30% of the Linux boot.
test('a timer masked in its interrupt handler is taken once (the timer output follows CNTV_CTL writes at once)', () => {
  const main = [
    0x10004000, // adr x0, vectors (+0x800)
    0xd518c000, // msr vbar_el1, x0
    0xd2800014, // mov x20, #0         (IRQs taken)
    0xd2800015, // mov x21, #0         (spurious IAR reads)
    0xd2a10002, // movz x2, #0x0800, lsl #16   (GICD)
    0x52800023, // mov w3, #1
    0xb9000043, // str w3, [x2]        GICD_CTLR = 1
    0x52a10003, // mov w3, #(1 << 27)
    0xb9010043, // str w3, [x2, #0x100]  ISENABLER0: PPI 27
    0xd2a10024, // movz x4, #0x0801, lsl #16   (GICC)
    0x52801fe3, // mov w3, #0xff
    0xb9000483, // str w3, [x4, #4]    PMR
    0x52800023, // mov w3, #1
    0xb9000083, // str w3, [x4]        GICC_CTLR = 1
    0xd51be35f, // msr cntv_cval_el0, xzr   (condition met at once)
    0xd2800023, // mov x3, #1
    0xd51be323, // msr cntv_ctl_el0, x3      (enabled, unmasked)
    0xd5033fdf, // isb
    0xd50342ff, // msr daifclr, #2
    0x910006d6, // 1: add x22, x22, #1
    0x17ffffff, // b 1b
  ];
  const irq = [
    0x91000694, // add x20, x20, #1
    0xb9400c81, // ldr w1, [x4, #0xc]  IAR
    0x12002425, // and w5, w1, #0x3ff
    0x710ffcbf, // cmp w5, #1023
    0x54000061, // b.ne 2f
    0x910006b5, // add x21, x21, #1
    0xd69f03e0, // eret
    0xd2800063, // 2: mov x3, #3
    0xd51be323, // msr cntv_ctl_el0, x3   (mask the timer)
    0xd5033fdf, // isb
    0xb9001081, // str w1, [x4, #0x10]  EOIR
    0xd69f03e0, // eret
  ];
  const { vcpu } = gicMachine(main, { 0xa80: irq }); // vectors at +0x800, IRQ from the current EL with SP_ELx: +0x280
  vcpu.setInstructionBudget(100_000);
  expect(vcpu.run()).toEqual({ reason: 'intr' });
  expect(vcpu.getReg(arm64CoreId('x22'))).toBeGreaterThan(10_000n); // the main loop ran on
  expect(vcpu.getReg(arm64CoreId('x20'))).toBe(1n); // one interrupt for one expiry
  expect(vcpu.getReg(arm64CoreId('x21'))).toBe(0n);
});
