/**
 * KvmHypervisor: the /dev/kvm system fd (api.txt §4: "system ioctls").
 *
 *   const hv = openKvm();
 *   hv.apiVersion();                       // 12
 *   const vm = hv.createVm();
 */
import * as fs from 'node:fs';
import type { CreateVmOptions, Hypervisor, SharedMemoryHandle } from '../backend';
import { KVM_IOCTL, vmTypeIpaSize, type KvmCapName } from '../codec/abi';
import { capNumber } from './caps';
import { KvmError } from '../errors';
import { BLK, callBlockViews, loadBinding, requireBinding, type NativeBinding, type NativeFd } from './binding';
import { call, closed, ioctlFailed } from './errors';
import { KvmGuestMemory, type AllocateOptions } from './memory';
import { KvmVm } from './vm';

/** An eventfd for irqfd / ioeventfd (KvmHypervisor.eventfd). */
export class KvmEventFd implements Disposable {
  #fd: NativeFd | null;
  /** @internal */
  constructor(fd: NativeFd) {
    this.#fd = fd;
  }
  /** The fd number to pass to Vm.irqfd / Vm.ioeventfd. */
  get fd(): number {
    if (!this.#fd) throw closed('eventfd');
    return this.#fd.fd;
  }
  /** Reads (and resets) the counter. EAGAIN when it is 0 (the fd is non-blocking). */
  read(): bigint {
    const f = this.#fd;
    if (!f) throw new KvmError('EBADF', { syscall: 'read', context: 'eventfd is closed', backend: 'kvm' });
    return call(undefined, 'eventfd', () => f.readU64());
  }
  /** Adds to the counter (signals the eventfd). */
  write(value: bigint | number = 1n): void {
    const f = this.#fd;
    if (!f) throw new KvmError('EBADF', { syscall: 'write', context: 'eventfd is closed', backend: 'kvm' });
    call(undefined, 'eventfd', () => f.writeU64(value));
  }
  close(): void {
    this.#fd?.close();
    this.#fd = null;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

const EFD_NONBLOCK = 0o4000;
const REQ_CHECK_EXTENSION = KVM_IOCTL.KVM_CHECK_EXTENSION;

export class KvmHypervisor implements Hypervisor {
  readonly backend = 'kvm' as const;
  readonly reason: string;
  /** The device path opened. */
  readonly path: string;
  #fd: NativeFd | null;
  readonly #binding: NativeBinding;
  /** the Fd's handle for the fast calls (read once: the accessor goes through the addon) */
  readonly #handle: number;
  readonly #blk: Uint32Array;
  readonly #blkI32: Int32Array;
  #mmapSize: number | undefined;

  /** @internal use openKvm() */
  constructor(binding: NativeBinding, fd: NativeFd, path: string, reason: string) {
    this.#binding = binding;
    this.#fd = fd;
    this.#handle = fd.handle;
    const v = callBlockViews(binding);
    this.#blk = v.u32;
    this.#blkI32 = v.i32;
    this.path = path;
    this.reason = reason;
  }

  #sys(ioctl: string): NativeFd {
    if (!this.#fd) throw closed('hypervisor', ioctl);
    return this.#fd;
  }

  /** @internal */
  get binding(): NativeBinding {
    return this.#binding;
  }

  /**
   * KVM_GET_API_VERSION (api.txt 4.1): always 12 on any kernel kvm-arm supports. No capability needed.
   *
   *   openKvm().apiVersion() === 12
   */
  apiVersion(): number {
    const fd = this.#sys('KVM_GET_API_VERSION');
    return call('KVM_GET_API_VERSION', undefined, () => fd.ioctl(KVM_IOCTL.KVM_GET_API_VERSION));
  }

  /**
   * KVM_CHECK_EXTENSION on the system fd (api.txt 4.4): 0 when the capability is absent, else its value
   * (e.g. NR_MEMSLOTS → the slot count). No capability needed.
   *
   *   hv.checkExtension('ONE_REG')   // 1
   */
  checkExtension(cap: KvmCapName | number): number {
    const n = capNumber(cap);
    if (this.#fd === null) throw closed('hypervisor', 'KVM_CHECK_EXTENSION');
    const b = this.#blk;
    b[BLK.handle] = this.#handle;
    b[BLK.request] = REQ_CHECK_EXTENSION;
    b[BLK.arg0] = n;
    this.#binding.ioctlInt();
    const r = this.#blkI32[BLK.result] as number;
    if (r < 0) throw ioctlFailed(-r, 'KVM_CHECK_EXTENSION', String(cap));
    return r;
  }

  /**
   * KVM_GET_VCPU_MMAP_SIZE (api.txt 4.5): bytes of the vCPU's kvm_run mapping. No capability needed.
   *
   *   hv.vcpuMmapSize()   // e.g. 8192 on arm64 with 4K pages
   */
  vcpuMmapSize(): number {
    const fd = this.#sys('KVM_GET_VCPU_MMAP_SIZE');
    this.#mmapSize ??= call('KVM_GET_VCPU_MMAP_SIZE', undefined, () => fd.ioctl(KVM_IOCTL.KVM_GET_VCPU_MMAP_SIZE));
    return this.#mmapSize;
  }

  /**
   * KVM_CREATE_VM (api.txt 4.2). `ipaSize` selects KVM_VM_TYPE_ARM_IPA_SIZE(bits) (needs ARM_VM_IPA_SIZE;
   * arm64 only — other architectures reject a non-zero type with EINVAL).
   *
   *   const vm = hv.createVm({ ipaSize: 40 });
   */
  createVm(options: CreateVmOptions = {}): KvmVm {
    const type = options.ipaSize === undefined ? 0 : vmTypeIpaSize(options.ipaSize);
    const fd = this.#sys('KVM_CREATE_VM');
    const mmapSize = this.vcpuMmapSize();
    const vmFd = call('KVM_CREATE_VM', options.ipaSize !== undefined ? `ipaSize ${options.ipaSize}` : undefined, () =>
      fd.ioctlFd(KVM_IOCTL.KVM_CREATE_VM, type),
    );
    return new KvmVm(this.#binding, vmFd, mmapSize);
  }

  /**
   * Allocates guest RAM: an anonymous page-aligned mapping (MAP_NORESERVE), optionally with huge pages.
   * `size` must be a positive multiple of the host page size.
   *
   *   const ram = hv.allocateMemory(64 << 20);
   *   vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x4000_0000n, memory: ram });
   */
  allocateMemory(size: number, options: AllocateOptions = {}): KvmGuestMemory {
    const ps = this.#binding.pageSize;
    if (!Number.isSafeInteger(size) || size <= 0 || size % ps !== 0) throw new RangeError(`size: must be a positive multiple of the page size (${ps}), got ${size}`);
    const h = options.hugePages;
    const flags = h === 'hugetlb' ? 1 : h === true || h === 'madvise' ? 2 : 0;
    if (h !== undefined && h !== false && flags === 0) throw new TypeError(`hugePages: expected a boolean, 'madvise' or 'hugetlb'`);
    this.#sys('mmap');
    return new KvmGuestMemory(this.#binding, call(undefined, `guest memory of ${size} bytes`, () => this.#binding.allocMemory(size, flags)));
  }

  /**
   * Opens guest memory shared from another thread (the handle from GuestMemory.share()): the same mapping,
   * no copy. KvmError ENOENT when the mapping no longer exists.
   */
  openSharedMemory(handle: SharedMemoryHandle): KvmGuestMemory {
    if (handle.backend !== 'kvm') throw new TypeError(`handle: a '${handle.backend}' handle cannot be opened on the kvm backend`);
    return openSharedKvmMemory(handle, this.#binding);
  }

  /** A non-blocking eventfd for Vm.irqfd / Vm.ioeventfd. */
  eventfd(initval = 0): KvmEventFd {
    this.#sys('eventfd');
    return new KvmEventFd(call(undefined, 'eventfd', () => this.#binding.eventfd(initval, EFD_NONBLOCK)));
  }

  get closed(): boolean {
    return this.#fd === null;
  }

  /** Closes the system fd. VMs already created stay usable. */
  close(): void {
    this.#fd?.close();
    this.#fd = null;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens a kvm SharedMemoryHandle on this thread (what a worker calls). */
export function openSharedKvmMemory(handle: { address: bigint; size: number; token: number }, binding: NativeBinding = requireBinding()): KvmGuestMemory {
  return new KvmGuestMemory(binding, call(undefined, 'shared guest memory', () => binding.openMemory(handle.address, handle.size, handle.token)));
}

/**
 * Opens /dev/kvm (or `path`) through the native addon. Works on any Linux KVM host (generic ioctls on x86
 * too); throws Error when the addon is unavailable (the message lists why) and KvmError when open(2) fails.
 *
 *   const hv = openKvm();
 */
export function openKvm(path = '/dev/kvm', reason = 'backend kvm requested'): KvmHypervisor {
  const binding = requireBinding();
  const fd = call(undefined, path, () => binding.open(path));
  return new KvmHypervisor(binding, fd, path, reason);
}

export interface KvmAvailability {
  /** true when open({backend:'auto'}) would pick kvm */
  available: boolean;
  /** why (or why not) */
  reason: string;
  /** the addon's load errors, when it did not load */
  loadErrors: readonly string[];
  /** the addon loaded (kvm can be opened explicitly even when auto would not pick it, e.g. on x86) */
  addonLoaded: boolean;
  /** /dev/kvm (or the given path) could be opened read-write */
  deviceOpens: boolean;
}

/**
 * Whether the kvm backend is usable here: the addon loads, the device opens, and the host is arm/arm64
 * (auto never picks KVM for an x86 host: it cannot run arm64 guests). Never throws.
 */
export function kvmAvailability(path = '/dev/kvm'): KvmAvailability {
  const b = loadBinding();
  if (!b.available) return { available: false, reason: b.reason, loadErrors: b.loadErrors, addonLoaded: false, deviceOpens: false };
  let deviceOpens = false;
  let why = '';
  try {
    const fd = b.binding.open(path);
    fd.close();
    deviceOpens = true;
  } catch (e) {
    const err = e as { errno?: number };
    why = err.errno === 2 ? `${path} does not exist (no KVM in this kernel, or not exposed to this container)` : err.errno === 13 ? `no permission to open ${path} (add yourself to the kvm group)` : `${path} does not open: ${(e as Error).message}`;
  }
  if (!deviceOpens) return { available: false, reason: why, loadErrors: [], addonLoaded: true, deviceOpens };
  const arm = process.arch === 'arm64' || process.arch === 'arm';
  if (!arm) {
    return { available: false, reason: `${path} opens but the host is ${process.arch}: KVM cannot run ARM guests here`, loadErrors: [], addonLoaded: true, deviceOpens };
  }
  return { available: true, reason: `${path} opens on an ${process.arch} host with the native addon loaded`, loadErrors: [], addonLoaded: true, deviceOpens };
}

/** True when `path` exists (for tests' skip reasons). */
export function kvmDeviceExists(path = '/dev/kvm'): boolean {
  return fs.existsSync(path);
}
