/**
 * Loads and stores (general registers): literal, unscaled/scaled immediate, pre/post-index, unprivileged,
 * register offset, pairs (incl. LDPSW, LDNP/STNP), exclusives (LDXR/STXR/LDAXR/STLXR, pairs), LDAR/STLR,
 * PRFM (no-op). SIMD&FP forms (V=1) belong to the FP/SIMD groups.
 *
 * MMIO syndrome (ISS with ISV=1) exists only for single-register accesses without writeback.
 */
import { row, type Row } from '../decoder';
import { type Core, ACC_ALIGN, ACC_EXCL, ACC_NOSYN, ACC_UNPRIV, EC } from '../core';
import { extendReg } from './dp-reg';
import { rz, wz } from '../state';

const TWO32 = 4294967296;

/** Base register value (slot; 31 = SP) with the SP alignment check (SCTLR_EL1.SA/SA0). Result in c.rlo/c.rhi. */
function base(c: Core, rn: number): void {
  const x = c.x;
  const lo = x[rn * 2]!;
  if (rn === 31 && (lo & 15) !== 0 && c.sys.spAlignCheck(c.el)) {
    c.takeSync(EC.SP_ALIGN, 0);
  }
  c.rlo = lo;
  c.rhi = x[rn * 2 + 1]!;
}

/** c.rlo/c.rhi += off (signed, |off| < 2^33) */
function addOff(c: Core, off: number): void {
  const t = c.rlo + off;
  if (t >= 0 && t < TWO32) {
    c.rlo = t;
    return;
  }
  const carry = Math.floor(t / TWO32);
  c.rlo = t - carry * TWO32;
  c.rhi = (c.rhi + carry) >>> 0;
}

/**
 * One general-register load/store at (lo, hi): size = 1 << sizeLog, opc as in the encoding (00 store, 01 load,
 * 10 load signed to X (or PRFM when size is 8), 11 load signed to W).
 */
function access(c: Core, sizeLog: number, opc: number, lo: number, hi: number, rt: number, flags: number): void {
  const size = 1 << sizeLog;
  const x = c.x;
  if (opc === 0) {
    const s = rz(rt) * 2;
    c.st(lo, hi, size, x[s]!, x[s + 1]!, flags);
    return;
  }
  const v = c.ld(lo, hi, size, flags);
  const d = wz(rt) * 2;
  if (opc === 1) {
    x[d] = size === 8 ? c.mlo : v;
    x[d + 1] = size === 8 ? c.mhi : 0;
    return;
  }
  // signed
  let sv: number;
  if (size === 1) sv = (v << 24) >> 24;
  else if (size === 2) sv = (v << 16) >> 16;
  else sv = v | 0;
  x[d] = sv >>> 0;
  x[d + 1] = opc === 2 ? (sv >> 31) >>> 0 : 0;
}

/** UNDEFINED (size, opc) combinations of the single-register forms; PRFM handled by the caller. */
function badSizeOpc(sizeLog: number, opc: number): boolean {
  return (opc === 3 && sizeLog >= 2) || (opc === 2 && sizeLog === 3);
}

/** ISS for an MMIO stop of a single-register access without writeback */
function singleSyn(size: number, opc: number, rt: number, ar: number): number {
  if (opc === 2 && size === 3) return -1; // PRFM
  const sse = opc >= 2 ? 1 : 0;
  const sf = opc === 0 || opc === 1 ? (size === 3 ? 1 : 0) : opc === 2 ? 1 : 0;
  return ((1 << 24) | (size << 22) | (sse << 21) | (rt << 16) | (sf << 15) | (ar << 14)) >>> 0;
}

function writeback(c: Core, rn: number, lo: number, hi: number): void {
  c.x[rn * 2] = lo >>> 0;
  c.x[rn * 2 + 1] = hi >>> 0;
}

export const rows: Row[] = [
  // LDR Wt/Xt, label ; LDRSW Xt, label ; PRFM label
  row(
    'LDR_lit',
    'opc:2 011 0 00 imm19:19 rt:5',
    (c, f) => {
      if (f.opc === 3) return; // PRFM
      const off = ((f.imm19 << 13) >> 13) * 4;
      c.rlo = c.ipcLo;
      c.rhi = c.ipcHi;
      addOff(c, off);
      access(c, f.opc === 1 ? 3 : 2, f.opc === 2 ? 2 : 1, c.rlo, c.rhi, f.rt, 0);
    },
    { syndrome: (f) => (f.opc === 3 ? -1 : singleSyn(f.opc === 1 ? 3 : 2, f.opc === 2 ? 2 : 1, f.rt, 0)) },
  ),

  // STR/LDR* (unsigned scaled 12-bit offset) ; PRFM (imm)
  row(
    'LDST_uimm',
    'size:2 111 0 01 opc:2 imm12:12 rn:5 rt:5',
    (c, f) => {
      if (f.size === 3 && f.opc === 2) return; // PRFM
      if (badSizeOpc(f.size, f.opc)) c.undef();
      base(c, f.rn);
      addOff(c, f.imm12 << f.size);
      access(c, f.size, f.opc, c.rlo, c.rhi, f.rt, 0);
    },
    { syndrome: (f) => singleSyn(f.size, f.opc, f.rt, 0) },
  ),

  // STUR/LDUR* (unscaled 9-bit) ; PRFUM
  row(
    'LDST_unscaled',
    'size:2 111 0 00 opc:2 0 imm9:9 00 rn:5 rt:5',
    (c, f) => {
      if (f.size === 3 && f.opc === 2) return; // PRFUM
      if (badSizeOpc(f.size, f.opc)) c.undef();
      base(c, f.rn);
      addOff(c, (f.imm9 << 23) >> 23);
      access(c, f.size, f.opc, c.rlo, c.rhi, f.rt, 0);
    },
    { syndrome: (f) => singleSyn(f.size, f.opc, f.rt, 0) },
  ),

  // STTR/LDTR* (unprivileged)
  row(
    'LDST_unpriv',
    'size:2 111 0 00 opc:2 0 imm9:9 10 rn:5 rt:5',
    (c, f) => {
      if (badSizeOpc(f.size, f.opc) || (f.size === 3 && f.opc === 2)) c.undef();
      base(c, f.rn);
      addOff(c, (f.imm9 << 23) >> 23);
      access(c, f.size, f.opc, c.rlo, c.rhi, f.rt, c.el === 1 ? ACC_UNPRIV : 0);
    },
    { syndrome: (f) => singleSyn(f.size, f.opc, f.rt, 0) },
  ),

  // STR/LDR* post-index (idx=01) and pre-index (idx=11)
  row('LDST_imm_wb', 'size:2 111 0 00 opc:2 0 imm9:9 pre:1 1 rn:5 rt:5', (c, f) => {
    if (badSizeOpc(f.size, f.opc) || (f.size === 3 && f.opc === 2)) c.undef();
    base(c, f.rn);
    const blo = c.rlo;
    const bhi = c.rhi;
    addOff(c, (f.imm9 << 23) >> 23);
    const nlo = c.rlo;
    const nhi = c.rhi;
    if (f.pre) access(c, f.size, f.opc, nlo, nhi, f.rt, ACC_NOSYN);
    else access(c, f.size, f.opc, blo, bhi, f.rt, ACC_NOSYN);
    // a load whose Rt is the base with writeback is CONSTRAINED UNPREDICTABLE: we keep the loaded value
    if (!(f.opc !== 0 && f.rt === f.rn && f.rn !== 31)) writeback(c, f.rn, nlo, nhi);
  }),

  // STR/LDR* (register offset): [Xn|SP, (W|X)m{, extend {#amount}}] ; PRFM (register)
  row(
    'LDST_reg',
    'size:2 111 0 00 opc:2 1 rm:5 option:3 s:1 10 rn:5 rt:5',
    (c, f) => {
      if ((f.option & 2) === 0) c.undef();
      if (f.size === 3 && f.opc === 2) return; // PRFM
      if (badSizeOpc(f.size, f.opc)) c.undef();
      extendReg(c, rz(f.rm) * 2, f.option, f.s ? f.size : 0);
      const olo = c.rlo;
      const ohi = c.rhi;
      base(c, f.rn);
      const l = c.rlo + olo;
      const carry = l >= TWO32 ? 1 : 0;
      access(c, f.size, f.opc, l >>> 0, (c.rhi + ohi + carry) >>> 0, f.rt, 0);
    },
    { syndrome: (f) => singleSyn(f.size, f.opc, f.rt, 0) },
  ),

  // STP/LDP/LDPSW/STNP/LDNP (signed offset, post-index, pre-index, no-allocate)
  row('LDSTP', 'opc:2 101 0 0 mode:2 l:1 imm7:7 rt2:5 rn:5 rt:5', (c, f) => {
    if (f.opc === 3 || (f.opc === 1 && (f.l === 0 || f.mode === 0))) c.undef();
    const is64 = f.opc === 2;
    const size = is64 ? 8 : 4;
    const signed = f.opc === 1;
    base(c, f.rn);
    const blo = c.rlo;
    const bhi = c.rhi;
    addOff(c, ((f.imm7 << 25) >> 25) * size);
    const nlo = c.rlo;
    const nhi = c.rhi;
    const wb = f.mode === 1 || f.mode === 3;
    const alo = f.mode === 1 ? blo : nlo;
    const ahi = f.mode === 1 ? bhi : nhi;
    c.rlo = alo;
    c.rhi = ahi;
    addOff(c, size);
    const a2lo = c.rlo;
    const a2hi = c.rhi;
    const x = c.x;
    if (f.l) {
      if (f.rt === f.rt2) {
        // CONSTRAINED UNPREDICTABLE: we choose UNDEFINED
        c.undef();
      }
      const v1 = c.ld(alo, ahi, size, ACC_NOSYN);
      const h1 = c.mhi;
      const v2 = c.ld(a2lo, a2hi, size, ACC_NOSYN);
      const h2 = c.mhi;
      const d1 = wz(f.rt) * 2;
      const d2 = wz(f.rt2) * 2;
      if (is64) {
        x[d1] = v1;
        x[d1 + 1] = h1;
        x[d2] = v2;
        x[d2 + 1] = h2;
      } else if (signed) {
        x[d1] = v1;
        x[d1 + 1] = (v1 | 0) < 0 ? 0xffffffff : 0;
        x[d2] = v2;
        x[d2 + 1] = (v2 | 0) < 0 ? 0xffffffff : 0;
      } else {
        x[d1] = v1;
        x[d1 + 1] = 0;
        x[d2] = v2;
        x[d2 + 1] = 0;
      }
      if (wb && f.rt !== f.rn && f.rt2 !== f.rn) writeback(c, f.rn, nlo, nhi);
      else if (wb && f.rn === 31) writeback(c, f.rn, nlo, nhi);
    } else {
      const s1 = rz(f.rt) * 2;
      const s2 = rz(f.rt2) * 2;
      const v1lo = x[s1]!;
      const v1hi = x[s1 + 1]!;
      const v2lo = x[s2]!;
      const v2hi = x[s2 + 1]!;
      c.st(alo, ahi, size, v1lo, v1hi, ACC_NOSYN);
      c.st(a2lo, a2hi, size, v2lo, v2hi, ACC_NOSYN);
      if (wb) writeback(c, f.rn, nlo, nhi);
    }
  }),

  // LDXR/LDAXR/STXR/STLXR (o1=0), LDXP/LDAXP/STXP/STLXP (o1=1)
  row('LDSTX', 'size:2 001000 0 l:1 o1:1 rs:5 o0:1 rt2:5 rn:5 rt:5', (c, f) => {
    if (f.o1 && f.size < 2) c.undef(); // CASP (ARMv8.1)
    const esize = 1 << f.size;
    const total = f.o1 ? esize * 2 : esize;
    base(c, f.rn);
    const lo = c.rlo;
    const hi = c.rhi;
    if ((lo & (total - 1)) !== 0) c.dataAbort(lo, hi, 0x21, f.l === 0, 0);
    const x = c.x;
    if (f.l) {
      if (f.o1 && f.rt === f.rt2) c.undef();
      if (f.o1) {
        const v1 = c.ld(lo, hi, esize, ACC_ALIGN | ACC_EXCL);
        const h1 = c.mhi;
        c.rlo = lo;
        c.rhi = hi;
        addOff(c, esize);
        const v2 = c.ld(c.rlo, c.rhi, esize, ACC_ALIGN | ACC_EXCL);
        const h2 = c.mhi;
        const d1 = wz(f.rt) * 2;
        const d2 = wz(f.rt2) * 2;
        x[d1] = v1;
        x[d1 + 1] = esize === 8 ? h1 : 0;
        x[d2] = v2;
        x[d2 + 1] = esize === 8 ? h2 : 0;
        c.markExclusive(lo, hi, total, v1, esize === 8 ? h1 : 0, v2, esize === 8 ? h2 : 0);
      } else {
        const v = c.ld(lo, hi, esize, ACC_ALIGN | ACC_EXCL);
        const d = wz(f.rt) * 2;
        x[d] = v;
        const h = esize === 8 ? c.mhi : 0;
        x[d + 1] = h;
        c.markExclusive(lo, hi, total, v, h);
      }
      return;
    }
    // store exclusive: Rs gets 0 on success, 1 on failure
    if (f.rs === f.rt || f.rs === f.rn && f.rn !== 31 || (f.o1 && f.rs === f.rt2)) c.undef(); // CONSTRAINED UNPREDICTABLE
    // SMP: an atomic compare-and-store against the value the load-exclusive read (lib/soft/smp.ts)
    const atomic = c.globalMonitor?.storeExclusive !== undefined;
    let ok: boolean;
    if (atomic) {
      const a1 = rz(f.rt) * 2;
      const a2 = rz(f.rt2) * 2;
      ok = c.storeExclusive(lo, hi, esize, f.o1 === 1, x[a1]!, x[a1 + 1]!, f.o1 ? x[a2]! : 0, f.o1 ? x[a2 + 1]! : 0);
    } else ok = c.checkExclusive(lo, hi, total);
    if (ok && !atomic) {
      const s1 = rz(f.rt) * 2;
      if (f.o1) {
        const s2 = rz(f.rt2) * 2;
        const v1lo = x[s1]!;
        const v1hi = x[s1 + 1]!;
        const v2lo = x[s2]!;
        const v2hi = x[s2 + 1]!;
        c.st(lo, hi, esize, v1lo, v1hi, ACC_ALIGN | ACC_EXCL);
        c.rlo = lo;
        c.rhi = hi;
        addOff(c, esize);
        c.st(c.rlo, c.rhi, esize, v2lo, v2hi, ACC_ALIGN | ACC_EXCL);
      } else {
        c.st(lo, hi, esize, x[s1]!, x[s1 + 1]!, ACC_ALIGN | ACC_EXCL);
      }
    }
    c.clearExclusive();
    const d = wz(f.rs) * 2;
    x[d] = ok ? 0 : 1;
    x[d + 1] = 0;
  }),

  // STLR/LDAR (+B/H) — o0=1; o0=0 forms (STLLR/LDLAR) are ARMv8.1
  row(
    'LDAR_STLR',
    'size:2 001000 1 l:1 0 rs:5 1 rt2:5 rn:5 rt:5',
    (c, f) => {
      base(c, f.rn);
      access(c, f.size, f.l ? 1 : 0, c.rlo, c.rhi, f.rt, ACC_ALIGN);
    },
    { syndrome: (f) => singleSyn(f.size, f.l ? 1 : 0, f.rt, 1) },
  ),
];
