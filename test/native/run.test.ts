import { Worker } from 'node:worker_threads';
import { KvmError } from '../../lib/errors';
import { KVM_EXIT } from '../../lib/codec/abi';
import { kickVcpu } from '../../lib/kvm';
import { describeX86Kvm, x86Guest, MMIO_GUEST, SPIN_GUEST, bindingPath, binding, type X86Guest } from './helpers';

describeX86Kvm('KVM_RUN with a tiny x86 real-mode guest', () => {
  let g: X86Guest;
  afterEach(() => g.close());

  test('MMIO write, MMIO read completed through exit.data, write-back, then hlt; RAM write in the dirty log', () => {
    g = x86Guest(MMIO_GUEST);
    const { vcpu, vm, ram } = g;
    const w1 = vcpu.run();
    expect(w1).toEqual({ reason: 'mmio', physAddr: 0x9000n, len: 1, isWrite: true, data: new Uint8Array([0x42]) });
    const r = vcpu.run();
    if (r.reason !== 'mmio') throw new Error(`expected mmio, got ${r.reason}`);
    expect(r).toMatchObject({ physAddr: 0x9000n, len: 1, isWrite: false });
    r.data[0] = 0x99; // complete the read: data is a live view of kvm_run.mmio.data
    const w2 = vcpu.run();
    expect(w2).toEqual({ reason: 'mmio', physAddr: 0x9004n, len: 1, isWrite: true, data: new Uint8Array([0x99]) });
    const h = vcpu.run();
    expect(h).toMatchObject({ reason: 'unknown', exitReason: KVM_EXIT.HLT }); // x86's HLT exit is not in the ARM union
    expect(ram.bytes[0x2000]).toBe(0x11);
    const log = vm.getDirtyLog(1);
    expect(log[0]).toBe(1 << (0x2000 / binding().pageSize)); // only page 2 was written
    expect(vm.getDirtyLog(1)[0]).toBe(0); // the log is cleared by reading it
  });

  test('KVM_IOEVENTFD: the guest write at 0x9000 signals the eventfd instead of exiting; deassign restores the exit', () => {
    g = x86Guest(MMIO_GUEST);
    const ev = g.hv.eventfd();
    g.vm.ioeventfd({ fd: ev.fd, addr: 0x9000n, len: 1, datamatch: 0x42n });
    const r = g.vcpu.run(); // the write of 0x42 went to the eventfd: the first exit is the read
    expect(r).toMatchObject({ reason: 'mmio', physAddr: 0x9000n, isWrite: false });
    expect(ev.read()).toBe(1n);
    // the same registration again: EEXIST; deassign, then deassign again: ENOENT
    expect(() => g.vm.ioeventfd({ fd: ev.fd, addr: 0x9000n, len: 1, datamatch: 0x42n })).toThrow(expect.objectContaining({ code: 'EEXIST' }) as unknown as Error);
    g.vm.ioeventfd({ fd: ev.fd, addr: 0x9000n, len: 1, datamatch: 0x42n, deassign: true });
    expect(() => g.vm.ioeventfd({ fd: ev.fd, addr: 0x9000n, len: 1, datamatch: 0x42n, deassign: true })).toThrow(expect.objectContaining({ code: 'ENOENT' }) as unknown as Error);
    ev.close();
  });

  test('a write to a read-only slot is an MMIO exit (KVM_MEM_READONLY)', () => {
    // mov byte [0x2000], 0x11 hits RAM mapped read-only → KVM_EXIT_MMIO write at 0x2000
    g = x86Guest([0xc6, 0x06, 0x00, 0x20, 0x11, 0xf4]);
    // READONLY cannot be toggled on a live slot (EINVAL): delete it, then create it read-only
    expect(() => g.vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0n, memory: g.ram, readonly: true })).toThrow(expect.objectContaining({ code: 'EINVAL' }) as unknown as Error);
    g.vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0n, memory: null });
    g.vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0n, memory: g.ram, readonly: true });
    expect(g.vcpu.run()).toEqual({ reason: 'mmio', physAddr: 0x2000n, len: 1, isWrite: true, data: new Uint8Array([0x11]) });
    expect(g.ram.bytes[0x2000]).toBe(0);
  });

  test('immediateExit: run() returns intr at once and clears it', () => {
    g = x86Guest(MMIO_GUEST);
    g.vcpu.immediateExit = true;
    expect(g.vcpu.immediateExit).toBe(true);
    expect(g.vcpu.run()).toEqual({ reason: 'intr' });
    expect(g.vcpu.immediateExit).toBe(false);
    expect(g.vcpu.run()).toMatchObject({ reason: 'mmio', physAddr: 0x9000n });
  });

  test('kick() before run(): the next run returns intr (the kick is not lost)', () => {
    g = x86Guest(SPIN_GUEST);
    g.vcpu.kick();
    expect(g.vcpu.run()).toEqual({ reason: 'intr' });
  });

  test('runAsync on a spinning guest, kicked from the JS thread once the guest has run', async () => {
    g = x86Guest(SPIN_GUEST);
    const counter = new DataView(g.ram.bytes.buffer, g.ram.bytes.byteOffset + 0x2000, 2);
    const p = g.vcpu.runAsync();
    // the JS thread is free while the guest runs; wait until the guest has counted (it is really running)
    while (counter.getUint16(0, true) === 0) await new Promise((r) => setImmediate(r));
    g.vcpu.kick();
    await expect(p).resolves.toEqual({ reason: 'intr' });
    const c1 = counter.getUint16(0, true);
    // it resumes where it was, and a second kick stops it again
    const p2 = g.vcpu.runAsync();
    while (counter.getUint16(0, true) === c1) await new Promise((r) => setImmediate(r));
    kickVcpu(g.vcpu.kickHandle());
    await expect(p2).resolves.toEqual({ reason: 'intr' });
  });

  test('a second concurrent run of the same vCPU is EBUSY', async () => {
    g = x86Guest(SPIN_GUEST);
    const counter = new DataView(g.ram.bytes.buffer, g.ram.bytes.byteOffset + 0x2000, 2);
    const p = g.vcpu.runAsync();
    while (counter.getUint16(0, true) === 0) await new Promise((r) => setImmediate(r));
    let err: unknown;
    try {
      g.vcpu.run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvmError);
    expect((err as KvmError).code).toBe('EBUSY');
    g.vcpu.kick();
    await expect(p).resolves.toEqual({ reason: 'intr' });
  });

  test('close() during runAsync kicks the run out and releases everything afterwards', async () => {
    g = x86Guest(SPIN_GUEST);
    const counter = new DataView(g.ram.bytes.buffer, g.ram.bytes.byteOffset + 0x2000, 2);
    const p = g.vcpu.runAsync();
    while (counter.getUint16(0, true) === 0) await new Promise((r) => setImmediate(r));
    g.vcpu.close();
    await expect(p).resolves.toEqual({ reason: 'intr' });
    expect(binding().kick(1, 1)).toBe(false); // handles of closed (or unknown) vCPUs kick nothing
  });

  test('a worker kicks a vCPU blocked in run() on the JS thread → intr', () => {
    g = x86Guest(SPIN_GUEST);
    // The worker opens the guest RAM (same mapping), waits until the guest counts (so the JS thread is
    // really inside KVM_RUN), then kicks through the handle, repeating until the JS thread reports back.
    const src = `
      const { workerData } = require('node:worker_threads');
      const b = require(workerData.addon);
      const { h, k, flag } = workerData;
      const m = b.openMemory(h.address, h.size, h.token);
      const u = new Uint16Array(m.buffer, 0x2000, 1);
      const sleep = (ms) => Atomics.wait(flag, 2, 0, ms);
      for (let i = 0; i < 200000 && u[0] === 0; i++) sleep(1);
      Atomics.store(flag, 0, u[0] !== 0 ? 1 : 2);
      while (Atomics.load(flag, 3) === 0) { b.kick(k.id, k.token); Atomics.add(flag, 1, 1); sleep(5); }
      m.close();`;
    // shared[0]: 1 = the worker saw the guest count; [1]: kicks sent; [2]: sleep word; [3]: run() returned
    const shared = new Int32Array(new SharedArrayBuffer(16));
    const w = new Worker(src, { eval: true, workerData: { addon: bindingPath(), h: g.ram.share(), k: g.vcpu.kickHandle(), flag: shared } });
    let exit;
    try {
      exit = g.vcpu.run(); // blocks this thread until the worker's kick
    } finally {
      Atomics.store(shared, 3, 1);
    }
    void w.terminate();
    expect(exit).toEqual({ reason: 'intr' });
    expect(Atomics.load(shared, 0)).toBe(1); // the guest was running when the kick came
    expect(Atomics.load(shared, 1)).toBeGreaterThanOrEqual(1);
  });
});
