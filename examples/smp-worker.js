// SMP: one vCPU per worker thread — the same code on the kvm and soft backends.
//   npm run build && node examples/smp-worker.js [soft|kvm|auto]
// Two vCPUs add 1 to one counter in guest RAM 100000 times each with LDXR/STXR; the total is exact because the
// store-exclusive is atomic across the threads.
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');
const kvmArm = require('../dist/cjs'); // in your project: require('kvm-arm')

const RAM = 0x40000000n;
// x1 = counter address, x2 = iterations:  1: ldxr x3,[x1]; add x3,x3,#1; stxr w4,x3,[x1]; cbnz w4,1b;
//   subs x2,x2,#1; b.ne 1b; str x2,[x5] (an MMIO write: "done"); b .
const CODE = [0xc85f7c23, 0x91000463, 0xc8047c23, 0x35ffffa4, 0xf1000442, 0x54ffff61, 0xf90000a2, 0x14000000];
const N = 100000n;

if (isMainThread) {
  const hv = kvmArm.open({ backend: process.argv[2] ?? 'auto' });
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  new Uint32Array(mem.bytes.buffer, mem.bytes.byteOffset, CODE.length).set(CODE);
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: mem });
  const handle = vm.share(); // after the memory slots: a structured-cloneable handle of this VM
  const workers = [0, 1].map((i) => new Worker(__filename, { workerData: { handle, index: i } }));
  Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject))))).then((exits) => {
    const total = new DataView(mem.bytes.buffer, mem.bytes.byteOffset).getBigUint64(0x8000, true);
    console.log(`backend ${hv.backend}: exits ${exits.map((e) => e.reason).join(', ')}; counter = ${total} (expected ${2n * N})`);
    vm.close();
    mem.close();
    hv.close();
    process.exitCode = total === 2n * N ? 0 : 1;
  });
} else {
  // each worker: open the shared VM, create its own vCPU (KVM_CREATE_VCPU from this thread), init, run
  const vm = kvmArm.openSharedVm(workerData.handle);
  const vcpu = vm.createVcpu(workerData.index);
  vcpu.init(vm.preferredTarget());
  const reg = (name, v) => vcpu.setOneReg(kvmArm.arm64CoreId(name), v);
  reg('pc', RAM);
  reg('x1', RAM + 0x8000n);
  reg('x2', N);
  reg('x5', 0x09000000n);
  // (another thread could stop it with kickVcpu(vcpu.kickHandle()) → run() returns { reason: 'intr' })
  const exit = vcpu.run();
  parentPort.postMessage({ reason: exit.reason });
  vcpu.close();
  vm.close();
}
