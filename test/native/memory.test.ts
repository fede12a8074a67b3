import { Worker } from 'node:worker_threads';
import { KvmError } from '../../lib/errors';
import type { KvmHypervisor, KvmVm } from '../../lib/kvm';
import { describeKvm, openKvm, binding, bindingPath } from './helpers';

function errOf(f: () => unknown): KvmError {
  try {
    f();
  } catch (e) {
    if (e instanceof KvmError) return e;
    throw e;
  }
  throw new Error('expected a KvmError, nothing was thrown');
}

describeKvm('guest memory and KVM_SET_USER_MEMORY_REGION', () => {
  let hv: KvmHypervisor;
  let vm: KvmVm;
  beforeEach(() => {
    hv = openKvm();
    vm = hv.createVm();
  });
  afterEach(() => {
    vm.close();
    hv.close();
  });

  test('allocateMemory: page-aligned, zeroed, writable; bad sizes are RangeErrors', () => {
    const ps = binding().pageSize;
    const m = hv.allocateMemory(4 * ps);
    expect(m.size).toBe(4 * ps);
    expect(m.bytes.byteLength).toBe(4 * ps);
    expect(m.address % BigInt(ps)).toBe(0n);
    expect(m.bytes.every((b) => b === 0)).toBe(true);
    m.bytes[4 * ps - 1] = 0xab;
    expect(m.bytes[4 * ps - 1]).toBe(0xab);
    m.close();
    expect(() => m.bytes).toThrow(KvmError);
    for (const bad of [0, -4096, 100, 4096.5, Number.MAX_SAFE_INTEGER + 1]) expect(() => hv.allocateMemory(bad)).toThrow(RangeError);
    expect(() => hv.allocateMemory(ps, { hugePages: 'huge' as never })).toThrow(TypeError);
    const t = hv.allocateMemory(2 << 20, { hugePages: true }); // madvise(MADV_HUGEPAGE)
    t.bytes[0] = 1;
    t.close();
  });

  test('a view stays valid after close() of another reference; close() detaches only its own view', () => {
    const m = hv.allocateMemory(8192);
    const other = hv.openSharedMemory(m.share());
    const view = m.bytes;
    view[10] = 7;
    expect(other.bytes[10]).toBe(7); // the same memory, not a copy
    m.close();
    expect(view.byteLength).toBe(0); // detached: no access to memory that may be gone
    expect(other.bytes[10]).toBe(7); // still mapped: `other` holds it
    other.close();
    expect(() => hv.openSharedMemory(m.share())).toThrow(KvmError); // share() of a closed memory: EBADF
  });

  test('openSharedMemory with a wrong token or an unmapped address → ENOENT; wrong backend → TypeError', () => {
    const m = hv.allocateMemory(4096);
    const h = m.share();
    if (h.backend !== 'kvm') throw new Error('expected a kvm handle');
    expect(errOf(() => hv.openSharedMemory({ ...h, token: (h.token + 1) % 0x7fffffff })).code).toBe('ENOENT');
    expect(errOf(() => hv.openSharedMemory({ ...h, size: 8192 })).code).toBe('ENOENT');
    m.close();
    expect(errOf(() => hv.openSharedMemory(h)).code).toBe('ENOENT'); // gone: nobody held it
    expect(() => hv.openSharedMemory({ backend: 'soft', buffer: new SharedArrayBuffer(8) })).toThrow(TypeError);
  });

  test('a worker opens the same mapping from {address, size, token} and sees / makes writes', async () => {
    const m = hv.allocateMemory(4096);
    m.bytes[0] = 41;
    const src = `
      const { workerData, parentPort } = require('node:worker_threads');
      const b = require(workerData.addon);
      const m = b.openMemory(workerData.h.address, workerData.h.size, workerData.h.token);
      const u = new Uint8Array(m.buffer);
      u[1] = u[0] + 1;
      m.close();
      parentPort.postMessage(u.byteLength);`;
    const w = new Worker(src, { eval: true, workerData: { addon: bindingPath(), h: m.share() } });
    const after = await new Promise<number>((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    await w.terminate();
    expect(m.bytes[1]).toBe(42);
    expect(after).toBe(0); // the worker's view was detached by its close()
    m.close();
  });

  test('slots: create, EEXIST on overlap, EINVAL on misalignment, delete, re-create', () => {
    const m = hv.allocateMemory(0x10000);
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: m });
    // another slot overlapping the first: EEXIST
    const e1 = errOf(() => vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0x108000n, memory: m, size: 0x8000 }));
    expect(e1.code).toBe('EEXIST');
    expect(e1.ioctl).toBe('KVM_SET_USER_MEMORY_REGION');
    expect(e1.context).toContain('slot 1');
    // guest address not page aligned: EINVAL
    expect(errOf(() => vm.setUserMemoryRegion({ slot: 2, guestPhysAddr: 0x200800n, memory: m, size: 0x1000 })).code).toBe('EINVAL');
    // size not page aligned: EINVAL
    expect(errOf(() => vm.setUserMemoryRegion({ slot: 2, guestPhysAddr: 0x200000n, memory: m, size: 0x800 })).code).toBe('EINVAL');
    // host offset not page aligned: EINVAL (the kernel checks userspace_addr)
    expect(errOf(() => vm.setUserMemoryRegion({ slot: 2, guestPhysAddr: 0x200000n, memory: m, offset: 0x800, size: 0x1000 })).code).toBe('EINVAL');
    // slot id beyond the memslot count: EINVAL
    expect(errOf(() => vm.setUserMemoryRegion({ slot: 0xffff, guestPhysAddr: 0x300000n, memory: m })).code).toBe('EINVAL');
    // delete slot 0, then the range is free again
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: null });
    vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0x108000n, memory: m, size: 0x8000 });
    // a second slot on another part of the same memory (offset)
    vm.setUserMemoryRegion({ slot: 3, guestPhysAddr: 0x400000n, memory: m, offset: 0x8000, size: 0x8000 });
    m.close();
  });

  test('arguments outside the memory are RangeErrors before the syscall; foreign memory is a TypeError', () => {
    const m = hv.allocateMemory(0x4000);
    expect(() => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0n, memory: m, size: 0x8000 })).toThrow(RangeError);
    expect(() => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0n, memory: m, offset: 0x4000, size: 0x1000 })).toThrow(RangeError);
    expect(() => vm.setUserMemoryRegion({ slot: -1, guestPhysAddr: 0n, memory: m })).toThrow(RangeError);
    expect(() => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 5 as never, memory: m })).toThrow(TypeError);
    const fake = { size: 0x4000, bytes: new Uint8Array(0x4000), share: () => ({ backend: 'soft', buffer: new SharedArrayBuffer(1) }), close() {}, [Symbol.dispose]() {} };
    expect(() => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0n, memory: fake as never })).toThrow(TypeError);
    m.close();
  });

  test('read-only and dirty-logging flags are accepted (READONLY_MEM); the dirty log of an unlogged slot is ENOENT', () => {
    expect(hv.checkExtension('READONLY_MEM')).toBeGreaterThan(0);
    const m = hv.allocateMemory(0x10000);
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: m, readonly: true });
    vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0x200000n, memory: m, logDirtyPages: true });
    const log = vm.getDirtyLog(1);
    expect(log.byteLength).toBe(0x10000 / binding().pageSize / 8);
    expect(log.every((b) => b === 0)).toBe(true); // nothing ran
    expect(errOf(() => vm.getDirtyLog(0)).code).toBe('ENOENT'); // no LOG_DIRTY_PAGES
    expect(errOf(() => vm.getDirtyLog(7)).code).toBe('ENOENT'); // no such slot
    m.close();
  });

  test('a slot pins its memory: closing the memory keeps it mapped until the VM (and its vCPUs) close', () => {
    const m = hv.allocateMemory(0x4000);
    const h = m.share();
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: m });
    const vcpu = vm.createVcpu(0);
    m.close();
    const again = hv.openSharedMemory(h); // still mapped: the slot holds it
    again.close();
    vm.close();
    hv.openSharedMemory(h).close(); // the vCPU still references the VM and its slots
    vcpu.close();
    expect(errOf(() => hv.openSharedMemory(h)).code).toBe('ENOENT'); // now released
    vm = hv.createVm(); // for afterEach
  });

  test('deleting a slot releases its pin', () => {
    const m = hv.allocateMemory(0x4000);
    const h = m.share();
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: m });
    m.close();
    hv.openSharedMemory(h).close();
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: null });
    expect(errOf(() => hv.openSharedMemory(h)).code).toBe('ENOENT');
  });
});
