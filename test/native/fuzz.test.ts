/**
 * Property tests of the public kvm API's argument handling on the real /dev/kvm: whatever the arguments,
 * a call returns, or throws KvmError (a real errno), RangeError or TypeError — never anything else.
 * (scripts/fuzz-native.js does the same below the TypeScript layer, with guard bytes and ASan.)
 */
import fc from 'fast-check';
import { KvmError } from '../../lib/errors';
import type { KvmHypervisor, KvmVm, KvmVcpu, KvmGuestMemory } from '../../lib/kvm';
import { describeKvm, openKvm } from './helpers';

function classify(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof KvmError) {
      expect(e.errno).toBeGreaterThan(0);
      expect(e.syscall).toBeTruthy();
      return e.code;
    }
    const name = (e as Error).name;
    if (name === 'RangeError' || name === 'TypeError' || name === 'RegIdError') return name;
    throw e;
  }
}

describeKvm('public kvm API under random arguments', () => {
  let hv: KvmHypervisor;
  let vm: KvmVm;
  let vcpu: KvmVcpu;
  let mem: KvmGuestMemory;
  beforeAll(() => {
    hv = openKvm();
    vm = hv.createVm();
    vcpu = vm.createVcpu(0);
    mem = hv.allocateMemory(0x10000);
  });
  afterAll(() => {
    vcpu.close();
    vm.close();
    mem.close();
    hv.close();
  });

  test('GET/SET_ONE_REG with any id and value', () => {
    const id = fc.oneof(fc.bigUintN(64), fc.bigUintN(32).map((low) => 0x6000000000000000n | low), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }));
    const value = fc.oneof(fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }), fc.uint8Array({ maxLength: 300 }));
    fc.assert(
      fc.property(id, value, (i, v) => {
        classify(() => vcpu.getOneReg(i));
        classify(() => vcpu.setOneReg(i, v));
      }),
      { numRuns: 500 },
    );
  });

  test('memory regions and dirty logs with any slot, address, offset, size and flags', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2, max: 40 }),
        fc.bigUintN(48),
        fc.integer({ min: -4096, max: 0x12000 }),
        fc.option(fc.integer({ min: -4096, max: 0x12000 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (slot, gpa, offset, size, readonly, logDirtyPages) => {
          classify(() => vm.setUserMemoryRegion({ slot, guestPhysAddr: gpa, memory: mem, offset, ...(size !== undefined ? { size } : {}), readonly, logDirtyPages }));
          classify(() => vm.getDirtyLog(slot));
          if (slot >= 0 && gpa % 3n === 0n) classify(() => vm.setUserMemoryRegion({ slot, guestPhysAddr: 0n, memory: null }));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('irq lines, device addresses, caps, irqfd/ioeventfd with any numbers', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.bigInt({ min: -1n, max: 1n << 65n }), fc.bigInt({ min: -1n, max: 1n << 65n }), (a, b, x, y) => {
        classify(() => vm.irqLine(a, b));
        classify(() => vm.setDeviceAddr(x, y));
        classify(() => hv.checkExtension(a));
        classify(() => vm.enableCap(Math.abs(a) % 300, [x & 0xffffn]));
        classify(() => vm.irqfd({ fd: a, gsi: b }));
        classify(() => vm.ioeventfd({ fd: a, addr: x, len: b }));
      }),
      { numRuns: 300 },
    );
  });
});
