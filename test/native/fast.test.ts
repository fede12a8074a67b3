/**
 * The addon's fast calls (native/addon.cc "fast calls"; NativeBinding.ioctlInt / irqLine / runVcpu through the
 * call block, getReg64 / setReg64): they must give what the general methods give (same results, same errnos),
 * keep the argument checks, and resolve only live handles. And KvmVcpu.run()'s own MMIO decoding must give what
 * the codec's decodeRunExit gives for the same kvm_run.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { KVM_CAP, KVM_EXIT, KVM_IOCTL, IO, IOW, KVMIO } from '../../lib/codec/abi';
import { decodeRunExit, encodeIrqLevel } from '../../lib/codec/structs';
import { BLK, callBlockViews, type NativeBinding, type NativeFd } from '../../lib/kvm/binding';
import { binding, bindingPath, describeKvm, describeX86Kvm, x86Guest, type X86Guest } from './helpers';

const EBADF = 9;
const EINVAL = 22;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Errors from the addon come from Node's main realm, not jest's: match them by name. */
function named(name: 'RangeError' | 'TypeError', message?: RegExp): Error {
  return expect.objectContaining({ name, ...(message ? { message: expect.stringMatching(message) as unknown } : {}) }) as unknown as Error;
}
const SENTINEL = 0x7eadbeef;

/** Runs a block call with the given words and returns the result word (SENTINEL if the call wrote none). */
function blockCall(b: NativeBinding, fn: 'ioctlInt' | 'irqLine' | 'runVcpu', words: { handle: number; request?: number; arg0?: number; arg1?: number }): number {
  const { u32, i32 } = callBlockViews(b);
  u32[BLK.handle] = words.handle;
  u32[BLK.request] = words.request ?? 0;
  u32[BLK.arg0] = words.arg0 ?? 0;
  u32[BLK.arg1] = words.arg1 ?? 0;
  i32[BLK.result] = SENTINEL;
  b[fn]();
  return i32[BLK.result] as number;
}
/** The errno a general-method call throws (0 when it returns). */
function errnoOf(f: () => unknown): number {
  try {
    f();
    return 0;
  } catch (e) {
    const n = (e as { errno?: unknown }).errno;
    if (typeof n !== 'number') throw e;
    return n;
  }
}

describeKvm('fast calls: handles, call block, argument checks', () => {
  let b: NativeBinding;
  let sys: NativeFd;
  beforeAll(() => {
    b = binding();
    sys = b.open('/dev/kvm');
  });
  afterAll(() => sys.close());

  test('the call block is a u32[8]; handles are positive, distinct, and stop resolving once closed', () => {
    expect(Object.prototype.toString.call(b.callBlock)).toBe('[object Uint32Array]');
    expect(b.callBlock.length).toBe(8);
    const other = b.open('/dev/kvm');
    expect(sys.handle).toBeGreaterThan(0);
    expect(other.handle).toBeGreaterThan(0);
    expect(other.handle).not.toBe(sys.handle);
    const req = KVM_IOCTL.KVM_CHECK_EXTENSION;
    expect(blockCall(b, 'ioctlInt', { handle: other.handle, request: req, arg0: 3 })).toBe(1); // USER_MEMORY
    other.close();
    expect(blockCall(b, 'ioctlInt', { handle: other.handle, request: req, arg0: 3 })).toBe(-EBADF);
  });

  test('the handle of an Fd that was garbage collected (never closed) no longer resolves', async () => {
    const req = KVM_IOCTL.KVM_CHECK_EXTENSION;
    const h = ((): number => b.open('/dev/kvm').handle)();
    expect(blockCall(b, 'ioctlInt', { handle: h, request: req, arg0: 3 })).toBe(1); // still alive (not yet collected)
    for (let i = 0; i < 10 && blockCall(b, 'ioctlInt', { handle: h, request: req, arg0: 3 }) === 1; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    expect(blockCall(b, 'ioctlInt', { handle: h, request: req, arg0: 3 })).toBe(-EBADF);
  });

  test('KVM_CHECK_EXTENSION through ioctlInt equals the general ioctl() for every capability number 0..300', () => {
    const req = KVM_IOCTL.KVM_CHECK_EXTENSION;
    const failing: Array<[cap: number, errno: number]> = [];
    for (let cap = 0; cap <= 300; cap++) {
      // the general ioctl() throws where the fast path gives -errno
      const errno = errnoOf(() => sys.ioctl(req, cap));
      const want = errno === 0 ? sys.ioctl(req, cap) : -errno;
      expect(blockCall(b, 'ioctlInt', { handle: sys.handle, request: req, arg0: cap })).toBe(want);
      if (errno !== 0) failing.push([cap, errno]);
    }
    // real KVM's answers: on the system fd every capability answers, except arm64's KVM_CAP_MSI_DEVID, which
    // needs a VM to answer for (arch/arm64/kvm/arm.c kvm_vm_ioctl_check_extension: !kvm -> -EINVAL)
    expect(failing).toEqual(process.arch === 'arm64' ? [[KVM_CAP.MSI_DEVID, EINVAL]] : []);
  });

  test('errnos come back as -errno, the same the general methods throw', () => {
    // an unknown KVM ioctl on the system fd: ENOTTY (or EINVAL) either way
    const bogus = IO(KVMIO, 0xfe);
    expect(blockCall(b, 'ioctlInt', { handle: sys.handle, request: bogus })).toBe(-errnoOf(() => sys.ioctl(bogus, 0)));
    // KVM_IRQ_LINE on the system fd is not a system ioctl
    const irq = KVM_IOCTL.KVM_IRQ_LINE;
    const viaBuf = errnoOf(() => sys.ioctlBuf(irq, encodeIrqLevel(33 | (1 << 24), 1)));
    expect(viaBuf).toBeGreaterThan(0);
    expect(blockCall(b, 'irqLine', { handle: sys.handle, request: irq, arg0: 33 | (1 << 24), arg1: 1 })).toBe(-viaBuf);
  });

  test('handles that name nothing give -EBADF from every block call and from getReg64/setReg64', () => {
    const live = new Set([sys.handle]);
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (h) => {
        fc.pre(!live.has(h) && h !== sys.handle);
        expect(blockCall(b, 'ioctlInt', { handle: h, request: KVM_IOCTL.KVM_CHECK_EXTENSION, arg0: 3 })).toBe(-EBADF);
        expect(blockCall(b, 'irqLine', { handle: h, request: KVM_IOCTL.KVM_IRQ_LINE })).toBe(-EBADF);
        expect(blockCall(b, 'runVcpu', { handle: h })).toBe(-EBADF);
        expect(b.getReg64(h, KVM_IOCTL.KVM_GET_ONE_REG, 0x6030000000100000n)).toBe(-EBADF);
        expect(b.setReg64(h, KVM_IOCTL.KVM_SET_ONE_REG, 0x6030000000100000n, 1n)).toBe(-EBADF);
      }),
      { numRuns: 300 },
    );
    // an Fd handle is not a VcpuRun handle
    expect(blockCall(b, 'runVcpu', { handle: sys.handle })).toBe(-EBADF);
  });

  test('the struct checks stay: a request that encodes a pointer or a bigger struct is a RangeError, with no result', () => {
    const { i32 } = callBlockViews(b);
    expect(() => blockCall(b, 'ioctlInt', { handle: sys.handle, request: KVM_IOCTL.KVM_ARM_PREFERRED_TARGET })).toThrow(named('RangeError'));
    expect(i32[BLK.result]).toBe(SENTINEL);
    expect(() => blockCall(b, 'irqLine', { handle: sys.handle, request: IOW(KVMIO, 0x61, 16) })).toThrow(named('RangeError', /struct kvm_irq_level/));
    expect(i32[BLK.result]).toBe(SENTINEL);
    expect(() => b.getReg64(sys.handle, IOW(KVMIO, 0xab, 64), 0x6030000000100000n)).toThrow(named('RangeError', /struct kvm_one_reg/));
    expect(() => b.setReg64(sys.handle, IOW(KVMIO, 0xac, 64), 0x6030000000100000n, 0n)).toThrow(named('RangeError', /struct kvm_one_reg/));
  });

  test('handles past the inline slots (more than 48 live Fds) resolve, and stop resolving once closed', () => {
    const req = KVM_IOCTL.KVM_CHECK_EXTENSION;
    const fds = Array.from({ length: 120 }, () => b.open('/dev/kvm'));
    try {
      expect(new Set(fds.map((f) => f.handle)).size).toBe(fds.length);
      for (const f of fds) expect(blockCall(b, 'ioctlInt', { handle: f.handle, request: req, arg0: 3 })).toBe(1);
      // close every other one: those give EBADF, the rest still answer (slots inside and past the inline part)
      fds.forEach((f, i) => i % 2 === 0 && f.close());
      fds.forEach((f, i) => expect(blockCall(b, 'ioctlInt', { handle: f.handle, request: req, arg0: 3 })).toBe(i % 2 === 0 ? -EBADF : 1));
      // reused slots get new handles; the old handles of those slots stay dead
      const again = Array.from({ length: 60 }, () => b.open('/dev/kvm'));
      for (const f of again) expect(blockCall(b, 'ioctlInt', { handle: f.handle, request: req, arg0: 3 })).toBe(1);
      fds.forEach((f, i) => i % 2 === 0 && expect(blockCall(b, 'ioctlInt', { handle: f.handle, request: req, arg0: 3 })).toBe(-EBADF));
      for (const f of again) f.close();
    } finally {
      for (const f of fds) f.close();
    }
  });

  test('a worker (another environment, which takes the napi_get_cb_info path) has its own call block and handles', async () => {
    // The worker: its own block and tables; its handles work there; a handle of this thread's does not resolve there.
    const src = `
      const { workerData, parentPort } = require('node:worker_threads');
      const b = require(workerData.addon);
      const u32 = b.callBlock, i32 = new Int32Array(u32.buffer, u32.byteOffset, 8);
      const call = (fn, h, req, a0) => { u32[0] = h; u32[1] = req; u32[2] = a0; i32[4] = 0x7eadbeef; b[fn](); return i32[4]; };
      const fd = b.open('/dev/kvm');
      const out = {
        own: call('ioctlInt', fd.handle, workerData.req, 3),
        general: fd.ioctl(workerData.req, 3),
        foreign: call('ioctlInt', workerData.mainHandle, workerData.req, 3),
        foreignRun: call('runVcpu', workerData.mainHandle, 0, 0),
        sameBlock: u32 === workerData.mainBlock,
      };
      fd.close();
      out.closed = call('ioctlInt', fd.handle, workerData.req, 3);
      parentPort.postMessage(out);`;
    const other = b.open('/dev/kvm');
    try {
      // a handle number this thread has and the worker (with fewer objects) has not
      const extra = Array.from({ length: 3 }, () => b.open('/dev/kvm'));
      const mainHandle = (extra[2] as NativeFd).handle;
      const w = new Worker(src, { eval: true, workerData: { addon: bindingPath(), req: KVM_IOCTL.KVM_CHECK_EXTENSION, mainHandle } });
      const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      await w.terminate();
      for (const f of extra) f.close();
      expect(out).toEqual({ own: 1, general: 1, foreign: -EBADF, foreignRun: -EBADF, sameBlock: false, closed: -EBADF });
      // and this thread's block calls still work after the worker's environment is gone
      expect(blockCall(b, 'ioctlInt', { handle: other.handle, request: KVM_IOCTL.KVM_CHECK_EXTENSION, arg0: 3 })).toBe(1);
    } finally {
      other.close();
    }
  });

  test('getReg64/setReg64: typed argument errors; 1 for ids wider than 8 bytes, 2 for values that do not fit (no syscall)', () => {
    const get = KVM_IOCTL.KVM_GET_ONE_REG;
    const set = KVM_IOCTL.KVM_SET_ONE_REG;
    const u64Id = 0x6030000000100000n; // size field 3: 8 bytes
    const u32Id = 0x6020000000100000n; // size field 2: 4 bytes
    const u128Id = 0x6040000000100000n; // size field 4: 16 bytes
    expect(() => b.getReg64(sys.handle, get, 5 as unknown as bigint)).toThrow(named('TypeError'));
    expect(() => b.getReg64(sys.handle, get, 1n << 64n)).toThrow(named('RangeError'));
    expect(() => b.getReg64(sys.handle, get, -1n)).toThrow(named('RangeError'));
    expect(() => b.getReg64(-1, get, u64Id)).toThrow(named('RangeError'));
    expect(() => b.setReg64(sys.handle, set, u64Id, 1 as unknown as bigint)).toThrow(named('TypeError'));
    // a closed fd would give -EBADF: 1 and 2 come before any fd is looked at
    const gone = b.open('/dev/kvm');
    const h = gone.handle;
    gone.close();
    expect(b.getReg64(h, get, u128Id)).toBe(1);
    expect(b.setReg64(h, set, u128Id, 0n)).toBe(1);
    expect(b.setReg64(h, set, u32Id, 1n << 32n)).toBe(2);
    expect(b.setReg64(h, set, u32Id, -1n)).toBe(2);
    expect(b.setReg64(h, set, u64Id, 1n << 64n)).toBe(2);
    expect(b.setReg64(h, set, u32Id, 0xffffffffn)).toBe(-EBADF);
    expect(b.setReg64(h, set, u64Id, 0xffffffffffffffffn)).toBe(-EBADF);
  });
});

describeX86Kvm('fast calls on a vCPU (x86 guest)', () => {
  let g: X86Guest;
  afterEach(() => g.close());

  test('ONE_REG through getReg64/setReg64 fails with the errno the general oneReg() gives (x86 has no ONE_REG regs)', () => {
    g = x86Guest([0xf4]);
    const b = binding();
    const vfd = b.dupFd(g.vcpu.fd);
    try {
      const id = 0x6030000000100040n; // arm64 pc
      const want = errnoOf(() => vfd.oneReg(KVM_IOCTL.KVM_GET_ONE_REG, id, new Uint8Array(8)));
      expect(want).toBeGreaterThan(0);
      expect(b.getReg64(vfd.handle, KVM_IOCTL.KVM_GET_ONE_REG, id)).toBe(-want);
      expect(b.setReg64(vfd.handle, KVM_IOCTL.KVM_SET_ONE_REG, id, 0x1000n)).toBe(-errnoOf(() => vfd.oneReg(KVM_IOCTL.KVM_SET_ONE_REG, id, new Uint8Array(8))));
    } finally {
      vfd.close();
    }
  });

  test("run()'s MMIO decoding equals the codec's decodeRunExit, across changing addresses and lengths", () => {
    // loop: mov [0x9000], al ; mov [0xa000], ax ; mov al, [0x9004] ; jmp back
    g = x86Guest([0xa2, 0x00, 0x90, 0xa3, 0x00, 0xa0, 0xa0, 0x04, 0x90, 0xeb, 0xf5]);
    const want = [
      { physAddr: 0x9000n, len: 1, isWrite: true },
      { physAddr: 0xa000n, len: 2, isWrite: true },
      { physAddr: 0x9004n, len: 1, isWrite: false },
    ];
    for (let i = 0; i < 30; i++) {
      const e = g.vcpu.run();
      expect(e).toEqual(decodeRunExit(g.vcpu.runArea));
      expect(e).toMatchObject({ reason: 'mmio', ...want[i % 3] });
      if (e.reason !== 'mmio') throw new Error('expected mmio');
      // data is a live view of kvm_run.mmio.data, exactly len bytes long
      expect(e.data.length).toBe(e.len);
      expect(e.data.buffer).toBe(g.vcpu.runArea.buffer);
      expect(e.data.byteOffset).toBe(g.vcpu.runArea.byteOffset + 40);
      if (!e.isWrite) e.data[0] = i; // complete the read
    }
  });

  test('runReason(): the exit reason, with the MMIO fields read from kvm_run (live, as run() decodes them)', () => {
    // loop: mov [0x9000], al ; mov [0xa000], ax ; mov al, [0x9004] ; jmp back: the read's value is written next
    g = x86Guest([0xa2, 0x00, 0x90, 0xa3, 0x00, 0xa0, 0xa0, 0x04, 0x90, 0xeb, 0xf5]);
    const v = g.vcpu;
    const want = [
      { physAddr: 0x9000, len: 1, isWrite: true },
      { physAddr: 0xa000, len: 2, isWrite: true },
      { physAddr: 0x9004, len: 1, isWrite: false },
    ];
    for (let i = 0; i < 30; i++) {
      expect(v.runReason()).toBe(KVM_EXIT.MMIO);
      expect({ physAddr: v.mmioPhysAddr, len: v.mmioLen, isWrite: v.mmioIsWrite }).toEqual(want[i % 3]);
      expect(v.lastExit()).toEqual(decodeRunExit(v.runArea));
      expect(v.lastExit()).toMatchObject({ reason: 'mmio', physAddr: BigInt(want[i % 3]?.physAddr ?? -1) });
      const d = v.mmioData;
      expect(d.length).toBe(v.mmioLen);
      expect(d.buffer).toBe(v.runArea.buffer);
      expect(d.byteOffset).toBe(v.runArea.byteOffset + 40);
      if (i % 3 === 0 && i > 0) expect(d[0]).toBe((i - 1) & 0xff); // al = the value the last read got
      if (!v.mmioIsWrite) d[0] = i; // complete the read through the live view
    }
  });

  test('runReason(): a kick or immediateExit gives KVM_EXIT.INTR (consumed); closed → EBADF; no rounding of wide addresses', () => {
    g = x86Guest([0xa2, 0x00, 0x90, 0xeb, 0xfb]);
    const v = g.vcpu;
    v.immediateExit = true;
    expect(v.runReason()).toBe(KVM_EXIT.INTR);
    expect(v.immediateExit).toBe(false);
    v.kick();
    expect(v.runReason()).toBe(KVM_EXIT.INTR);
    expect(v.runReason()).toBe(KVM_EXIT.MMIO);
    // a phys_addr past 2^53 (no real exit has one) is a RangeError, not a rounded number; the bigint stays exact
    const dv = new DataView(v.runArea.buffer, v.runArea.byteOffset);
    dv.setBigUint64(32, 0x20_0000_0000_0001n, true);
    expect(() => v.mmioPhysAddr).toThrow(RangeError);
    expect(v.lastExit()).toMatchObject({ physAddr: 0x20_0000_0000_0001n });
    dv.setBigUint64(32, 0x1f_ffff_ffff_ffffn, true);
    expect(v.mmioPhysAddr).toBe(Number.MAX_SAFE_INTEGER);
    v.close();
    expect(() => v.runReason()).toThrow(expect.objectContaining({ code: 'EBADF', ioctl: 'KVM_RUN' }) as unknown as Error);
    expect(() => v.mmioLen).toThrow(expect.objectContaining({ code: 'EBADF' }) as unknown as Error);
  });

  test('run() on a closed vCPU is EBADF before any syscall', () => {
    g = x86Guest([0xf4]);
    g.vcpu.close();
    expect(() => g.vcpu.run()).toThrow(expect.objectContaining({ code: 'EBADF', ioctl: 'KVM_RUN' }) as unknown as Error);
  });
});
