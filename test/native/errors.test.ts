import { KvmError } from '../../lib/errors';
import { KVM_IOCTL, IOWR, IOW, IO, KVMIO } from '../../lib/codec/abi';
import { KVM_DEV_TYPE } from '../../lib/codec/vgic';
import { arm64CoreId } from '../../lib/codec/regid';
import type { KvmHypervisor, KvmVm, KvmVcpu, KvmDevice } from '../../lib/kvm';
import { describeKvm, openKvm, binding, isX86 } from './helpers';

function errOf(f: () => unknown): KvmError {
  try {
    f();
  } catch (e) {
    if (e instanceof KvmError) return e;
    throw e;
  }
  throw new Error('expected a KvmError, nothing was thrown');
}

/** A matcher for errors thrown by the addon: they come from Node's main realm, so `instanceof RangeError` fails
 * inside jest's vm context; match the name (and the message) instead. */
function named(name: 'RangeError' | 'TypeError', message?: RegExp): Error {
  return expect.objectContaining({ name, ...(message ? { message: expect.stringMatching(message) as unknown } : {}) }) as unknown as Error;
}

const d = isX86 ? describeKvm : (name: string, fn: () => void) => (console.warn(`skipped '${name}': these are the x86 kernel's answers to ARM ioctls`), describe.skip(name, fn));

d('ARM-only ioctls on the x86 kernel: typed KvmErrors with the errno it really gives', () => {
  let hv: KvmHypervisor;
  let vm: KvmVm;
  let vcpu: KvmVcpu;
  beforeAll(() => {
    hv = openKvm();
    vm = hv.createVm();
    vcpu = vm.createVcpu(0);
  });
  afterAll(() => {
    vcpu.close();
    vm.close();
    hv.close();
  });
  test('KVM_ARM_PREFERRED_TARGET → ENOTTY (no such VM ioctl on x86)', () => {
    const e = errOf(() => vm.preferredTarget());
    expect(e).toMatchObject({ name: 'KvmError', code: 'ENOTTY', errno: 25, syscall: 'ioctl', ioctl: 'KVM_ARM_PREFERRED_TARGET', backend: 'kvm' });
    expect(e.message).toBe('ioctl KVM_ARM_PREFERRED_TARGET ENOTTY');
  });
  test('KVM_ARM_SET_DEVICE_ADDR → ENOTTY', () => {
    expect(errOf(() => vm.setDeviceAddr(0n, 0x8000000n)).code).toBe('ENOTTY');
  });
  test('KVM_ARM_VCPU_INIT → EINVAL (unknown vCPU ioctls are EINVAL on x86)', () => {
    const e = errOf(() => vcpu.init({ target: 5, features: ['psci-0.2'] }));
    expect(e).toMatchObject({ code: 'EINVAL', ioctl: 'KVM_ARM_VCPU_INIT', context: 'vcpu 0' });
  });
  test('KVM_GET_ONE_REG / KVM_SET_ONE_REG of an arm64 register → EINVAL, named in the message', () => {
    const pc = arm64CoreId('pc');
    expect(errOf(() => vcpu.getOneReg(pc)).message).toBe('ioctl KVM_GET_ONE_REG EINVAL (pc)');
    expect(errOf(() => vcpu.setOneReg(pc, 0x1000n)).message).toBe('ioctl KVM_SET_ONE_REG EINVAL (pc)');
  });
  test('KVM_CREATE_DEVICE of a VGIC → ENODEV (with and without test)', () => {
    expect(errOf(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, { test: true })).code).toBe('ENODEV');
    expect(errOf(() => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V3)).code).toBe('ENODEV');
  });
  test('KVM_IRQ_LINE without an irqchip → ENXIO', () => {
    expect(errOf(() => vm.irqLine({ type: 'spi', irq: 33, vcpu: 0 }, true))).toMatchObject({ code: 'ENXIO', context: expect.stringContaining('33') as unknown });
  });
  test('KVM_CREATE_VM with an IPA size → EINVAL', () => {
    expect(errOf(() => hv.createVm({ ipaSize: 40 })).code).toBe('EINVAL');
  });
  test('generic vCPU ioctls work: MP_STATE, VCPU_EVENTS (same number on x86)', () => {
    expect(vcpu.getMpState()).toBe('runnable');
    vcpu.setMpState('runnable');
    expect(typeof vcpu.getVcpuEvents().serrorPending).toBe('boolean');
    expect(() => vcpu.setMpState('other')).toThrow(RangeError);
  });
});

describeKvm('a device fd (KVM_DEV_TYPE_VFIO: the device type x86 KVM can create)', () => {
  test('create, HAS/GET/SET_DEVICE_ATTR, errors, close', () => {
    const hv = openKvm();
    const vm = hv.createVm();
    let dev: KvmDevice;
    try {
      dev = vm.createDevice(KVM_DEV_TYPE.VFIO);
    } catch (e) {
      console.warn(`skipped the device part: KVM_CREATE_DEVICE(VFIO) failed here: ${(e as Error).message}`);
      vm.close();
      hv.close();
      return;
    }
    expect(dev.type).toBe(KVM_DEV_TYPE.VFIO);
    expect(dev.hasAttr(1, 1n)).toBe(true); // KVM_DEV_VFIO_GROUP / KVM_DEV_VFIO_GROUP_ADD
    expect(dev.hasAttr(99, 0n)).toBe(false); // ENXIO → false
    // GROUP_ADD reads an int fd from the value: 0xffffffff = -1 is a bad fd
    expect(errOf(() => dev.setAttr(1, 1n, 0xffffffff))).toMatchObject({ code: 'EBADF', ioctl: 'KVM_SET_DEVICE_ATTR' });
    expect(() => dev.setAttr(1, 1n, -1)).toThrow(RangeError);
    expect(() => dev.setAttr(1, 1n, 1n << 64n)).toThrow(RangeError);
    expect(() => dev.getAttr(1, 1n, 2 as never)).toThrow(RangeError);
    dev.close();
    for (const f of [() => dev.hasAttr(1, 1n), () => dev.getAttr(1, 1n), () => dev.setAttr(1, 1n, 0), () => dev.fd]) expect(errOf(f).code).toBe('EBADF');
    vm.close();
    hv.close();
  });
});

describeKvm('every method of a closed object → KvmError EBADF (like kvm-ioctls test_faulty_vcpu_fd)', () => {
  test('closed VM', () => {
    const hv = openKvm();
    const vm = hv.createVm();
    const mem = hv.allocateMemory(4096);
    vm.close();
    const calls: Array<[string, () => unknown]> = [
      ['KVM_CHECK_EXTENSION', () => vm.checkExtension('USER_MEMORY')],
      ['KVM_SET_USER_MEMORY_REGION', () => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0n, memory: mem })],
      ['KVM_GET_DIRTY_LOG', () => vm.getDirtyLog(0)],
      ['KVM_ARM_PREFERRED_TARGET', () => vm.preferredTarget()],
      ['KVM_CREATE_VCPU', () => vm.createVcpu(0)],
      ['KVM_CREATE_IRQCHIP', () => vm.createIrqchip()],
      ['KVM_IRQ_LINE', () => vm.irqLine(0, true)],
      ['KVM_ARM_SET_DEVICE_ADDR', () => vm.setDeviceAddr(0n, 0n)],
      ['KVM_CREATE_DEVICE', () => vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2)],
      ['KVM_IRQFD', () => vm.irqfd({ fd: 0, gsi: 0 })],
      ['KVM_IOEVENTFD', () => vm.ioeventfd({ fd: 0, addr: 0n, len: 4 })],
      ['KVM_ENABLE_CAP', () => vm.enableCap('ARM_NISV_TO_USER')],
      ['fd', () => vm.fd],
    ];
    for (const [ioctl, f] of calls) expect(errOf(f)).toMatchObject({ code: 'EBADF', errno: 9, ioctl, backend: 'kvm' });
    mem.close();
    hv.close();
  });

  test('closed vCPU', () => {
    const hv = openKvm();
    const vm = hv.createVm();
    const vcpu = vm.createVcpu(0);
    const area = vcpu.runArea;
    vcpu.close();
    expect(area.byteLength).toBe(0); // the kvm_run view is detached, not left dangling
    const pc = arm64CoreId('pc');
    const calls: Array<[string, () => unknown]> = [
      ['KVM_ARM_VCPU_INIT', () => vcpu.init({ target: 0, features: [] })],
      ['KVM_ARM_VCPU_FINALIZE', () => vcpu.finalize('sve')],
      ['KVM_GET_REG_LIST', () => vcpu.getRegList()],
      ['KVM_GET_ONE_REG', () => vcpu.getOneReg(pc)],
      ['KVM_GET_ONE_REG', () => vcpu.getReg(pc)],
      ['KVM_SET_ONE_REG', () => vcpu.setOneReg(pc, 0n)],
      ['KVM_GET_MP_STATE', () => vcpu.getMpState()],
      ['KVM_SET_MP_STATE', () => vcpu.setMpState('runnable')],
      ['KVM_GET_VCPU_EVENTS', () => vcpu.getVcpuEvents()],
      ['KVM_SET_VCPU_EVENTS', () => vcpu.setVcpuEvents({ serrorPending: false, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n })],
      ['KVM_SET_GUEST_DEBUG', () => vcpu.setGuestDebug({ control: 0 })],
      ['KVM_RUN', () => vcpu.run()],
      ['KVM_RUN', () => vcpu.kick()],
      ['KVM_RUN', () => vcpu.kickHandle()],
      ['KVM_RUN', () => vcpu.immediateExit],
      ['KVM_RUN', () => (vcpu.immediateExit = true)],
      ['mmap', () => vcpu.runArea],
      ['fd', () => vcpu.fd],
    ];
    for (const [ioctl, f] of calls) expect(errOf(f)).toMatchObject({ code: 'EBADF', errno: 9, ioctl });
    vm.close();
    hv.close();
  });

  test('closed vCPU: runAsync rejects with EBADF', async () => {
    const hv = openKvm();
    const vm = hv.createVm();
    const vcpu = vm.createVcpu(0);
    vcpu.close();
    await expect(vcpu.runAsync()).rejects.toMatchObject({ code: 'EBADF', ioctl: 'KVM_RUN' });
    vm.close();
    hv.close();
  });
});

describeKvm('argument checks before the syscall', () => {
  let hv: KvmHypervisor;
  let vm: KvmVm;
  let vcpu: KvmVcpu;
  beforeAll(() => {
    hv = openKvm();
    vm = hv.createVm();
    vcpu = vm.createVcpu(0);
  });
  afterAll(() => {
    vcpu.close();
    vm.close();
    hv.close();
  });

  test('SET_ONE_REG: the value must fit the id size; wide ids take exactly their bytes', () => {
    const x0 = arm64CoreId('x0'); // u64
    const v0 = arm64CoreId('v0'); // u128
    const fpsr = arm64CoreId('fpsr'); // u32
    expect(() => vcpu.setOneReg(x0, 1n << 64n)).toThrow(RangeError);
    expect(() => vcpu.setOneReg(x0, -1n)).toThrow(RangeError);
    expect(() => vcpu.setOneReg(fpsr, 1n << 32n)).toThrow(/does not fit the 32-bit register fpsr/);
    expect(() => vcpu.setOneReg(v0, 1n)).toThrow(TypeError);
    expect(() => vcpu.setOneReg(v0, new Uint8Array(8))).toThrow(RangeError);
    expect(() => vcpu.getReg(v0)).toThrow(TypeError);
    expect(() => vcpu.getOneReg(5 as never)).toThrow(TypeError);
    expect(() => vcpu.setOneReg(x0, 'x' as never)).toThrow(TypeError);
  });

  test('raw binding: a buffer shorter than _IOC_SIZE is a RangeError (no syscall)', () => {
    const b = binding();
    const sys = b.open('/dev/kvm');
    const vmFd = sys.ioctlFd(KVM_IOCTL.KVM_CREATE_VM, 0);
    try {
      expect(() => vmFd.ioctlBuf(KVM_IOCTL.KVM_ARM_PREFERRED_TARGET, new Uint8Array(31))).toThrow(named('RangeError', /buffer: 31 bytes, the request encodes 32/));
      expect(() => vmFd.ioctlBuf(KVM_IOCTL.KVM_IRQ_LINE, new Uint8Array(0))).toThrow(named('RangeError'));
      expect(() => vmFd.ioctlBuf(IOWR(KVMIO, 0xee, 0x3fff), new Uint8Array(0x3ffe))).toThrow(named('RangeError'));
      // a request that encodes a pointer argument cannot take an integer (the kernel would dereference it)
      expect(() => vmFd.ioctl(KVM_IOCTL.KVM_ARM_PREFERRED_TARGET, 0x1000)).toThrow(named('RangeError', /pointer argument/));
      expect(() => vmFd.ioctl(KVM_IOCTL.KVM_CREATE_VCPU, -1)).toThrow(named('RangeError'));
      expect(() => vmFd.ioctl(KVM_IOCTL.KVM_CREATE_VCPU, 1n << 64n)).toThrow(named('RangeError'));
      expect(() => vmFd.ioctlBuf(KVM_IOCTL.KVM_IRQ_LINE, 'abc' as never)).toThrow(named('TypeError'));
      // a detached buffer counts as 0 bytes
      const ab = new ArrayBuffer(32);
      const view = new Uint8Array(ab);
      structuredClone(ab, { transfer: [ab] });
      expect(view.byteLength).toBe(0);
      expect(() => vmFd.ioctlBuf(KVM_IOCTL.KVM_ARM_PREFERRED_TARGET, view)).toThrow(named('RangeError'));
      const vcpuFd = vmFd.ioctlFd(KVM_IOCTL.KVM_CREATE_VCPU, 0);
      // ONE_REG: the value must hold KVM_REG_SIZE(id) bytes
      expect(() => vcpuFd.oneReg(KVM_IOCTL.KVM_GET_ONE_REG, arm64CoreId('x0'), new Uint8Array(7))).toThrow(named('RangeError', /value: 7 bytes, the register id encodes 8/));
      expect(() => vcpuFd.oneReg(KVM_IOCTL.KVM_GET_ONE_REG, arm64CoreId('v0'), new Uint8Array(8))).toThrow(named('RangeError'));
      expect(() => vcpuFd.oneReg(KVM_IOCTL.KVM_GET_ONE_REG, 0x6080000000000000n, new Uint8Array(128))).toThrow(named('RangeError', /value: 128 bytes, the register id encodes 256/)); // U2048
      // ONE_REG with a request that claims a bigger struct than kvm_one_reg
      expect(() => vcpuFd.oneReg(IOW(KVMIO, 0xab, 64), arm64CoreId('x0'), new Uint8Array(8))).toThrow(named('RangeError', /struct kvm_one_reg/));
      // REG_LIST: 8 + 8*n bytes for the n the header declares
      const rl = new Uint8Array(8 + 8 * 3);
      new DataView(rl.buffer).setBigUint64(0, 4n, true);
      expect(() => vcpuFd.regList(KVM_IOCTL.KVM_GET_REG_LIST, rl)).toThrow(named('RangeError', /n = 4 needs 40 bytes, got 32/));
      new DataView(rl.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
      expect(() => vcpuFd.regList(KVM_IOCTL.KVM_GET_REG_LIST, rl)).toThrow(named('RangeError'));
      expect(() => vcpuFd.regList(KVM_IOCTL.KVM_GET_REG_LIST, new Uint8Array(4))).toThrow(named('RangeError'));
      // device attributes: the value must hold 8 bytes
      expect(() => vmFd.deviceAttr(KVM_IOCTL.KVM_GET_DEVICE_ATTR, 0, 0, 0n, new Uint8Array(4))).toThrow(named('RangeError'));
      // memory regions only from the addon's own mappings
      expect(() => vmFd.setMemoryRegion(KVM_IOCTL.KVM_SET_USER_MEMORY_REGION, 0, 0, 0n, 4096, {} as never)).toThrow(named('TypeError'));
      // kvm_run mapping: whole pages only
      expect(() => vcpuFd.mapRun(100, KVM_IOCTL.KVM_RUN, 1)).toThrow(named('RangeError'));
      expect(() => vcpuFd.mapRun(b.pageSize, KVM_IOCTL.KVM_GET_MP_STATE, 1)).toThrow(named('RangeError'));
      vcpuFd.close();
      // everything on a closed Fd → errno EBADF
      vmFd.close();
      expect(vmFd.fd).toBe(-1);
      for (const f of [
        () => vmFd.ioctl(IO(KVMIO, 0x03), 0),
        () => vmFd.ioctlBuf(KVM_IOCTL.KVM_IRQ_LINE, new Uint8Array(8)),
        () => vmFd.ioctlFd(KVM_IOCTL.KVM_CREATE_VCPU, 0),
        () => vmFd.dirtyLog(KVM_IOCTL.KVM_GET_DIRTY_LOG, 0, new Uint8Array(8)),
        () => vmFd.readU64(),
      ])
        expect(f).toThrow(expect.objectContaining({ errno: 9 }) as unknown as Error);
    } finally {
      vmFd.close();
      sys.close();
    }
  });
});
