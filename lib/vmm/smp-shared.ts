/** What the SMP reference VMM (smp.ts) and its vCPU threads (smp-worker.ts) exchange. */

/**
 * Output ring (SharedArrayBuffer): Int32 [OUT_TAIL] bytes appended so far, [OUT_STOP] 1 = every vCPU must stop; from
 * byte OUT_DATA * 4, OUT_CAPACITY Uint16 slots: 0 = reserved (tail already past it) but not written yet, 0x100 | byte
 * = written. A vCPU thread reserves a slot (Atomics.add on the tail) and then stores into it: a reader that trusted
 * the tail alone could read a slot between the two and print a NUL (seen on kvm in the lab: "PPI \0GICC_IAR").
 */
export const OUT_TAIL = 0;
export const OUT_STOP = 1;
export const OUT_DATA = 4;
/** a written slot: OUT_WRITTEN | byte */
export const OUT_WRITTEN = 0x100;
/** output the guest can write in one run, in bytes (slots; bytes beyond it are counted and dropped, reported as truncated) */
export const OUT_CAPACITY = 1 << 22;

/** A vCPU thread's UART byte into the ring: reserve a slot, then publish it. False when the ring is full (counted, dropped). */
export function ringAppend(ctl: Int32Array, ring: Uint16Array, byte: number): boolean {
  const at = Atomics.add(ctl, OUT_TAIL, 1);
  if (at >= ring.length) return false;
  Atomics.store(ring, at, OUT_WRITTEN | (byte & 0xff));
  return true;
}

/**
 * Hands the written bytes from slot `head` on to `output`, in ring order; returns the new head. Stops at a slot that
 * is reserved but not written yet (the next call takes it) unless `final` (every writer has stopped: such a slot
 * belongs to a thread that died in between and is skipped).
 */
export function ringDrain(ctl: Int32Array, ring: Uint16Array, head: number, output: (byte: number) => void, final = false): number {
  const tail = Math.min(Atomics.load(ctl, OUT_TAIL), ring.length);
  for (; head < tail; head++) {
    const v = Atomics.load(ring, head);
    if (v === 0) {
      if (final) continue;
      break;
    }
    output(v & 0xff);
  }
  return head;
}

export interface SmpWorkerData {
  handle: unknown;
  idx: number;
  entry: bigint;
  dtb: bigint;
  out: SharedArrayBuffer;
  maxInsns?: number;
}

export interface SmpWorkerReport {
  type: 'done';
  idx: number;
  reason: 'shutdown' | 'reset' | 'stopped' | 'max-insns' | 'mmio-unmapped' | 'fault' | 'exit' | 'error';
  diagnostic?: string;
  instructions?: number | undefined;
}
