/**
 * ARM PL011 UART (PrimeCell r1p5, as qemu's virt board has it at 0x09000000): enough of the register set for
 * drivers that probe IDs, read FR and program the baud rate: DR, RSR/ECR, FR, ILPR, IBRD, FBRD, LCR_H, CR, IFLS,
 * IMSC, RIS, MIS, ICR, DMACR, PeriphID0-3, PCellID0-3. Transmit goes to `output`; the receive FIFO is empty.
 */

export const PL011_SIZE = 0x1000;
const FR_RXFE = 1 << 4;
const FR_TXFE = 1 << 7;
const INT_TX = 1 << 5;
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
  /** called when the interrupt output (MIS != 0) changes */
  onIrq: ((level: boolean) => void) | undefined;
  #irq = false;

  constructor(readonly output: (byte: number) => void) {}

  /** A register read at `offset` (size 1, 2 or 4 bytes; the PL011 is a 32-bit-register device). */
  read(offset: number): number {
    switch (offset & ~3) {
      case 0x000:
        return 0; // DR: receive FIFO empty
      case 0x004:
        return 0; // RSR
      case 0x018:
        return FR_TXFE | FR_RXFE;
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
        break; // ECR: clears errors (none)
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
        this.lcrh = value & 0xff;
        break;
      case 0x030:
        this.cr = value & 0xffff;
        break;
      case 0x034:
        this.ifls = value & 0x3f;
        break;
      case 0x038:
        this.imsc = value & 0x7ff;
        break;
      case 0x044:
        this.ris &= ~value;
        break;
      case 0x048:
        this.dmacr = value & 7;
        break;
    }
    const irq = (this.ris & this.imsc) !== 0;
    if (irq !== this.#irq) {
      this.#irq = irq;
      this.onIrq?.(irq);
    }
  }
}
