/**
 * ARM PL011 UART (PrimeCell r1p5, as qemu's virt board has it at 0x09000000), the model Linux's amba-pl011 driver
 * and bare-metal guests use: DR, RSR/ECR, FR, ILPR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC, RIS, MIS, ICR, DMACR,
 * PeriphID0-3, PCellID0-3 (facts: the PL011 TRM, DDI 0183).
 *
 * Transmit: a DR write goes to `output` at once (the TX FIFO is always empty: FR.TXFE, never TXFF/BUSY) and
 * raises the TX interrupt (the FIFO "drained to its trigger level"), which the guest clears with ICR or by masking
 * TXIM — Linux's tty writes wait for that interrupt.
 * Receive: {@link Pl011.receive} puts host bytes in the RX FIFO (32 entries with LCR_H.FEN, else a 1-byte holding
 * register) while CR.UARTEN and CR.RXE are set; bytes that do not fit stay with the caller (the return value),
 * nothing is dropped. RX interrupt: FIFO level ≥ the IFLS trigger (1/8 .. 7/8 of 32; 1 without FIFO), cleared by
 * reading below it or by ICR. RX timeout interrupt: raised after a batch of bytes arrives (the line then goes idle)
 * while the FIFO is not empty; cleared when the FIFO empties or by ICR. `onIrq` follows MIS != 0 (a level SPI).
 */

export const PL011_SIZE = 0x1000;
export const PL011_FIFO = 32;

// FR
export const FR_BUSY = 1 << 3;
export const FR_RXFE = 1 << 4;
export const FR_TXFF = 1 << 5;
export const FR_RXFF = 1 << 6;
export const FR_TXFE = 1 << 7;
// interrupt bits (IMSC, RIS, MIS, ICR)
export const INT_RX = 1 << 4;
export const INT_TX = 1 << 5;
export const INT_RT = 1 << 6;
const INT_ALL = 0x7ff;
// LCR_H, CR
const LCRH_FEN = 1 << 4;
const CR_UARTEN = 1 << 0;
const CR_RXE = 1 << 9;
/** RX trigger levels for IFLS.RXIFLSEL 0..4 (1/8, 1/4, 1/2, 3/4, 7/8 of 32) */
const RX_TRIGGER = [4, 8, 16, 24, 28];
const ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 {
  ilpr = 0;
  ibrd = 0;
  fbrd = 0;
  lcrh = 0;
  cr = 0x300;
  ifls = 0x12;
  imsc = 0;
  ris = 0;
  dmacr = 0;
  /** receive status (RSR): errors of the last byte read; none are ever produced, ECR clears it */
  rsr = 0;
  /** called when the interrupt output (MIS != 0) changes */
  onIrq: ((level: boolean) => void) | undefined;
  /** called after a DR read made room in the RX FIFO (the host may deliver more: call receive() later) */
  onRxSpace: (() => void) | undefined;
  readonly #rx: number[] = [];
  #irq = false;

  constructor(readonly output: (byte: number) => void) {}

  /** Bytes in the RX FIFO. */
  get rxCount(): number {
    return this.#rx.length;
  }
  /** How many more bytes receive() would take now (0 while the receiver is disabled or the FIFO is full). */
  get rxRoom(): number {
    if ((this.cr & (CR_UARTEN | CR_RXE)) !== (CR_UARTEN | CR_RXE)) return 0;
    return this.#capacity() - this.#rx.length;
  }
  /** The interrupt output (MIS != 0). */
  get irq(): boolean {
    return this.#irq;
  }

  /**
   * Host bytes arriving on the line: as many as fit go into the RX FIFO (see rxRoom); returns how many were
   * taken. The batch then counts as followed by an idle line (the RX timeout interrupt).
   */
  receive(bytes: ArrayLike<number>): number {
    const n = Math.min(this.rxRoom, bytes.length);
    for (let i = 0; i < n; i++) {
      const b = bytes[i] as number;
      if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new RangeError(`bytes: element ${i} (${String(b)}) is not a byte`);
      this.#rx.push(b);
    }
    if (n > 0) {
      if (this.#rx.length >= this.#trigger()) this.ris |= INT_RX;
      this.ris |= INT_RT;
      this.#update();
    }
    return n;
  }

  #capacity(): number {
    return (this.lcrh & LCRH_FEN) !== 0 ? PL011_FIFO : 1;
  }
  #trigger(): number {
    if ((this.lcrh & LCRH_FEN) === 0) return 1;
    return RX_TRIGGER[Math.min((this.ifls >> 3) & 7, 4)] as number;
  }
  #update(): void {
    const irq = (this.ris & this.imsc) !== 0;
    if (irq !== this.#irq) {
      this.#irq = irq;
      this.onIrq?.(irq);
    }
  }

  /** A register read at `offset` (size 1, 2 or 4 bytes; the PL011 is a 32-bit-register device). */
  read(offset: number): number {
    switch (offset & ~3) {
      case 0x000: {
        // DR: pop the RX FIFO (data in bits 7:0, error flags 11:8: none)
        const b = this.#rx.shift();
        if (b === undefined) return 0;
        if (this.#rx.length < this.#trigger()) this.ris &= ~INT_RX;
        if (this.#rx.length === 0) this.ris &= ~INT_RT;
        this.#update();
        this.onRxSpace?.();
        return b;
      }
      case 0x004:
        return this.rsr;
      case 0x018: {
        const n = this.#rx.length;
        return FR_TXFE | (n === 0 ? FR_RXFE : 0) | (n >= this.#capacity() ? FR_RXFF : 0);
      }
      case 0x020:
        return this.ilpr;
      case 0x024:
        return this.ibrd;
      case 0x028:
        return this.fbrd;
      case 0x02c:
        return this.lcrh;
      case 0x030:
        return this.cr;
      case 0x034:
        return this.ifls;
      case 0x038:
        return this.imsc;
      case 0x03c:
        return this.ris;
      case 0x040:
        return this.ris & this.imsc;
      case 0x048:
        return this.dmacr;
    }
    if (offset >= 0xfe0 && offset < 0x1000) return ID[(offset - 0xfe0) >> 2] as number;
    return 0;
  }

  write(offset: number, value: number): void {
    switch (offset & ~3) {
      case 0x000:
        this.output(value & 0xff);
        this.ris |= INT_TX;
        break;
      case 0x004:
        this.rsr = 0; // ECR: clears the error flags
        break;
      case 0x020:
        this.ilpr = value & 0xff;
        break;
      case 0x024:
        this.ibrd = value & 0xffff;
        break;
      case 0x028:
        this.fbrd = value & 0x3f;
        break;
      case 0x02c:
        // FEN off: a 1-byte holding register from now on (bytes already queued stay readable)
        this.lcrh = value & 0xff;
        if (this.#rx.length > 0 && this.#rx.length >= this.#trigger()) this.ris |= INT_RX;
        break;
      case 0x030:
        this.cr = value & 0xffff;
        if (this.rxRoom > 0) this.onRxSpace?.();
        break;
      case 0x034:
        this.ifls = value & 0x3f;
        break;
      case 0x038:
        this.imsc = value & INT_ALL;
        break;
      case 0x044:
        this.ris &= ~value;
        break;
      case 0x048:
        this.dmacr = value & 7;
        break;
    }
    this.#update();
  }
}
