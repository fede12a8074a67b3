/**
 * The soft VM's state that every thread of an SMP VMM shares (SharedArrayBuffers, Int32Array views, Atomics):
 *
 * - VM words: the VM lock, VM flags (vCPU-has-run, NISV, SYSTEM_SUSPEND, PSCI version, SMCCC bitmaps), the number of
 *   vCPUs created, the memory-slot generation, CNTVOFF and the host-clock origin (process.hrtime is one
 *   CLOCK_MONOTONIC for all threads of the process, so the counter is the same everywhere).
 * - One block per vCPU (by creation order, KVM's vcpu_idx): kick request, wake-up sequence (Atomics.wait in WFI,
 *   WFE and power-off; Atomics.notify on an IRQ output change, SEV, CPU_ON, kick), mp_state, running, has-run,
 *   the pending CPU_ON reset (entry point, context id), the WFE event register.
 * - The memory-slot table (the slots' RAM is already SharedArrayBuffers; the table says which buffer, where).
 * - The GIC (lib/soft/gic): its own buffer, guarded by its own lock (see SoftVgic).
 *
 * Locks are futex-style mutexes over one Int32 word (0 free, 1 locked, 2 locked with waiters): Atomics.wait
 * sleeps instead of spinning, so a thread descheduled while holding a lock costs the others no CPU.
 */
import { SOFT_MAX_VCPUS } from './caps';

/** Structured-cloneable handle of a soft VM shared with other threads (post it; open with openSharedVm). */
export interface SoftSharedVmHandle {
  readonly backend: 'soft';
  readonly kind: 'vm';
  readonly ipaSize: number;
  /** VM words, vCPU blocks and the slot table */
  readonly state: SharedArrayBuffer;
  /** the GIC's state */
  readonly gic: SharedArrayBuffer;
  /** one block per possible vCPU (by vcpu_idx): kick, wake-up, mp_state, ... (see V_*) */
  readonly vcpus: readonly SharedArrayBuffer[];
  /** the guest memories the slot table refers to (by index), as known when share() was called */
  readonly memories: readonly SharedArrayBuffer[];
  /** the irqfd / ioeventfd tables (lib/soft/eventfd.ts EventFdTables); absent in handles of older versions */
  readonly eventfds?: SharedArrayBuffer;
}

// ---------------------------------------------------------------- VM words (Int32 indexes)
export const VM_LOCK = 0;
export const VM_HAS_RUN = 1;
export const VM_NISV = 2;
export const VM_SUSPEND = 3;
export const VM_PSCI_VERSION = 4;
export const VM_BMAP_STD = 5;
export const VM_BMAP_STD_HYP = 6;
export const VM_BMAP_VENDOR = 7;
export const VM_CREATED = 8;
export const VM_SLOT_GEN = 9;
export const VM_CLOSED = 10;
export const VM_SLOT_COUNT = 11;
/** lock of 128-bit store-exclusives (STXP of two doublewords), which have no single Atomics operation */
export const VM_X128_LOCK = 14;
/** BigInt64 indexes (byte 96 and 104) */
export const VM_CNTVOFF64 = 12;
export const VM_CLOCK_T0_64 = 13;
const HEADER_WORDS = 32;

// ---------------------------------------------------------------- per-vCPU block (Int32 indexes; one SharedArrayBuffer each,
// so a kick handle is { buffer } with the kick word at 0 and the wake-up word at 1)
/** kick requested (KVM_RUN returns 'intr') */
export const V_KICK = 0;
/** wake-up sequence: bumped (and notified) by anything that should end a WFI/WFE/power-off sleep */
export const V_WAKE = 1;
export const V_ID = 2;
/** 0 runnable, 1 stopped, 2 suspended */
export const V_MP = 3;
export const V_RUNNING = 4;
export const V_HAS_RUN = 5;
/** CPU_ON: 1 = reset with the entry point below before running */
export const V_RESET = 6;
export const V_PC_LO = 7;
export const V_PC_HI = 8;
export const V_X0_LO = 9;
export const V_X0_HI = 10;
/** WFE event register */
export const V_EVENT = 11;
export const V_PSCI02 = 12;
export const V_INITIALIZED = 13;
/** KVM_IRQ_LINE type CPU levels without a VGIC: bit 0 IRQ, bit 1 FIQ */
export const V_LINES = 14;
export const VCPU_WORDS = 16;

export const MP_RUNNABLE = 0;
export const MP_STOPPED = 1;
export const MP_SUSPENDED = 2;

// ---------------------------------------------------------------- slot table
/** Slots the shared table holds (KVM allows more; a shared soft VM is limited to this many at once). */
export const SHARED_MAX_SLOTS = 256;
export const S_ID = 0;
export const S_GPA_LO = 1;
export const S_GPA_HI = 2;
export const S_SIZE = 3;
export const S_MEM = 4;
export const S_OFFSET = 5;
export const S_FLAGS = 6;
export const SLOT_WORDS = 8;
export const SLOTS_AT = HEADER_WORDS;
export const VM_STATE_BYTES = (SLOTS_AT + SHARED_MAX_SLOTS * SLOT_WORDS) * 4;

/** A fresh VM state buffer. */
export function newVmState(): SharedArrayBuffer {
  return new SharedArrayBuffer(VM_STATE_BYTES);
}

/** Fresh vCPU blocks (one per possible vCPU). */
export function newVcpuBlocks(): SharedArrayBuffer[] {
  return Array.from({ length: SOFT_MAX_VCPUS }, () => new SharedArrayBuffer(VCPU_WORDS * 4));
}

/** Per-thread recursion depth of each lock word (a thread may re-enter a lock it holds). */
const depth = new WeakMap<Int32Array, number[]>();

/** Takes the futex mutex at a[i] (re-entrant on the same thread). */
export function lock(a: Int32Array, i: number): void {
  let d = depth.get(a);
  if (d === undefined) depth.set(a, (d = []));
  const n = d[i] ?? 0;
  d[i] = n + 1;
  if (n > 0) return;
  let c = Atomics.compareExchange(a, i, 0, 1);
  if (c === 0) return;
  do {
    if (c === 2 || Atomics.compareExchange(a, i, 1, 2) !== 0) Atomics.wait(a, i, 2);
  } while ((c = Atomics.compareExchange(a, i, 0, 2)) !== 0);
}

/** Releases the mutex at a[i]. */
export function unlock(a: Int32Array, i: number): void {
  const d = depth.get(a);
  const n = d?.[i] ?? 0;
  if (d === undefined || n <= 0) throw new Error('unlock of a lock this thread does not hold');
  d[i] = n - 1;
  if (n > 1) return;
  if (Atomics.sub(a, i, 1) !== 1) {
    Atomics.store(a, i, 0);
    Atomics.notify(a, i, 1);
  }
}

/** Runs fn with the mutex at a[i] held. */
export function locked<T>(a: Int32Array, i: number, fn: () => T): T {
  lock(a, i);
  try {
    return fn();
  } finally {
    unlock(a, i);
  }
}

/** Bumps a vCPU's wake-up sequence and wakes it if it sleeps. */
export function wakeVcpu(block: Int32Array): void {
  Atomics.add(block, V_WAKE, 1);
  Atomics.notify(block, V_WAKE);
}

/** instanceof that also holds for buffers from another realm (a vm context, e.g. jest's, receiving a posted buffer). */
export function isSab(x: unknown): x is SharedArrayBuffer {
  return x instanceof SharedArrayBuffer || Object.prototype.toString.call(x) === '[object SharedArrayBuffer]';
}

export function isSoftSharedVmHandle(h: unknown): h is SoftSharedVmHandle {
  if (h === null || typeof h !== 'object') return false;
  const o = h as Record<string, unknown>;
  return o.backend === 'soft' && o.kind === 'vm' && isSab(o.state) && isSab(o.gic) && Array.isArray(o.memories) && o.memories.every(isSab) && Array.isArray(o.vcpus) && o.vcpus.length === SOFT_MAX_VCPUS && o.vcpus.every(isSab) && (o.eventfds === undefined || isSab(o.eventfds));
}
