/**
 * Random A64 instruction snippets per encoding class, for the differential oracle (a64-diff).
 *
 * Every class names its encodings in the ARM ARM field notation the interpreter's decoder table uses
 * (lib/soft/cpu/decoder.ts: `sf:1 0 0 100010 sh:1 imm12:12 rn:5 rd:5`), and instructions are built from those
 * patterns by field. Field values are chosen to stay inside the allocated, predictable part of each encoding
 * space (ARMv8.0, cortex-a57): e.g. valid bitmask immediates only, no Rt == Rn with writeback, no pair loads with
 * Rt == Rt2, branches forward inside the snippet, every memory access inside the scratch page.
 * Register values are edge-biased (0, 1, all ones, 1 << 63, 0x7fffffff, 0x80000000, small, random); FP values
 * too (±0, ±inf, quiet and signalling NaNs, denormals, max/min normals, ±1, random).
 *
 * Which classes run is decided by the interpreter's decoder table (a64-classes in a64-diff.ts): a class joins
 * once any of its encodings is registered in the decoder.
 */
import {
  CODE_ADDR,
  MAX_INSNS,
  SCRATCH_ADDR,
  SCRATCH_SIZE,
  SLOT_BYTES,
  SLOT_WORDS,
  type SnippetIn,
} from './a64-record';

// ---------------------------------------------------------------------------------------------- random numbers

/** xoshiro128** (32-bit ops only: fast in V8, reproducible from a seed). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    // splitmix32 expansion of the seed
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next() | 1;
  }
  u32(): number {
    const r = Math.imul(((Math.imul(this.b, 5) << 7) | (Math.imul(this.b, 5) >>> 25)), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return r;
  }
  /** uniform in [0, n) for n <= 2^32 */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  bits(n: number): number {
    return n >= 32 ? this.u32() : this.u32() & ((1 << n) - 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.below(a.length)] as T;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

// ---------------------------------------------------------------------------------------------- patterns

/** A compiled ARM ARM field-notation pattern (same syntax as lib/soft/cpu/decoder.ts rows). */
export class Pattern {
  readonly mask: number;
  readonly match: number;
  readonly fields: ReadonlyMap<string, readonly [number, number]>; // name → [lsb, width]
  constructor(readonly text: string) {
    let bit = 32;
    let mask = 0;
    let match = 0;
    const fields = new Map<string, [number, number]>();
    for (const tok of text.trim().split(/\s+/)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*):(\d+)$/.exec(tok);
      if (m) {
        const w = Number(m[2]);
        bit -= w;
        fields.set(m[1] as string, [bit, w]);
        continue;
      }
      if (!/^[01x]+$/.test(tok)) throw new Error(`pattern token '${tok}' in '${text}'`);
      for (const ch of tok) {
        bit--;
        if (ch !== 'x') {
          mask |= 1 << bit;
          if (ch === '1') match |= 1 << bit;
        }
      }
    }
    if (bit !== 0) throw new Error(`pattern '${text}' is ${32 - bit} bits`);
    this.mask = mask >>> 0;
    this.match = match >>> 0;
    this.fields = fields;
  }
  /** Encode: fields not given are random; values are range-checked (a generator bug must not go unnoticed). */
  enc(r: Rng, f: Readonly<Record<string, number>>): number {
    let w = this.match | (r.u32() & ~this.mask & ~this.fieldMask());
    for (const [name, [lsb, width]] of this.fields) {
      const given = f[name];
      const v = given === undefined ? r.bits(width) : given;
      if (v < 0 || v >= 2 ** width || !Number.isInteger(v)) throw new RangeError(`${this.text}: field ${name}=${v}`);
      w |= v << lsb;
    }
    for (const name of Object.keys(f)) if (!this.fields.has(name)) throw new RangeError(`${this.text}: no field ${name}`);
    return w >>> 0;
  }
  private fm = -1;
  private fieldMask(): number {
    if (this.fm === -1) {
      let m = 0;
      for (const [lsb, w] of this.fields.values()) m |= (w === 32 ? -1 : ((1 << w) - 1) << lsb);
      this.fm = m >>> 0;
    }
    return this.fm;
  }
}

const P = (t: string): Pattern => new Pattern(t);

// ---------------------------------------------------------------------------------------------- values

const M64 = (1n << 64n) - 1n;
const EDGE64: readonly bigint[] = [
  0n, 1n, 2n, M64, M64 - 1n, 1n << 63n, (1n << 63n) - 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  0xffffffff80000000n, 0x8000n, 0xffffn, 0x7fn, 0x80n, 0xffn, 0x0123456789abcdefn, 0xfedcba9876543210n,
];

export function edge64(r: Rng): bigint {
  switch (r.below(8)) {
    case 0:
    case 1:
    case 2:
      return r.pick(EDGE64);
    case 3:
      return BigInt(r.below(64)); // small
    case 4:
      return (M64 - BigInt(r.below(64))) & M64; // small negative
    case 5:
      return BigInt(r.u32()); // 32-bit random
    case 6:
      return (1n << BigInt(r.below(64))) ^ (r.chance(0.5) ? M64 : 0n); // single bit / single zero
    default:
      return r.u64();
  }
}

/** Edge-biased float64 bit patterns. */
const F64_EDGE: readonly bigint[] = [
  0n, 0x8000000000000000n, // ±0
  0x7ff0000000000000n, 0xfff0000000000000n, // ±inf
  0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n, 0x7ff4000000000000n, 0xfff0000000000123n, // NaNs
  0x0000000000000001n, 0x000fffffffffffffn, 0x8000000000000001n, 0x0008000000000000n, // denormals
  0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn, 0xffefffffffffffffn, // min/max normals
  0x3ff0000000000000n, 0xbff0000000000000n, 0x3fe0000000000000n, 0x4000000000000000n, // 1, -1, .5, 2
  0x3ff8000000000000n, 0x4004000000000000n, 0xc00c000000000000n, // 1.5, 2.5, -3.5 (rounding ties)
  0x43e0000000000000n, 0xc3e0000000000000n, 0x41dfffffffc00000n, 0x41e0000000000000n, // ±2^63, 2^31-1, 2^31
  0x3fefffffffffffffn, 0x4330000000000000n, // just below 1, 2^52
];
const F32_EDGE: readonly number[] = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fa00000, 0xff800123,
  0x00000001, 0x007fffff, 0x80000001, 0x00400000, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,
  0x3f800000, 0xbf800000, 0x3f000000, 0x40000000, 0x3fc00000, 0x40200000, 0xc0600000,
  0x5f000000, 0xdf000000, 0x4f000000, 0xcf000000, 0x3f7fffff, 0x4b000000,
];

function f64Bits(r: Rng): bigint {
  switch (r.below(4)) {
    case 0:
    case 1:
      return r.pick(F64_EDGE);
    case 2: {
      // a "nice" number: small exponent range, so arithmetic results stay interesting (inexact, ties...)
      const exp = BigInt(1023 - 8 + r.below(24));
      const frac = r.chance(0.5) ? BigInt(r.bits(8)) << 44n : r.u64() & 0xfffffffffffffn;
      return ((r.chance(0.3) ? 1n : 0n) << 63n) | (exp << 52n) | frac;
    }
    default:
      return r.u64();
  }
}
function f32Bits(r: Rng): number {
  switch (r.below(4)) {
    case 0:
    case 1:
      return r.pick(F32_EDGE) >>> 0;
    case 2: {
      const exp = 127 - 8 + r.below(24);
      const frac = r.chance(0.5) ? r.bits(8) << 15 : r.bits(23);
      return ((r.chance(0.3) ? 0x80000000 : 0) | (exp << 23) | frac) >>> 0;
    }
    default:
      return r.u32();
  }
}

const F16_EDGE: readonly number[] = [
  0, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7c01, 0x7d00, 0x0001, 0x03ff, 0x8001, 0x0200, 0x0400, 0x8400,
  0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3800, 0x4000, 0x3e00, 0x4100, 0xc300, 0x3bff,
];
function f16Bits(r: Rng): number {
  switch (r.below(4)) {
    case 0:
    case 1:
      return r.pick(F16_EDGE);
    case 2:
      return ((r.chance(0.3) ? 0x8000 : 0) | ((15 - 4 + r.below(10)) << 10) | (r.chance(0.5) ? r.bits(4) << 6 : r.bits(10))) >>> 0;
    default:
      return r.bits(16);
  }
}

/** An integer lane of e <= 32 bits, biased to the saturation edges (0x7f.., 0x80.., -1, 0, 1, neighbours). */
export function laneEdge(r: Rng, e: number): number {
  const m = e === 32 ? 0xffffffff : (1 << e) - 1;
  const smax = e === 32 ? 0x7fffffff : m >>> 1;
  switch (r.below(11)) {
    case 0: return 0;
    case 1: return m; // -1
    case 2: return smax; // 0x7f..
    case 3: return (smax + 1) >>> 0; // 0x80..
    case 4: return r.chance(0.5) ? smax - 1 : (smax + 2) >>> 0;
    case 5: return r.chance(0.5) ? 1 : m - 1;
    case 6: return ((r.below(2 * e + 3) - (e + 1)) & m) >>> 0; // small signed (shift counts)
    case 7: { const bit = (1 << r.below(e)) >>> 0; return (r.chance(0.5) ? bit : (m ^ bit)) >>> 0; } // single bit / single zero
    case 8: return r.chance(0.5) ? (smax >>> r.below(e)) >>> 0 : ((smax + 1) >>> r.below(e)) >>> 0; // near powers of two
    default: return (r.u32() & m) >>> 0;
  }
}
function laneEdge64(r: Rng): bigint {
  switch (r.below(8)) {
    case 0: return r.pick([0n, M64, (1n << 63n) - 1n, 1n << 63n, (1n << 63n) - 2n, (1n << 63n) + 1n, 1n, M64 - 1n]);
    case 1: return (BigInt(r.below(131)) - 65n) & M64;
    case 2: return BigInt.asUintN(64, BigInt.asIntN(32, BigInt(laneEdge(r, 32)))); // 32-bit edges, sign-extended
    case 3: return BigInt(laneEdge(r, 32));
    default: return edge64(r);
  }
}

// ---------------------------------------------------------------------------------------------- snippet builder

/** Builds one snippet: its instructions and its input state. */
export class Builder {
  readonly insns: number[] = [];
  readonly x: bigint[] = [];
  sp: bigint;
  nzcv: number;
  fpsr = 0;
  fpcr = 0;
  readonly v = new Uint8Array(512);
  /** registers a class wants to chain through (dependencies between instructions) */
  readonly pool: number[];
  constructor(readonly r: Rng, readonly slot: number) {
    for (let i = 0; i < 31; i++) this.x.push(edge64(r));
    this.sp = r.chance(0.5) ? edge64(r) : (edge64(r) & ~15n);
    this.nzcv = (r.bits(4) << 28) >>> 0;
    const pool: number[] = [];
    while (pool.length < 5) {
      const n = r.below(31);
      if (!pool.includes(n)) pool.push(n);
    }
    this.pool = pool;
  }
  /** address of instruction i of this snippet */
  pc(i: number): bigint {
    return BigInt(CODE_ADDR + this.slot * SLOT_BYTES + i * 4);
  }
  emit(p: Pattern, f: Readonly<Record<string, number>>): void {
    if (this.insns.length >= MAX_INSNS) throw new RangeError('snippet too long');
    this.insns.push(p.enc(this.r, f));
  }
  /** a register number biased to the snippet's pool (31 = XZR or SP depending on the operand) */
  reg(allow31 = true): number {
    const r = this.r;
    if (allow31 && r.chance(0.08)) return 31;
    return r.chance(0.75) ? r.pick(this.pool) : r.below(31);
  }
  /** fill V registers with edge-biased FP lanes and random FPCR rounding/flush/default-NaN, sticky FPSR */
  fpState(): void {
    const r = this.r;
    const dv = new DataView(this.v.buffer);
    for (let n = 0; n < 32; n++) {
      const kind = r.below(3);
      for (let k = 0; k < 16; k += kind === 0 ? 8 : 4) {
        if (kind === 0) dv.setBigUint64(n * 16 + k, f64Bits(r), true);
        else if (kind === 1) dv.setUint32(n * 16 + k, f32Bits(r), true);
        else dv.setUint32(n * 16 + k, r.u32(), true);
      }
    }
    // FPCR: AHP(26) DN(25) FZ(24) RMode(23:22)
    this.fpcr = r.chance(0.4) ? 0 : ((r.bits(2) << 22) | (r.chance(0.2) ? 1 << 24 : 0) | (r.chance(0.2) ? 1 << 25 : 0) | (r.chance(0.1) ? 1 << 26 : 0)) >>> 0;
    // FPSR: cumulative IOC DZC OFC UFC IXC (4:0), IDC (7), QC (27)
    this.fpsr = r.chance(0.7) ? 0 : (r.u32() & 0x0800009f) >>> 0;
  }
  /**
   * fpState, then V registers re-filled for the AdvSIMD classes: per register one lane kind, biased by `mix`
   * ('int': integer lanes with saturation edges per lane size, 'fp': FP lanes incl. half precision): integer
   * lanes of 8/16/32/64 bits (0, 1, -1, 0x7f.., 0x80.., their neighbours, small signed, single bits, random),
   * f64 / f32 / f16 lanes (±0, ±inf, NaNs, denormals, extremes, ±1...), random bytes.
   */
  simdState(mix: 'int' | 'fp'): void {
    this.fpState();
    const r = this.r;
    const dv = new DataView(this.v.buffer);
    for (let n = 0; n < 32; n++) {
      const k = mix === 'int' ? (r.chance(0.8) ? r.below(4) : 4 + r.below(4)) : (r.chance(0.75) ? 4 + r.below(3) : r.below(4));
      if (k === 7) {
        for (let i = 0; i < 16; i += 4) dv.setUint32(n * 16 + i, r.u32(), true);
      } else if (k === 3) {
        for (let i = 0; i < 16; i += 8) dv.setBigUint64(n * 16 + i, laneEdge64(r), true);
      } else if (k < 3) {
        const e = 8 << k;
        for (let i = 0; i < 16; i += e / 8) {
          const v = laneEdge(r, e);
          if (e === 8) dv.setUint8(n * 16 + i, v);
          else if (e === 16) dv.setUint16(n * 16 + i, v, true);
          else dv.setUint32(n * 16 + i, v, true);
        }
      } else if (k === 4) {
        for (let i = 0; i < 16; i += 8) dv.setBigUint64(n * 16 + i, f64Bits(r), true);
      } else if (k === 5) {
        for (let i = 0; i < 16; i += 4) dv.setUint32(n * 16 + i, f32Bits(r), true);
      } else {
        for (let i = 0; i < 16; i += 2) dv.setUint16(n * 16 + i, f16Bits(r), true);
      }
    }
  }
  finish(cls: string): SnippetIn {
    return { cls, insns: this.insns, x: this.x, sp: this.sp, nzcv: this.nzcv, fpsr: this.fpsr, fpcr: this.fpcr, v: this.v };
  }
}

// ---------------------------------------------------------------------------------------------- classes

export interface EncodingClass {
  readonly name: string;
  readonly group: 'int' | 'branch' | 'mem' | 'fp' | 'simd';
  /** the encodings this class draws from (subject instructions) */
  readonly patterns: readonly Pattern[];
  /** the class draws from whole encoding groups, allocated or not (its coverage is not a "partial" signal) */
  readonly random?: boolean;
  /** instructions from other classes the snippets also use (must be implemented for the class to run) */
  readonly helpers?: readonly number[];
  /** relative share of the run's snippets (default 1) */
  readonly weight?: number;
  /** append the class's instructions and set up the input state */
  readonly build: (b: Builder) => void;
}

const COND_ANY = (r: Rng): number => r.below(16);

/** Valid (N, immr, imms) for a logical immediate of the given width. */
function bitmaskImm(r: Rng, sf: number): { N: number; immr: number; imms: number } {
  for (;;) {
    const N = sf ? r.bits(1) : 0;
    const imms = r.bits(6);
    const immr = sf ? r.bits(6) : r.bits(5);
    const combined = (N << 6) | (~imms & 0x3f);
    if (combined === 0) continue;
    const len = 31 - Math.clz32(combined);
    if (len < 1) continue;
    const levels = (1 << len) - 1;
    if ((imms & levels) === levels) continue;
    if (!sf && len > 5) continue;
    return { N, immr: immr & (sf ? 63 : 31), imms };
  }
}

/** n instructions of one pattern family */
function repeat(b: Builder, body: () => void): void {
  const n = 1 + b.r.below(4);
  for (let i = 0; i < n; i++) body();
}

// --- data processing, immediate
const ADDSUB_IMM = P('sf:1 op:1 S:1 100010 sh:1 imm12:12 rn:5 rd:5');
const LOGIC_IMM = P('sf:1 opc:2 100100 N:1 immr:6 imms:6 rn:5 rd:5');
const MOVEWIDE = P('sf:1 opc:2 100101 hw:2 imm16:16 rd:5');
const BITFIELD = P('sf:1 opc:2 100110 N:1 immr:6 imms:6 rn:5 rd:5');
const EXTRACT = P('sf:1 00 100111 N:1 0 rm:5 imms:6 rn:5 rd:5');
const ADR = P('op:1 immlo:2 10000 immhi:19 rd:5');
// --- data processing, register
const ADDSUB_SHIFT = P('sf:1 op:1 S:1 01011 shift:2 0 rm:5 imm6:6 rn:5 rd:5');
const ADDSUB_EXT = P('sf:1 op:1 S:1 01011 00 1 rm:5 option:3 imm3:3 rn:5 rd:5');
const ADDSUB_CARRY = P('sf:1 op:1 S:1 11010000 rm:5 000000 rn:5 rd:5');
const LOGIC_SHIFT = P('sf:1 opc:2 01010 shift:2 N:1 rm:5 imm6:6 rn:5 rd:5');
const CCMP_REG = P('sf:1 op:1 1 11010010 rm:5 cond:4 0 0 rn:5 0 nzcv:4');
const CCMP_IMM = P('sf:1 op:1 1 11010010 imm5:5 cond:4 1 0 rn:5 0 nzcv:4');
const CSEL = P('sf:1 op:1 0 11010100 rm:5 cond:4 0 o2:1 rn:5 rd:5');
const DP3 = P('sf:1 00 11011 op31:3 rm:5 o0:1 ra:5 rn:5 rd:5');
const DP2 = P('sf:1 0 0 11010110 rm:5 opcode:6 rn:5 rd:5');
const DP1 = P('sf:1 1 0 11010110 00000 opcode:6 rn:5 rd:5');
const DP_RANDOM_IMM = P('hi:3 100 lo:26');
const DP_RANDOM_REG = P('hi:4 101 mid:4 rm:5 lo:6 rn:5 rd:5');
// --- branches
const BCOND = P('0101010 0 imm19:19 0 cond:4');
const CB = P('sf:1 011010 op:1 imm19:19 rt:5');
const TB = P('b5:1 011011 op:1 b40:5 imm14:14 rt:5');
const BIMM = P('op:1 00101 imm26:26');
const BREG = P('1101011 0 0 opc:2 11111 000000 rn:5 00000');
// --- loads and stores
const LDST_UIMM = P('size:2 111 0 01 opc:2 imm12:12 rn:5 rt:5');
const LDST_IMM9 = P('size:2 111 0 00 opc:2 0 imm9:9 idx:2 rn:5 rt:5');
const LDST_REG = P('size:2 111 0 00 opc:2 1 rm:5 option:3 S:1 10 rn:5 rt:5');
const LDST_PAIR = P('opc:2 101 0 idx:3 L:1 imm7:7 rt2:5 rn:5 rt:5');
const LDR_LIT = P('opc:2 011 0 00 imm19:19 rt:5');
const LDST_EXCL = P('size:2 001000 o2:1 L:1 o1:1 rs:5 o0:1 rt2:5 rn:5 rt:5');
// --- FP
const FP_DP1 = P('00011110 ftype:2 1 opcode:6 10000 rn:5 rd:5');
const FP_DP2 = P('00011110 ftype:2 1 rm:5 opcode:4 10 rn:5 rd:5');
const FP_DP3 = P('00011111 ftype:2 o1:1 rm:5 o0:1 ra:5 rn:5 rd:5');
const FP_CMP = P('00011110 ftype:2 1 rm:5 00 1000 rn:5 opc:2 000');
const FP_CCMP = P('00011110 ftype:2 1 rm:5 cond:4 01 rn:5 op:1 nzcv:4');
const FP_CSEL = P('00011110 ftype:2 1 rm:5 cond:4 11 rn:5 rd:5');
const FP_IMM = P('00011110 ftype:2 1 imm8:8 100 00000 rd:5');
const FP_INT = P('sf:1 0 0 11110 ftype:2 1 rmode:2 opcode:3 000000 rn:5 rd:5');
const FP_FIXED = P('sf:1 0 0 11110 ftype:2 0 rmode:2 opcode:3 scale:6 rn:5 rd:5');
// --- AdvSIMD
const SIMD_3SAME = P('0 Q:1 U:1 01110 size:2 1 rm:5 opcode:5 1 rn:5 rd:5');
const SIMD_PERM = P('0 Q:1 001110 size:2 0 rm:5 0 opcode:3 10 rn:5 rd:5');
const SIMD_EXT = P('0 Q:1 101110 00 0 rm:5 0 imm4:4 0 rn:5 rd:5');
const SIMD_TBL = P('0 Q:1 001110 00 0 rm:5 0 len:2 op:1 00 rn:5 rd:5');
const SIMD_COPY = P('0 Q:1 op:1 01110000 imm5:5 0 imm4:4 1 rn:5 rd:5');
const SIMD_2MISC = P('0 Q:1 U:1 01110 size:2 10000 opcode:5 10 rn:5 rd:5');
const SIMD_MODIMM = P('0 Q:1 op:1 0111100000 abc:3 cmode:4 0 1 defgh:5 rd:5');
const SIMD_SHIFT = P('0 Q:1 U:1 011110 immh:4 immb:3 opcode:5 1 rn:5 rd:5');
const SIMD_ACROSS = P('0 Q:1 U:1 01110 size:2 11000 opcode:5 10 rn:5 rd:5');
// --- AdvSIMD: three different, by element, scalar groups, shifts incl. narrowing, crypto
const SIMD_3DIFF = P('0 Q:1 U:1 01110 size:2 1 rm:5 opcode:4 00 rn:5 rd:5');
const SIMD_3DIFF_S = P('01 U:1 11110 size:2 1 rm:5 opcode:4 00 rn:5 rd:5');
const SIMD_ELEM = P('0 Q:1 U:1 01111 size:2 L:1 M:1 rm:4 opcode:4 H:1 0 rn:5 rd:5');
const SIMD_ELEM_S = P('01 U:1 11111 size:2 L:1 M:1 rm:4 opcode:4 H:1 0 rn:5 rd:5');
const SIMD_3SAME_S = P('01 U:1 11110 size:2 1 rm:5 opcode:5 1 rn:5 rd:5');
const SIMD_2MISC_S = P('01 U:1 11110 size:2 10000 opcode:5 10 rn:5 rd:5');
const SIMD_SHIFT_S = P('01 U:1 111110 immh:4 immb:3 opcode:5 1 rn:5 rd:5');
const SIMD_PAIR_S = P('01 U:1 11110 size:2 11000 opcode:5 10 rn:5 rd:5');
const SIMD_DUP_S = P('01 0 11110000 imm5:5 0 0000 1 rn:5 rd:5');
const CRYPTO_AES = P('01001110 size:2 10100 opcode:5 10 rn:5 rd:5');
const CRYPTO_SHA3 = P('01011110 size:2 0 rm:5 0 opcode:3 00 rn:5 rd:5');
const CRYPTO_SHA2 = P('01011110 size:2 10100 opcode:5 10 rn:5 rd:5');
// --- SIMD&FP loads and stores
const LDST_FP_UIMM = P('size:2 111 1 01 opc:2 imm12:12 rn:5 rt:5');
const LDST_FP_PAIR = P('opc:2 101 1 idx:3 L:1 imm7:7 rt2:5 rn:5 rt:5');
const LDST_MULT = P('0 Q:1 0011000 L:1 000000 opcode:4 size:2 rn:5 rt:5');
const LDST_FP_IMM9 = P('size:2 111 1 00 opc:2 0 imm9:9 idx:2 rn:5 rt:5');
const LDST_FP_REG = P('size:2 111 1 00 opc:2 1 rm:5 option:3 S:1 10 rn:5 rt:5');
const LDR_FP_LIT = P('opc:2 011 1 00 imm19:19 rt:5');
const LDST_MULT_POST = P('0 Q:1 0011001 L:1 0 rm:5 opcode:4 size:2 rn:5 rt:5');
const LDST_SINGLE = P('0 Q:1 0011010 L:1 R:1 00000 opcode:3 S:1 size:2 rn:5 rt:5');
const LDST_SINGLE_POST = P('0 Q:1 0011011 L:1 R:1 rm:5 opcode:3 S:1 size:2 rn:5 rt:5');

const CLREX_WORD = 0xd5033f5f; // CLREX (CRm = 0b1111)
const ADD_IMM_X = (rd: number, rn: number, imm: number): number => (0x91000000 | (imm << 10) | (rn << 5) | rd) >>> 0;

/** Sets register n (not 31) to v, keeping it out of the snippet pool's reach. */
function setX(b: Builder, n: number, v: bigint): void {
  if (n === 31) b.sp = v & M64;
  else b.x[n] = v & M64;
}

function distinct(r: Rng, avoid: readonly number[], allow31 = false): number {
  for (;;) {
    const n = r.below(allow31 ? 32 : 31);
    if (!avoid.includes(n)) return n;
  }
}

/** An effective address in the scratch page for an access of `bytes` bytes, aligned to `align` (power of 2). */
function scratchEa(r: Rng, bytes: number, align: number): number {
  const span = SCRATCH_SIZE - bytes;
  const off = r.below(span + 1) & ~(align - 1);
  return SCRATCH_ADDR + off;
}

/** alignment to use for an access of `size` bytes: mostly natural, sometimes unaligned */
function accessAlign(r: Rng, size: number): number {
  return r.chance(0.8) ? size : 1;
}

function sext(v: number, bits: number): number {
  return (v << (32 - bits)) >> (32 - bits);
}

/** Index fields of a by-element operand: H:L:M with Rm in V0-V15 (16-bit lanes), H:L (32-bit), H (64-bit). */
function elemIndex(b: Builder, size: number): { H: number; L: number; M: number; rm: number } {
  const r = b.r;
  if (size === 1) return { H: r.bits(1), L: r.bits(1), M: r.bits(1), rm: b.reg() & 15 };
  const m = b.reg();
  return { H: r.bits(1), L: size === 3 ? 0 : r.bits(1), M: m >> 4, rm: m & 15 };
}

/** immh:immb for lane size 8 << s: the shift is 2*esize - imm (right) or imm - esize (left); biased to the ends. */
function shiftImm(r: Rng, s: number): { immh: number; immb: number } {
  const e = 8 << s;
  const k = r.chance(0.5) ? r.pick([0, 1, e - 1, e - 2, e >> 1]) : r.below(e);
  const v = e + k;
  return { immh: v >> 3, immb: v & 7 };
}

const ELEM_INT_OPS: ReadonlyArray<readonly [number, number]> = [
  [0, 8], [1, 0], [1, 4], [0, 12], [0, 13], // MUL MLA MLS SQDMULH SQRDMULH
  [0, 2], [1, 2], [0, 6], [1, 6], [0, 10], [1, 10], // SMLAL UMLAL SMLSL UMLSL SMULL UMULL
  [0, 3], [0, 7], [0, 11], // SQDMLAL SQDMLSL SQDMULL
];
/** [U, size<1> (a), opcode] of the FP ops in the scalar three-same group */
const SCALAR3_FP_OPS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 27], [0, 0, 28], [0, 0, 31], [0, 1, 31], // FMULX FCMEQ FRECPS FRSQRTS
  [1, 0, 28], [1, 0, 29], [1, 1, 26], [1, 1, 28], [1, 1, 29], // FCMGE FACGE FABD FCMGT FACGT
];
/** [U, a, opcode] of the FP ops in the scalar two-register misc group */
const SCALAR2_FP_OPS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 26], [0, 0, 27], [0, 0, 28], [0, 0, 29], // FCVTNS FCVTMS FCVTAS SCVTF
  [0, 1, 26], [0, 1, 27], [0, 1, 29], [0, 1, 31], [0, 1, 12], [0, 1, 13], [0, 1, 14], // FCVTPS FCVTZS FRECPE FRECPX FCMGT/FCMEQ/FCMLT #0
  [1, 0, 26], [1, 0, 27], [1, 0, 28], [1, 0, 29], // FCVTNU FCVTMU FCVTAU UCVTF
  [1, 1, 26], [1, 1, 27], [1, 1, 29], [1, 1, 12], [1, 1, 13], // FCVTPU FCVTZU FRSQRTE FCMGE/FCMLE #0
];
/** [U, a, opcode] of the FP lane ops in the vector two-register misc group */
const VEC2_FP_OPS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 24], [0, 0, 25], [0, 0, 26], [0, 0, 27], [0, 0, 28], [0, 0, 29], // FRINTN FRINTM FCVTNS FCVTMS FCVTAS SCVTF
  [0, 1, 24], [0, 1, 25], [0, 1, 26], [0, 1, 27], [0, 1, 29], // FRINTP FRINTZ FCVTPS FCVTZS FRECPE
  [0, 1, 12], [0, 1, 13], [0, 1, 14], [0, 1, 15], // FCMGT FCMEQ FCMLT #0, FABS
  [1, 0, 24], [1, 0, 25], [1, 0, 26], [1, 0, 27], [1, 0, 28], [1, 0, 29], // FRINTA FRINTX FCVTNU FCVTMU FCVTAU UCVTF
  [1, 1, 25], [1, 1, 26], [1, 1, 27], [1, 1, 29], [1, 1, 31], // FRINTI FCVTPU FCVTZU FRSQRTE FSQRT
  [1, 1, 12], [1, 1, 13], [1, 1, 15], // FCMGE FCMLE #0, FNEG
];
/** [U, a, opcode] of the vector FP three-same ops */
const VEC3_FP_OPS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 24], [0, 0, 25], [0, 0, 26], [0, 0, 27], [0, 0, 28], [0, 0, 30], [0, 0, 31], // FMAXNM FMLA FADD FMULX FCMEQ FMAX FRECPS
  [0, 1, 24], [0, 1, 25], [0, 1, 26], [0, 1, 30], [0, 1, 31], // FMINNM FMLS FSUB FMIN FRSQRTS
  [1, 0, 24], [1, 0, 26], [1, 0, 27], [1, 0, 28], [1, 0, 29], [1, 0, 30], [1, 0, 31], // FMAXNMP FADDP FMUL FCMGE FACGE FMAXP FDIV
  [1, 1, 24], [1, 1, 26], [1, 1, 28], [1, 1, 29], [1, 1, 30], // FMINNMP FABD FCMGT FACGT FMINP
];

export const CLASSES: readonly EncodingClass[] = [
  {
    name: 'addsub-imm',
    group: 'int',
    patterns: [ADDSUB_IMM],
    build: (b) => repeat(b, () => {
      const S = b.r.bits(1);
      b.emit(ADDSUB_IMM, { S, rd: b.reg(), rn: b.reg(), imm12: b.r.chance(0.3) ? b.r.pick([0, 1, 0xfff, 0x800]) : b.r.bits(12) });
    }),
  },
  {
    name: 'logic-imm',
    group: 'int',
    patterns: [LOGIC_IMM],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      b.emit(LOGIC_IMM, { sf, ...bitmaskImm(b.r, sf), rd: b.reg(), rn: b.reg() });
    }),
  },
  {
    name: 'movewide',
    group: 'int',
    patterns: [MOVEWIDE],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      b.emit(MOVEWIDE, { sf, opc: b.r.pick([0, 2, 3]), hw: sf ? b.r.bits(2) : b.r.bits(1), rd: b.reg() });
    }),
  },
  {
    name: 'bitfield',
    group: 'int',
    patterns: [BITFIELD],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      const w = sf ? 6 : 5;
      b.emit(BITFIELD, { sf, N: sf, opc: b.r.pick([0, 1, 2]), immr: b.r.bits(w), imms: b.r.bits(w), rd: b.reg(), rn: b.reg() });
    }),
  },
  {
    name: 'extract',
    group: 'int',
    patterns: [EXTRACT],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      b.emit(EXTRACT, { sf, N: sf, imms: b.r.bits(sf ? 6 : 5), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'adr',
    group: 'int',
    patterns: [ADR],
    build: (b) => repeat(b, () => {
      b.emit(ADR, { rd: b.reg(), immhi: b.r.chance(0.5) ? b.r.bits(19) : (b.r.chance(0.5) ? b.r.bits(4) : 0x7fff0 | b.r.bits(4)) });
    }),
  },
  {
    name: 'addsub-shift',
    group: 'int',
    patterns: [ADDSUB_SHIFT],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      b.emit(ADDSUB_SHIFT, { sf, shift: b.r.below(3), imm6: b.r.bits(sf ? 6 : 5), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'addsub-ext',
    group: 'int',
    patterns: [ADDSUB_EXT],
    build: (b) => repeat(b, () => {
      b.emit(ADDSUB_EXT, { imm3: b.r.below(5), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'addsub-carry',
    group: 'int',
    patterns: [ADDSUB_CARRY],
    build: (b) => repeat(b, () => {
      b.emit(ADDSUB_CARRY, { rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'logic-shift',
    group: 'int',
    patterns: [LOGIC_SHIFT],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      b.emit(LOGIC_SHIFT, { sf, imm6: b.r.bits(sf ? 6 : 5), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'condcmp',
    group: 'int',
    patterns: [CCMP_REG, CCMP_IMM],
    build: (b) => repeat(b, () => {
      if (b.r.chance(0.5)) b.emit(CCMP_REG, { cond: COND_ANY(b.r), rn: b.reg(), rm: b.reg() });
      else b.emit(CCMP_IMM, { cond: COND_ANY(b.r), rn: b.reg() });
    }),
  },
  {
    name: 'condsel',
    group: 'int',
    patterns: [CSEL],
    build: (b) => repeat(b, () => {
      b.emit(CSEL, { cond: COND_ANY(b.r), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'muldiv',
    group: 'int',
    patterns: [DP3, DP2],
    build: (b) => repeat(b, () => {
      const r = b.r;
      if (r.chance(0.25)) {
        b.emit(DP2, { sf: r.bits(1), opcode: r.pick([2, 3]), rd: b.reg(), rn: b.reg(), rm: b.reg() });
        return;
      }
      const sf = r.bits(1);
      const op31 = sf ? r.pick([0, 1, 2, 5, 6]) : 0;
      const high = op31 === 2 || op31 === 6;
      b.emit(DP3, { sf, op31, o0: high ? 0 : r.bits(1), ra: high ? 31 : b.reg(), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'shift-reg',
    group: 'int',
    patterns: [DP2],
    build: (b) => repeat(b, () => {
      b.emit(DP2, { opcode: 8 + b.r.below(4), rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'dp1',
    group: 'int',
    patterns: [DP1],
    build: (b) => repeat(b, () => {
      const sf = b.r.bits(1);
      b.emit(DP1, { sf, opcode: b.r.pick(sf ? [0, 1, 2, 3, 4, 5] : [0, 1, 2, 4, 5]), rd: b.reg(), rn: b.reg() });
    }),
  },
  {
    name: 'crc32',
    group: 'int',
    patterns: [DP2],
    build: (b) => repeat(b, () => {
      const sz = b.r.bits(2);
      b.emit(DP2, { sf: sz === 3 ? 1 : 0, opcode: 0x10 | (b.r.bits(1) << 2) | sz, rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  {
    name: 'branch',
    group: 'branch',
    patterns: [BCOND, CB, TB, BIMM, BREG],
    helpers: [ADD_IMM_X(0, 0, 1)],
    build: (b) => {
      const r = b.r;
      const n = 2 + r.below(9);
      const marker = r.pick(b.pool);
      const fixed = [marker]; // registers whose input value a branch depends on: set once, never reused
      // kinds first; offsets need the final length (targets: any later instruction or the UDF at index n)
      const kinds: number[] = [];
      for (let i = 0; i < n; i++) kinds.push(r.chance(0.5) ? 0 : 1 + r.below(5));
      kinds.forEach((k, i) => {
        const fwd = 1 + r.below(n - i); // 1..n-i words ahead
        switch (k) {
          case 0:
            b.insns.push(ADD_IMM_X(marker, marker, 1 + r.below(0xfff)));
            break;
          case 1:
            b.emit(BCOND, { imm19: fwd, cond: r.below(16) });
            break;
          case 2: {
            const rt = b.reg();
            if (rt !== 31 && !fixed.includes(rt) && r.chance(0.5)) setX(b, rt, r.chance(0.5) ? 0n : edge64(r));
            b.emit(CB, { imm19: fwd, rt });
            break;
          }
          case 3:
            b.emit(TB, { imm14: fwd, rt: b.reg() });
            break;
          case 4:
            b.emit(BIMM, { imm26: fwd });
            break;
          default: {
            const opc = r.below(3);
            // BLR writes x30: keep x30 out of the target registers so a later BR/RET target survives
            const rn = distinct(r, [...fixed, 30]);
            fixed.push(rn);
            setX(b, rn, b.pc(i + fwd));
            b.emit(BREG, { opc, rn });
          }
        }
      });
    },
  },
  {
    name: 'ldst-uimm',
    group: 'mem',
    patterns: [LDST_UIMM],
    build: (b) => {
      const r = b.r;
      const size = r.bits(2);
      // opc: 0 store, 1 load, 2 signed load to X (not for size 3: PRFM), 3 signed load to W (size 0/1)
      const opc = size === 3 ? r.below(2) : size === 2 ? r.below(3) : r.below(4);
      const bytes = 1 << size;
      const imm12 = r.chance(0.5) ? r.below(Math.floor(SCRATCH_SIZE / bytes)) : r.below(16);
      const rn = r.chance(0.1) ? 31 : r.below(31);
      let ea = scratchEa(r, bytes, rn === 31 ? 16 : accessAlign(r, bytes));
      const base = BigInt(ea) - BigInt(imm12 * bytes);
      if (rn === 31) {
        // SP as base must be 16-byte aligned (SP alignment check): choose the base aligned, derive ea
        const aligned = base & ~15n;
        ea = Number(aligned) + imm12 * bytes;
        if (ea < SCRATCH_ADDR || ea + bytes > SCRATCH_ADDR + SCRATCH_SIZE) { setX(b, 31, BigInt(SCRATCH_ADDR)); b.emit(LDST_UIMM, { size, opc, imm12: 0, rn, rt: b.reg() }); return; }
        setX(b, 31, aligned);
      } else setX(b, rn, base);
      b.emit(LDST_UIMM, { size, opc, imm12, rn, rt: b.reg() });
    },
  },
  {
    name: 'ldst-imm9',
    group: 'mem',
    patterns: [LDST_IMM9],
    build: (b) => {
      const r = b.r;
      const size = r.bits(2);
      const opc = size === 3 ? r.below(2) : size === 2 ? r.below(3) : r.below(4);
      const idx = r.bits(2); // 0 unscaled, 1 post-index, 2 unprivileged, 3 pre-index
      const bytes = 1 << size;
      const imm9 = r.bits(9);
      const off = sext(imm9, 9);
      const rn = r.below(31);
      const wb = idx === 1 || idx === 3;
      const rt = wb ? distinct(r, [rn], true) : b.reg();
      // ea: post-index accesses [base], others [base + off]; the writeback value may leave the page (never used)
      const ea = scratchEa(r, bytes, accessAlign(r, bytes));
      setX(b, rn, idx === 1 ? BigInt(ea) : BigInt(ea - off));
      b.emit(LDST_IMM9, { size, opc, imm9, idx, rn, rt });
    },
  },
  {
    name: 'ldst-reg',
    group: 'mem',
    patterns: [LDST_REG],
    build: (b) => {
      const r = b.r;
      const size = r.bits(2);
      const opc = size === 3 ? r.below(2) : size === 2 ? r.below(3) : r.below(4);
      const bytes = 1 << size;
      const option = r.pick([2, 3, 6, 7]); // UXTW, LSL(UXTX), SXTW, SXTX
      const S = r.bits(1);
      const rn = r.below(31);
      const rm = distinct(r, [rn]);
      const small = BigInt(r.below(512)) - 256n;
      const rmv = r.chance(0.3) ? edge64(r) : r.chance(0.5) ? small & M64 : (small & 0xffffffffn) | (r.u64() & 0xffffffff00000000n);
      setX(b, rm, rmv);
      let idx = rmv & M64;
      if (option === 2) idx &= 0xffffffffn;
      else if (option === 6) idx = BigInt.asIntN(32, idx) & M64;
      idx = (idx << BigInt(S ? size : 0)) & M64;
      const ea = scratchEa(r, bytes, accessAlign(r, bytes));
      setX(b, rn, (BigInt(ea) - idx) & M64);
      b.emit(LDST_REG, { size, opc, option, S, rn, rm, rt: b.reg() });
    },
  },
  {
    name: 'ldst-pair',
    group: 'mem',
    patterns: [LDST_PAIR],
    build: (b) => {
      const r = b.r;
      const L = r.bits(1);
      const opc = L ? r.pick([0, 1, 2]) : r.pick([0, 2]); // 01 with L=0 is STGP (v8.5): unallocated here
      // no-allocate offset (STNP/LDNP), post-index, offset, pre-index; LDPSW has no no-allocate form
      const idx = opc === 1 ? r.pick([1, 2, 3]) : r.pick([0, 1, 2, 3]);
      const bytes = opc === 2 ? 8 : 4;
      const imm7 = r.bits(7);
      const off = sext(imm7, 7) * bytes;
      const rn = r.chance(0.1) ? 31 : r.below(31);
      const wb = idx === 1 || idx === 3;
      const rt = wb ? distinct(r, [rn], true) : b.reg();
      const rt2 = L ? distinct(r, wb ? [rn, rt] : [rt], true) : wb ? distinct(r, [rn], true) : b.reg();
      let ea = scratchEa(r, 2 * bytes, rn === 31 ? 16 : accessAlign(r, bytes));
      let base = idx === 1 ? BigInt(ea) : BigInt(ea - off);
      if (rn === 31) {
        base &= ~15n;
        ea = Number(base) + (idx === 1 ? 0 : off);
        if (ea < SCRATCH_ADDR || ea + 2 * bytes > SCRATCH_ADDR + SCRATCH_SIZE) { base = BigInt(SCRATCH_ADDR + 0x800) - BigInt(idx === 1 ? 0 : off); base &= ~15n; }
      }
      setX(b, rn, base);
      b.emit(LDST_PAIR, { opc, idx: idx, L, imm7, rn, rt, rt2 });
    },
  },
  {
    name: 'ldr-literal',
    group: 'mem',
    patterns: [LDR_LIT],
    build: (b) => {
      const r = b.r;
      const opc = r.below(3); // 32-bit, 64-bit, LDRSW (11 is PRFM)
      const bytes = opc === 1 ? 8 : 4;
      // target inside this snippet's own slot (its words and UDFs): same bytes on both sides
      const target = r.below(SLOT_WORDS - bytes / 4 + 1);
      const before = r.below(3);
      for (let i = 0; i < before; i++) b.insns.push(ADD_IMM_X(b.reg(false), b.reg(false), r.bits(12)));
      b.emit(LDR_LIT, { opc, imm19: (target - b.insns.length) & 0x7ffff, rt: b.reg() });
    },
    helpers: [ADD_IMM_X(0, 0, 1)],
  },
  {
    name: 'exclusive',
    group: 'mem',
    patterns: [LDST_EXCL],
    helpers: [CLREX_WORD],
    build: (b) => {
      const r = b.r;
      const pair = r.chance(0.3);
      const size = pair ? 2 + r.bits(1) : r.bits(2);
      const bytes = (1 << size) * (pair ? 2 : 1);
      const rn = r.chance(0.1) ? 31 : r.below(31);
      // aligned (exclusives fault when unaligned), occasionally unaligned to check both sides fault alike
      const ea = rn === 31 ? SCRATCH_ADDR + (r.below(SCRATCH_SIZE / 16) * 16) : scratchEa(r, bytes, r.chance(0.97) ? bytes : 1);
      setX(b, rn, BigInt(ea));
      const rt = distinct(r, [rn], true);
      const rt2 = pair ? distinct(r, [rn, rt], true) : 31;
      b.insns.push(CLREX_WORD);
      const acq = r.bits(1);
      // LDXR / LDAXR (pair: LDXP / LDAXP)
      b.emit(LDST_EXCL, { size, o2: 0, L: 1, o1: pair ? 1 : 0, rs: 31, o0: acq, rt2, rn, rt });
      if (r.chance(0.85)) {
        // STXR / STLXR: status register distinct from the data and base registers
        const st = distinct(r, [rn], true);
        const st2 = pair ? distinct(r, [rn], true) : 31;
        const rs = distinct(r, [rn, st, st2]);
        if (r.chance(0.15)) b.insns.push(CLREX_WORD); // the store must then fail
        b.emit(LDST_EXCL, { size, o2: 0, L: 0, o1: pair ? 1 : 0, rs, o0: r.bits(1), rt2: st2, rn, rt: st });
      }
    },
  },
  {
    name: 'ldar-stlr',
    group: 'mem',
    patterns: [LDST_EXCL],
    build: (b) => {
      const r = b.r;
      const size = r.bits(2);
      const bytes = 1 << size;
      const rn = r.chance(0.1) ? 31 : r.below(31);
      const ea = rn === 31 ? SCRATCH_ADDR + (r.below(SCRATCH_SIZE / 16) * 16) : scratchEa(r, bytes, r.chance(0.97) ? bytes : 1);
      setX(b, rn, BigInt(ea));
      b.emit(LDST_EXCL, { size, o2: 1, L: r.bits(1), o1: 0, rs: 31, o0: 1, rt2: 31, rn, rt: b.reg() });
    },
  },
  {
    // Any word of the data-processing groups (immediate: op0 100x; register: op0 x101): allocated or not, both
    // sides must agree (newer-architecture encodings such as PACGA, RMIF, ADDG are UNDEFINED on cortex-a57).
    name: 'dp-random',
    group: 'int',
    random: true,
    patterns: [DP_RANDOM_IMM, DP_RANDOM_REG],
    build: (b) => repeat(b, () => {
      if (b.r.chance(0.5)) b.emit(DP_RANDOM_IMM, {});
      else b.emit(DP_RANDOM_REG, { rd: b.reg(), rn: b.reg(), rm: b.reg() });
    }),
  },
  // ------------------------------------------------------------------------------------------ scalar FP
  {
    name: 'fp-dp2',
    group: 'fp',
    patterns: [FP_DP2],
    build: (b) => {
      b.fpState();
      repeat(b, () => b.emit(FP_DP2, { ftype: b.r.bits(1), opcode: b.r.below(9), rd: b.reg(), rn: b.reg(), rm: b.reg() }));
    },
  },
  {
    name: 'fp-dp1',
    group: 'fp',
    patterns: [FP_DP1],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const ftype = b.r.bits(1);
        // FMOV FABS FNEG FSQRT, FCVT to the other precision / to half, FRINTN P M Z A X I
        const cvt = ftype === 0 ? [5, 7] : [4, 7];
        const opcode = b.r.pick([0, 1, 2, 3, ...cvt, 8, 9, 10, 11, 12, 14, 15]);
        b.emit(FP_DP1, { ftype, opcode, rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    name: 'fp-dp3',
    group: 'fp',
    patterns: [FP_DP3],
    build: (b) => {
      b.fpState();
      repeat(b, () => b.emit(FP_DP3, { ftype: b.r.bits(1), rd: b.reg(), rn: b.reg(), rm: b.reg(), ra: b.reg() }));
    },
  },
  {
    name: 'fp-cmp',
    group: 'fp',
    patterns: [FP_CMP, FP_CCMP, FP_CSEL],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const k = b.r.below(3);
        const ftype = b.r.bits(1);
        if (k === 0) {
          const opc = b.r.bits(2);
          b.emit(FP_CMP, { ftype, opc, rn: b.reg(), rm: opc & 1 ? 0 : b.reg() });
        } else if (k === 1) b.emit(FP_CCMP, { ftype, cond: b.r.below(16), rn: b.reg(), rm: b.reg() });
        else b.emit(FP_CSEL, { ftype, cond: b.r.below(16), rd: b.reg(), rn: b.reg(), rm: b.reg() });
      });
    },
  },
  {
    name: 'fp-imm',
    group: 'fp',
    patterns: [FP_IMM],
    build: (b) => {
      b.fpState();
      repeat(b, () => b.emit(FP_IMM, { ftype: b.r.bits(1), rd: b.reg() }));
    },
  },
  {
    name: 'fp-int',
    group: 'fp',
    patterns: [FP_INT],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        const sf = r.bits(1);
        const ftype = r.bits(1);
        const k = r.below(4);
        if (k === 0) b.emit(FP_INT, { sf, ftype, rmode: r.bits(2), opcode: r.bits(1), rd: b.reg(), rn: b.reg() }); // FCVT{N,P,M,Z}{S,U}
        else if (k === 1) b.emit(FP_INT, { sf, ftype, rmode: 0, opcode: 2 + r.bits(1), rd: b.reg(), rn: b.reg() }); // SCVTF/UCVTF
        else if (k === 2) b.emit(FP_INT, { sf, ftype, rmode: 0, opcode: 4 + r.bits(1), rd: b.reg(), rn: b.reg() }); // FCVTA{S,U}
        else b.emit(FP_INT, { sf: ftype, ftype, rmode: 0, opcode: 6 + r.bits(1), rd: b.reg(), rn: b.reg() }); // FMOV gp<->fp
      });
    },
  },
  {
    name: 'fp-fixed',
    group: 'fp',
    patterns: [FP_FIXED],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        const sf = r.bits(1);
        const scale = sf ? r.bits(6) : 32 + r.bits(5);
        if (r.chance(0.5)) b.emit(FP_FIXED, { sf, ftype: r.bits(1), rmode: 3, opcode: r.bits(1), scale, rd: b.reg(), rn: b.reg() }); // FCVTZ{S,U}
        else b.emit(FP_FIXED, { sf, ftype: r.bits(1), rmode: 0, opcode: 2 + r.bits(1), scale, rd: b.reg(), rn: b.reg() }); // {S,U}CVTF
      });
    },
  },
  // ------------------------------------------------------------------------------------------ AdvSIMD
  {
    name: 'simd-int',
    group: 'simd',
    patterns: [SIMD_3SAME],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        for (;;) {
          const Q = r.bits(1);
          const U = r.bits(1);
          const opcode = r.pick([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
          let size = r.bits(2);
          const d64ok = [1, 5, 6, 7, 8, 9, 10, 11, 16, 17];
          if (size === 3 && !(Q === 1 && (d64ok.includes(opcode) || (opcode === 23 && U === 0)))) size = r.bits(2) & 1 ? 2 : 0;
          if (opcode === 19 && U === 1 && size !== 0) continue; // PMUL: bytes only
          if (opcode === 22 && (size === 0 || size === 3)) continue; // SQDMULH / SQRDMULH: H and S
          if (opcode === 23 && U === 1) continue; // FP (ADDP is U=0)
          if ((opcode === 18 || opcode === 19) && size === 3) continue;
          b.emit(SIMD_3SAME, { Q, U, size, opcode, rd: b.reg(), rn: b.reg(), rm: b.reg() });
          return;
        }
      });
    },
  },
  {
    name: 'simd-logic',
    group: 'simd',
    patterns: [SIMD_3SAME],
    build: (b) => {
      b.fpState();
      repeat(b, () => b.emit(SIMD_3SAME, { opcode: 3, rd: b.reg(), rn: b.reg(), rm: b.reg() }));
    },
  },
  {
    name: 'simd-permute',
    group: 'simd',
    patterns: [SIMD_PERM, SIMD_EXT, SIMD_TBL],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        const Q = r.bits(1);
        const k = r.below(3);
        if (k === 0) b.emit(SIMD_PERM, { Q, size: Q ? r.bits(2) : r.below(3), opcode: r.pick([1, 2, 3, 5, 6, 7]), rd: b.reg(), rn: b.reg(), rm: b.reg() });
        else if (k === 1) b.emit(SIMD_EXT, { Q, imm4: Q ? r.bits(4) : r.bits(3), rd: b.reg(), rn: b.reg(), rm: b.reg() });
        else {
          // TBL/TBX: table registers wrap modulo 32; index bytes are often in range
          const len = r.bits(2);
          b.emit(SIMD_TBL, { Q, len, op: r.bits(1), rd: b.reg(), rn: b.reg(), rm: b.reg() });
        }
      });
    },
  },
  {
    name: 'simd-copy',
    group: 'simd',
    patterns: [SIMD_COPY],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        const sz = r.bits(2); // element size log2
        const imm5 = ((r.bits(4 - sz) << 1) | 1) << sz;
        const k = r.below(5);
        if (k === 0) b.emit(SIMD_COPY, { Q: sz === 3 ? 1 : r.bits(1), op: 0, imm5, imm4: 0, rd: b.reg(), rn: b.reg() }); // DUP (element)
        else if (k === 1) b.emit(SIMD_COPY, { Q: sz === 3 ? 1 : r.bits(1), op: 0, imm5, imm4: 1, rd: b.reg(), rn: b.reg() }); // DUP (general)
        else if (k === 2) b.emit(SIMD_COPY, { Q: 1, op: 0, imm5, imm4: 3, rd: b.reg(), rn: b.reg() }); // INS (general)
        else if (k === 3) b.emit(SIMD_COPY, { Q: 1, op: 1, imm5, imm4: r.bits(4 - sz) << sz, rd: b.reg(), rn: b.reg() }); // INS (element)
        else if (sz === 3 || r.chance(0.5)) b.emit(SIMD_COPY, { Q: sz === 3 ? 1 : 0, op: 0, imm5, imm4: 7, rd: b.reg(), rn: b.reg() }); // UMOV
        else if (sz < 2 || sz === 2) b.emit(SIMD_COPY, { Q: sz === 2 ? 1 : r.bits(1), op: 0, imm5, imm4: 5, rd: b.reg(), rn: b.reg() }); // SMOV
      });
    },
  },
  {
    name: 'simd-misc',
    group: 'simd',
    patterns: [SIMD_2MISC, SIMD_ACROSS],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        const Q = r.bits(1);
        const k = r.below(8);
        if (k === 0) b.emit(SIMD_2MISC, { Q, U: 0, size: 0, opcode: 5, rd: b.reg(), rn: b.reg() }); // CNT
        else if (k === 1) b.emit(SIMD_2MISC, { Q, U: 1, size: 0, opcode: 5, rd: b.reg(), rn: b.reg() }); // NOT
        else if (k === 2) b.emit(SIMD_2MISC, { Q, U: r.bits(1), size: Q ? r.bits(2) : r.below(3), opcode: 11, rd: b.reg(), rn: b.reg() }); // ABS / NEG
        else if (k === 3) b.emit(SIMD_2MISC, { Q, U: r.bits(1), size: r.below(3), opcode: 4, rd: b.reg(), rn: b.reg() }); // CLS / CLZ
        else if (k === 4) { const size = r.below(3); b.emit(SIMD_2MISC, { Q, U: size === 0 ? r.bits(1) : 0, size, opcode: 0, rd: b.reg(), rn: b.reg() }); } // REV64 / REV32 (b)
        else if (k === 5) b.emit(SIMD_2MISC, { Q, U: 0, size: r.below(3), opcode: 18, rd: b.reg(), rn: b.reg() }); // XTN
        else if (k === 6) {
          const opcode = r.pick([8, 9, 10]); // CMGT/CMGE, CMEQ/CMLE, CMLT (U=0 only) against zero
          b.emit(SIMD_2MISC, { Q, U: opcode === 10 ? 0 : r.bits(1), size: Q ? r.bits(2) : r.below(3), opcode, rd: b.reg(), rn: b.reg() });
        }
        else {
          const size = Q ? r.below(3) : r.below(2);
          const opcode = r.pick([10, 26, 3, 27]); // SMAXV/UMAXV, SMINV/UMINV, SADDLV/UADDLV, ADDV (U=0)
          b.emit(SIMD_ACROSS, { Q, U: opcode === 27 ? 0 : r.bits(1), size, opcode, rd: b.reg(), rn: b.reg() });
        }
      });
    },
  },
  {
    name: 'simd-imm',
    group: 'simd',
    patterns: [SIMD_MODIMM, SIMD_SHIFT],
    build: (b) => {
      b.fpState();
      repeat(b, () => {
        const r = b.r;
        const Q = r.bits(1);
        if (r.chance(0.4)) {
          // MOVI / MVNI / ORR / BIC (vector, immediate); cmode 1111 is FMOV: only op=0 (and op=1 needs Q=1: FMOV .2D)
          const cmode = r.below(15);
          const op = cmode === 14 ? r.bits(1) : r.bits(1);
          b.emit(SIMD_MODIMM, { Q: cmode === 14 && op === 1 ? r.bits(1) : Q, op, cmode, rd: b.reg() });
          return;
        }
        // shifts by immediate: SSHR USHR SSRA USRA SRSHR URSHR SHL SLI SRI
        const esz = Q ? r.bits(2) : r.below(3);
        const immh = 1 << esz | r.bits(esz);
        const opcode = r.pick([0, 2, 4, 6, 10, 8]);
        const U = opcode === 10 ? r.bits(1) : opcode === 8 ? 1 : r.bits(1); // 10: SHL (U=0) / SLI (U=1); 8: SRI (U=1)
        b.emit(SIMD_SHIFT, { Q, U, immh, immb: r.bits(3), opcode, rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    name: 'ldst-fp',
    group: 'fp',
    patterns: [LDST_FP_UIMM, LDST_FP_PAIR, LDST_MULT],
    build: (b) => {
      b.fpState();
      const r = b.r;
      const rn = r.below(31);
      const k = r.below(3);
      if (k === 0) {
        // LDR/STR B H S D Q (unsigned offset): Q is size 00 with opc 1x
        const q = r.chance(0.2);
        const size = q ? 0 : r.bits(2);
        const bytes = q ? 16 : 1 << size;
        const opc = (q ? 2 : 0) | r.bits(1);
        const imm12 = r.below(Math.floor(SCRATCH_SIZE / bytes));
        const ea = scratchEa(r, bytes, accessAlign(r, bytes));
        setX(b, rn, BigInt(ea) - BigInt(imm12 * bytes));
        b.emit(LDST_FP_UIMM, { size, opc, imm12, rn, rt: b.reg() });
      } else if (k === 1) {
        const opc = r.below(3); // S, D, Q pairs
        const bytes = 4 << opc;
        const L = r.bits(1);
        const idx = r.pick([0, 1, 2, 3]);
        const imm7 = r.bits(7);
        const off = sext(imm7, 7) * bytes;
        const ea = scratchEa(r, 2 * bytes, accessAlign(r, bytes));
        setX(b, rn, idx === 1 ? BigInt(ea) : BigInt(ea - off));
        const rt = b.reg();
        b.emit(LDST_FP_PAIR, { opc, idx, L, imm7, rt, rt2: L ? distinct(r, [rt], true) : b.reg(), rn });
      } else {
        // LD1/ST1 (multiple structures, 1-4 registers), LD2/3/4 ST2/3/4, no offset
        const opcode = r.pick([7, 10, 6, 2, 8, 4, 0]);
        const nregs = opcode === 7 ? 1 : opcode === 10 || opcode === 8 ? 2 : opcode === 6 || opcode === 4 ? 3 : opcode === 2 ? 4 : 4;
        const Q = r.bits(1);
        const size = (opcode === 7 || opcode === 10 || opcode === 6 || opcode === 2) ? r.bits(2) : Q ? r.bits(2) : r.below(3);
        const bytes = nregs * (Q ? 16 : 8);
        setX(b, rn, BigInt(scratchEa(r, bytes, accessAlign(r, 1 << size))));
        b.emit(LDST_MULT, { Q, L: r.bits(1), opcode, size, rn, rt: b.reg() });
      }
    },
  },
  // ------------------------------------------------------------------------------------------ AdvSIMD, wider
  {
    // SADDL/UADDL SADDW/UADDW SSUBL/USUBL SSUBW/USUBW ADDHN/RADDHN SABAL/UABAL SUBHN/RSUBHN SABDL/UABDL
    // SMLAL/UMLAL SQDMLAL SMLSL/UMLSL SQDMLSL SMULL/UMULL SQDMULL PMULL (8-bit), the "2" forms (Q=1); scalar
    // SQDMLAL/SQDMLSL/SQDMULL
    name: 'simd-3diff',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_3DIFF, SIMD_3DIFF_S],
    build: (b) => {
      b.simdState('int');
      repeat(b, () => {
        const r = b.r;
        if (r.chance(0.15)) {
          b.emit(SIMD_3DIFF_S, { U: 0, size: 1 + r.bits(1), opcode: r.pick([9, 11, 13]), rd: b.reg(), rn: b.reg(), rm: b.reg() });
          return;
        }
        const opcode = r.below(15);
        const sq = opcode === 9 || opcode === 11 || opcode === 13;
        const U = sq || opcode === 14 ? 0 : r.bits(1);
        const size = sq ? 1 + r.bits(1) : opcode === 14 ? 0 : r.below(3);
        b.emit(SIMD_3DIFF, { Q: r.bits(1), U, size, opcode, rd: b.reg(), rn: b.reg(), rm: b.reg() });
      });
    },
  },
  {
    // MUL MLA MLS SQDMULH SQRDMULH, SMLAL/UMLAL SMLSL/UMLSL SMULL/UMULL SQDMLAL SQDMLSL SQDMULL (+ "2") by
    // element; scalar SQDMLAL SQDMLSL SQDMULL SQDMULH SQRDMULH by element
    name: 'simd-elem',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_ELEM, SIMD_ELEM_S],
    build: (b) => {
      b.simdState('int');
      repeat(b, () => {
        const r = b.r;
        const size = 1 + r.bits(1);
        if (r.chance(0.25)) {
          b.emit(SIMD_ELEM_S, { U: 0, size, opcode: r.pick([3, 7, 11, 12, 13]), ...elemIndex(b, size), rd: b.reg(), rn: b.reg() });
          return;
        }
        const [U, opcode] = r.pick(ELEM_INT_OPS);
        b.emit(SIMD_ELEM, { Q: r.bits(1), U, size, opcode, ...elemIndex(b, size), rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    // FMLA FMLS FMUL FMULX by element, vector (2S 4S 2D) and scalar (S D)
    name: 'simd-elem-fp',
    group: 'simd',
    patterns: [SIMD_ELEM, SIMD_ELEM_S],
    build: (b) => {
      b.simdState('fp');
      repeat(b, () => {
        const r = b.r;
        const size = 2 + r.bits(1);
        const [U, opcode] = r.pick([[0, 1], [0, 5], [0, 9], [1, 9]] as const);
        if (r.chance(0.3)) b.emit(SIMD_ELEM_S, { U, size, opcode, ...elemIndex(b, size), rd: b.reg(), rn: b.reg() });
        else b.emit(SIMD_ELEM, { Q: size === 3 ? 1 : r.bits(1), U, size, opcode, ...elemIndex(b, size), rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    // scalar three same: SQADD/UQADD SQSUB/UQSUB SQSHL/UQSHL SQRSHL/UQRSHL (B H S D), SQDMULH/SQRDMULH (H S),
    // CMGT/CMHI CMGE/CMHS SSHL/USHL SRSHL/URSHL ADD/SUB CMTST/CMEQ (D); FMULX FCMEQ FCMGE FCMGT FACGE FACGT FABD
    // FRECPS FRSQRTS (S D)
    name: 'simd-scalar3',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_3SAME_S],
    build: (b) => {
      b.simdState(b.r.chance(0.7) ? 'int' : 'fp');
      repeat(b, () => {
        const r = b.r;
        if (r.chance(0.7)) {
          const opcode = r.pick([1, 5, 9, 11, 1, 5, 9, 11, 6, 7, 8, 10, 16, 17, 22]);
          const size = [1, 5, 9, 11].includes(opcode) ? r.bits(2) : opcode === 22 ? 1 + r.bits(1) : 3;
          b.emit(SIMD_3SAME_S, { U: r.bits(1), size, opcode, rd: b.reg(), rn: b.reg(), rm: b.reg() });
        } else {
          const [U, a, opcode] = r.pick(SCALAR3_FP_OPS);
          b.emit(SIMD_3SAME_S, { U, size: (a << 1) | r.bits(1), opcode, rd: b.reg(), rn: b.reg(), rm: b.reg() });
        }
      });
    },
  },
  {
    // scalar two-register misc: SUQADD/USQADD SQABS/SQNEG (B H S D), SQXTN/UQXTN SQXTUN, CMxx #0 ABS NEG (D),
    // FCVTXN; FCVT{N,M,A,P,Z}{S,U} SCVTF UCVTF FRECPE FRSQRTE FRECPX FCMxx #0 (S D)
    name: 'simd-scalar2',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_2MISC_S],
    build: (b) => {
      b.simdState(b.r.chance(0.6) ? 'int' : 'fp');
      repeat(b, () => {
        const r = b.r;
        const k = r.below(10);
        if (k < 5) {
          const opcode = r.pick([3, 7, 3, 7, 8, 9, 10, 11, 18, 20, 20]);
          const U = opcode === 10 ? 0 : opcode === 18 ? 1 : r.bits(1);
          const size = opcode === 3 || opcode === 7 ? r.bits(2) : opcode === 18 || opcode === 20 ? r.below(3) : 3;
          b.emit(SIMD_2MISC_S, { U, size, opcode, rd: b.reg(), rn: b.reg() });
        } else if (k === 5) b.emit(SIMD_2MISC_S, { U: 1, size: 1, opcode: 22, rd: b.reg(), rn: b.reg() }); // FCVTXN
        else {
          const [U, a, opcode] = r.pick(SCALAR2_FP_OPS);
          b.emit(SIMD_2MISC_S, { U, size: (a << 1) | r.bits(1), opcode, rd: b.reg(), rn: b.reg() });
        }
      });
    },
  },
  {
    // scalar pairwise ADDP (D), FADDP FMAXP FMINP FMAXNMP FMINNMP (S D); DUP (element, scalar) = MOV
    name: 'simd-scalar-p',
    group: 'simd',
    patterns: [SIMD_PAIR_S, SIMD_DUP_S],
    build: (b) => {
      b.simdState(b.r.chance(0.3) ? 'int' : 'fp');
      repeat(b, () => {
        const r = b.r;
        const k = r.below(8);
        if (k === 0) b.emit(SIMD_PAIR_S, { U: 0, size: 3, opcode: 27, rd: b.reg(), rn: b.reg() });
        else if (k === 1) {
          const sz = r.bits(2);
          b.emit(SIMD_DUP_S, { imm5: ((r.bits(4 - sz) << 1) | 1) << sz, rd: b.reg(), rn: b.reg() });
        } else {
          const [a, opcode] = r.pick([[0, 12], [0, 13], [0, 15], [1, 12], [1, 15]] as const);
          b.emit(SIMD_PAIR_S, { U: 1, size: (a << 1) | r.bits(1), opcode, rd: b.reg(), rn: b.reg() });
        }
      });
    },
  },
  {
    // vector shifts by immediate, every ARMv8.0 opcode, edge-biased shift amounts: SSHR USHR SSRA USRA SRSHR
    // URSHR SRSRA URSRA SRI SHL SLI SQSHLU SQSHL UQSHL, narrowing SHRN RSHRN SQSHRN UQSHRN SQRSHRN UQRSHRN SQSHRUN
    // SQRSHRUN (+ "2"), SSHLL/USHLL (+ "2"), SCVTF/UCVTF/FCVTZS/FCVTZU (fixed point)
    name: 'simd-shift',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_SHIFT],
    build: (b) => {
      b.simdState(b.r.chance(0.8) ? 'int' : 'fp');
      repeat(b, () => {
        const r = b.r;
        const opcode = r.pick([0, 2, 4, 6, 8, 10, 12, 14, 16, 17, 18, 19, 20, 12, 14, 16, 17, 18, 19, 28, 31]);
        let U = r.bits(1);
        if (opcode === 8 || opcode === 12) U = 1;
        let s: number;
        let Q = r.bits(1);
        if (opcode >= 16 && opcode <= 20) s = r.below(3);
        else if (opcode >= 28) s = 2 + r.bits(1);
        else s = r.bits(2);
        if (s === 3 && opcode < 16) Q = 1;
        if (s === 3 && opcode >= 28) Q = 1;
        b.emit(SIMD_SHIFT, { Q, U, ...shiftImm(r, s), opcode, rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    // scalar shifts by immediate: SSHR USHR SSRA USRA SRSHR URSHR SRSRA URSRA SHL SLI SRI (D), SQSHL UQSHL SQSHLU
    // (B H S D), SQSHRN UQSHRN SQRSHRN UQRSHRN SQSHRUN SQRSHRUN (to B H S), SCVTF UCVTF FCVTZS FCVTZU (fixed, S D)
    name: 'simd-shift-s',
    group: 'simd',
    patterns: [SIMD_SHIFT_S],
    build: (b) => {
      b.simdState(b.r.chance(0.8) ? 'int' : 'fp');
      repeat(b, () => {
        const r = b.r;
        const opcode = r.pick([0, 2, 4, 6, 8, 10, 12, 14, 12, 14, 16, 17, 18, 19, 16, 17, 18, 19, 28, 31]);
        let U = r.bits(1);
        if (opcode === 8 || opcode === 12 || opcode === 16 || opcode === 17) U = 1;
        const s = opcode <= 10 ? 3 : opcode <= 14 ? r.bits(2) : opcode <= 19 ? r.below(3) : 2 + r.bits(1);
        b.emit(SIMD_SHIFT_S, { U, ...shiftImm(r, s), opcode, rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    // vector two-register misc, integer: SADDLP/UADDLP SADALP/UADALP SUQADD/USQADD SQABS/SQNEG SQXTN/UQXTN
    // SQXTUN XTN SHLL (+ "2"), CLS/CLZ, RBIT, URECPE/URSQRTE
    name: 'simd-misc2',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_2MISC],
    build: (b) => {
      b.simdState('int');
      repeat(b, () => {
        const r = b.r;
        const opcode = r.pick([2, 6, 3, 7, 20, 18, 19, 2, 6, 3, 7, 20, 18, 4, 5, 28]);
        let Q = r.bits(1);
        let U = r.bits(1);
        let size: number;
        if (opcode === 3 || opcode === 7) {
          size = r.bits(2);
          if (size === 3) Q = 1;
        } else if (opcode === 19) {
          U = 1;
          size = r.below(3);
        } else if (opcode === 5) {
          U = 1;
          size = 1; // RBIT
        } else if (opcode === 28) size = 2; // URECPE (U=0) / URSQRTE (U=1): 32-bit lanes
        else size = r.below(3);
        b.emit(SIMD_2MISC, { Q, U, size, opcode, rd: b.reg(), rn: b.reg() });
      });
    },
  },
  {
    // vector FP two-register misc: FABS FNEG FSQRT FRINT{N,M,P,Z,A,X,I} FCVT{N,M,A,P,Z}{S,U} SCVTF UCVTF FCMxx #0
    // FRECPE FRSQRTE, FCVTN FCVTL FCVTXN (+ "2"); across lanes FMAXV FMINV FMAXNMV FMINNMV
    name: 'simd-fpmisc',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_2MISC, SIMD_ACROSS],
    build: (b) => {
      b.simdState('fp');
      repeat(b, () => {
        const r = b.r;
        const k = r.below(10);
        if (k === 0) {
          b.emit(SIMD_ACROSS, { Q: 1, U: 1, size: r.bits(1) << 1, opcode: r.pick([12, 15]), rd: b.reg(), rn: b.reg() });
        } else if (k === 1) {
          const [U, opcode, sz] = r.pick([[0, 22, 0], [0, 22, 1], [0, 23, 0], [0, 23, 1], [1, 22, 1]] as const); // FCVTN FCVTL FCVTXN
          b.emit(SIMD_2MISC, { Q: r.bits(1), U, size: sz, opcode, rd: b.reg(), rn: b.reg() });
        } else {
          const [U, a, opcode] = r.pick(VEC2_FP_OPS);
          const sz = r.bits(1);
          b.emit(SIMD_2MISC, { Q: sz ? 1 : r.bits(1), U, size: (a << 1) | sz, opcode, rd: b.reg(), rn: b.reg() });
        }
      });
    },
  },
  {
    // vector FP three same: FADD FSUB FMUL FDIV FMLA FMLS FMAX FMIN FMAXNM FMINNM FMULX FRECPS FRSQRTS FABD FCMEQ
    // FCMGE FCMGT FACGE FACGT, pairwise FADDP FMAXP FMINP FMAXNMP FMINNMP (2S 4S 2D)
    name: 'simd-fp3',
    group: 'simd',
    weight: 2,
    patterns: [SIMD_3SAME],
    build: (b) => {
      b.simdState('fp');
      repeat(b, () => {
        const r = b.r;
        const [U, a, opcode] = r.pick(VEC3_FP_OPS);
        const sz = r.bits(1);
        b.emit(SIMD_3SAME, { Q: sz ? 1 : r.bits(1), U, size: (a << 1) | sz, opcode, rd: b.reg(), rn: b.reg(), rm: b.reg() });
      });
    },
  },
  {
    // Cryptographic Extension: AESE AESD AESMC AESIMC, SHA1C SHA1P SHA1M SHA1SU0 SHA256H SHA256H2 SHA256SU1,
    // SHA1H SHA1SU1 SHA256SU0, PMULL/PMULL2 (64-bit lanes)
    name: 'crypto',
    group: 'simd',
    patterns: [CRYPTO_AES, CRYPTO_SHA3, CRYPTO_SHA2, SIMD_3DIFF],
    build: (b) => {
      b.simdState(b.r.chance(0.5) ? 'int' : 'fp');
      repeat(b, () => {
        const r = b.r;
        const k = r.below(4);
        if (k === 0) {
          // often the real pairs: AESE + AESMC, AESD + AESIMC on the same register
          const d = b.reg();
          const dec = r.bits(1);
          b.emit(CRYPTO_AES, { size: 0, opcode: 4 + dec, rd: d, rn: b.reg() });
          if (r.chance(0.6)) b.emit(CRYPTO_AES, { size: 0, opcode: 6 + dec, rd: r.chance(0.7) ? d : b.reg(), rn: d });
        } else if (k === 1) b.emit(CRYPTO_SHA3, { size: 0, opcode: r.below(7), rd: b.reg(), rn: b.reg(), rm: b.reg() });
        else if (k === 2) b.emit(CRYPTO_SHA2, { size: 0, opcode: r.below(3), rd: b.reg(), rn: b.reg() });
        else b.emit(SIMD_3DIFF, { Q: r.bits(1), U: 0, size: 3, opcode: 14, rd: b.reg(), rn: b.reg(), rm: b.reg() });
      });
    },
  },
  {
    // SIMD&FP loads and stores not in ldst-fp: LDUR/STUR and pre/post-index B H S D Q, register offset
    // (UXTW LSL SXTW SXTX, scaled or not), LDR literal S D Q, LD1-LD4/ST1-ST4 (multiple) post-index by immediate
    // or register, LD1-LD4/ST1-ST4 (single lane) and LD1R-LD4R, with and without post-index
    name: 'ldst-simd',
    group: 'fp',
    patterns: [LDST_FP_IMM9, LDST_FP_REG, LDR_FP_LIT, LDST_MULT_POST, LDST_SINGLE, LDST_SINGLE_POST],
    helpers: [ADD_IMM_X(0, 0, 1)],
    build: (b) => {
      b.simdState(b.r.chance(0.5) ? 'int' : 'fp');
      const r = b.r;
      const k = r.below(6);
      const ldst1 = (): { size: number; opc: number; bytes: number } => {
        const q = r.chance(0.2);
        const size = q ? 0 : r.bits(2);
        return { size, opc: (q ? 2 : 0) | r.bits(1), bytes: q ? 16 : 1 << size };
      };
      if (k === 0) {
        // unscaled (idx 00), post-index (01), pre-index (11)
        const { size, opc, bytes } = ldst1();
        const idx = r.pick([0, 1, 3]);
        const imm9 = r.chance(0.3) ? r.pick([0, 1, 0x1ff, 0xff, 0x100, 16, 0x1f0]) : r.bits(9);
        const off = sext(imm9, 9);
        const rn = r.below(31);
        const ea = scratchEa(r, bytes, accessAlign(r, bytes));
        setX(b, rn, idx === 1 ? BigInt(ea) : BigInt(ea - off));
        b.emit(LDST_FP_IMM9, { size, opc, imm9, idx, rn, rt: b.reg() });
      } else if (k === 1) {
        const { size, opc, bytes } = ldst1();
        const option = r.pick([2, 3, 6, 7]);
        const S = r.bits(1);
        const rn = r.below(31);
        const rm = distinct(r, [rn]);
        const small = BigInt(r.below(512)) - 256n;
        const rmv = r.chance(0.3) ? edge64(r) : r.chance(0.5) ? small & M64 : (small & 0xffffffffn) | (r.u64() & 0xffffffff00000000n);
        setX(b, rm, rmv);
        let idx = rmv & M64;
        if (option === 2) idx &= 0xffffffffn;
        else if (option === 6) idx = BigInt.asIntN(32, idx) & M64;
        idx = (idx << BigInt(S ? Math.log2(bytes) : 0)) & M64;
        const ea = scratchEa(r, bytes, accessAlign(r, bytes));
        setX(b, rn, (BigInt(ea) - idx) & M64);
        b.emit(LDST_FP_REG, { size, opc, option, S, rn, rm, rt: b.reg() });
      } else if (k === 2) {
        // literal inside this snippet's own slot (its words and UDFs)
        const opc = r.below(3);
        const bytes = 4 << opc;
        const target = r.below(SLOT_WORDS - bytes / 4 + 1);
        const before = r.below(3);
        for (let i = 0; i < before; i++) b.insns.push(ADD_IMM_X(b.reg(false), b.reg(false), r.bits(12)));
        b.emit(LDR_FP_LIT, { opc, imm19: (target - b.insns.length) & 0x7ffff, rt: b.reg() });
      } else if (k === 3) {
        // multiple structures, post-index: rm = 31 adds the transfer size, else Xm
        const opcode = r.pick([7, 10, 6, 2, 8, 4, 0]);
        const nregs = opcode === 7 ? 1 : opcode === 10 || opcode === 8 ? 2 : opcode === 6 || opcode === 4 ? 3 : 4;
        const Q = r.bits(1);
        const size = opcode === 7 || opcode === 10 || opcode === 6 || opcode === 2 ? r.bits(2) : Q ? r.bits(2) : r.below(3);
        const bytes = nregs * (Q ? 16 : 8);
        const rn = r.chance(0.1) ? 31 : r.below(31);
        const rm = r.chance(0.5) ? 31 : distinct(r, [rn, 31]);
        if (rm !== 31) setX(b, rm, r.chance(0.5) ? BigInt(r.below(64)) : edge64(r));
        setX(b, rn, BigInt(scratchEa(r, bytes, rn === 31 ? 16 : accessAlign(r, 1 << size))));
        b.emit(LDST_MULT_POST, { Q, L: r.bits(1), rm, opcode, size, rn, rt: b.reg() });
      } else {
        // single lane / replicate: opcode<2:1> is the scale, opcode<0>:R + 1 structures
        const L = r.bits(1);
        const opcode = L ? r.below(8) : r.below(6);
        const R = r.bits(1);
        const selem = ((opcode & 1) << 1 | R) + 1;
        const Q = r.bits(1);
        let S = r.bits(1);
        let size = r.bits(2);
        let scale = opcode >> 1;
        if (scale === 1) size &= 2; // H: size<0> = 0
        else if (scale === 2) {
          size = r.bits(1); // S (00) or D (01, S = 0)
          if (size === 1) { S = 0; scale = 3; }
        } else if (scale === 3) {
          S = 0;
          scale = size; // replicate: element size from size
        }
        const bytes = selem << scale;
        const rn = r.chance(0.1) ? 31 : r.below(31);
        const post = r.chance(0.5);
        const rm = r.chance(0.5) ? 31 : distinct(r, [rn, 31]);
        if (post && rm !== 31) setX(b, rm, r.chance(0.5) ? BigInt(r.below(64)) : edge64(r));
        setX(b, rn, BigInt(scratchEa(r, bytes, rn === 31 ? 16 : accessAlign(r, 1 << scale))));
        if (post) b.emit(LDST_SINGLE_POST, { Q, L, R, rm, opcode, S, size, rn, rt: b.reg() });
        else b.emit(LDST_SINGLE, { Q, L, R, opcode, S, size, rn, rt: b.reg() });
      }
    },
  },
  {
    // FCVT from half precision (ftype 11: ARMv8.0, unlike the FP16 arithmetic), FMOV to/from the upper 64 bits
    name: 'fp-half',
    group: 'fp',
    patterns: [FP_DP1, FP_INT],
    build: (b) => {
      b.simdState('fp');
      repeat(b, () => {
        const r = b.r;
        if (r.chance(0.7)) b.emit(FP_DP1, { ftype: 3, opcode: 4 + r.bits(1), rd: b.reg(), rn: b.reg() });
        else b.emit(FP_INT, { sf: 1, ftype: 2, rmode: 1, opcode: 6 + r.bits(1), rd: b.reg(), rn: b.reg() });
      });
    },
  },
];

/** One snippet of class `cls` for code slot `slot`. */
export function generate(cls: EncodingClass, r: Rng, slot: number): SnippetIn {
  const b = new Builder(r, slot);
  cls.build(b);
  return b.finish(cls.name);
}

export function classByName(name: string): EncodingClass {
  const c = CLASSES.find((k) => k.name === name);
  if (!c) throw new RangeError(`class: no encoding class '${name}' (have: ${CLASSES.map((k) => k.name).join(', ')})`);
  return c;
}
