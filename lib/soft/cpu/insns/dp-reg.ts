/**
 * Data processing (register): logical/add/sub (shifted), add/sub (extended), ADC/SBC, CCMP/CCMN, conditional
 * select, 1-source (RBIT/REV16/REV32/REV/CLZ/CLS), 2-source (UDIV/SDIV/shifts/CRC32*), 3-source (MADD/MSUB/*MULL/*MULH).
 */
import { row, type Row } from '../decoder';
import type { Core } from '../core';
import { add32, add64, condHolds, mul64, mulHigh, nzLogic, shiftBy } from '../alu';
import { rz, wz } from '../state';

/** operand 2 of an extended-register instruction into c.rlo/c.rhi */
export function extendReg(c: Core, m: number, option: number, shift: number): void {
  const x = c.x;
  let lo = x[m]!;
  let hi = x[m + 1]!;
  switch (option) {
    case 0:
      lo &= 0xff;
      hi = 0;
      break;
    case 1:
      lo &= 0xffff;
      hi = 0;
      break;
    case 2:
      hi = 0;
      break;
    case 3:
      break;
    case 4:
      lo = (lo << 24) >> 24;
      hi = lo >> 31;
      break;
    case 5:
      lo = (lo << 16) >> 16;
      hi = lo >> 31;
      break;
    case 6:
      hi = lo >> 31;
      break;
    default:
      break;
  }
  lo >>>= 0;
  hi >>>= 0;
  if (shift === 0) {
    c.rlo = lo;
    c.rhi = hi;
  } else {
    c.rhi = ((hi << shift) | (lo >>> (32 - shift))) >>> 0;
    c.rlo = (lo << shift) >>> 0;
  }
}

function clz32(x: number): number {
  return Math.clz32(x);
}

function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function rev16(x: number): number {
  return (((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff)) >>> 0;
}

function makeCrcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ poly : r >>> 1;
    t[i] = r >>> 0;
  }
  return t;
}
const CRC32_TABLE = makeCrcTable(0xedb88320);
const CRC32C_TABLE = makeCrcTable(0x82f63b78);

const M64 = 0xffffffffffffffffn;

export const rows: Row[] = [
  // AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS Rd, Rn, Rm{, shift #amount}
  row('LOGIC_shifted', 'sf:1 opc:2 01010 shift:2 n:1 rm:5 imm6:6 rn:5 rd:5', (c, f) => {
    if (!f.sf && f.imm6 >= 32) c.undef();
    const x = c.x;
    const b = rz(f.rm) * 2;
    shiftBy(c, x[b]!, x[b + 1]!, f.shift, f.imm6, f.sf);
    let blo = c.rlo;
    let bhi = c.rhi;
    if (f.n) {
      blo = ~blo;
      bhi = f.sf ? ~bhi : 0;
    }
    const a = rz(f.rn) * 2;
    let lo: number;
    let hi: number;
    const ahi = f.sf ? x[a + 1]! : 0;
    switch (f.opc) {
      case 1:
        lo = x[a]! | blo;
        hi = ahi | bhi;
        break;
      case 2:
        lo = x[a]! ^ blo;
        hi = ahi ^ bhi;
        break;
      default:
        lo = x[a]! & blo;
        hi = ahi & bhi;
    }
    lo >>>= 0;
    hi >>>= 0;
    if (f.opc === 3) nzLogic(c, lo, hi, f.sf);
    const d = wz(f.rd) * 2;
    x[d] = lo;
    x[d + 1] = hi;
  }),
  // ADD/ADDS/SUB/SUBS Rd, Rn, Rm{, shift #amount}
  row('ADDSUB_shifted', 'sf:1 op:1 s:1 01011 shift:2 0 rm:5 imm6:6 rn:5 rd:5', (c, f) => {
    if (f.shift === 3 || (!f.sf && f.imm6 >= 32)) c.undef();
    const x = c.x;
    const b = rz(f.rm) * 2;
    shiftBy(c, x[b]!, x[b + 1]!, f.shift, f.imm6, f.sf);
    const a = rz(f.rn) * 2;
    if (f.sf) {
      if (f.op) add64(c, x[a]!, x[a + 1]!, ~c.rlo >>> 0, ~c.rhi >>> 0, 1, f.s === 1);
      else add64(c, x[a]!, x[a + 1]!, c.rlo, c.rhi, 0, f.s === 1);
    } else if (f.op) add32(c, x[a]!, ~c.rlo >>> 0, 1, f.s === 1);
    else add32(c, x[a]!, c.rlo, 0, f.s === 1);
    const d = wz(f.rd) * 2;
    x[d] = c.rlo;
    x[d + 1] = c.rhi;
  }),
  // ADD/ADDS/SUB/SUBS Rd|SP, Rn|SP, Rm{, extend {#amount}}
  row('ADDSUB_ext', 'sf:1 op:1 s:1 01011 00 1 rm:5 option:3 imm3:3 rn:5 rd:5', (c, f) => {
    if (f.imm3 > 4) c.undef();
    const x = c.x;
    extendReg(c, rz(f.rm) * 2, f.option, f.imm3);
    const a = f.rn * 2;
    if (f.sf) {
      if (f.op) add64(c, x[a]!, x[a + 1]!, ~c.rlo >>> 0, ~c.rhi >>> 0, 1, f.s === 1);
      else add64(c, x[a]!, x[a + 1]!, c.rlo, c.rhi, 0, f.s === 1);
    } else if (f.op) add32(c, x[a]!, ~c.rlo >>> 0, 1, f.s === 1);
    else add32(c, x[a]!, c.rlo, 0, f.s === 1);
    const d = (f.s ? wz(f.rd) : f.rd) * 2;
    x[d] = c.rlo;
    x[d + 1] = c.rhi;
  }),
  // ADC/ADCS/SBC/SBCS Rd, Rn, Rm
  row('ADC', 'sf:1 op:1 s:1 11010000 rm:5 000000 rn:5 rd:5', (c, f) => {
    const x = c.x;
    const a = rz(f.rn) * 2;
    const b = rz(f.rm) * 2;
    let blo = x[b]!;
    let bhi = x[b + 1]!;
    if (f.op) {
      blo = ~blo >>> 0;
      bhi = ~bhi >>> 0;
    }
    if (f.sf) add64(c, x[a]!, x[a + 1]!, blo, bhi, c.cf, f.s === 1);
    else add32(c, x[a]!, blo, c.cf, f.s === 1);
    const d = wz(f.rd) * 2;
    x[d] = c.rlo;
    x[d + 1] = c.rhi;
  }),
  // CCMN/CCMP Rn, Rm, #nzcv, cond  and  CCMN/CCMP Rn, #imm5, #nzcv, cond
  row('CCMP', 'sf:1 op:1 1 11010010 rm:5 cond:4 i:1 0 rn:5 0 nzcv:4', (c, f) => {
    if (!condHolds(c, f.cond)) {
      c.nf = (f.nzcv >>> 3) & 1;
      c.zf = (f.nzcv >>> 2) & 1;
      c.cf = (f.nzcv >>> 1) & 1;
      c.vf = f.nzcv & 1;
      return;
    }
    const x = c.x;
    const a = rz(f.rn) * 2;
    let blo: number;
    let bhi: number;
    if (f.i) {
      blo = f.rm;
      bhi = 0;
    } else {
      const b = rz(f.rm) * 2;
      blo = x[b]!;
      bhi = x[b + 1]!;
    }
    if (f.op) {
      blo = ~blo >>> 0;
      bhi = ~bhi >>> 0;
    }
    if (f.sf) add64(c, x[a]!, x[a + 1]!, blo, bhi, f.op, true);
    else add32(c, x[a]!, blo, f.op, true);
  }),
  // CSEL/CSINC/CSINV/CSNEG Rd, Rn, Rm, cond
  row('CSEL', 'sf:1 op:1 0 11010100 rm:5 cond:4 o2:2 rn:5 rd:5', (c, f) => {
    if (f.o2 >= 2) c.undef();
    const x = c.x;
    const d = wz(f.rd) * 2;
    if (condHolds(c, f.cond)) {
      const a = rz(f.rn) * 2;
      x[d] = x[a]!;
      x[d + 1] = f.sf ? x[a + 1]! : 0;
      return;
    }
    const b = rz(f.rm) * 2;
    let lo = x[b]!;
    let hi = f.sf ? x[b + 1]! : 0;
    if (f.op) {
      lo = ~lo >>> 0;
      hi = f.sf ? ~hi >>> 0 : 0;
    }
    if (f.o2) {
      // +1 (CSINC, and CSNEG = invert + 1)
      if (f.sf) add64(c, lo, hi, 1, 0, 0, false);
      else add32(c, lo, 1, 0, false);
      lo = c.rlo;
      hi = c.rhi;
    }
    x[d] = lo;
    x[d + 1] = hi;
  }),
  // RBIT/REV16/REV32/REV/CLZ/CLS Rd, Rn
  row('DP1', 'sf:1 1 0 11010110 00000 opcode:6 rn:5 rd:5', (c, f) => {
    const x = c.x;
    const a = rz(f.rn) * 2;
    const lo = x[a]!;
    const hi = f.sf ? x[a + 1]! : 0;
    let rlo: number;
    let rhi = 0;
    switch (f.opcode) {
      case 0: // RBIT
        if (f.sf) {
          rlo = rbit32(hi);
          rhi = rbit32(lo);
        } else rlo = rbit32(lo);
        break;
      case 1: // REV16
        rlo = rev16(lo);
        rhi = rev16(hi);
        break;
      case 2: // REV32 (64-bit) / REV (32-bit)
        rlo = bswap32(lo);
        rhi = bswap32(hi);
        break;
      case 3: // REV (64-bit)
        if (!f.sf) c.undef();
        rlo = bswap32(hi);
        rhi = bswap32(lo);
        break;
      case 4: // CLZ
        rlo = f.sf ? (hi !== 0 ? clz32(hi) : 32 + clz32(lo)) : clz32(lo);
        break;
      case 5: {
        // CLS
        if (f.sf) {
          const s = hi >> 31;
          const h = (hi ^ s) >>> 0;
          const l = (lo ^ s) >>> 0;
          rlo = (h !== 0 ? clz32(h) : 32 + clz32(l)) - 1;
        } else {
          const s = (lo | 0) >> 31;
          rlo = clz32((lo ^ s) >>> 0) - 1;
        }
        break;
      }
      default:
        return c.undef();
    }
    const d = wz(f.rd) * 2;
    x[d] = rlo >>> 0;
    x[d + 1] = f.sf ? rhi >>> 0 : 0;
  }),
  // UDIV/SDIV/LSLV/LSRV/ASRV/RORV/CRC32{B,H,W,X}/CRC32C{B,H,W,X} Rd, Rn, Rm
  row('DP2', 'sf:1 0 0 11010110 rm:5 opcode:6 rn:5 rd:5', (c, f) => {
    const x = c.x;
    const a = rz(f.rn) * 2;
    const b = rz(f.rm) * 2;
    const d = wz(f.rd) * 2;
    const op = f.opcode;
    if (op === 2 || op === 3) {
      if (f.sf) {
        let n = (BigInt(x[a + 1]!) << 32n) | BigInt(x[a]!);
        let m = (BigInt(x[b + 1]!) << 32n) | BigInt(x[b]!);
        let q = 0n;
        if (m !== 0n) {
          if (op === 3) {
            n = BigInt.asIntN(64, n);
            m = BigInt.asIntN(64, m);
          }
          q = BigInt.asUintN(64, n / m) & M64;
        }
        x[d] = Number(q & 0xffffffffn);
        x[d + 1] = Number(q >> 32n);
      } else {
        const m = x[b]!;
        let q = 0;
        if (m !== 0) q = op === 3 ? Math.trunc((x[a]! | 0) / (m | 0)) >>> 0 : Math.trunc(x[a]! / m) >>> 0;
        x[d] = q;
        x[d + 1] = 0;
      }
      return;
    }
    if (op >= 8 && op <= 11) {
      const amt = x[b]! & (f.sf ? 63 : 31);
      shiftBy(c, x[a]!, f.sf ? x[a + 1]! : 0, op - 8, amt, f.sf);
      x[d] = c.rlo;
      x[d + 1] = c.rhi;
      return;
    }
    if (op >= 16 && op <= 23) {
      const sz = op & 3;
      if ((sz === 3) !== (f.sf === 1)) c.undef();
      const t = op >= 20 ? CRC32C_TABLE : CRC32_TABLE;
      let crc = x[a]!;
      const bytes = 1 << sz;
      for (let i = 0; i < bytes; i++) {
        const w = i < 4 ? x[b]! : x[b + 1]!;
        const byte = (w >>> ((i & 3) * 8)) & 0xff;
        crc = (t[(crc ^ byte) & 0xff]! ^ (crc >>> 8)) >>> 0;
      }
      x[d] = crc;
      x[d + 1] = 0;
      return;
    }
    c.undef();
  }),
  // MADD/MSUB/SMADDL/SMSUBL/SMULH/UMADDL/UMSUBL/UMULH Rd, Rn, Rm, Ra
  row('DP3', 'sf:1 00 11011 op31:3 rm:5 o0:1 ra:5 rn:5 rd:5', (c, f) => {
    const x = c.x;
    const a = rz(f.rn) * 2;
    const b = rz(f.rm) * 2;
    const r = rz(f.ra) * 2;
    const d = wz(f.rd) * 2;
    switch (f.op31) {
      case 0: {
        if (f.sf) {
          mul64(c, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!);
          if (f.o0) add64(c, x[r]!, x[r + 1]!, ~c.rlo >>> 0, ~c.rhi >>> 0, 1, false);
          else add64(c, x[r]!, x[r + 1]!, c.rlo, c.rhi, 0, false);
          x[d] = c.rlo;
          x[d + 1] = c.rhi;
        } else {
          const p = Math.imul(x[a]!, x[b]!);
          x[d] = (f.o0 ? x[r]! - p : x[r]! + p) >>> 0;
          x[d + 1] = 0;
        }
        return;
      }
      case 1:
      case 5: {
        if (!f.sf) c.undef();
        const signed = f.op31 === 1;
        const alo = x[a]!;
        const blo = x[b]!;
        const ahi = signed ? (alo >> 31) >>> 0 : 0;
        const bhi = signed ? (blo >> 31) >>> 0 : 0;
        mul64(c, alo, ahi, blo, bhi);
        if (f.o0) add64(c, x[r]!, x[r + 1]!, ~c.rlo >>> 0, ~c.rhi >>> 0, 1, false);
        else add64(c, x[r]!, x[r + 1]!, c.rlo, c.rhi, 0, false);
        x[d] = c.rlo;
        x[d + 1] = c.rhi;
        return;
      }
      case 2:
      case 6: {
        if (!f.sf || f.o0 || f.ra !== 31) {
          if (!f.sf || f.o0) c.undef();
        }
        mulHigh(c, x[a]!, x[a + 1]!, x[b]!, x[b + 1]!, f.op31 === 2);
        x[d] = c.rlo;
        x[d + 1] = c.rhi;
        return;
      }
      default:
        c.undef();
    }
  }),
];
