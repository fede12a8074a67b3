/**
 * eventfds for the soft backend, and the VM's irqfd / ioeventfd tables (api.txt 4.59 KVM_IOEVENTFD, 4.75 KVM_IRQFD),
 * with virt/kvm/eventfd.c's rules and errnos (Linux 6.1, arm64):
 *
 * - SoftEventFd: eventfd(2) without the OS — a 64-bit counter. write() adds (EAGAIN when the sum would pass
 *   0xfffffffffffffffe, as for a non-blocking eventfd), read() returns and clears it (EAGAIN at 0). Its `fd` is a
 *   number in the soft backend's own space (≥ 0x40000000, never an OS descriptor), valid on the thread that made it:
 *   Vm.irqfd / Vm.ioeventfd there look it up; an unknown number is EBADF, as for KVM.
 * - ioeventfd: a guest MMIO *write* of `len` bytes (0 = any length) at exactly `addr` (and equal to `datamatch`
 *   when given) signals the eventfd and the guest continues without an exit; reads always exit.
 * - irqfd: signalling the eventfd raises SPI gsi + 32 with level 1, as arm64 KVM's irqfd_wakeup does (through
 *   kvm_arch_set_irq_inatomic; nothing lowers it): an edge SPI latches pending, a level one stays high. With a
 *   resample fd the guest's deactivation of the (level) SPI lowers it and signals the resample fd. The irqfd
 *   consumes the count (the eventfd then reads EAGAIN), as irqfd_wakeup does. Assigning one before the VGIC is
 *   initialised is EAGAIN (arm64's kvm_arch_intc_initialized). Closing the eventfd removes its irqfds.
 *
 * Threads: the tables live in a SharedArrayBuffer of the VM (EventFdTables, part of Vm.share()'s handle), so they
 * can change at any time and every thread's vCPUs see it (a generation word tells them to re-read). What a vCPU on
 * another thread signals goes to a counter cell inside the table entry; the eventfd's read() on its own thread
 * adds those cells to its own counter. Register irqfds and ioeventfds on the thread that made the eventfd, on any
 * thread's object of the VM.
 */
import { threadId } from 'node:worker_threads';
import { KvmError, type ErrnoCode } from '../errors';
import type { EventFd } from '../backend';
import { lock, unlock } from './shared';

const MAX = 0xfffffffffffffffen;
const FIRST_FD = 0x40000000;

function fail(code: ErrnoCode, syscall: 'read' | 'write', context: string): KvmError {
  return new KvmError(code, { syscall, context, backend: 'soft' });
}

/** A counter cell in a table entry (a BigUint64Array of length 1 over the VM's table buffer). */
type Cell = BigUint64Array;

/** This thread's soft eventfds by number (what Vm.irqfd / Vm.ioeventfd resolve `fd` with). */
const table = new Map<number, SoftEventFd>();
let nextFd = FIRST_FD;
let nextKey = 1;

/** A soft eventfd (Hypervisor.eventfd on the soft backend). */
export class SoftEventFd implements EventFd {
  #count: bigint;
  #fd: number;
  /** unique in the process: (threadId, sequence); table entries name their eventfd by it */
  readonly key: number;
  /** irqfds on this eventfd (registered on this thread): each injects instead of counting */
  readonly listeners = new Set<() => void>();
  /** table cells where vCPUs (any thread) count guest doorbells and resamples for this eventfd */
  readonly cells = new Set<Cell>();
  /** run on close(): KVM drops an eventfd's irqfds when the eventfd goes away */
  readonly onClose = new Set<() => void>();

  constructor(initval: number = 0) {
    if (!Number.isInteger(initval) || initval < 0 || initval > 0xffffffff) throw new RangeError(`initval: must be a u32, got ${String(initval)}`);
    this.#count = BigInt(initval);
    this.#fd = nextFd++;
    this.key = ((threadId & 0x7ff) * 0x100000 + (nextKey++ & 0xfffff)) | 0;
    table.set(this.#fd, this);
  }

  /** The number to pass to Vm.irqfd / Vm.ioeventfd (soft backend's own fd space). */
  get fd(): number {
    if (this.#fd < 0) throw fail('EBADF', 'read', 'eventfd is closed');
    return this.#fd;
  }

  /** Moves what vCPUs counted in the table cells into the counter. */
  #gather(): void {
    for (const c of this.cells) {
      const v = Atomics.exchange(c, 0, 0n);
      if (v !== 0n) this.#count = this.#count + v > MAX ? MAX : this.#count + v;
    }
  }

  /** Reads (and resets) the counter. EAGAIN when it is 0. */
  read(): bigint {
    if (this.#fd < 0) throw fail('EBADF', 'read', 'eventfd is closed');
    this.#gather();
    const v = this.#count;
    if (v === 0n) throw fail('EAGAIN', 'read', 'eventfd counter is 0');
    this.#count = 0n;
    return v;
  }

  /** Adds to the counter (signals the eventfd); an irqfd on it takes the signal instead. */
  write(value: bigint | number = 1n): void {
    if (this.#fd < 0) throw fail('EBADF', 'write', 'eventfd is closed');
    const v = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`value: must be a u64, got ${String(value)}`);
    if (v === 0xffffffffffffffffn) throw fail('EINVAL', 'write', 'eventfd value 0xffffffffffffffff');
    this.#gather();
    if (MAX - this.#count < v) throw fail('EAGAIN', 'write', 'eventfd counter would overflow');
    this.#count += v;
    if (v !== 0n) this.fire();
  }

  /** The irqfds take the count (irqfd_wakeup reads the eventfd) and inject. */
  fire(): void {
    if (this.listeners.size === 0) return;
    this.#gather();
    if (this.#count === 0n) return;
    this.#count = 0n;
    for (const l of this.listeners) l();
  }

  /** A table cell stops counting for this eventfd: what it holds is kept. */
  unlink(c: Cell): void {
    if (!this.cells.has(c)) return;
    this.#gather();
    this.cells.delete(c);
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  close(): void {
    if (this.#fd < 0) return;
    for (const f of [...this.onClose]) f();
    table.delete(this.#fd);
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The soft eventfd numbered `fd` on this thread, or undefined. */
export function softEventFd(fd: number): SoftEventFd | undefined {
  return table.get(fd);
}

// ---------------------------------------------------------------- the VM's tables (one SharedArrayBuffer)
/** capacity of each table (KVM's MMIO bus takes up to 1000 devices; a soft VM 256 ioeventfds and 256 irqfds) */
export const SOFT_MAX_IOEVENTFDS = 256;
export const SOFT_MAX_IRQFDS = 256;
const H_GEN = 0;
const H_LOCK = 1;
const IOE_AT = 16; // bytes
const IOE_BYTES = 48; // i32 used, len, flags, key; u64 addr @16, datamatch @24, cell @32
const IRQ_AT = IOE_AT + SOFT_MAX_IOEVENTFDS * IOE_BYTES;
const IRQ_BYTES = 32; // i32 used, gsi, key, resampleKey; u64 resample cell @16
export const EVENTFD_TABLES_BYTES = IRQ_AT + SOFT_MAX_IRQFDS * IRQ_BYTES;
const F_DATAMATCH = 1;
const F_PIO = 2;

export interface IoEventFdEntry {
  readonly index: number;
  readonly addr: bigint;
  readonly len: number;
  readonly datamatch: bigint | undefined;
  readonly pio: boolean;
  readonly key: number;
  readonly cell: Cell;
}
export interface IrqFdEntry {
  readonly index: number;
  readonly gsi: number;
  readonly key: number;
  /** -1: no resample fd */
  readonly resampleKey: number;
  readonly resampleCell: Cell;
}

/** The irqfd / ioeventfd tables of one soft VM, over a buffer every thread of the VM shares. */
export class EventFdTables {
  readonly buffer: SharedArrayBuffer;
  readonly #w: Int32Array;
  readonly #d: DataView;
  #gen = -1;
  #ioe: IoEventFdEntry[] = [];
  #irq: IrqFdEntry[] = [];

  constructor(buffer?: SharedArrayBuffer) {
    if (buffer !== undefined && buffer.byteLength !== EVENTFD_TABLES_BYTES) throw new RangeError(`eventfds: a soft VM's eventfd tables have ${EVENTFD_TABLES_BYTES} bytes`);
    this.buffer = buffer ?? new SharedArrayBuffer(EVENTFD_TABLES_BYTES);
    this.#w = new Int32Array(this.buffer);
    this.#d = new DataView(this.buffer);
  }

  #locked<T>(fn: () => T): T {
    lock(this.#w, H_LOCK);
    try {
      return fn();
    } finally {
      unlock(this.#w, H_LOCK);
    }
  }
  #bump(): void {
    Atomics.add(this.#w, H_GEN, 1);
  }
  #i32(byte: number): number {
    return Atomics.load(this.#w, byte >> 2);
  }
  #set32(byte: number, v: number): void {
    Atomics.store(this.#w, byte >> 2, v);
  }

  /** Re-reads the tables when another thread (or this one) changed them. */
  #sync(): void {
    const g = Atomics.load(this.#w, H_GEN);
    if (g === this.#gen) return;
    this.#locked(() => {
      const ioe: IoEventFdEntry[] = [];
      for (let i = 0; i < SOFT_MAX_IOEVENTFDS; i++) {
        const at = IOE_AT + i * IOE_BYTES;
        if (this.#i32(at) === 0) continue;
        const flags = this.#i32(at + 8);
        ioe.push({
          index: i,
          len: this.#i32(at + 4),
          key: this.#i32(at + 12),
          addr: this.#d.getBigUint64(at + 16, true),
          datamatch: (flags & F_DATAMATCH) !== 0 ? this.#d.getBigUint64(at + 24, true) : undefined,
          pio: (flags & F_PIO) !== 0,
          cell: new BigUint64Array(this.buffer, at + 32, 1),
        });
      }
      const irq: IrqFdEntry[] = [];
      for (let i = 0; i < SOFT_MAX_IRQFDS; i++) {
        const at = IRQ_AT + i * IRQ_BYTES;
        if (this.#i32(at) === 0) continue;
        irq.push({ index: i, gsi: this.#i32(at + 4), key: this.#i32(at + 8), resampleKey: this.#i32(at + 12), resampleCell: new BigUint64Array(this.buffer, at + 16, 1) });
      }
      this.#ioe = ioe;
      this.#irq = irq;
      this.#gen = Atomics.load(this.#w, H_GEN);
    });
  }

  get ioeventfds(): readonly IoEventFdEntry[] {
    this.#sync();
    return this.#ioe;
  }
  get irqfds(): readonly IrqFdEntry[] {
    this.#sync();
    return this.#irq;
  }

  /** KVM_IOEVENTFD assign (checks done by the caller except collision and space): the entry, or the errno. */
  addIoeventfd(e: { addr: bigint; len: number; datamatch: bigint | undefined; pio: boolean; key: number }): IoEventFdEntry | 'EEXIST' | 'ENOSPC' {
    return this.#locked(() => {
      this.#gen = -1;
      const cur = this.ioeventfds;
      const clash = cur.some(
        (p) => p.pio === e.pio && p.addr === e.addr && (p.len === 0 || e.len === 0 || (p.len === e.len && (p.datamatch === undefined || e.datamatch === undefined || p.datamatch === e.datamatch))),
      );
      if (clash) return 'EEXIST';
      for (let i = 0; i < SOFT_MAX_IOEVENTFDS; i++) {
        const at = IOE_AT + i * IOE_BYTES;
        if (this.#i32(at) !== 0) continue;
        this.#set32(at + 4, e.len);
        this.#set32(at + 8, (e.datamatch !== undefined ? F_DATAMATCH : 0) | (e.pio ? F_PIO : 0));
        this.#set32(at + 12, e.key);
        this.#d.setBigUint64(at + 16, e.addr, true);
        this.#d.setBigUint64(at + 24, e.datamatch ?? 0n, true);
        const cell = new BigUint64Array(this.buffer, at + 32, 1);
        Atomics.store(cell, 0, 0n);
        this.#set32(at, 1);
        this.#bump();
        return { index: i, ...e, cell };
      }
      return 'ENOSPC';
    });
  }

  /** KVM_IOEVENTFD deassign: the removed entry, or undefined (ENOENT). */
  removeIoeventfd(e: { addr: bigint; len: number; datamatch: bigint | undefined; pio: boolean; key: number }): IoEventFdEntry | undefined {
    return this.#locked(() => {
      this.#gen = -1;
      const p = this.ioeventfds.find(
        (x) => x.pio === e.pio && x.key === e.key && x.addr === e.addr && x.len === e.len && (x.datamatch === undefined) === (e.datamatch === undefined) && (e.datamatch === undefined || x.datamatch === e.datamatch),
      );
      if (p === undefined) return undefined;
      this.#set32(IOE_AT + p.index * IOE_BYTES, 0);
      this.#bump();
      return p;
    });
  }

  /** KVM_IRQFD assign: the entry, or the errno (EBUSY: the eventfd is an irqfd already). */
  addIrqfd(e: { gsi: number; key: number; resampleKey: number }): IrqFdEntry | 'EBUSY' | 'ENOSPC' {
    return this.#locked(() => {
      this.#gen = -1;
      if (this.irqfds.some((x) => x.key === e.key)) return 'EBUSY';
      for (let i = 0; i < SOFT_MAX_IRQFDS; i++) {
        const at = IRQ_AT + i * IRQ_BYTES;
        if (this.#i32(at) !== 0) continue;
        this.#set32(at + 4, e.gsi);
        this.#set32(at + 8, e.key);
        this.#set32(at + 12, e.resampleKey);
        const resampleCell = new BigUint64Array(this.buffer, at + 16, 1);
        Atomics.store(resampleCell, 0, 0n);
        this.#set32(at, 1);
        this.#bump();
        return { index: i, ...e, resampleCell };
      }
      return 'ENOSPC';
    });
  }

  /** KVM_IRQFD deassign (eventfd and gsi must match); undefined when there was none (not an error for KVM). */
  removeIrqfd(key: number, gsi: number): IrqFdEntry | undefined {
    return this.#locked(() => {
      this.#gen = -1;
      const x = this.irqfds.find((y) => y.key === key && y.gsi === gsi);
      if (x === undefined) return undefined;
      this.#set32(IRQ_AT + x.index * IRQ_BYTES, 0);
      this.#bump();
      return x;
    });
  }
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

/** Counts one signal in a table cell (eventfd_signal: saturates at the maximum). */
export function signalCell(c: Cell): void {
  for (;;) {
    const old = Atomics.load(c, 0);
    const next = old >= MAX ? MAX : old + 1n;
    if (Atomics.compareExchange(c, 0, old, next) === old) return;
  }
}
