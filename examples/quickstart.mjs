// The README's first example, runnable: `node examples/quickstart.mjs` (after `npm install`).
// A five-instruction guest writes 'A' to an MMIO address, reads it back (the VMM answers the read), then powers
// off through PSCI. The same code runs on real KVM (arm64 Linux) and on the soft backend (anywhere).
import { open, arm64CoreId } from 'kvm-arm';

const hv = open(); // backend 'auto': kvm on an arm64 host with /dev/kvm, else soft
console.log(`backend: ${hv.backend} (${hv.reason})`);
const vm = hv.createVm();
const ram = hv.allocateMemory(0x10000);
const code = [
  0xd2a12002, // movz x2, #0x0900, lsl #16   x2 = 0x09000000, outside RAM: MMIO
  0x52800821, // movz w1, #0x41              'A'
  0xb9000041, // str  w1, [x2]               MMIO write exit
  0xb9400044, // ldr  w4, [x2]               MMIO read exit: the VMM supplies the data
  0x52800100, // movz w0, #0x0008
  0x72b08000, // movk w0, #0x8400, lsl #16   w0 = 0x84000008 PSCI SYSTEM_OFF
  0xd4000002, // hvc  #0
];
code.forEach((w, i) => new DataView(ram.bytes.buffer, ram.bytes.byteOffset).setUint32(i * 4, w, true));
vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x40000000n, memory: ram });
const vcpu = vm.createVcpu(0);
vcpu.init({ ...vm.preferredTarget(), features: ['psci-0.2'] });
vcpu.setOneReg(arm64CoreId('pc'), 0x40000000n);
for (;;) {
  const exit = vcpu.run();
  if (exit.reason === 'mmio' && exit.isWrite) console.log(`guest wrote ${String.fromCharCode(exit.data[0])} to 0x${exit.physAddr.toString(16)}`);
  else if (exit.reason === 'mmio') exit.data.set([0x42, 0, 0, 0]); // complete the read before the next run()
  else if (exit.reason === 'system-event') {
    console.log(`system event: ${exit.type}; w4 = 0x${vcpu.getReg(arm64CoreId('x4')).toString(16)} (PSCI calls clear x1..x3, as in KVM)`);
    break;
  } else throw new Error(`unexpected exit ${exit.reason}`);
}
vm.close();
hv.close();
