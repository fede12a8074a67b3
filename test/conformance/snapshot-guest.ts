/**
 * The guest and the tiny VMM of the snapshot tests (conformance: soft round trip; arm64: soft ↔ kvm).
 *
 * The guest (bare metal, EL1, MMU off, at 0x40000000): enables PPI 27 (virtual timer) in a VGICv2 created with
 * KVM_CREATE_DEVICE, arms CNTV for 0x8000 counts, WFIs; each timer IRQ acknowledges GICC_IAR, counts in x20,
 * in d0 (FP) and in RAM, prints "tick NN\n" byte by byte to the PL011 data register (one MMIO exit per byte),
 * re-arms the timer, EOIs. After tick 20 it prints "O\n" when the three counters agree ("X\n" otherwise) and
 * calls PSCI SYSTEM_OFF. Its output does not depend on timing, so an interrupted run (snapshot / restore) must
 * print exactly what an uninterrupted run prints. Source: assembled with aarch64-linux-gnu-as; words below.
 */
import type { Hypervisor, Vm, Vcpu, Device, GuestMemory, VcpuInit } from '../../lib/backend';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, KVM_DEV_ARM_VGIC_CTRL_INIT } from '../../lib/codec/vgic';
import { arm64CoreId } from '../../lib/codec/regid';
import type { VmParts } from '../../lib/snapshot';

export const RAM = 0x40000000n;
export const RAM_SIZE = 0x100000; // 1 MiB
export const UART = 0x09000000n;
export const GICD = 0x08000000n;
export const GICC = 0x08010000n;
export const TICKS = 20;

// prettier-ignore
const GUEST: ReadonlyArray<readonly [number, number]> = [
  [0x000, 0xd2a12001], // mov x1, #0x9000000
  [0x004, 0xd2a10002], // mov x2, #0x8000000
  [0x008, 0xd2a10023], // mov x3, #0x8010000
  [0x00c, 0x10003fa4], // adr x4, 40000800 <vectors>
  [0x010, 0xd518c004], // msr vbar_el1, x4
  [0x014, 0xd2a00605], // mov x5, #0x300000
  [0x018, 0xd5181045], // msr cpacr_el1, x5
  [0x01c, 0xd5033fdf], // isb
  [0x020, 0x2f00e400], // movi d0, #0x0
  [0x024, 0x1e6e1001], // fmov d1, #1.000000000000000000e+00
  [0x028, 0x1000080d], // adr x13, 40000128 <count>
  [0x02c, 0x52a10005], // mov w5, #0x8000000
  [0x030, 0xb9010045], // str w5, [x2, #256]
  [0x034, 0x52801405], // mov w5, #0xa0
  [0x038, 0x39106c45], // strb w5, [x2, #1051]
  [0x03c, 0x52800025], // mov w5, #0x1
  [0x040, 0xb9000045], // str w5, [x2]
  [0x044, 0xb9000065], // str w5, [x3]
  [0x048, 0x52801e05], // mov w5, #0xf0
  [0x04c, 0xb9000465], // str w5, [x3, #4]
  [0x050, 0xd2800014], // mov x20, #0x0
  [0x054, 0x94000004], // bl 40000064 <arm>
  [0x058, 0xd50342ff], // msr daifclr, #0x2
  [0x05c, 0xd503207f], // wfi
  [0x060, 0x17ffffff], // b 4000005c <_start+0x5c>
  [0x064, 0xd2900006], // mov x6, #0x8000
  [0x068, 0xd51be306], // msr cntv_tval_el0, x6
  [0x06c, 0xd2800026], // mov x6, #0x1
  [0x070, 0xd51be326], // msr cntv_ctl_el0, x6
  [0x074, 0xd65f03c0], // ret
  [0x078, 0xb9400c67], // ldr w7, [x3, #12]
  [0x07c, 0x91000694], // add x20, x20, #0x1
  [0x080, 0x1e612800], // fadd d0, d0, d1
  [0x084, 0xf94001ae], // ldr x14, [x13]
  [0x088, 0x910005ce], // add x14, x14, #0x1
  [0x08c, 0xf90001ae], // str x14, [x13]
  [0x090, 0x52800e88], // mov w8, #0x74
  [0x094, 0xb9000028], // str w8, [x1]
  [0x098, 0x52800d28], // mov w8, #0x69
  [0x09c, 0xb9000028], // str w8, [x1]
  [0x0a0, 0x52800c68], // mov w8, #0x63
  [0x0a4, 0xb9000028], // str w8, [x1]
  [0x0a8, 0x52800d68], // mov w8, #0x6b
  [0x0ac, 0xb9000028], // str w8, [x1]
  [0x0b0, 0x52800408], // mov w8, #0x20
  [0x0b4, 0xb9000028], // str w8, [x1]
  [0x0b8, 0xd2800149], // mov x9, #0xa
  [0x0bc, 0x9ac90a8a], // udiv x10, x20, x9
  [0x0c0, 0x9b09d14b], // msub x11, x10, x9, x20
  [0x0c4, 0x1100c14a], // add w10, w10, #0x30
  [0x0c8, 0xb900002a], // str w10, [x1]
  [0x0cc, 0x1100c16b], // add w11, w11, #0x30
  [0x0d0, 0xb900002b], // str w11, [x1]
  [0x0d4, 0x52800148], // mov w8, #0xa
  [0x0d8, 0xb9000028], // str w8, [x1]
  [0x0dc, 0xf100529f], // cmp x20, #0x14
  [0x0e0, 0x54000080], // b.eq 400000f0 <done>
  [0x0e4, 0x97ffffe0], // bl 40000064 <arm>
  [0x0e8, 0xb9001067], // str w7, [x3, #16]
  [0x0ec, 0xd69f03e0], // eret
  [0x0f0, 0x9e79000c], // fcvtzu x12, d0
  [0x0f4, 0xeb14019f], // cmp x12, x20
  [0x0f8, 0xfa5401c0], // ccmp x14, x20, #0x0, eq
  [0x0fc, 0x528009e8], // mov w8, #0x4f
  [0x100, 0x52800b09], // mov w9, #0x58
  [0x104, 0x1a890108], // csel w8, w8, w9, eq
  [0x108, 0xb9000028], // str w8, [x1]
  [0x10c, 0x52800148], // mov w8, #0xa
  [0x110, 0xb9000028], // str w8, [x1]
  [0x114, 0x52b08000], // mov w0, #0x84000000
  [0x118, 0x11002000], // add w0, w0, #0x8
  [0x11c, 0xd4000002], // hvc #0x0
  [0x120, 0x14000000], // b 40000120 <done+0x30>
  [0xa80, 0x17fffd7e], // b 40000078 <irq>
];

/** What the guest prints from start to SYSTEM_OFF. */
export const EXPECTED_OUTPUT = Array.from({ length: TICKS }, (_, i) => `tick ${String(i + 1).padStart(2, '0')}\n`).join('') + 'O\n';

export interface GuestVm {
  readonly hv: Hypervisor;
  readonly vm: Vm;
  readonly vcpus: readonly Vcpu[];
  readonly gic: Device;
  readonly mem: GuestMemory;
  readonly init: VcpuInit;
  /** UART bytes written by this VM */
  uartBytes: number;
}

/** A fresh VM with the guest loaded, PC at its entry. */
export function createGuestVm(hv: Hypervisor): GuestVm {
  const vm = hv.createVm();
  const mem = hv.allocateMemory(RAM_SIZE);
  const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset, mem.bytes.byteLength);
  for (const [off, w] of GUEST) dv.setUint32(off, w, true);
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: mem });
  const vcpu = vm.createVcpu(0);
  const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
  gic.setAttr(GRP.ADDR, 0n, GICD);
  gic.setAttr(GRP.ADDR, 1n, GICC);
  gic.setAttr(GRP.NR_IRQS, 0n, 64);
  const init: VcpuInit = { target: vm.preferredTarget().target, features: ['psci-0.2'] };
  vcpu.init(init);
  gic.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
  vcpu.setOneReg(arm64CoreId('pc'), RAM);
  return { hv, vm, vcpus: [vcpu], gic, mem, init, uartBytes: 0 };
}

/** The parts captureVm() needs, with the VMM's own state (the UART byte count) as a device blob. */
export function guestParts(g: GuestVm): VmParts {
  const uart = new Uint8Array(4);
  new DataView(uart.buffer).setUint32(0, g.uartBytes, true);
  return {
    hypervisor: g.hv,
    vm: g.vm,
    vcpus: g.vcpus,
    init: g.init,
    memory: [{ slot: 0, guestPhysAddr: RAM, memory: g.mem }],
    gic: g.gic,
    machine: { board: 'snapshot-test', ram: { base: '0x40000000', size: RAM_SIZE }, uart: '0x09000000', gic: { dist: '0x08000000', cpu: '0x08010000' } },
    devices: [{ name: 'pl011', data: uart }],
  };
}

/**
 * Runs vCPU 0 until SYSTEM_OFF ('shutdown') or until `maxExits` UART writes have been handled ('limit').
 * UART bytes go to `out`; any other exit is an error.
 */
export function runGuest(vcpu: Vcpu, out: number[], maxExits = Infinity, onUart?: () => void): 'shutdown' | 'limit' {
  let exits = 0;
  for (;;) {
    if (exits >= maxExits) return 'limit';
    const e = vcpu.run();
    switch (e.reason) {
      case 'mmio':
        if (!e.isWrite || e.physAddr !== UART) throw new Error(`unexpected MMIO ${e.isWrite ? 'write' : 'read'} at 0x${e.physAddr.toString(16)}`);
        out.push(e.data[0] as number);
        onUart?.();
        exits++;
        break;
      case 'system-event':
        if (e.type !== 'shutdown') throw new Error(`unexpected system event ${e.type}`);
        return 'shutdown';
      case 'intr':
        break;
      default:
        throw new Error(`unexpected exit ${e.reason}`);
    }
  }
}

export function closeGuestVm(g: { vcpus: readonly Vcpu[]; gic?: Device | undefined; vm: Vm; mem?: GuestMemory }): void {
  for (const v of g.vcpus) v.close();
  g.gic?.close();
  g.vm.close();
  g.mem?.close();
}
