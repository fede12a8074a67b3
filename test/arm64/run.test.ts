/**
 * arm64 tier: guests running on real arm64 KVM through lib/kvm. Each guest's words were assembled with
 * aarch64-linux-gnu-as (the A32 ones by hand from the A1 encodings), mnemonic in the comment.
 */
import { Worker } from 'node:worker_threads';
import { openKvm } from '../../lib/kvm';
import { describeArm64, guest, MMIO_GPA, PC, RAM_GPA, X, errnoOf } from './helpers';

const SYSTEM_OFF_TAIL = [
  0xd2b08000, // mov  x0, #0x84000000
  0xf2800100, // movk x0, #0x8                  ; x0 = 0x8400_0008 PSCI SYSTEM_OFF
  0xd4000002, // hvc  #0
  0x14000000, // b    .
];

describeArm64('arm64 KVM: guest exits', () => {
  test('MMIO write, MMIO read completed by the VMM, then PSCI SYSTEM_OFF → system-event shutdown', () => {
    const g = guest([
      0xd2a20001, // mov  x1, #0x10000000          ; MMIO_GPA: no memslot
      0xd2824682, // mov  x2, #0x1234
      0xf2f579a2, // movk x2, #0xabcd, lsl #48
      0xf9000022, // str  x2, [x1]                 ; exit 1: 8-byte write
      0xf9400423, // ldr  x3, [x1, #8]             ; exit 2: 8-byte read, data from the VMM
      0xf9000823, // str  x3, [x1, #16]            ; exit 3: writes back what the read returned
      ...SYSTEM_OFF_TAIL,
    ]);
    const w = g.vcpu.run();
    expect(w).toEqual({ reason: 'mmio', physAddr: MMIO_GPA, len: 8, isWrite: true, data: new Uint8Array([0x34, 0x12, 0, 0, 0, 0, 0xcd, 0xab]) });
    expect(g.vcpu.getReg(PC)).toBe(RAM_GPA + 0xcn); // at the exit, PC is still on the store
    const r = g.vcpu.run();
    expect(r).toMatchObject({ reason: 'mmio', physAddr: MMIO_GPA + 8n, len: 8, isWrite: false });
    if (r.reason !== 'mmio') throw new Error('expected mmio');
    r.data.set([0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]);
    const back = g.vcpu.run();
    expect(back).toMatchObject({ reason: 'mmio', physAddr: MMIO_GPA + 16n, isWrite: true, len: 8 });
    expect(g.vcpu.getReg(X(3))).toBe(0x0123456789abcdefn);
    const off = g.vcpu.run();
    expect(off).toMatchObject({ reason: 'system-event', type: 'shutdown' });
    g.close();
  });

  test('PSCI SYSTEM_RESET → system-event reset; SMC from EL1 is not PSCI on 6.1 (x0 = -1), HVC is', () => {
    const r = guest([
      0xd2b08000, // mov  x0, #0x84000000
      0xf2800120, // movk x0, #0x9                  ; PSCI SYSTEM_RESET
      0xd4000002, // hvc  #0
    ]);
    expect(r.vcpu.run()).toMatchObject({ reason: 'system-event', type: 'reset' });
    r.close();
    const g = guest([
      0xd2a20001, // mov  x1, #0x10000000
      0x52b08000, // mov  w0, #0x84000000           ; PSCI_VERSION
      0xd4000003, // smc  #0
      0xf9000020, // str  x0, [x1]                  ; exit: the SMC's x0
      0x52b08000, // mov  w0, #0x84000000
      0xd4000002, // hvc  #0
      0xf9000420, // str  x0, [x1, #8]              ; exit: the HVC's x0
    ]);
    const smc = g.vcpu.run();
    expect(smc).toMatchObject({ reason: 'mmio', physAddr: MMIO_GPA, isWrite: true });
    if (smc.reason !== 'mmio') throw new Error('expected mmio');
    expect(Buffer.from(smc.data).readBigUInt64LE()).toBe(0xffffffffffffffffn);
    const hvc = g.vcpu.run();
    if (hvc.reason !== 'mmio') throw new Error(`expected mmio, got ${hvc.reason}`);
    expect(Buffer.from(hvc.data).readBigUInt64LE()).toBe(0x10001n);
    g.close();
  });

  test('LDP to MMIO has no syndrome: KVM_RUN fails ENOSYS, or an arm-nisv exit with ARM_NISV_TO_USER', () => {
    const words = [
      0xd2a20001, // mov x1, #0x10000000
      0xa9401825, // ldp x5, x6, [x1]
    ];
    const a = guest(words);
    expect(errnoOf(() => a.vcpu.run())).toBe('ENOSYS');
    a.close();
    const b = guest(words);
    b.vm.enableCap('ARM_NISV_TO_USER');
    expect(b.vcpu.run()).toEqual({ reason: 'arm-nisv', esrIss: expect.any(BigInt), faultIpa: MMIO_GPA });
    expect(b.vcpu.getReg(PC)).toBe(RAM_GPA + 4n);
    b.close();
  });

  test('an A32 guest in an EL1_32BIT VM: MMIO store, then PSCI SYSTEM_OFF through hvc', () => {
    const g = guest(
      [
        0xe3002000, // movw r2, #0
        0xe3412000, // movt r2, #0x1000              ; r2 = 0x1000_0000
        0xe3011234, // movw r1, #0x1234
        0xe5821000, // str  r1, [r2]                 ; exit 1: 4-byte write
        0xe3000008, // movw r0, #8
        0xe3480400, // movt r0, #0x8400              ; r0 = 0x8400_0008 SYSTEM_OFF (SMC32)
        0xe1400070, // hvc  #0
        0xeafffffe, // b    .
      ],
      ['el1-32bit', 'psci-0.2'],
    );
    expect(g.vcpu.run()).toEqual({ reason: 'mmio', physAddr: MMIO_GPA, len: 4, isWrite: true, data: new Uint8Array([0x34, 0x12, 0, 0]) });
    expect(g.vcpu.run()).toMatchObject({ reason: 'system-event', type: 'shutdown' });
    g.close();
  });

  test('immediateExit makes run() return intr at once', () => {
    const g = guest([0x14000000]); // b .
    g.vcpu.immediateExit = true;
    expect(g.vcpu.run()).toEqual({ reason: 'intr' });
    g.close();
  });

  test('a vCPU spinning in the guest is kicked from a worker thread → intr, and runs on afterwards', async () => {
    const g = guest([0x14000000]); // b .
    const running = g.vcpu.runAsync();
    const kvmModule = require.resolve('../../lib/kvm');
    // the worker needs JS: the compiled tree (the lab runs compiled tests) or dist/cjs after `npm run compile`
    const modulePath = kvmModule.endsWith('.ts') ? require.resolve('../../dist/cjs/kvm') : kvmModule;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const { kickVcpu } = require(workerData.modulePath);
       // keep kicking until the main thread says the vCPU has returned: a kick before KVM_RUN starts is not lost
       // either (the next run returns intr), this only keeps the test independent of that detail
       let done = false;
       parentPort.on('message', () => { done = true; });
       (function again() { if (done) return process.exit(0); kickVcpu(workerData.handle); setTimeout(again, 50); })();`,
      { eval: true, workerData: { modulePath, handle: g.vcpu.kickHandle() } },
    );
    const exit = await running;
    worker.postMessage('done');
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(exit).toEqual({ reason: 'intr' });
    const pc = g.vcpu.getReg(PC);
    expect(pc).toBe(RAM_GPA); // still on the branch-to-self
    g.vcpu.immediateExit = true;
    expect(g.vcpu.run()).toEqual({ reason: 'intr' });
    g.close();
  });

  test('memory slots: an overlapping slot is EEXIST, an adjacent one is fine', () => {
    const hv = openKvm();
    const vm = hv.createVm();
    const mem = hv.allocateMemory(0x20000);
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM_GPA, memory: mem, size: 0x10000 });
    expect(errnoOf(() => vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: RAM_GPA + 0x8000n, memory: mem, size: 0x10000 }))).toBe('EEXIST');
    vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: RAM_GPA + 0x10000n, memory: mem, offset: 0x10000, size: 0x10000 });
    for (const o of [vm, mem, hv]) o.close();
  });
});
