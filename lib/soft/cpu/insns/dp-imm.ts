/** Data processing (immediate): ADR/ADRP, ADD/SUB (imm), logical (imm), move wide, bitfield, EXTR. */
import { row, type Row } from '../decoder';
import { add32, add64, decodeBitMasks, nzLogic, ror32, ror64, lsr64, lsl64 } from '../alu';
import { rz, wz } from '../state';

const TWO32 = 4294967296;

export const rows: Row[] = [
  // ADR Xd, label
  row('ADR', '0 immlo:2 10000 immhi:19 rd:5', (c, f) => {
    const off = (((f.immhi << 13) >> 13) * 4) + f.immlo;
    const t = c.ipcLo + off;
    const carry = Math.floor(t / TWO32);
    const d = wz(f.rd) * 2;
    c.x[d] = t - carry * TWO32;
    c.x[d + 1] = (c.ipcHi + carry) >>> 0;
  }),
  // ADRP Xd, label
  row('ADRP', '1 immlo:2 10000 immhi:19 rd:5', (c, f) => {
    const pages = ((f.immhi << 13) >> 13) * 4 + f.immlo; // signed 21-bit page count
    const t = ((c.ipcLo & 0xfffff000) >>> 0) + pages * 4096;
    const carry = Math.floor(t / TWO32);
    const d = wz(f.rd) * 2;
    c.x[d] = t - carry * TWO32;
    c.x[d + 1] = (c.ipcHi + carry) >>> 0;
  }),
  // ADD/ADDS/SUB/SUBS Rd, Rn|SP, #imm{, LSL #12}
  row('ADDSUB_imm', 'sf:1 op:1 s:1 100010 sh:1 imm12:12 rn:5 rd:5', (c, f) => {
    const imm = f.sh ? f.imm12 * 4096 : f.imm12;
    const n = f.rn * 2;
    const d = (f.s ? wz(f.rd) : f.rd) * 2;
    const x = c.x;
    if (f.sf) {
      if (f.op) add64(c, x[n]!, x[n + 1]!, ~imm >>> 0, 0xffffffff, 1, f.s === 1);
      else add64(c, x[n]!, x[n + 1]!, imm, 0, 0, f.s === 1);
    } else if (f.op) add32(c, x[n]!, ~imm >>> 0, 1, f.s === 1);
    else add32(c, x[n]!, imm, 0, f.s === 1);
    x[d] = c.rlo;
    x[d + 1] = c.rhi;
  }),
  // AND/ORR/EOR/ANDS Rd, Rn, #bitmask
  row('LOGIC_imm', 'sf:1 opc:2 100100 n:1 immr:6 imms:6 rn:5 rd:5', (c, f) => {
    const m = decodeBitMasks(f.n, f.imms, f.immr, true, f.sf);
    if (m === null) return c.undef();
    const a = rz(f.rn) * 2;
    const x = c.x;
    let lo = x[a]!;
    let hi = f.sf ? x[a + 1]! : 0;
    const mlo = m[0]!;
    const mhi = f.sf ? m[1]! : 0;
    switch (f.opc) {
      case 0:
      case 3:
        lo &= mlo;
        hi &= mhi;
        break;
      case 1:
        lo |= mlo;
        hi |= mhi;
        break;
      default:
        lo ^= mlo;
        hi ^= mhi;
    }
    lo >>>= 0;
    hi >>>= 0;
    if (f.opc === 3) nzLogic(c, lo, hi, f.sf);
    const d = (f.opc === 3 ? wz(f.rd) : f.rd) * 2;
    x[d] = lo;
    x[d + 1] = hi;
  }),
  // MOVN/MOVZ/MOVK Rd, #imm16{, LSL #hw*16}
  row('MOVW', 'sf:1 opc:2 100101 hw:2 imm16:16 rd:5', (c, f) => {
    if (f.opc === 1 || (f.sf === 0 && f.hw >= 2)) c.undef();
    const d = wz(f.rd) * 2;
    const x = c.x;
    const pos = f.hw * 16;
    if (f.opc === 3) {
      // MOVK
      if (pos < 32) x[d] = ((x[d]! & ~(0xffff << pos)) | (f.imm16 << pos)) >>> 0;
      else x[d + 1] = ((x[d + 1]! & ~(0xffff << (pos - 32))) | (f.imm16 << (pos - 32))) >>> 0;
      if (!f.sf) x[d + 1] = 0;
      return;
    }
    let lo = pos < 32 ? (f.imm16 << pos) >>> 0 : 0;
    let hi = pos >= 32 ? (f.imm16 << (pos - 32)) >>> 0 : 0;
    if (f.opc === 0) {
      lo = ~lo >>> 0;
      hi = f.sf ? ~hi >>> 0 : 0;
    }
    x[d] = lo;
    x[d + 1] = hi;
  }),
  // SBFM/BFM/UBFM Rd, Rn, #immr, #imms
  row('BITFIELD', 'sf:1 opc:2 100110 n:1 immr:6 imms:6 rn:5 rd:5', (c, f) => {
    if (f.opc === 3 || f.n !== f.sf) c.undef();
    if (!f.sf && (f.immr >= 32 || f.imms >= 32)) c.undef();
    const m = decodeBitMasks(f.n, f.imms, f.immr, false, f.sf);
    if (m === null) return c.undef();
    const x = c.x;
    const a = rz(f.rn) * 2;
    const d = wz(f.rd) * 2;
    const srcLo = x[a]!;
    const srcHi = f.sf ? x[a + 1]! : 0;
    const inzero = f.opc !== 1;
    const extend = f.opc === 0;
    const dstLo = inzero ? 0 : x[d]!;
    const dstHi = inzero || !f.sf ? 0 : x[d + 1]!;
    let rlo: number;
    let rhi: number;
    if (f.sf) {
      ror64(c, srcLo, srcHi, f.immr);
      rlo = c.rlo;
      rhi = c.rhi;
    } else {
      rlo = ror32(srcLo, f.immr);
      rhi = 0;
    }
    const wlo = m[0]!;
    const whi = f.sf ? m[1]! : 0;
    const tlo = m[2]!;
    const thi = f.sf ? m[3]! : 0;
    const botLo = (dstLo & ~wlo) | (rlo & wlo);
    const botHi = (dstHi & ~whi) | (rhi & whi);
    let topLo = dstLo;
    let topHi = dstHi;
    if (extend) {
      const s = f.imms;
      const bit = s >= 32 ? (srcHi >>> (s - 32)) & 1 : (srcLo >>> s) & 1;
      topLo = bit ? 0xffffffff : 0;
      topHi = bit && f.sf ? 0xffffffff : 0;
    }
    x[d] = ((topLo & ~tlo) | (botLo & tlo)) >>> 0;
    x[d + 1] = f.sf ? ((topHi & ~thi) | (botHi & thi)) >>> 0 : 0;
  }),
  // EXTR Rd, Rn, Rm, #lsb
  row('EXTR', 'sf:1 00 100111 n:1 0 rm:5 imms:6 rn:5 rd:5', (c, f) => {
    if (f.n !== f.sf || (!f.sf && f.imms >= 32)) c.undef();
    const x = c.x;
    const a = rz(f.rn) * 2;
    const b = rz(f.rm) * 2;
    const d = wz(f.rd) * 2;
    const lsb = f.imms;
    if (f.sf) {
      // (Xn:Xm) >> lsb, low 64 bits
      lsr64(c, x[b]!, x[b + 1]!, lsb);
      const llo = c.rlo;
      const lhi = c.rhi;
      if (lsb === 0) {
        x[d] = llo;
        x[d + 1] = lhi;
        return;
      }
      lsl64(c, x[a]!, x[a + 1]!, 64 - lsb);
      x[d] = (llo | c.rlo) >>> 0;
      x[d + 1] = (lhi | c.rhi) >>> 0;
    } else {
      const lo = lsb === 0 ? x[b]! : ((x[b]! >>> lsb) | (x[a]! << (32 - lsb))) >>> 0;
      x[d] = lo;
      x[d + 1] = 0;
    }
  }),
];
