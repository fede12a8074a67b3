/**
 * The backend interfaces: one hypervisor / VM / vCPU / device shape that both backends implement —
 * 'kvm' (lib/kvm, the real /dev/kvm through the native addon) and 'soft' (lib/soft, the software AArch64
 * machine). A VMM written against these cannot tell which backend it runs on, except by asking `backend`.
 *
 * Conventions:
 * - 64-bit values are bigint. Register values: bigint for ids of 64 bits or less, Uint8Array for wider ones.
 * - Every failing call throws KvmError with the errno real KVM gives (the soft backend gives the same).
 * - Every object has close() and [Symbol.dispose]; any method on a closed object throws KvmError EBADF.
 */
import type { RegId } from './codec/regid';
import type { IrqField } from './codec/irq';
import type { VcpuExit } from './codec/structs';
import type { KvmCapName, VcpuFeature, MpState } from './codec/abi';
import type { VcpuEvents, GuestDebug } from './codec/structs';

export type BackendName = 'kvm' | 'soft';
export type { VcpuExit, VcpuEvents, GuestDebug, MpState, VcpuFeature, KvmCapName };

/**
 * Guest RAM: an anonymous, page-aligned host mapping (kvm) or a SharedArrayBuffer (soft). The same memory can be
 * opened on other threads with `share()` → a transferable handle, and `GuestMemory.fromShared(handle)`
 * on the backend of the worker.
 */
export interface GuestMemory extends Disposable {
  readonly size: number;
  /** A view of the whole mapping. Writes are seen by the guest. Invalid after close(). */
  readonly bytes: Uint8Array;
  /** A handle that can be posted to a worker_thread and opened there (see Hypervisor.openSharedMemory). */
  share(): SharedMemoryHandle;
  close(): void;
}
/** Structured-cloneable description of shared guest memory. */
export type SharedMemoryHandle =
  | { readonly backend: 'soft'; readonly buffer: SharedArrayBuffer }
  | { readonly backend: 'kvm'; readonly address: bigint; readonly size: number; readonly token: number };

/**
 * Structured-cloneable handle of a VM shared with other threads (Vm.share() → postMessage → openSharedVm):
 * the same VM (memory slots, irqchip, vCPUs) in the worker, where vCPUs are created and run (one per thread).
 */
export type SharedVmHandle =
  | { readonly backend: 'soft'; readonly kind: 'vm'; readonly ipaSize: number; readonly state: SharedArrayBuffer; readonly gic: SharedArrayBuffer; readonly memories: readonly SharedArrayBuffer[] }
  | { readonly backend: 'kvm'; readonly kind: 'vm'; readonly fd: number; readonly mmapSize: number };

export interface MemoryRegion {
  /** slot number (0 .. NR_MEMSLOTS-1) */
  slot: number;
  /** guest physical address; page aligned */
  guestPhysAddr: bigint;
  /** the memory backing the slot; null (or size 0) deletes the slot */
  memory: GuestMemory | null;
  /** offset into `memory` (page aligned, default 0) */
  offset?: number;
  /** size in bytes (page aligned, default memory.size - offset) */
  size?: number;
  readonly?: boolean;
  logDirtyPages?: boolean;
}

export interface VcpuInit {
  target: number;
  features: VcpuFeature[];
}

export interface CreateVmOptions {
  /** IPA size in bits (KVM_VM_TYPE_ARM_IPA_SIZE); default the kernel's 40 */
  ipaSize?: number;
}

/**
 * A non-blocking eventfd for Vm.irqfd / Vm.ioeventfd (Hypervisor.eventfd). kvm: a real eventfd(2); soft: a counter
 * in a SharedArrayBuffer whose `fd` is a number in the soft backend's own space (valid only for that backend).
 */
export interface EventFd extends Disposable {
  /** The number to pass to Vm.irqfd / Vm.ioeventfd. */
  readonly fd: number;
  /** Reads and resets the counter; KvmError EAGAIN when it is 0. */
  read(): bigint;
  /** Adds to the counter (signals it); EAGAIN when it would overflow. */
  write(value?: bigint | number): void;
  close(): void;
}

export interface Hypervisor extends Disposable {
  readonly backend: BackendName;
  /** Why open() chose this backend (for 'auto'). */
  readonly reason: string;
  /** KVM_GET_API_VERSION: 12. */
  apiVersion(): number;
  /** KVM_CHECK_EXTENSION on the system fd: 0 = absent, else the capability's value. */
  checkExtension(cap: KvmCapName | number): number;
  /** KVM_GET_VCPU_MMAP_SIZE. */
  vcpuMmapSize(): number;
  /** KVM_CREATE_VM. */
  createVm(options?: CreateVmOptions): Vm;
  /** Allocates guest RAM suited to this backend (anonymous mmap for kvm, SharedArrayBuffer for soft). */
  allocateMemory(size: number, options?: { hugePages?: boolean }): GuestMemory;
  /** Opens guest memory shared from another thread. */
  openSharedMemory(handle: SharedMemoryHandle): GuestMemory;
  /** A non-blocking eventfd (initial count `initval`) for Vm.irqfd / Vm.ioeventfd. */
  eventfd(initval?: number): EventFd;
  close(): void;
}

export interface Vm extends Disposable {
  readonly backend: BackendName;
  /** KVM_CHECK_EXTENSION on the VM fd. */
  checkExtension(cap: KvmCapName | number): number;
  /** KVM_SET_USER_MEMORY_REGION. */
  setUserMemoryRegion(region: MemoryRegion): void;
  /** KVM_GET_DIRTY_LOG: one bit per page of the slot. */
  getDirtyLog(slot: number): Uint8Array;
  /** KVM_ARM_PREFERRED_TARGET. */
  preferredTarget(): VcpuInit;
  /** KVM_CREATE_VCPU. */
  createVcpu(index: number): Vcpu;
  /** KVM_CREATE_IRQCHIP: a GICv2 created the legacy way. */
  createIrqchip(): void;
  /** KVM_IRQ_LINE: an encoded irq field (number) or its parts. */
  irqLine(irq: number | IrqField, level: boolean | number): void;
  /** KVM_ARM_SET_DEVICE_ADDR: id from encodeDeviceAddrId(). */
  setDeviceAddr(id: bigint, addr: bigint): void;
  /** KVM_CREATE_DEVICE (with test: KVM_CREATE_DEVICE_TEST; returns null then). */
  createDevice(type: number, options?: { test?: false }): Device;
  createDevice(type: number, options: { test: true }): null;
  /** KVM_IRQFD: `fd` is Hypervisor.eventfd()'s; signalling it injects SPI gsi + 32. */
  irqfd(options: { fd: number; gsi: number; deassign?: boolean; resampleFd?: number }): void;
  /** KVM_IOEVENTFD: a guest MMIO write at `addr` (len bytes, 0 = any; equal to datamatch if given) signals `fd`. */
  ioeventfd(options: { fd: number; addr: bigint; len: number; datamatch?: bigint; deassign?: boolean; pio?: boolean }): void;
  /** KVM_ENABLE_CAP on the VM fd. */
  enableCap(cap: KvmCapName | number, args?: readonly bigint[], flags?: number): void;
  /**
   * A handle to post to worker_threads: `openSharedVm(handle)` there gives this VM, on which the worker creates
   * and runs its vCPU (README "SMP: one vCPU per worker"). Add the memory slots before calling it.
   */
  share(): SharedVmHandle;
  close(): void;
}

export interface Vcpu extends Disposable {
  readonly backend: BackendName;
  readonly index: number;
  /** KVM_ARM_VCPU_INIT. */
  init(init: VcpuInit): void;
  /** KVM_ARM_VCPU_FINALIZE. */
  finalize(feature: 'sve'): void;
  /** KVM_GET_REG_LIST (E2BIG resizing done inside). */
  getRegList(): RegId[];
  /** KVM_GET_ONE_REG: bigint for ids of ≤ 64 bits, bytes for wider ones. */
  getOneReg(id: RegId | bigint): bigint | Uint8Array;
  /** KVM_GET_ONE_REG of a register of ≤ 64 bits (TypeError for wider ids). */
  getReg(id: RegId | bigint): bigint;
  /** KVM_SET_ONE_REG. The value is checked against the id's size (RangeError / TypeError). */
  setOneReg(id: RegId | bigint, value: bigint | Uint8Array): void;
  getMpState(): MpState;
  setMpState(state: MpState): void;
  getVcpuEvents(): VcpuEvents;
  setVcpuEvents(events: VcpuEvents): void;
  setGuestDebug(debug: GuestDebug): void;
  /** KVM_RUN on this thread; returns the exit. */
  run(): VcpuExit;
  /** KVM_RUN off the JS thread (kvm) / in slices (soft). */
  runAsync(): Promise<VcpuExit>;
  /** From any thread: makes a running (or the next) run() return { reason: 'intr' }. */
  kick(): void;
  /** A handle that lets another thread kick this vCPU (posted to the controlling thread). */
  kickHandle(): unknown;
  /** immediate_exit in kvm_run. */
  immediateExit: boolean;
  close(): void;
}

export interface Device extends Disposable {
  readonly backend: BackendName;
  readonly type: number;
  /** KVM_SET_DEVICE_ATTR: value is a u64 (bigint) or a u32 (number) as the attribute wants. */
  setAttr(group: number, attr: bigint, value: bigint | number): void;
  /** KVM_GET_DEVICE_ATTR: reads `bytes` (4 or 8) and returns the value. */
  getAttr(group: number, attr: bigint, bytes?: 4 | 8): bigint;
  /** KVM_HAS_DEVICE_ATTR: true when supported, false on ENXIO. */
  hasAttr(group: number, attr: bigint): boolean;
  close(): void;
}

export interface OpenOptions {
  /** 'auto' (default): kvm when /dev/kvm opens on an arm/arm64 host with the addon loaded, else soft. */
  backend?: 'auto' | BackendName;
  /** path of the KVM device (default /dev/kvm) */
  device?: string;
}
