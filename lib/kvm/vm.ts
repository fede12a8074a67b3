/**
 * KvmVm: a VM fd (api.txt §4, "vm ioctls").
 *
 * Closing a VM closes its fd; vCPUs and devices created from it stay usable (the kernel keeps the VM alive
 * through them), and the guest memory its slots use stays mapped until the VM and all of them are closed.
 */
import type { MemoryRegion, Vm, VcpuInit } from '../backend';
import {
  KVM_CREATE_DEVICE_TEST,
  KVM_IOCTL,
  KVM_IOEVENTFD_FLAG,
  KVM_IRQFD_FLAG,
  KVM_MEM,
  featureNames,
  type KvmCapName,
  type VcpuFeature,
} from '../codec/abi';
import { encodeIrq, formatIrq, decodeIrq, type IrqField } from '../codec/irq';
import {
  decodeCreateDevice,
  decodeVcpuInit,
  encodeArmDeviceAddr,
  encodeCreateDevice,
  encodeEnableCap,
  encodeIoeventfd,
  encodeIrqfd,
} from '../codec/structs';
import { BLK, callBlockViews, type NativeBinding, type NativeFd, type NativeMemory } from './binding';
import { call, closed, ioctlFailed } from './errors';
import { KvmDevice } from './device';
import { KvmGuestMemory } from './memory';
import { KvmVcpu } from './vcpu';
import { capNumber } from './caps';
import { hex64 } from '../codec/regid';

const REQ_CHECK_EXTENSION = KVM_IOCTL.KVM_CHECK_EXTENSION;
const REQ_IRQ_LINE = KVM_IOCTL.KVM_IRQ_LINE;

interface Slot {
  size: bigint;
  pin: NativeMemory | null;
}

export class KvmVm implements Vm {
  readonly backend = 'kvm' as const;
  #fd: NativeFd | null;
  readonly #binding: NativeBinding;
  /** the Fd's handle for the fast calls */
  readonly #handle: number;
  readonly #blk: Uint32Array;
  readonly #blkI32: Int32Array;
  readonly #mmapSize: number;
  readonly #slots = new Map<number, Slot>();
  readonly #children = new Set<{ close(): void }>();

  /** @internal use KvmHypervisor.createVm() */
  constructor(binding: NativeBinding, fd: NativeFd, mmapSize: number) {
    this.#binding = binding;
    this.#fd = fd;
    this.#handle = fd.handle;
    const v = callBlockViews(binding);
    this.#blk = v.u32;
    this.#blkI32 = v.i32;
    this.#mmapSize = mmapSize;
  }

  #vm(ioctl: string): NativeFd {
    if (!this.#fd) throw closed('VM', ioctl);
    return this.#fd;
  }

  /** The VM fd number (for passing to other processes / workers via binding.dupFd). */
  get fd(): number {
    return this.#vm('fd').fd;
  }

  /**
   * KVM_CHECK_EXTENSION on the VM fd (api.txt 4.4; needs CHECK_EXTENSION_VM): what this VM supports, which on
   * arm64 can differ from the system fd (e.g. the IPA size).
   *
   *   vm.checkExtension('ARM_VM_IPA_SIZE')
   */
  checkExtension(cap: KvmCapName | number): number {
    const n = capNumber(cap);
    if (this.#fd === null) throw closed('VM', 'KVM_CHECK_EXTENSION');
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
   * KVM_SET_USER_MEMORY_REGION (api.txt 4.35; USER_MEMORY; READONLY_MEM for `readonly`): creates, changes or
   * (with `memory: null` or size 0) deletes a slot. `memory` must come from allocateMemory/openSharedMemory;
   * [offset, offset+size) must lie inside it (RangeError). Kernel errors: EEXIST for an overlap, EINVAL for
   * misalignment or a bad slot.
   *
   *   vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x4000_0000n, memory: ram, logDirtyPages: true });
   */
  setUserMemoryRegion(region: MemoryRegion): void {
    const { slot, guestPhysAddr, memory } = region;
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xffffffff) throw new RangeError(`slot: must be a u32, got ${slot}`);
    if (typeof guestPhysAddr !== 'bigint') throw new TypeError('guestPhysAddr: expected a bigint');
    if (guestPhysAddr < 0n || guestPhysAddr > 0xffffffffffffffffn) throw new RangeError(`guestPhysAddr: must be a u64`);
    const offset = region.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset: must be a non-negative integer, got ${offset}`);
    let size: number;
    let mem: KvmGuestMemory | null = null;
    if (memory === null) {
      size = 0;
    } else {
      if (!(memory instanceof KvmGuestMemory)) throw new TypeError('memory: expected guest memory from the kvm backend (allocateMemory)');
      mem = memory;
      size = region.size ?? mem.size - offset;
      if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size: must be a non-negative integer, got ${size}`);
      if (offset + size > mem.size) throw new RangeError(`size: [${offset}, ${offset + size}) is outside the ${mem.size}-byte memory`);
    }
    const flags = (region.readonly ? KVM_MEM.READONLY : 0) | (region.logDirtyPages ? KVM_MEM.LOG_DIRTY_PAGES : 0);
    const fd = this.#vm('KVM_SET_USER_MEMORY_REGION');
    const native = size === 0 || mem === null ? null : mem.native;
    const ctx = `slot ${slot} at ${hex64(guestPhysAddr)} size 0x${size.toString(16)}`;
    // pin the memory before the kernel sees it, so it cannot be unmapped while the slot exists
    const pin = native !== null && mem !== null ? mem.pin() : null;
    try {
      call('KVM_SET_USER_MEMORY_REGION', ctx, () => fd.setMemoryRegion(KVM_IOCTL.KVM_SET_USER_MEMORY_REGION, slot, flags, guestPhysAddr, size, native, offset));
    } catch (e) {
      pin?.close();
      throw e;
    }
    const old = this.#slots.get(slot);
    if (size === 0) {
      this.#slots.delete(slot);
    } else {
      this.#slots.set(slot, { size: BigInt(size), pin });
    }
    old?.pin?.close();
  }

  /**
   * KVM_GET_DIRTY_LOG (api.txt 4.8): the slot's dirty bitmap (one bit per page, LSB first) since the last call.
   * The slot needs logDirtyPages; otherwise the kernel answers ENOENT.
   *
   *   const bits = vm.getDirtyLog(0);   // bits[0] & 1 → page 0 was written
   */
  getDirtyLog(slot: number): Uint8Array {
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xffffffff) throw new RangeError(`slot: must be a u32, got ${slot}`);
    const s = this.#slots.get(slot);
    const pages = s ? Number(s.size) / this.#binding.pageSize : 0;
    const bitmap = new Uint8Array(Math.max(8, Math.ceil(pages / 64) * 8));
    const fd = this.#vm('KVM_GET_DIRTY_LOG');
    call('KVM_GET_DIRTY_LOG', `slot ${slot}`, () => fd.dirtyLog(KVM_IOCTL.KVM_GET_DIRTY_LOG, slot, bitmap));
    return bitmap.subarray(0, Math.ceil(pages / 8));
  }

  /**
   * KVM_ARM_PREFERRED_TARGET (api.txt 4.83; arm/arm64 only): the target and features to pass to
   * Vcpu.init(). Other architectures reject it (ENOTTY / EINVAL).
   *
   *   vcpu.init(vm.preferredTarget());
   */
  preferredTarget(): VcpuInit {
    const fd = this.#vm('KVM_ARM_PREFERRED_TARGET');
    const b = new Uint8Array(32);
    call('KVM_ARM_PREFERRED_TARGET', undefined, () => fd.ioctlBuf(KVM_IOCTL.KVM_ARM_PREFERRED_TARGET, b));
    const v = decodeVcpuInit(b);
    return { target: v.target, features: featureNames(v.features).filter((f): f is VcpuFeature => typeof f === 'string') };
  }

  /**
   * KVM_CREATE_VCPU (api.txt 4.7): vCPU `index` (0 .. MAX_VCPU_ID-1), with its kvm_run area mapped.
   *
   *   const vcpu = vm.createVcpu(0);
   */
  createVcpu(index: number): KvmVcpu {
    if (!Number.isInteger(index) || index < 0 || index > 0x7fffffff) throw new RangeError(`index: must be a non-negative integer, got ${index}`);
    const fd = this.#vm('KVM_CREATE_VCPU');
    const vfd = call('KVM_CREATE_VCPU', `vcpu ${index}`, () => fd.ioctlFd(KVM_IOCTL.KVM_CREATE_VCPU, index));
    let vcpu: KvmVcpu;
    try {
      vcpu = new KvmVcpu(this.#binding, vfd, index, this.#mmapSize, this);
    } catch (e) {
      vfd.close();
      throw e;
    }
    this.#children.add(vcpu);
    return vcpu;
  }

  /**
   * KVM_CREATE_IRQCHIP (api.txt 4.24; needs IRQCHIP): on arm64 a GICv2 created the legacy way (then place it
   * with setDeviceAddr). Prefer createDevice(KVM_DEV_TYPE.ARM_VGIC_V2 | V3).
   */
  createIrqchip(): void {
    const fd = this.#vm('KVM_CREATE_IRQCHIP');
    call('KVM_CREATE_IRQCHIP', undefined, () => fd.ioctl(KVM_IOCTL.KVM_CREATE_IRQCHIP));
  }

  /**
   * KVM_IRQ_LINE (api.txt 4.25; needs IRQCHIP or ARM_USER_IRQ): raises/lowers an interrupt; `irq` is an
   * encoded irq field (codec encodeIrq) or its parts.
   *
   *   vm.irqLine({ type: 'spi', irq: 33, vcpu: 0 }, true);
   */
  irqLine(irq: number | IrqField, level: boolean | number): void {
    const field = typeof irq === 'number' ? irq : encodeIrq(irq);
    if (!Number.isInteger(field) || field < 0 || field > 0xffffffff) throw new RangeError(`irq: must be a u32 irq field, got ${field}`);
    const lv = typeof level === 'boolean' ? (level ? 1 : 0) : level;
    if (!Number.isInteger(lv) || lv < 0 || lv > 0xffffffff) throw new RangeError(`level: must be a boolean or a u32, got ${level}`);
    if (this.#fd === null) throw closed('VM', 'KVM_IRQ_LINE');
    const b = this.#blk;
    b[BLK.handle] = this.#handle;
    b[BLK.request] = REQ_IRQ_LINE;
    b[BLK.arg0] = field;
    b[BLK.arg1] = lv;
    this.#binding.irqLine();
    const r = this.#blkI32[BLK.result] as number;
    if (r < 0) throw ioctlFailed(-r, 'KVM_IRQ_LINE', safeFormatIrq(field));
  }

  /**
   * KVM_ARM_SET_DEVICE_ADDR (api.txt 4.80; needs ARM_SET_DEVICE_ADDR): places a legacy VGIC region; `id` from
   * encodeDeviceAddrId().
   *
   *   vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), 0x0800_0000n);
   */
  setDeviceAddr(id: bigint, addr: bigint): void {
    const fd = this.#vm('KVM_ARM_SET_DEVICE_ADDR');
    const b = encodeArmDeviceAddr(id, addr);
    call('KVM_ARM_SET_DEVICE_ADDR', `id ${hex64(id)} addr ${hex64(addr)}`, () => fd.ioctlBuf(KVM_IOCTL.KVM_ARM_SET_DEVICE_ADDR, b));
  }

  /**
   * KVM_CREATE_DEVICE (api.txt 4.80; needs DEVICE_CTRL): a device (KVM_DEV_TYPE.ARM_VGIC_V2, ARM_VGIC_V3,
   * ARM_VGIC_ITS…). With `{ test: true }` only asks whether the type could be created (null, or KvmError).
   *
   *   const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V3);
   */
  createDevice(type: number, options?: { test?: false }): KvmDevice;
  createDevice(type: number, options: { test: true }): null;
  createDevice(type: number, options: { test?: boolean } = {}): KvmDevice | null {
    const b = encodeCreateDevice({ type, flags: options.test ? KVM_CREATE_DEVICE_TEST : 0 });
    const fd = this.#vm('KVM_CREATE_DEVICE');
    call('KVM_CREATE_DEVICE', `type ${type}`, () => fd.ioctlBuf(KVM_IOCTL.KVM_CREATE_DEVICE, b));
    if (options.test) return null;
    const devFd = call('KVM_CREATE_DEVICE', `type ${type}`, () => this.#binding.adoptFd(decodeCreateDevice(b).fd));
    const dev = new KvmDevice(devFd, type, this);
    this.#children.add(dev);
    return dev;
  }

  /**
   * KVM_IRQFD (api.txt 4.75; needs IRQFD): signalling eventfd `fd` injects SPI `gsi` (arm64: gsi = SPI - 32).
   *
   *   const ev = hv.eventfd(); vm.irqfd({ fd: ev.fd, gsi: 1 });
   */
  irqfd(options: { fd: number; gsi: number; deassign?: boolean; resampleFd?: number }): void {
    const flags = (options.deassign ? KVM_IRQFD_FLAG.DEASSIGN : 0) | (options.resampleFd !== undefined ? KVM_IRQFD_FLAG.RESAMPLE : 0);
    const b = encodeIrqfd({ fd: options.fd, gsi: options.gsi, flags, resamplefd: options.resampleFd ?? 0 });
    const fd = this.#vm('KVM_IRQFD');
    call('KVM_IRQFD', `fd ${options.fd} gsi ${options.gsi}`, () => fd.ioctlBuf(KVM_IOCTL.KVM_IRQFD, b));
  }

  /**
   * KVM_IOEVENTFD (api.txt 4.59; needs IOEVENTFD): a guest MMIO write of `len` bytes (0 = any, with
   * IOEVENTFD_ANY_LENGTH) at `addr` (matching `datamatch` if given) signals eventfd `fd` instead of exiting.
   *
   *   vm.ioeventfd({ fd: ev.fd, addr: 0x0a00_0050n, len: 4, datamatch: 0n });
   */
  ioeventfd(options: { fd: number; addr: bigint; len: number; datamatch?: bigint; deassign?: boolean; pio?: boolean }): void {
    const flags =
      (options.datamatch !== undefined ? KVM_IOEVENTFD_FLAG.DATAMATCH : 0) |
      (options.deassign ? KVM_IOEVENTFD_FLAG.DEASSIGN : 0) |
      (options.pio ? KVM_IOEVENTFD_FLAG.PIO : 0);
    const b = encodeIoeventfd({ datamatch: options.datamatch ?? 0n, addr: options.addr, len: options.len, fd: options.fd, flags });
    const fd = this.#vm('KVM_IOEVENTFD');
    call('KVM_IOEVENTFD', `fd ${options.fd} addr ${hex64(options.addr)}`, () => fd.ioctlBuf(KVM_IOCTL.KVM_IOEVENTFD, b));
  }

  /**
   * KVM_ENABLE_CAP on the VM fd (api.txt 4.37/7; needs ENABLE_CAP_VM): e.g. ARM_NISV_TO_USER, ARM_MTE.
   *
   *   vm.enableCap('ARM_NISV_TO_USER');
   */
  enableCap(cap: KvmCapName | number, args: readonly bigint[] = [], flags = 0): void {
    const b = encodeEnableCap({ cap: capNumber(cap), flags, args });
    const fd = this.#vm('KVM_ENABLE_CAP');
    call('KVM_ENABLE_CAP', String(cap), () => fd.ioctlBuf(KVM_IOCTL.KVM_ENABLE_CAP, b));
  }

  /** @internal a vCPU or device was closed */
  childClosed(child: { close(): void }): void {
    this.#children.delete(child);
    this.#releasePins();
  }

  #releasePins(): void {
    if (this.#fd !== null || this.#children.size > 0) return;
    for (const s of this.#slots.values()) s.pin?.close();
    this.#slots.clear();
  }

  get closed(): boolean {
    return this.#fd === null;
  }

  /**
   * A structured-cloneable handle of this VM for other threads (post it to a worker_thread, open it there with
   * openSharedVm): fds are process-wide, so the worker wraps a dup of the VM fd (closing it there leaves this one
   * open: ownership stays with the creator) and creates its vCPUs with KVM_CREATE_VCPU from its own thread, as a
   * KVM VMM does. Guest memory the worker's VMM wants to read is posted separately (GuestMemory.share()).
   */
  share(): KvmSharedVmHandle {
    return { backend: 'kvm', kind: 'vm', fd: this.#vm('share').fd, mmapSize: this.#mmapSize };
  }

  /** Closes the VM fd. Guest memory of its slots is released once its vCPUs and devices are closed too. */
  close(): void {
    this.#fd?.close();
    this.#fd = null;
    this.#releasePins();
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Structured-cloneable handle of a kvm VM shared with other threads (KvmVm.share()). */
export interface KvmSharedVmHandle {
  readonly backend: 'kvm';
  readonly kind: 'vm';
  /** the creator's VM fd number (valid in every thread of the process while the creator keeps it open) */
  readonly fd: number;
  readonly mmapSize: number;
}

/** Opens a VM shared from another thread: a KvmVm over a dup of its fd (closing it closes the dup only). */
export function openSharedKvmVm(handle: KvmSharedVmHandle, binding: NativeBinding): KvmVm {
  if (handle === null || typeof handle !== 'object' || handle.backend !== 'kvm' || handle.kind !== 'vm') throw new TypeError("handle: expected the { backend: 'kvm', kind: 'vm', fd, mmapSize } handle of KvmVm.share()");
  if (!Number.isInteger(handle.fd) || handle.fd < 0) throw new RangeError(`handle.fd: must be a file descriptor number, got ${String(handle.fd)}`);
  if (!Number.isInteger(handle.mmapSize) || handle.mmapSize <= 0) throw new RangeError(`handle.mmapSize: must be a positive integer, got ${String(handle.mmapSize)}`);
  const fd = call(undefined, 'dup of the shared VM fd', () => binding.dupFd(handle.fd));
  return new KvmVm(binding, fd, handle.mmapSize);
}

function safeFormatIrq(field: number): string {
  try {
    return formatIrq(decodeIrq(field));
  } catch {
    return `irq 0x${field.toString(16)}`;
  }
}
