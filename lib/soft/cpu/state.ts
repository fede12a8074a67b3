/**
 * Architectural register state of the interpreter.
 *
 * Representation (measured, see the report in git history / bench): 64-bit registers are kept as two uint32
 * halves in one Uint32Array. A realistic mix of add/flags/shift/address ops ran ~6 ns/op with halves versus
 * ~51 ns/op with BigUint64Array + BigInt arithmetic on Node 20, so BigInt is used only off the hot path
 * (64x64 multiply high, 64-bit divide, the bigint API edge, system registers).
 *
 * Layout of `x` (2 words per slot, low then high):
 *   slots 0..30  X0..X30
 *   slot  31     the current stack pointer (SP_EL0 or SP_EL1 by PSTATE.EL/SPSel; the other is in `spBank`)
 *   slot  32     always zero (XZR reads)
 *   slot  33     discard (XZR writes)
 */

export const SLOT_SP = 31;
export const SLOT_ZR = 32;
export const SLOT_DISCARD = 33;

/** Register number → slot for operands where 31 means XZR. */
export function rz(n: number): number {
  return n === 31 ? SLOT_ZR : n;
}
/** Register number → slot for destinations where 31 means XZR. */
export function wz(n: number): number {
  return n === 31 ? SLOT_DISCARD : n;
}

export class CpuState {
  /** general registers as uint32 halves, see the layout above */
  readonly x = new Uint32Array(34 * 2);
  /** banked stack pointers: [SP_EL0 lo, hi, SP_EL1 lo, hi] (the active one lives in slot 31) */
  readonly spBank = new Uint32Array(4);
  /** which bank slot 31 currently holds: 0 (SP_EL0) or 1 (SP_EL1) */
  spCur = 1;

  /** address of the executing instruction */
  ipcLo = 0;
  ipcHi = 0;
  /** next PC (ipc + 4 while a handler runs, or a branch target) */
  pcLo = 0;
  pcHi = 0;

  // PSTATE
  nf = 0;
  zf = 0;
  cf = 0;
  vf = 0;
  /** DAIF as the 4-bit value D A I F (bit 3 = D ... bit 0 = F) */
  daif = 0xf;
  el = 1;
  spsel = 1;
  /** PSTATE.IL (illegal execution state) */
  il = 0;
  /** PSTATE.SS */
  ss = 0;

  /** V0..V31, 16 bytes each, little-endian, with typed views over the same buffer for the FP/SIMD code */
  readonly v = new Uint8Array(32 * 16);
  readonly v32 = new Uint32Array(this.v.buffer);
  readonly vf32 = new Float32Array(this.v.buffer);
  readonly vf64 = new Float64Array(this.v.buffer);
  fpcr = 0;
  fpsr = 0;

  /** scratch results of 64-bit helpers (low/high halves) */
  rlo = 0;
  rhi = 0;
  /** scratch for 64-bit loads */
  mlo = 0;
  mhi = 0;

  /** Switch the stack pointer in slot 31 to the one selected by el/spsel. */
  syncSp(): void {
    const want = this.el !== 0 && this.spsel !== 0 ? 1 : 0;
    if (want === this.spCur) return;
    const x = this.x;
    this.spBank[this.spCur * 2] = x[62]!;
    this.spBank[this.spCur * 2 + 1] = x[63]!;
    x[62] = this.spBank[want * 2]!;
    x[63] = this.spBank[want * 2 + 1]!;
    this.spCur = want;
  }

  /** PSTATE in SPSR format */
  pstateBits(): number {
    return (
      ((this.nf << 31) |
        (this.zf << 30) |
        (this.cf << 29) |
        (this.vf << 28) |
        (this.ss << 21) |
        (this.il << 20) |
        (this.daif << 6) |
        (this.el << 2) |
        this.spsel) >>>
      0
    );
  }

  /** Write PSTATE from SPSR-format bits (AArch64 modes only; caller validated). */
  setPstateBits(v: number): void {
    this.nf = (v >>> 31) & 1;
    this.zf = (v >>> 30) & 1;
    this.cf = (v >>> 29) & 1;
    this.vf = (v >>> 28) & 1;
    this.ss = (v >>> 21) & 1;
    this.il = (v >>> 20) & 1;
    this.daif = (v >>> 6) & 0xf;
    this.el = (v >>> 2) & 3;
    this.spsel = v & 1;
    this.syncSp();
  }

  getXBig(slot: number): bigint {
    return (BigInt(this.x[slot * 2 + 1]!) << 32n) | BigInt(this.x[slot * 2]!);
  }
  setXBig(slot: number, v: bigint): void {
    this.x[slot * 2] = Number(v & 0xffffffffn);
    this.x[slot * 2 + 1] = Number((v >> 32n) & 0xffffffffn);
  }
}

/** bigint → [lo, hi] validation helper for the API edge */
export function checkU64(v: bigint, what: string): void {
  if (typeof v !== 'bigint') throw new TypeError(`${what} must be a bigint`);
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${what} out of range for a 64-bit register: ${v}`);
}
