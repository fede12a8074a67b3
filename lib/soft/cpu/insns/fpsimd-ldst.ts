/**
 * SIMD&FP loads and stores: LDR/STR B/H/S/D/Q (unsigned offset, unscaled, pre/post-index, register offset),
 * LDR literal, LDP/STP/LDNP/STNP S/D/Q, LD1-LD4/ST1-ST4 (multiple structures), LD1-LD4/ST1-ST4 (single
 * lane), LD1R-LD4R, with post-index forms.
 *
 * Every access goes through Core.ld/Core.st (MMU, alignment, permissions) with ACC_NOSYN: a SIMD&FP access to
 * MMIO has no valid syndrome (ISV = 0), so it stops with 'nisv'. All loads complete before any register is
 * written (precise exceptions); write-back happens last.
 */
import { row, type Row } from '../decoder';
import { type Core, ACC_NOSYN, EC } from '../core';
import { rz } from '../state';
import { clearFrom } from '../simd';

const TWO32 = 4294967296;

/** base register (31 = SP, with the SP alignment check) into c.rlo/c.rhi */
function base(c: Core, rn: number): void {
  const lo = c.x[rn * 2]!;
  if (rn === 31 && (lo & 15) !== 0 && c.sys.spAlignCheck(c.el)) c.takeSync(EC.SP_ALIGN, 0);
  c.rlo = lo;
  c.rhi = c.x[rn * 2 + 1]!;
}

/** c.rlo/c.rhi += off (signed number, |off| < 2^33) */
function addOff(c: Core, off: number): void {
  const t = c.rlo + off;
  const carry = Math.floor(t / TWO32);
  c.rlo = t - carry * TWO32;
  c.rhi = (c.rhi + carry) >>> 0;
}

/** c.rlo/c.rhi += (lo, hi) mod 2^64 */
function add64(c: Core, lo: number, hi: number): void {
  const t = c.rlo + lo;
  const carry = t >= TWO32 ? 1 : 0;
  c.rlo = t >>> 0;
  c.rhi = (c.rhi + hi + carry) >>> 0;
}

/** Reads `size` bytes (1, 2, 4, 8, 16) at (lo, hi) into buf[at..]. */
function readBytes(c: Core, lo: number, hi: number, size: number, buf: Uint8Array, at: number): void {
  if (size === 16) {
    readBytes(c, lo, hi, 8, buf, at);
    const l2 = lo + 8;
    readBytes(c, l2 >>> 0, l2 >= TWO32 ? (hi + 1) >>> 0 : hi, 8, buf, at + 8);
    return;
  }
  let v = c.ld(lo, hi, size, ACC_NOSYN);
  const n = size > 4 ? 4 : size;
  for (let k = 0; k < n; k++, v >>>= 8) buf[at + k] = v & 0xff;
  if (size === 8) {
    let h = c.mhi;
    for (let k = 4; k < 8; k++, h >>>= 8) buf[at + k] = h & 0xff;
  }
}

/** Writes `size` bytes (1, 2, 4, 8, 16) from src[at..] to (lo, hi). */
function writeBytes(c: Core, lo: number, hi: number, size: number, src: Uint8Array, at: number): void {
  if (size === 16) {
    writeBytes(c, lo, hi, 8, src, at);
    const l2 = lo + 8;
    writeBytes(c, l2 >>> 0, l2 >= TWO32 ? (hi + 1) >>> 0 : hi, 8, src, at + 8);
    return;
  }
  const n = size > 4 ? 4 : size;
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = (v * 256 + src[at + k]!) >>> 0;
  let h = 0;
  if (size === 8) for (let k = 7; k >= 4; k--) h = (h * 256 + src[at + k]!) >>> 0;
  c.st(lo, hi, size, v, h, ACC_NOSYN);
}

const scratch = new Uint8Array(64);

/** Load or store one whole register (B/H/S/D/Q: 1 << scale bytes) at c.rlo/c.rhi. */
function xferReg(c: Core, load: boolean, scale: number, lo: number, hi: number, rt: number): void {
  const size = 1 << scale;
  if (load) {
    readBytes(c, lo, hi, size, scratch, 0);
    c.v.set(scratch.subarray(0, size), rt * 16);
    clearFrom(c, rt, size);
  } else {
    writeBytes(c, lo, hi, size, c.v, rt * 16);
  }
}

/** scale of LDR/STR (SIMD&FP) from size and opc, -1 when unallocated */
function regScale(size: number, opc: number): number {
  const scale = ((opc & 2) << 1) | size;
  return scale > 4 ? -1 : scale;
}

function writeback(c: Core, rn: number, lo: number, hi: number): void {
  c.x[rn * 2] = lo >>> 0;
  c.x[rn * 2 + 1] = hi >>> 0;
}

/** Register offset: extend(Xm/Wm, option) << shift into (c.rlo, c.rhi) added to the base already there. */
function addRegOffset(c: Core, rm: number, option: number, shift: number): void {
  const s = rz(rm) * 2;
  let v = (BigInt(c.x[s + 1]!) << 32n) | BigInt(c.x[s]!);
  switch (option) {
    case 2: v &= 0xffffffffn; break; // UXTW
    case 3: break; // LSL / UXTX
    case 6: v = BigInt.asUintN(64, BigInt.asIntN(32, v)); break; // SXTW
    default: break; // 7: SXTX
  }
  v = BigInt.asUintN(64, v << BigInt(shift));
  add64(c, Number(v & 0xffffffffn), Number(v >> 32n));
}

/** selem/rpt for LDn/STn (multiple structures) by opcode, undefined when unallocated */
const MULTI: Record<number, readonly [number, number]> = {
  0b0000: [1, 4],
  0b0010: [4, 1],
  0b0100: [1, 3],
  0b0110: [3, 1],
  0b0111: [1, 1],
  0b1000: [1, 2],
  0b1010: [2, 1],
};

function multi(c: Core, q: number, load: boolean, opcode: number, size: number, rn: number, rt: number, post: boolean, rm: number): void {
  c.checkFp();
  const d = MULTI[opcode];
  if (d === undefined) return c.undef();
  const [rpt, selem] = d;
  if (size === 3 && q === 0 && selem !== 1) return c.undef();
  base(c, rn);
  const blo = c.rlo;
  const bhi = c.rhi;
  const ebytes = 1 << size;
  const elements = (q ? 16 : 8) / ebytes;
  const total = rpt * selem * elements * ebytes;
  // gather/scatter through `scratch` laid out as memory order
  if (!load) {
    let offs = 0;
    for (let r = 0; r < rpt; r++) {
      for (let e = 0; e < elements; e++) {
        let tt = (rt + r) % 32;
        for (let s = 0; s < selem; s++) {
          scratch.set(c.v.subarray(tt * 16 + e * ebytes, tt * 16 + e * ebytes + ebytes), offs);
          offs += ebytes;
          tt = (tt + 1) % 32;
        }
      }
    }
  }
  for (let offs = 0; offs < total; offs += ebytes) {
    c.rlo = blo;
    c.rhi = bhi;
    addOff(c, offs);
    if (load) readBytes(c, c.rlo, c.rhi, ebytes, scratch, offs);
    else writeBytes(c, c.rlo, c.rhi, ebytes, scratch, offs);
  }
  if (load) {
    let offs = 0;
    for (let r = 0; r < rpt; r++) {
      for (let e = 0; e < elements; e++) {
        let tt = (rt + r) % 32;
        for (let s = 0; s < selem; s++) {
          c.v.set(scratch.subarray(offs, offs + ebytes), tt * 16 + e * ebytes);
          offs += ebytes;
          tt = (tt + 1) % 32;
        }
      }
    }
    if (!q) for (let r = 0; r < rpt * selem; r++) clearFrom(c, (rt + r) % 32, 8);
  }
  if (post) {
    c.rlo = blo;
    c.rhi = bhi;
    if (rm === 31) addOff(c, total);
    else addRegOffset(c, rm, 3, 0);
    writeback(c, rn, c.rlo, c.rhi);
  }
}

function single(
  c: Core, q: number, load: boolean, r: number, opcode: number, s: number, size: number, rn: number, rt: number, post: boolean, rm: number,
): void {
  c.checkFp();
  let scale = opcode >> 1;
  const selem = (((opcode & 1) << 1) | r) + 1;
  let replicate = false;
  let index = 0;
  switch (scale) {
    case 3:
      if (!load || s === 1) return c.undef();
      scale = size;
      replicate = true;
      break;
    case 0:
      index = (q << 3) | (s << 2) | size;
      break;
    case 1:
      if (size & 1) return c.undef();
      index = (q << 2) | (s << 1) | (size >> 1);
      break;
    default:
      if (size & 2) return c.undef();
      if ((size & 1) === 0) index = (q << 1) | s;
      else {
        if (s === 1) return c.undef();
        index = q;
        scale = 3;
      }
  }
  const ebytes = 1 << scale;
  base(c, rn);
  const blo = c.rlo;
  const bhi = c.rhi;
  const total = selem * ebytes;
  if (load) {
    for (let k = 0; k < selem; k++) {
      c.rlo = blo;
      c.rhi = bhi;
      addOff(c, k * ebytes);
      readBytes(c, c.rlo, c.rhi, ebytes, scratch, k * ebytes);
    }
    for (let k = 0; k < selem; k++) {
      const t = (rt + k) % 32;
      if (replicate) {
        const n = (q ? 16 : 8) / ebytes;
        for (let e = 0; e < n; e++) c.v.set(scratch.subarray(k * ebytes, k * ebytes + ebytes), t * 16 + e * ebytes);
        if (!q) clearFrom(c, t, 8);
      } else {
        c.v.set(scratch.subarray(k * ebytes, k * ebytes + ebytes), t * 16 + index * ebytes);
      }
    }
  } else {
    for (let k = 0; k < selem; k++) {
      const t = (rt + k) % 32;
      scratch.set(c.v.subarray(t * 16 + index * ebytes, t * 16 + index * ebytes + ebytes), k * ebytes);
    }
    for (let k = 0; k < selem; k++) {
      c.rlo = blo;
      c.rhi = bhi;
      addOff(c, k * ebytes);
      writeBytes(c, c.rlo, c.rhi, ebytes, scratch, k * ebytes);
    }
  }
  if (post) {
    c.rlo = blo;
    c.rhi = bhi;
    if (rm === 31) addOff(c, total);
    else addRegOffset(c, rm, 3, 0);
    writeback(c, rn, c.rlo, c.rhi);
  }
}

export const rows: Row[] = [
  // LDR/STR (SIMD&FP, unsigned offset)
  row('LDST_V_uimm', 'size:2 111 1 01 opc:2 imm12:12 rn:5 rt:5', (c, f) => {
    c.checkFp();
    const scale = regScale(f.size, f.opc);
    if (scale < 0) return c.undef();
    base(c, f.rn);
    addOff(c, f.imm12 << scale);
    xferReg(c, (f.opc & 1) === 1, scale, c.rlo, c.rhi, f.rt);
  }),
  // LDUR/STUR, post-index, pre-index (SIMD&FP)
  row('LDST_V_imm9', 'size:2 111 1 00 opc:2 0 imm9:9 idx:2 rn:5 rt:5', (c, f) => {
    c.checkFp();
    const scale = regScale(f.size, f.opc);
    if (scale < 0 || f.idx === 2) return c.undef();
    const off = (f.imm9 << 23) >> 23;
    base(c, f.rn);
    const blo = c.rlo;
    const bhi = c.rhi;
    if (f.idx !== 1) addOff(c, off); // unscaled / pre-index address
    const lo = c.rlo;
    const hi = c.rhi;
    xferReg(c, (f.opc & 1) === 1, scale, lo, hi, f.rt);
    if (f.idx === 3) writeback(c, f.rn, lo, hi);
    else if (f.idx === 1) {
      c.rlo = blo;
      c.rhi = bhi;
      addOff(c, off);
      writeback(c, f.rn, c.rlo, c.rhi);
    }
  }),
  // LDR/STR (SIMD&FP, register offset)
  row('LDST_V_reg', 'size:2 111 1 00 opc:2 1 rm:5 option:3 s:1 10 rn:5 rt:5', (c, f) => {
    c.checkFp();
    const scale = regScale(f.size, f.opc);
    if (scale < 0 || (f.option & 2) === 0) return c.undef();
    base(c, f.rn);
    addRegOffset(c, f.rm, f.option, f.s ? scale : 0);
    xferReg(c, (f.opc & 1) === 1, scale, c.rlo, c.rhi, f.rt);
  }),
  // LDR (literal, SIMD&FP)
  row('LDR_V_lit', 'opc:2 011 1 00 imm19:19 rt:5', (c, f) => {
    c.checkFp();
    if (f.opc === 3) return c.undef();
    c.rlo = c.ipcLo;
    c.rhi = c.ipcHi;
    addOff(c, ((f.imm19 << 13) >> 13) * 4);
    xferReg(c, true, 2 + f.opc, c.rlo, c.rhi, f.rt);
  }),
  // LDP/STP/LDNP/STNP (SIMD&FP): idx 000 no-allocate, 001 post, 010 offset, 011 pre
  row('LDSTP_V', 'opc:2 101 1 0 idx:2 l:1 imm7:7 rt2:5 rn:5 rt:5', (c, f) => {
    c.checkFp();
    if (f.opc === 3) return c.undef();
    const scale = 2 + f.opc;
    const size = 1 << scale;
    const off = ((f.imm7 << 25) >> 25) * size;
    base(c, f.rn);
    const blo = c.rlo;
    const bhi = c.rhi;
    if (f.idx !== 1) addOff(c, off);
    const lo = c.rlo;
    const hi = c.rhi;
    c.rlo = lo;
    c.rhi = hi;
    addOff(c, size);
    const lo2 = c.rlo;
    const hi2 = c.rhi;
    if (f.l) {
      readBytes(c, lo, hi, size, scratch, 0);
      readBytes(c, lo2, hi2, size, scratch, 16);
      c.v.set(scratch.subarray(0, size), f.rt * 16);
      clearFrom(c, f.rt, size);
      c.v.set(scratch.subarray(16, 16 + size), f.rt2 * 16);
      clearFrom(c, f.rt2, size);
    } else {
      scratch.set(c.v.subarray(f.rt * 16, f.rt * 16 + size), 0);
      scratch.set(c.v.subarray(f.rt2 * 16, f.rt2 * 16 + size), 16);
      writeBytes(c, lo, hi, size, scratch, 0);
      writeBytes(c, lo2, hi2, size, scratch, 16);
    }
    if (f.idx === 3) writeback(c, f.rn, lo, hi);
    else if (f.idx === 1) {
      c.rlo = blo;
      c.rhi = bhi;
      addOff(c, off);
      writeback(c, f.rn, c.rlo, c.rhi);
    }
  }),
  // LDn/STn (multiple structures), no offset and post-index
  row('LDST_multi', '0 q:1 0011000 l:1 000000 opcode:4 size:2 rn:5 rt:5', (c, f) =>
    multi(c, f.q, f.l === 1, f.opcode, f.size, f.rn, f.rt, false, 0)),
  row('LDST_multi_post', '0 q:1 0011001 l:1 0 rm:5 opcode:4 size:2 rn:5 rt:5', (c, f) =>
    multi(c, f.q, f.l === 1, f.opcode, f.size, f.rn, f.rt, true, f.rm)),
  // LDn/STn (single structure) and LDnR, no offset and post-index
  row('LDST_single', '0 q:1 0011010 l:1 r:1 00000 opcode:3 s:1 size:2 rn:5 rt:5', (c, f) =>
    single(c, f.q, f.l === 1, f.r, f.opcode, f.s, f.size, f.rn, f.rt, false, 0)),
  row('LDST_single_post', '0 q:1 0011011 l:1 r:1 rm:5 opcode:3 s:1 size:2 rn:5 rt:5', (c, f) =>
    single(c, f.q, f.l === 1, f.r, f.opcode, f.s, f.size, f.rn, f.rt, true, f.rm)),
];
