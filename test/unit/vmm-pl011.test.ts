/** The PL011 model (lib/vmm/pl011.ts): register semantics, RX FIFO, interrupt levels as Linux's amba-pl011 uses them. */
import { Pl011, FR_RXFE, FR_RXFF, FR_TXFE, INT_RX, INT_TX, INT_RT, PL011_FIFO } from '../../lib/vmm/pl011';

const DR = 0x000, RSR = 0x004, FR = 0x018, IBRD = 0x024, FBRD = 0x028, LCRH = 0x02c, CR = 0x030, IFLS = 0x034;
const IMSC = 0x038, RIS = 0x03c, MIS = 0x040, ICR = 0x044;
const FEN = 1 << 4;
const ENABLED = 0x301; // UARTEN | TXE | RXE

function uart() {
  const out: number[] = [];
  const levels: boolean[] = [];
  const u = new Pl011((b) => out.push(b));
  u.onIrq = (l) => levels.push(l);
  return { u, out, levels };
}

test('reset values, the ID registers, and the configuration registers store what is written (masked)', () => {
  const { u } = uart();
  expect(u.read(CR)).toBe(0x300);
  expect(u.read(IFLS)).toBe(0x12);
  expect(u.read(FR)).toBe(FR_TXFE | FR_RXFE);
  expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => u.read(o))).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  u.write(IBRD, 0x12345);
  u.write(FBRD, 0xff);
  u.write(LCRH, 0x170);
  u.write(CR, 0x1f301);
  u.write(IFLS, 0xff);
  expect([u.read(IBRD), u.read(FBRD), u.read(LCRH), u.read(CR), u.read(IFLS)]).toEqual([0x2345, 0x3f, 0x70, 0xf301, 0x3f]);
});

test('transmit: DR writes go out, raise TX; ICR clears it; the interrupt output follows MIS', () => {
  const { u, out, levels } = uart();
  u.write(DR, 0x141);
  expect(out).toEqual([0x41]);
  expect(u.read(RIS) & INT_TX).toBe(INT_TX);
  expect(u.read(MIS)).toBe(0);
  expect(levels).toEqual([]);
  u.write(IMSC, INT_TX); // unmasking a pending TX raises the line (Linux's tty writes wait for this)
  expect(levels).toEqual([true]);
  expect(u.read(MIS)).toBe(INT_TX);
  u.write(ICR, INT_TX);
  expect(levels).toEqual([true, false]);
  u.write(DR, 0x42);
  expect(levels).toEqual([true, false, true]);
  u.write(IMSC, 0); // pl011_stop_tx
  expect(levels).toEqual([true, false, true, false]);
});

test('receive needs UARTEN and RXE; the FIFO holds 32 with FEN, 1 without; the rest stays with the caller', () => {
  const { u } = uart();
  expect(u.rxRoom).toBe(0); // CR.UARTEN clear after reset
  expect(u.receive([1, 2, 3])).toBe(0);
  u.write(CR, ENABLED);
  expect(u.rxRoom).toBe(1); // no FIFO: the holding register
  expect(u.receive([1, 2, 3])).toBe(1);
  expect(u.read(FR) & (FR_RXFE | FR_RXFF)).toBe(FR_RXFF);
  expect(u.read(DR)).toBe(1);
  expect(u.read(FR) & FR_RXFE).toBe(FR_RXFE);
  u.write(LCRH, FEN);
  const bytes = Array.from({ length: 40 }, (_, i) => i + 10);
  expect(u.receive(bytes)).toBe(PL011_FIFO);
  expect(u.rxCount).toBe(32);
  expect(u.read(FR) & FR_RXFF).toBe(FR_RXFF);
  const got: number[] = [];
  while ((u.read(FR) & FR_RXFE) === 0) got.push(u.read(DR));
  expect(got).toEqual(bytes.slice(0, 32));
  expect(u.read(DR)).toBe(0); // empty FIFO
  expect(u.read(RSR)).toBe(0);
  u.write(CR, 0x101); // RXE off
  expect(u.receive([1])).toBe(0);
  expect(() => (u.write(CR, ENABLED), u.receive([256]))).toThrow(/^bytes: element 0 \(256\) is not a byte/);
});

test('RX interrupt at the IFLS trigger level, RX timeout after a batch; reading below / empty clears them', () => {
  const { u, levels } = uart();
  u.write(CR, ENABLED);
  u.write(LCRH, FEN);
  u.write(IFLS, 2 << 3); // RX trigger 1/2 = 16
  u.write(IMSC, INT_RX | INT_RT);
  u.receive([1, 2, 3]);
  expect(u.read(RIS) & (INT_RX | INT_RT)).toBe(INT_RT); // below the trigger: only the timeout
  expect(levels).toEqual([true]);
  u.read(DR);
  u.read(DR);
  expect(u.read(MIS)).toBe(INT_RT);
  u.read(DR); // empty: the timeout clears
  expect(u.read(RIS) & INT_RT).toBe(0);
  expect(levels).toEqual([true, false]);
  u.receive(Array.from({ length: 20 }, () => 0x61));
  expect(u.read(MIS)).toBe(INT_RX | INT_RT);
  for (let i = 0; i < 5; i++) u.read(DR); // 15 left: below 16
  expect(u.read(MIS)).toBe(INT_RT);
  u.write(ICR, INT_RT); // cleared by ICR with data still there
  expect(u.read(MIS)).toBe(0);
  expect(levels).toEqual([true, false, true, false]);
  expect(u.rxCount).toBe(15);
});

test('onRxSpace after a DR read and when the receiver is enabled', () => {
  const { u } = uart();
  let calls = 0;
  u.onRxSpace = () => calls++;
  u.write(CR, ENABLED);
  expect(calls).toBe(1);
  u.receive([7]);
  u.read(DR);
  expect(calls).toBe(2);
});
