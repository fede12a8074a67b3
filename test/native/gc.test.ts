/** Objects that are never closed release their fds and mappings when garbage collected (native finalizers). */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { SharedMemoryHandle } from '../../lib/backend';
import { describeKvm, openKvm } from './helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

describeKvm('garbage collection releases what close() would', () => {
  test('forgotten hypervisors, VMs, vCPUs (with kvm_run mappings) and guest memory', async () => {
    await collect();
    const fds0 = openFds();
    const handles: SharedMemoryHandle[] = [];
    (() => {
      for (let i = 0; i < 20; i++) {
        const hv = openKvm();
        const v = hv.createVm();
        const mem = hv.allocateMemory(1 << 20);
        mem.bytes[0] = i;
        handles.push(mem.share()); // plain data: {address, size, token}, holds no reference
        v.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: mem });
        v.createVcpu(0);
        hv.eventfd();
      }
    })();
    // 20 × (system fd, VM fd, vCPU fd, its dup for KVM_RUN, eventfd) are open now
    expect(openFds()).toBeGreaterThanOrEqual(fds0 + 100);
    const hv = openKvm();
    for (const h of handles) hv.openSharedMemory(h).close(); // all still mapped
    await collect();
    expect(openFds()).toBeLessThanOrEqual(fds0 + 2);
    // every mapping is gone: re-opening from the handle finds nothing (the addon's registry holds weak refs)
    for (const h of handles) expect(() => hv.openSharedMemory(h)).toThrow(expect.objectContaining({ code: 'ENOENT' }) as unknown as Error);
    hv.close();
  });
});
