/**
 * Table-driven A64 decoder.
 *
 * Every instruction encoding is one row: a name, the ARM ARM's field notation for the 32 bits (most
 * significant first) and a handler. Example:
 *
 *   row('ADD_imm', 'sf:1 0 0 100010 sh:1 imm12:12 rn:5 rd:5', (c, f) => { ... f.sf, f.imm12 ... })
 *
 * Tokens are separated by spaces and must cover exactly 32 bits:
 *   - `0`/`1` strings are fixed bits (`100010` is six of them),
 *   - `x` (or `-`) characters are don't-care bits (e.g. `xxxx`),
 *   - `name:N` is an N-bit field passed to the handler as `f.name` (a non-negative number),
 *   - `name:N=0101` is an N-bit field that must equal the given bits (it is still passed).
 * The field record type is derived from the pattern string at compile time, so `f.imm12` type-checks and
 * `f.imm13` does not.
 *
 * Rows are compiled once at load into mask/match + field extractors. Matching order: rows with more fixed bits
 * first (a row that carves a special case out of a wider one wins automatically, e.g. MOV (to/from SP) inside
 * ADD imm); `prio` (default 0) overrides that when two rows are equally specific or deliberately overlap:
 * higher `prio` is tried first. The table-order test (test/unit/cpu-decoder.test.ts) checks that every row
 * decodes to itself over its don't-care bits unless a strictly more specific row carves the word out.
 *
 * Adding a group: create `insns/<group>.ts` exporting `rows: Row[]` (built with `row()`), and add one line to
 * `insns/index.ts`. The FP/SIMD engineer adds `insns/fpsimd*.ts` the same way.
 *
 * Writing a handler (`c` is the executing {@link Core} from ./core):
 *   - General registers are 32-bit halves in `c.x` (a Uint32Array): X[n] is `c.x[2n]` (low) / `c.x[2n+1]`
 *     (high). Slot 31 is the *current stack pointer*, slot 32 always reads zero, slot 33 is a discard slot.
 *     So use `rz(n)` for operands where register 31 means XZR, `wz(n)` for XZR destinations, and plain `n`
 *     where 31 means SP. Writing a W register: write the low half and set the high half to 0.
 *     Helpers in ./alu (add64, shifts, bitmask decode...) return results in `c.rlo` / `c.rhi` style scratch.
 *   - PC: `c.ipcLo/c.ipcHi` is the address of this instruction; `c.pcLo/c.pcHi` already holds ipc + 4 when the
 *     handler runs. Branches write `c.pcLo/c.pcHi` (`c.branchRel(off)` / `c.branchTo(lo, hi)`).
 *   - Flags: `c.nf c.zf c.cf c.vf` (0 or 1).
 *   - Memory (virtual addresses as halves; MMU, alignment, permission checks, MMIO stops and RAM bounds are all
 *     inside): `c.ld(lo, hi, size, flags)` returns a number for size 1/2/4 and sets `c.mlo/c.mhi` for size 8
 *     (also returns the low half); `c.st(lo, hi, size, vlo, vhi, flags)`. `flags`: ACC_* from ./core
 *     (ACC_ALIGN forces the alignment check, ACC_UNPRIV for LDTR/STTR, ACC_EXCL...). A faulting access raises
 *     the guest exception itself and unwinds the handler with a sentinel throw, so do every memory access
 *     before writing any register (precise exceptions). An access to a PA outside RAM that the bus does not
 *     handle stops run() with 'mmio' when the row has a `syndrome(f)` function returning an ISV=1 ISS (single
 *     register load/store without writeback), else 'nisv'.
 *   - FP/V registers: `c.v` (Uint8Array, 32 × 16 bytes little-endian), with `c.v32`/`c.vf32`/`c.vf64` views
 *     over the same buffer; `c.fpcr`, `c.fpsr`. Call `c.checkFp()` first: it raises the CPACR.FPEN trap.
 *   - Exceptions: `c.undef()` (UNDEFINED, EC 0x0), `c.takeSync(ec, iss)`; both never return (they throw the
 *     unwind sentinel after setting up the guest exception). Stops: `c.stopWith(stop, advance)`.
 */

import type { Core } from './core';

/** Split a pattern into its space-separated tokens (type level). */
type Tokens<S extends string> = S extends `${infer H} ${infer R}` ? H | Tokens<R> : S;
type FieldName<T> = T extends `${infer N}:${string}` ? N : never;
/** The typed field record for a pattern string. */
export type Fields<P extends string> = { readonly [K in FieldName<Tokens<P>>]: number };

export type Handler<F> = (c: Core, f: F) => void;

export interface Row<F = any> {
  readonly name: string;
  readonly pattern: string;
  readonly mask: number;
  readonly match: number;
  readonly prio: number;
  /** [name, lsb, width] of each field */
  readonly fields: ReadonlyArray<readonly [string, number, number]>;
  readonly exec: Handler<F>;
  /** ISS (with ISV set) for an MMIO stop, or -1 when no valid syndrome. Absent: ISV = 0 ('nisv'). */
  readonly syndrome?: (f: F) => number;
  /** The record type (the field names of the first row that produced it); used to build records fast. */
  readonly make: (insn: number) => F;
}

export interface RowOptions<F> {
  prio?: number;
  syndrome?: (f: F) => number;
}

/** Parse an ARM ARM-style bit pattern. Throws (at load time) on a malformed pattern. */
export function compilePattern(pattern: string): { mask: number; match: number; fields: Array<[string, number, number]> } {
  let bit = 32;
  let mask = 0;
  let match = 0;
  const fields: Array<[string, number, number]> = [];
  for (const tok of pattern.trim().split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*):(\d+)(?:=([01x]+))?$/.exec(tok);
    if (m) {
      const width = Number(m[2]);
      bit -= width;
      if (width < 1 || bit < 0) throw new Error(`decoder: bad field ${tok} in '${pattern}'`);
      fields.push([m[1]!, bit, width]);
      const fixed = m[3];
      if (fixed !== undefined) {
        if (fixed.length !== width) throw new Error(`decoder: constraint width in ${tok}`);
        for (let i = 0; i < width; i++) {
          const ch = fixed[i]!;
          const b = bit + width - 1 - i;
          if (ch === 'x') continue;
          mask |= 1 << b;
          if (ch === '1') match |= 1 << b;
        }
      }
      continue;
    }
    if (!/^[01x-]+$/.test(tok)) throw new Error(`decoder: bad token '${tok}' in '${pattern}'`);
    for (const ch of tok) {
      bit -= 1;
      if (bit < 0) throw new Error(`decoder: pattern longer than 32 bits: '${pattern}'`);
      if (ch === 'x' || ch === '-') continue;
      mask |= 1 << bit;
      if (ch === '1') match |= 1 << bit;
    }
  }
  if (bit !== 0) throw new Error(`decoder: pattern is ${32 - bit} bits, not 32: '${pattern}'`);
  return { mask: mask >>> 0, match: match >>> 0, fields };
}

/** Builds a field-record factory with a stable object shape (one hidden class per row). */
function makeFactory(fields: ReadonlyArray<readonly [string, number, number]>): (insn: number) => any {
  // Generated once per row at load: `return { rd: (i >>> 0) & 31, ... }` keeps one object shape per row.
  const body = fields
    .map(([n, lsb, w]) => `${JSON.stringify(n)}: ${w === 32 ? 'i >>> 0' : `(i >>> ${lsb}) & ${w === 31 ? 0x7fffffff : (1 << w) - 1}`}`)
    .join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('i', `return { ${body} };`) as (insn: number) => any;
}

/** Define one decoder row. The field record type comes from the pattern string. */
export function row<const P extends string>(
  name: string,
  pattern: P,
  exec: Handler<Fields<P>>,
  options: RowOptions<Fields<P>> = {},
): Row<Fields<P>> {
  const { mask, match, fields } = compilePattern(pattern);
  const r: Row<Fields<P>> = {
    name,
    pattern,
    mask,
    match,
    prio: options.prio ?? 0,
    fields,
    exec,
    make: makeFactory(fields),
    ...(options.syndrome ? { syndrome: options.syndrome } : {}),
  };
  return r;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * A decoded instruction: the row, its field record, and the handler (what the executor caches), plus the fast-path
 * operation and its pre-extracted operands filled in once at decode time by ./fast.ts (`op` 0: run `exec`).
 * Every entry has the same fields (one object shape), so the executor's loads from it stay monomorphic.
 */
export interface Decoded {
  readonly insn: number;
  readonly row: Row;
  readonly f: any;
  readonly exec: Handler<any>;
  op: number;
  a: number;
  b: number;
  c: number;
  e: number;
  g: number;
  k: number;
}

/** Fills the fast-path fields of a new cache entry (see ./fast.ts). */
export type Specializer = (row: Row, f: any, d: Decoded) => void;

/** Rows bucketed by instruction bits [28:25] (the A64 top-level op0), each bucket in match order. */
export class Decoder {
  readonly rows: readonly Row[];
  private readonly buckets: Row[][] = [];
  /**
   * decoded-instruction cache keyed by the instruction word (direct mapped, 2^18 entries: the Linux boot's working
   * set of distinct words missed 1.5M times with 2^16 entries, 0.45M with 2^18; a miss scans the rows, allocates
   * the entry and its field record)
   */
  private readonly cacheKeys = new Int32Array(1 << 18);
  private readonly cacheVals: Array<Decoded | undefined> = new Array(1 << 18).fill(undefined);
  readonly undefinedRow: Row;

  private readonly specialize: Specializer | undefined;

  constructor(rows: readonly Row[], undefinedHandler: Handler<{ readonly insn: number }>, specialize?: Specializer) {
    this.specialize = specialize;
    // stable sort: higher prio, then more fixed bits, then table order
    const indexed = rows.map((r, i) => ({ r, i }));
    indexed.sort((a, b) => b.r.prio - a.r.prio || popcount(b.r.mask) - popcount(a.r.mask) || a.i - b.i);
    this.rows = indexed.map((e) => e.r);
    for (let op0 = 0; op0 < 16; op0++) {
      const bits = op0 << 25;
      this.buckets.push(this.rows.filter((r) => ((bits ^ r.match) & r.mask & (0xf << 25)) === 0));
    }
    this.undefinedRow = row('UNALLOCATED', 'insn:32', undefinedHandler);
    this.cacheKeys.fill(0);
    // key 0 is a valid instruction word (UDF #0); cacheVals[slot] undefined marks an empty slot
  }

  /** The first matching row, or the UNALLOCATED row. */
  lookup(insn: number): Row {
    const bucket = this.buckets[(insn >>> 25) & 0xf]!;
    for (let i = 0; i < bucket.length; i++) {
      const r = bucket[i]!;
      if (((insn & r.mask) >>> 0) === r.match) return r;
    }
    return this.undefinedRow;
  }

  /** Decode with the cache (the executor's path). */
  decode(insn: number): Decoded {
    const slot = Math.imul(insn, 0x9e3779b1) >>> 14; // 18 bits
    const hit = this.cacheVals[slot];
    if (hit !== undefined && this.cacheKeys[slot] === (insn | 0)) return hit;
    const r = this.lookup(insn >>> 0);
    const d: Decoded = { insn: insn >>> 0, row: r, f: r.make(insn >>> 0), exec: r.exec, op: 0, a: 0, b: 0, c: 0, e: 0, g: 0, k: 0 };
    if (this.specialize !== undefined) this.specialize(r, d.f, d);
    this.cacheKeys[slot] = insn | 0;
    this.cacheVals[slot] = d;
    return d;
  }

  /** Row name and fields, for --trace and diagnostics: `ADD_imm sf=1 sh=0 imm12=0x10 rn=1 rd=0`. */
  describe(insn: number): string {
    const r = this.lookup(insn >>> 0);
    const f = r.make(insn >>> 0) as Record<string, number>;
    const parts = r.fields.map(([n]) => {
      const v = f[n] ?? 0;
      return `${n}=${v > 9 ? '0x' + v.toString(16) : String(v)}`;
    });
    return [r.name, ...parts].join(' ');
  }
}
