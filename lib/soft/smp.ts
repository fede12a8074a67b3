/**
 * SMP pieces of the soft backend that work across threads:
 *
 * - smpMonitor(): the global exclusive monitor, the QEMU way. A load-exclusive records the address and the value
 *   it read (lib/soft/cpu); a store-exclusive succeeds iff an Atomics.compareExchange on the SharedArrayBuffer-
 *   backed RAM (same size, aligned) still finds that value, and then the store is that compareExchange. 128-bit
 *   STXP goes through a small VM-wide lock. Plain stores by other CPUs need no hook: a store that changes the value
 *   makes the STXR fail (one that writes the same value back does not: the ABA case, harmless for locks/counters).
 */
import type { PhysBus } from './cpu/api';
import { VM_X128_LOCK, lock, unlock } from './shared';

interface Views {
  u8: Uint8Array;
  u16: Uint16Array;
  i32: Int32Array;
  b64: BigInt64Array;
}

/** What the monitor reads from the CPU (lib/soft/cpu/core.ts Core). */
interface MonitorCpu {
  exclV0: number;
  exclV1: number;
  exclV2: number;
  exclV3: number;
}

const join = (lo: number, hi: number): bigint => BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));

/** The global monitor hook of lib/soft/cpu (Core.globalMonitor) over `bus`'s RAM; `vmWords` holds the 128-bit lock. */
export function smpMonitor(bus: PhysBus, vmWords: Int32Array) {
  const views = new WeakMap<ArrayBufferLike, Views>();
  const viewsOf = (b: ArrayBufferLike): Views => {
    let v = views.get(b);
    if (v === undefined) {
      const n = b.byteLength;
      v = { u8: new Uint8Array(b), u16: new Uint16Array(b, 0, n >> 1), i32: new Int32Array(b, 0, n >> 2), b64: new BigInt64Array(b, 0, n >> 3) };
      views.set(b, v);
    }
    return v;
  };
  return {
    mark(_cpu: unknown, _pa: number, _size: number): void {},
    check(_cpu: unknown, _pa: number, _size: number): boolean {
      return true;
    },
    storeExclusive(cpu: MonitorCpu, pa: number, esize: number, pair: boolean, v1lo: number, v1hi: number, v2lo: number, v2hi: number): boolean {
      const r = bus.ram(pa);
      const total = pair ? esize * 2 : esize;
      if (r === undefined || r.readonly || pa + total > r.gpa + r.bytes.length) return false;
      const off = r.bytes.byteOffset + (pa - r.gpa);
      const v = viewsOf(r.bytes.buffer);
      if (!pair) {
        switch (esize) {
          case 1:
            return Atomics.compareExchange(v.u8, off, cpu.exclV0 & 0xff, v1lo & 0xff) === (cpu.exclV0 & 0xff);
          case 2:
            return Atomics.compareExchange(v.u16, off >> 1, cpu.exclV0 & 0xffff, v1lo & 0xffff) === (cpu.exclV0 & 0xffff);
          case 4:
            return Atomics.compareExchange(v.i32, off >> 2, cpu.exclV0 | 0, v1lo | 0) === (cpu.exclV0 | 0);
          default: {
            const expect = join(cpu.exclV0, cpu.exclV1);
            return Atomics.compareExchange(v.b64, off >> 3, expect, join(v1lo, v1hi)) === expect;
          }
        }
      }
      if (esize === 4) {
        // a pair of words: one 64-bit compare-and-swap (first element in the low half, little-endian)
        const expect = join(cpu.exclV0, cpu.exclV2);
        return Atomics.compareExchange(v.b64, off >> 3, expect, join(v1lo, v2lo)) === expect;
      }
      lock(vmWords, VM_X128_LOCK);
      try {
        const i = off >> 3;
        if (Atomics.load(v.b64, i) !== join(cpu.exclV0, cpu.exclV1) || Atomics.load(v.b64, i + 1) !== join(cpu.exclV2, cpu.exclV3)) return false;
        Atomics.store(v.b64, i, join(v1lo, v1hi));
        Atomics.store(v.b64, i + 1, join(v2lo, v2hi));
        return true;
      } finally {
        unlock(vmWords, VM_X128_LOCK);
      }
    },
  };
}
