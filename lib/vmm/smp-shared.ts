/** What the SMP reference VMM (smp.ts) and its vCPU threads (smp-worker.ts) exchange. */

/** Output ring (SharedArrayBuffer): [OUT_TAIL] bytes appended so far, [OUT_STOP] 1 = every vCPU must stop, data from OUT_DATA. */
export const OUT_TAIL = 0;
export const OUT_STOP = 1;
export const OUT_DATA = 4;
/** output the guest can write in one run (bytes beyond it are counted and dropped, reported as truncated) */
export const OUT_CAPACITY = 1 << 22;

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
