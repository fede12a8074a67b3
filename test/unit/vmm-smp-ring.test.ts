/**
 * lib/vmm/smp-shared.ts: the UART output ring of `kvm-arm run --smp N`. A vCPU thread reserves a slot (tail) and then
 * stores its byte; the draining thread must never hand on a slot in between (it once printed a NUL in the lab:
 * "cpu0 took timer PPI \0GICC_IAR)" on kvm).
 */
import { OUT_CAPACITY, OUT_DATA, OUT_TAIL, OUT_WRITTEN, ringAppend, ringDrain } from '../../lib/vmm/smp-shared';

function makeRing(slots = 8): { ctl: Int32Array; ring: Uint16Array } {
  const sab = new SharedArrayBuffer(OUT_DATA * 4 + slots * 2);
  return { ctl: new Int32Array(sab, 0, OUT_DATA), ring: new Uint16Array(sab, OUT_DATA * 4, slots) };
}

describe('vmm smp output ring', () => {
  test('bytes come out in slot order, NUL bytes included', () => {
    const { ctl, ring } = makeRing();
    for (const b of [0x41, 0x00, 0x42]) expect(ringAppend(ctl, ring, b)).toBe(true);
    const got: number[] = [];
    expect(ringDrain(ctl, ring, 0, (b) => got.push(b))).toBe(3);
    expect(got).toEqual([0x41, 0x00, 0x42]);
  });

  test('a slot reserved but not yet written stops the drain there; the next drain continues from it', () => {
    const { ctl, ring } = makeRing();
    ringAppend(ctl, ring, 0x28); // '('
    Atomics.add(ctl, OUT_TAIL, 1); // another thread has reserved slot 1 and not stored yet
    const got: number[] = [];
    let head = ringDrain(ctl, ring, 0, (b) => got.push(b));
    expect(head).toBe(1);
    expect(got).toEqual([0x28]);
    Atomics.store(ring, 1, OUT_WRITTEN | 0x47); // ... now it has
    ringAppend(ctl, ring, 0x49);
    head = ringDrain(ctl, ring, head, (b) => got.push(b));
    expect(head).toBe(3);
    expect(String.fromCharCode(...got)).toBe('(GI');
  });

  test('the final drain skips a slot whose writer died between reserving and storing', () => {
    const { ctl, ring } = makeRing();
    ringAppend(ctl, ring, 0x61);
    Atomics.add(ctl, OUT_TAIL, 1);
    ringAppend(ctl, ring, 0x62);
    const got: number[] = [];
    expect(ringDrain(ctl, ring, 0, (b) => got.push(b), true)).toBe(3);
    expect(got).toEqual([0x61, 0x62]);
  });

  test('a full ring drops and counts: the tail passes the capacity, the drain stops at it', () => {
    const { ctl, ring } = makeRing(2);
    expect([1, 2, 3].map((b) => ringAppend(ctl, ring, b))).toEqual([true, true, false]);
    expect(Atomics.load(ctl, OUT_TAIL)).toBe(3);
    const got: number[] = [];
    expect(ringDrain(ctl, ring, 0, (b) => got.push(b))).toBe(2);
    expect(got).toEqual([1, 2]);
    expect(OUT_CAPACITY).toBeGreaterThan(0);
  });
});
