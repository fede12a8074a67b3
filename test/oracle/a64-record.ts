/**
 * Snippet records shared by the generator, the arm64 harness (test/oracle/harness/harness.c: same layout) and
 * the interpreter runner. All little-endian.
 */

export const MAX_INSNS = 16;
/** Words per code slot: the snippet, then UDF #0 (0x00000000) up to the end of the slot. */
export const SLOT_WORDS = 20;
export const SLOT_BYTES = SLOT_WORDS * 4;
export const SCRATCH_ADDR = 0x80000;
export const SCRATCH_SIZE = 4096;
export const CODE_ADDR = 0x20000000;
export const IN_SIZE = 856;
export const OUT_SIZE = 816;

/** Record flags (informational; the harness always installs the whole state). */
export const FLAG_FP = 1;

export interface SnippetIn {
  /** encoding class name (not part of the binary record) */
  cls: string;
  insns: number[];
  x: bigint[]; // 31
  sp: bigint;
  nzcv: number; // bits 31:28
  fpsr: number;
  fpcr: number;
  v: Uint8Array; // 32 * 16
}

export interface SnippetOut {
  x: bigint[];
  sp: bigint;
  nzcv: number;
  pcIndex: number;
  /** 4 SIGILL, 5 SIGTRAP, 7 SIGBUS, 8 SIGFPE, 11 SIGSEGV; for the interpreter the equivalent kind */
  signo: number;
  faultAddr: bigint;
  memHash: number;
  fpsr: number;
  fpcr: number;
  v: Uint8Array;
}

export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGSEGV = 11;

export function slotAddr(i: number): number {
  return CODE_ADDR + i * SLOT_BYTES;
}

export function encodeIn(recs: readonly SnippetIn[]): Buffer {
  const buf = Buffer.alloc(recs.length * IN_SIZE);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  recs.forEach((r, i) => {
    const o = i * IN_SIZE;
    if (r.insns.length > MAX_INSNS) throw new RangeError(`snippet ${i}: ${r.insns.length} instructions`);
    dv.setUint32(o, r.insns.length, true);
    dv.setUint32(o + 4, 0, true);
    r.insns.forEach((w, k) => dv.setUint32(o + 8 + k * 4, w >>> 0, true));
    for (let k = 0; k < 31; k++) dv.setBigUint64(o + 72 + k * 8, r.x[k] ?? 0n, true);
    dv.setBigUint64(o + 320, r.sp, true);
    dv.setBigUint64(o + 328, BigInt(r.nzcv >>> 0), true);
    dv.setUint32(o + 336, r.fpsr >>> 0, true);
    dv.setUint32(o + 340, r.fpcr >>> 0, true);
    buf.set(r.v, o + 344);
  });
  return buf;
}

export function decodeOut(buf: Buffer, i: number): SnippetOut {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const o = i * OUT_SIZE;
  const x: bigint[] = [];
  for (let k = 0; k < 31; k++) x.push(dv.getBigUint64(o + k * 8, true));
  return {
    x,
    sp: dv.getBigUint64(o + 248, true),
    nzcv: Number(dv.getBigUint64(o + 256, true)),
    pcIndex: Number(dv.getBigUint64(o + 264, true)),
    signo: Number(dv.getBigUint64(o + 272, true)),
    faultAddr: dv.getBigUint64(o + 280, true),
    memHash: Number(dv.getBigUint64(o + 288, true)),
    fpsr: dv.getUint32(o + 296, true),
    fpcr: dv.getUint32(o + 300, true),
    v: buf.subarray(o + 304, o + 304 + 512),
  };
}

/** The scratch page's contents before every snippet (the harness builds the same bytes). */
export function scratchInit(): Uint8Array {
  const m = new Uint8Array(SCRATCH_SIZE);
  for (let i = 0; i < SCRATCH_SIZE; i++) m[i] = (i * 167 + 13) & 0xff;
  return m;
}

/** FNV-1a, 32 bit. */
export function fnv1a(p: Uint8Array): number {
  let h = 2166136261;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ (p[i] as number), 16777619) >>> 0;
  return h >>> 0;
}
