/**
 * The one module that loads the native addon (native/addon.cc) and declares its surface.
 *
 * `loadBinding()` returns the addon, or `{ available: false }` with every load error and possible fixes, so
 * callers (open({backend:'auto'}), `kvm-arm info`) can fall back to the soft backend and explain why.
 * The addon is found by node-gyp-build: build/Release (a local `node-gyp rebuild`) or
 * prebuilds/linux-<arch>/ (`npm run prebuild`). `KVM_ARM_ADDON=/path/to/kvm_arm.node` overrides both.
 *
 * Native errors are plain `Error`s with `errno` and `syscall`; lib/kvm/errors.ts turns them into KvmError.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An owned file descriptor (/dev/kvm, VM, vCPU, device, eventfd). Every method after close() → EBADF. */
export interface NativeFd {
  /** the fd number, -1 once closed */
  readonly fd: number;
  /** names this Fd to the fast calls (NativeBinding.ioctlInt ...); never 0 for a live Fd */
  readonly handle: number;
  /** ioctl(fd, request, integer). RangeError if the request encodes a pointer argument. */
  ioctl(request: number, arg?: number | bigint): number;
  /** ioctl(fd, request, buffer). RangeError if the buffer is shorter than _IOC_SIZE(request). */
  ioctlBuf(request: number, buffer: ArrayBufferView): number;
  /** ioctl(fd, request, integer) whose result is a new fd, returned owned. */
  ioctlFd(request: number, arg?: number | bigint): NativeFd;
  /** KVM_GET/SET_ONE_REG: value must hold KVM_REG_SIZE(id) bytes (RangeError otherwise). */
  oneReg(request: number, id: bigint, value: ArrayBufferView): number;
  /** KVM_GET_REG_LIST: buffer = kvm_reg_list, must hold 8 + 8*n bytes for its n. */
  regList(request: number, buffer: ArrayBufferView): number;
  /** KVM_SET_USER_MEMORY_REGION: [offset, offset+size) must lie in `memory`; size 0 deletes the slot. */
  setMemoryRegion(request: number, slot: number, flags: number, guestPhysAddr: bigint, size: bigint | number, memory: NativeMemory | null, offset?: number): number;
  /** KVM_GET_DIRTY_LOG into `bitmap` (ALIGN(pages, 64)/8 bytes for the slot). */
  dirtyLog(request: number, slot: number, bitmap: ArrayBufferView): number;
  /** KVM_{SET,GET,HAS}_DEVICE_ATTR with addr = value (8 bytes). */
  deviceAttr(request: number, flags: number, group: number, attr: bigint, value: ArrayBufferView): number;
  /** mmap the vCPU's kvm_run area (size = KVM_GET_VCPU_MMAP_SIZE). */
  mapRun(size: number, runRequest: number, immediateExitOffset: number): NativeVcpuRun;
  /** eventfd counter read (8 bytes). */
  readU64(): bigint;
  /** eventfd counter write (8 bytes). */
  writeU64(value: bigint | number): void;
  close(): void;
}

/** Guest RAM (anonymous, page aligned, MAP_NORESERVE), shareable with other threads. */
export interface NativeMemory {
  /** host virtual address (0n once closed) */
  readonly address: bigint;
  readonly size: number;
  readonly token: number;
  /** an ArrayBuffer over the whole mapping, detached by close() */
  readonly buffer: ArrayBuffer;
  close(): void;
}

/** A vCPU's kvm_run area and the means to run and kick it. */
export interface NativeVcpuRun {
  /** the mmapped kvm_run area, detached by close() */
  readonly buffer: ArrayBuffer;
  readonly id: number;
  readonly token: number;
  /** names this VcpuRun to NativeBinding.runVcpu */
  readonly handle: number;
  /** KVM_RUN on the calling thread (throws errno errors, EINTR after a kick). */
  run(): number;
  /** KVM_RUN on a libuv worker thread. */
  runAsync(): Promise<number>;
  kick(): void;
  close(): void;
}

export interface NativeBinding {
  open(path: string, flags?: number): NativeFd;
  dupFd(fd: number): NativeFd;
  adoptFd(fd: number): NativeFd;
  eventfd(initval?: number, flags?: number): NativeFd;
  /** flags: 1 = MAP_HUGETLB, 2 = madvise(MADV_HUGEPAGE) */
  allocMemory(size: number, flags?: number): NativeMemory;
  openMemory(address: bigint, size: number, token: number): NativeMemory;
  /** kick a vCPU by the id/token of its NativeVcpuRun, from any thread; false if it is gone */
  kick(id: number, token: number): boolean;
  // Fast calls (the hot ioctls): a failing syscall gives -errno (not thrown), bad arguments throw TypeError /
  // RangeError, a handle of a closed or collected object gives -EBADF. The hottest three take their arguments
  // from `callBlock` and leave their result there (BLK indices); the caller validates what it writes there.
  /** this environment's call block: u32[8], see BLK */
  readonly callBlock: Uint32Array;
  /** ioctl(fd of BLK.handle, BLK.request, BLK.arg0) for a request without a pointer argument → BLK.result */
  ioctlInt(): void;
  /** KVM_IRQ_LINE(BLK.request) with struct kvm_irq_level { irq: BLK.arg0, level: BLK.arg1 } → BLK.result */
  irqLine(): void;
  /** KVM_GET_ONE_REG of a ≤ 8-byte register → its value, or -errno, or 1 when the id is wider (use oneReg) */
  getReg64(handle: number, request: number, id: bigint): bigint | number;
  /** KVM_SET_ONE_REG of a ≤ 8-byte register → result | -errno, 1 when the id is wider, 2 when value does not fit */
  setReg64(handle: number, request: number, id: bigint, value: bigint): number;
  /** KVM_RUN of the NativeVcpuRun BLK.handle names, on this thread → BLK.result: 0 | -errno (-EINTR after a kick) */
  runVcpu(): void;
  readonly pageSize: number;
  readonly kickSignal: number;
  readonly abiVersion: number;
}

/** The ABI version of native/addon.cc this file was written against. */
export const ADDON_ABI_VERSION = 3;

/** Word indices of NativeBinding.callBlock (arguments in, result out; the result word is an int32). */
export const BLK = { handle: 0, request: 1, arg0: 2, arg1: 3, result: 4 } as const;

/** The call block as u32 words (to write) and as int32 words (to read the result, which may be -errno). */
export function callBlockViews(binding: NativeBinding): { u32: Uint32Array; i32: Int32Array } {
  const u32 = binding.callBlock;
  return { u32, i32: new Int32Array(u32.buffer, u32.byteOffset, u32.length) };
}

export type BindingStatus =
  | { readonly available: true; readonly binding: NativeBinding; readonly path: string }
  | { readonly available: false; readonly reason: string; readonly loadErrors: readonly string[] };

let cached: BindingStatus | undefined;

function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pj = path.join(dir, 'package.json');
    try {
      if (fs.existsSync(pj) && (JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string }).name === 'kvm-arm') return dir;
    } catch {
      /* keep walking */
    }
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', '..');
}

function check(b: unknown, where: string): NativeBinding {
  const n = b as Partial<NativeBinding>;
  if (typeof n.open !== 'function' || typeof n.allocMemory !== 'function') throw new Error(`${where} is not the kvm-arm addon`);
  if (n.abiVersion !== ADDON_ABI_VERSION) throw new Error(`${where} has addon ABI ${String(n.abiVersion)}, expected ${ADDON_ABI_VERSION} (rebuild it)`);
  return b as NativeBinding;
}

/** Loads the addon once (cached). Never throws. */
export function loadBinding(): BindingStatus {
  if (cached) return cached;
  const errors: string[] = [];
  const req = require;
  const override = process.env.KVM_ARM_ADDON;
  if (override) {
    try {
      cached = { available: true, binding: check(req(path.resolve(override)), override), path: path.resolve(override) };
      return cached;
    } catch (e) {
      errors.push(`KVM_ARM_ADDON=${override}: ${(e as Error).message}`);
    }
  }
  if (process.platform !== 'linux') {
    cached = { available: false, reason: `no KVM on ${process.platform}: the native addon is Linux only`, loadErrors: errors };
    return cached;
  }
  const root = packageRoot();
  try {
    const ngb = req('node-gyp-build') as ((dir: string) => unknown) & { resolve?: (dir: string) => string };
    const where = typeof ngb.resolve === 'function' ? ngb.resolve(root) : root;
    cached = { available: true, binding: check(ngb(root), where), path: where };
    return cached;
  } catch (e) {
    errors.push(`node-gyp-build(${root}): ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  const fixes =
    'possible fixes: `npm rebuild kvm-arm` (needs python3, make, g++), or `npx node-gyp rebuild` in the package, ' +
    `or a prebuild for linux-${process.arch} (\`npm run prebuild\`), or KVM_ARM_ADDON=/path/to/kvm_arm.node`;
  cached = { available: false, reason: `the native addon did not load; ${fixes}`, loadErrors: errors };
  return cached;
}

/** The addon, or a thrown Error listing why it is unavailable. */
export function requireBinding(): NativeBinding {
  const s = loadBinding();
  if (s.available) return s.binding;
  throw new Error(`kvm-arm: ${s.reason}\n  ${s.loadErrors.join('\n  ')}`);
}
