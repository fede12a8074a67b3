/**
 * eventfds for the soft backend, and the VM's irqfd / ioeventfd tables (api.txt 4.59 KVM_IOEVENTFD, 4.75 KVM_IRQFD),
 * with virt/kvm/eventfd.c's rules and errnos (Linux 6.1):
 *
 * - SoftEventFd: eventfd(2) without the OS — a 64-bit counter in a SharedArrayBuffer. write() adds (EAGAIN when
 *   the sum would pass 0xfffffffffffffffe, as a non-blocking eventfd), read() returns and clears it (EAGAIN at 0).
 *   Its `fd` is a number in the soft backend's own space (≥ 0x40000000, never an OS descriptor): Vm.irqfd /
 *   Vm.ioeventfd of a soft VM look it up in this thread's table; an unknown number is EBADF, as for KVM.
 * - ioeventfd: a guest MMIO *write* of `len` bytes (0 = any length) at exactly `addr` (and equal to `datamatch`
 *   when given) signals the eventfd and the guest continues without an exit; reads always exit.
 * - irqfd: signalling the eventfd pulses SPI gsi + 32 (level 1 then 0, as KVM's irqfd_inject does: an edge SPI
 *   latches pending, a level one sees nothing unless the guest acknowledges in between); with a resample fd the
 *   line stays high until the guest deactivates the interrupt, which lowers it and signals the resample fd.
 *   The irqfd consumes the count (the eventfd then reads EAGAIN), as irqfd_wakeup does.
 *
 * Threads: the counters are SharedArrayBuffers, so a vCPU in a worker (opened from Vm.share()) signals the same
 * eventfd the VMM thread reads. The tables travel with share(): register irqfds and ioeventfds before share()
 * (changing them after share() throws, like adding memory does), and signal irqfds on the thread that registered
 * them or from a guest doorbell.
 */
import { KvmError, type ErrnoCode } from '../errors';
import type { EventFd } from '../backend';

const MAX = 0xfffffffffffffffen;
const FIRST_FD = 0x40000000;

function fail(code: ErrnoCode, syscall: 'read' | 'write', context: string): KvmError {
  return new KvmError(code, { syscall, context, backend: 'soft' });
}

/** This thread's soft eventfds by number (what Vm.irqfd / Vm.ioeventfd resolve `fd` with). */
const table = new Map<number, SoftEventFd>();
let nextFd = FIRST_FD;

/** A soft eventfd (Hypervisor.eventfd on the soft backend). */
export class SoftEventFd implements EventFd {
  /** the counter: BigUint64 [0]; Int32 [2] is bumped on every write (Atomics.wait on it to sleep until one) */
  readonly buffer: SharedArrayBuffer;
  readonly #count: BigUint64Array;
  readonly #seq: Int32Array;
  #fd: number;
  /** irqfds on this eventfd (this thread's): called instead of counting */
  readonly listeners = new Set<() => void>();

  constructor(initval: number | bigint = 0, buffer?: SharedArrayBuffer) {
    const v = typeof initval === 'bigint' ? initval : Number.isInteger(initval) && initval >= 0 && initval <= 0xffffffff ? BigInt(initval) : -1n;
    if (v < 0n || v > 0xffffffffn) throw new RangeError(`initval: must be a u32, got ${String(initval)}`);
    this.buffer = buffer ?? new SharedArrayBuffer(16);
    this.#count = new BigUint64Array(this.buffer, 0, 1);
    this.#seq = new Int32Array(this.buffer, 8, 2);
    if (buffer === undefined) this.#count[0] = v;
    this.#fd = nextFd++;
    table.set(this.#fd, this);
  }

  /** The number to pass to Vm.irqfd / Vm.ioeventfd (soft backend's own fd space). */
  get fd(): number {
    if (this.#fd < 0) throw fail('EBADF', 'read', 'eventfd is closed');
    return this.#fd;
  }

  /** Reads (and resets) the counter. EAGAIN when it is 0. */
  read(): bigint {
    if (this.#fd < 0) throw fail('EBADF', 'read', 'eventfd is closed');
    const v = Atomics.exchange(this.#count, 0, 0n);
    if (v === 0n) throw fail('EAGAIN', 'read', 'eventfd counter is 0');
    return v;
  }

  /** Adds to the counter (signals the eventfd); an irqfd on it takes the signal instead. */
  write(value: bigint | number = 1n): void {
    if (this.#fd < 0) throw fail('EBADF', 'write', 'eventfd is closed');
    const v = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`value: must be a u64, got ${String(value)}`);
    if (v === 0xffffffffffffffffn) throw fail('EINVAL', 'write', 'eventfd value 0xffffffffffffffff');
    if (!signalCounter(this.#count, this.#seq, v)) throw fail('EAGAIN', 'write', 'eventfd counter would overflow');
    if (this.listeners.size > 0 && v !== 0n) this.fire();
  }

  /** The irqfds take the count (irqfd_wakeup reads the eventfd) and inject. */
  fire(): void {
    if (Atomics.exchange(this.#count, 0, 0n) === 0n) return;
    for (const l of this.listeners) l();
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  close(): void {
    if (this.#fd < 0) return;
    table.delete(this.#fd);
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Adds v to an eventfd counter (false: it would pass the maximum); wakes Atomics.wait-ers on the sequence word. */
export function signalCounter(count: BigUint64Array, seq: Int32Array, v: bigint): boolean {
  for (;;) {
    const old = Atomics.load(count, 0);
    if (MAX - old < v) return false;
    if (Atomics.compareExchange(count, 0, old, old + v) === old) break;
  }
  Atomics.add(seq, 0, 1);
  Atomics.notify(seq, 0);
  return true;
}

/** The soft eventfd numbered `fd` on this thread, or undefined. */
export function softEventFd(fd: number): SoftEventFd | undefined {
  return table.get(fd);
}

/** One KVM_IOEVENTFD registration. `buffer` is the eventfd's counter (shared with worker vCPUs). */
export interface IoEventFdEntry {
  readonly buffer: SharedArrayBuffer;
  readonly addr: bigint;
  readonly len: number;
  readonly datamatch: bigint | undefined;
  readonly pio: boolean;
}

/** One KVM_IRQFD registration. */
export interface IrqFdEntry {
  readonly buffer: SharedArrayBuffer;
  readonly gsi: number;
  readonly resample: SharedArrayBuffer | undefined;
}

/** What a VM's share() hands to other threads: the registrations as they are at share() time. */
export interface SharedEventFds {
  readonly ioeventfds: readonly IoEventFdEntry[];
  readonly irqfds: readonly IrqFdEntry[];
}

/** True when a guest write (pa, size, value) hits the ioeventfd (ioeventfd_in_range). */
export function ioeventfdMatches(e: IoEventFdEntry, pa: number, size: number, value: bigint): boolean {
  if (e.pio || BigInt(pa) !== e.addr) return false;
  if (e.len === 0) return true;
  if (e.len !== size) return false;
  if (e.datamatch === undefined) return true;
  // the written bytes, zero-extended, against the whole 64-bit datamatch (a datamatch wider than len never matches)
  const mask = size >= 8 ? 0xffffffffffffffffn : (1n << BigInt(size * 8)) - 1n;
  return (value & mask) === e.datamatch;
}

/** Signals the eventfd behind a registration by 1, from any thread (eventfd_signal: saturates at the maximum). */
export function signalBuffer(buffer: SharedArrayBuffer): void {
  const count = new BigUint64Array(buffer, 0, 1);
  if (!signalCounter(count, new Int32Array(buffer, 8, 2), 1n)) Atomics.store(count, 0, MAX);
}

/** Takes the whole count of the eventfd behind a registration (irqfd_wakeup's read); 0n when there was none. */
export function takeBuffer(buffer: SharedArrayBuffer): bigint {
  return Atomics.exchange(new BigUint64Array(buffer, 0, 1), 0, 0n);
}
