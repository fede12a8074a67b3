import { KvmError } from '../../lib/errors';
import { KVM_CAP } from '../../lib/codec/abi';
import { kvmAvailability, KvmHypervisor, KvmVm, KvmVcpu } from '../../lib/kvm';
import { describeKvm, openKvm, binding, isX86 } from './helpers';

describe('kvmAvailability (runs everywhere)', () => {
  test('reports a reason and never throws', () => {
    const a = kvmAvailability();
    expect(typeof a.reason).toBe('string');
    expect(a.reason.length).toBeGreaterThan(0);
    if (a.available) expect(['arm64', 'arm']).toContain(process.arch);
    if (isX86) expect(a.available).toBe(false); // auto never picks KVM for arm guests on x86
  });
  test('a device that does not exist is explained', () => {
    const a = kvmAvailability('/dev/does-not-exist-kvm');
    expect(a.available).toBe(false);
    if (a.addonLoaded) expect(a.reason).toMatch(/does not exist/);
  });
});

describeKvm('system ioctls on the real /dev/kvm', () => {
  let hv: KvmHypervisor;
  beforeEach(() => {
    hv = openKvm();
  });
  afterEach(() => hv.close());

  test('KVM_GET_API_VERSION is 12', () => {
    expect(hv.apiVersion()).toBe(12);
    expect(hv.backend).toBe('kvm');
  });

  test('KVM_GET_VCPU_MMAP_SIZE is a whole number of pages, at least one', () => {
    const n = hv.vcpuMmapSize();
    expect(n).toBeGreaterThanOrEqual(binding().pageSize);
    expect(n % binding().pageSize).toBe(0);
  });

  test('KVM_CHECK_EXTENSION by name and number agree; generic caps present', () => {
    expect(hv.checkExtension('USER_MEMORY')).toBeGreaterThan(0);
    expect(hv.checkExtension('NR_MEMSLOTS')).toBe(hv.checkExtension(KVM_CAP.NR_MEMSLOTS));
    expect(hv.checkExtension('NR_MEMSLOTS')).toBeGreaterThan(1);
    expect(hv.checkExtension(0x7ffffff0)).toBe(0); // an unknown capability is "absent", not an error
    expect(() => hv.checkExtension('NOPE' as never)).toThrow(TypeError);
    expect(() => hv.checkExtension(-1)).toThrow(RangeError);
  });

  test('KVM_CREATE_VM, KVM_CHECK_EXTENSION on the VM fd, KVM_CREATE_VCPU', () => {
    const vm = hv.createVm();
    expect(vm).toBeInstanceOf(KvmVm);
    expect(vm.fd).toBeGreaterThan(2);
    expect(vm.checkExtension('USER_MEMORY')).toBeGreaterThan(0);
    const v0 = vm.createVcpu(0);
    const v1 = vm.createVcpu(1);
    expect(v0).toBeInstanceOf(KvmVcpu);
    expect(v1.index).toBe(1);
    expect(v0.fd).not.toBe(v1.fd);
    expect(v0.runArea.byteLength).toBe(hv.vcpuMmapSize());
    // the same index twice: the kernel says EEXIST
    let err: unknown;
    try {
      vm.createVcpu(0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvmError);
    expect((err as KvmError).code).toBe('EEXIST');
    expect((err as KvmError).ioctl).toBe('KVM_CREATE_VCPU');
    expect((err as KvmError).message).toBe('ioctl KVM_CREATE_VCPU EEXIST (vcpu 0)');
    v0.close();
    v1.close();
    vm.close();
  });

  test('fd lifecycle: close releases the fd (the number is reused), double close is harmless', () => {
    const vm = hv.createVm();
    const n = vm.fd;
    vm.close();
    expect(vm.closed).toBe(true);
    vm.close();
    const vm2 = hv.createVm(); // lowest free fd: the one just released
    expect(vm2.fd).toBe(n);
    vm2.close();
  });

  test('a closed hypervisor throws EBADF for every method, before any syscall', () => {
    const h = openKvm();
    h.close();
    const calls: Array<[string, () => unknown]> = [
      ['KVM_GET_API_VERSION', () => h.apiVersion()],
      ['KVM_CHECK_EXTENSION', () => h.checkExtension('USER_MEMORY')],
      ['KVM_GET_VCPU_MMAP_SIZE', () => h.vcpuMmapSize()],
      ['KVM_CREATE_VM', () => h.createVm()],
      ['mmap', () => h.allocateMemory(4096)],
      ['eventfd', () => h.eventfd()],
    ];
    for (const [ioctl, f] of calls) {
      expect(f).toThrow(KvmError);
      try {
        f();
      } catch (e) {
        expect((e as KvmError).code).toBe('EBADF');
        expect((e as KvmError).errno).toBe(9);
        expect((e as KvmError).ioctl).toBe(ioctl);
        expect((e as KvmError).backend).toBe('kvm');
      }
    }
  });

  test('opening a missing device is a KvmError ENOENT from open(2)', () => {
    let err: unknown;
    try {
      openKvm('/dev/no-such-kvm');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvmError);
    expect((err as KvmError).code).toBe('ENOENT');
    expect((err as KvmError).syscall).toBe('open');
  });

  test('eventfd: write, read, EAGAIN when empty, EBADF after close', () => {
    const ev = hv.eventfd();
    ev.write(3n);
    ev.write(4);
    expect(ev.read()).toBe(7n);
    expect(() => ev.read()).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'read' }) as unknown as Error);
    ev.close();
    expect(() => ev.read()).toThrow(expect.objectContaining({ code: 'EBADF' }) as unknown as Error);
    expect(() => ev.fd).toThrow(KvmError);
  });
});
