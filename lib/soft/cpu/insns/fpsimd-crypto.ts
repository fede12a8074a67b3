/**
 * The ARMv8.0 Cryptographic Extension instructions the soft CPU's ID_AA64ISAR0_EL1 advertises (AES = 2: AES and
 * PMULL (PMULL is in ./fpsimd-sat), SHA1 = 1, SHA2 = 1):
 *
 *   AESE / AESD / AESMC / AESIMC,
 *   SHA1C / SHA1P / SHA1M / SHA1SU0 / SHA1H / SHA1SU1,
 *   SHA256H / SHA256H2 / SHA256SU0 / SHA256SU1.
 *
 * Everything works on 32-bit words (Uint32Array lanes) and bytes; the AES S-boxes are computed at load time from
 * their definition (multiplicative inverse in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, then the affine map).
 */
import { row, type Row } from '../decoder';
import type { Core } from '../core';

// ------------------------------------------------------------------------------------------ AES

/** GF(2^8) product modulo 0x11b */
function gmul(a: number, b: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11b;
    b >>= 1;
  }
  return r;
}

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
{
  const rotl8 = (x: number, k: number): number => ((x << k) | (x >>> (8 - k))) & 0xff;
  for (let x = 0; x < 256; x++) {
    let inv = 0;
    if (x) for (inv = 1; gmul(x, inv) !== 1; inv++);
    const s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
  }
}
const MUL = [2, 3, 9, 11, 13, 14].reduce<Record<number, Uint8Array>>((m, k) => {
  m[k] = Uint8Array.from({ length: 256 }, (_, x) => gmul(x, k));
  return m;
}, {});
const M2 = MUL[2]!;
const M3 = MUL[3]!;
const M9 = MUL[9]!;
const M11 = MUL[11]!;
const M13 = MUL[13]!;
const M14 = MUL[14]!;

/** The state is the 16 bytes of the register, column-major (byte 4c + r is row r of column c). */
function aes(c: Core, opcode: number, rn: number, rd: number): void {
  const v = c.v;
  const d = rd * 16;
  const n = rn * 16;
  const out = new Uint8Array(16);
  switch (opcode) {
    case 0b00100: // AESE: SubBytes(ShiftRows(Vd ^ Vn))
    case 0b00101: { // AESD: InvSubBytes(InvShiftRows(Vd ^ Vn))
      const enc = opcode === 0b00100;
      const box = enc ? SBOX : INV_SBOX;
      for (let col = 0; col < 4; col++) {
        for (let r = 0; r < 4; r++) {
          const src = 4 * ((enc ? col + r : col - r + 4) & 3) + r;
          out[4 * col + r] = box[v[d + src]! ^ v[n + src]!]!;
        }
      }
      break;
    }
    case 0b00110: // AESMC
      for (let col = 0; col < 4; col++) {
        const a0 = v[n + 4 * col]!;
        const a1 = v[n + 4 * col + 1]!;
        const a2 = v[n + 4 * col + 2]!;
        const a3 = v[n + 4 * col + 3]!;
        out[4 * col] = M2[a0]! ^ M3[a1]! ^ a2 ^ a3;
        out[4 * col + 1] = a0 ^ M2[a1]! ^ M3[a2]! ^ a3;
        out[4 * col + 2] = a0 ^ a1 ^ M2[a2]! ^ M3[a3]!;
        out[4 * col + 3] = M3[a0]! ^ a1 ^ a2 ^ M2[a3]!;
      }
      break;
    default: // AESIMC
      for (let col = 0; col < 4; col++) {
        const a0 = v[n + 4 * col]!;
        const a1 = v[n + 4 * col + 1]!;
        const a2 = v[n + 4 * col + 2]!;
        const a3 = v[n + 4 * col + 3]!;
        out[4 * col] = M14[a0]! ^ M11[a1]! ^ M13[a2]! ^ M9[a3]!;
        out[4 * col + 1] = M9[a0]! ^ M14[a1]! ^ M11[a2]! ^ M13[a3]!;
        out[4 * col + 2] = M13[a0]! ^ M9[a1]! ^ M14[a2]! ^ M11[a3]!;
        out[4 * col + 3] = M11[a0]! ^ M13[a1]! ^ M9[a2]! ^ M14[a3]!;
      }
  }
  v.set(out, d);
}

// ------------------------------------------------------------------------------------------ SHA

const rol = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
const ror = (x: number, k: number): number => ((x >>> k) | (x << (32 - k))) >>> 0;

/** The four 32-bit words of V[n] (element 0 first) */
function words(c: Core, n: number): number[] {
  const w = n * 4;
  const v32 = c.v32;
  return [v32[w]!, v32[w + 1]!, v32[w + 2]!, v32[w + 3]!];
}
function setWords(c: Core, n: number, x: readonly number[]): void {
  const w = n * 4;
  for (let i = 0; i < 4; i++) c.v32[w + i] = x[i]! >>> 0;
}

/** SHA1C / SHA1P / SHA1M: four rounds on the hash state Qd (abcd) and Sn (e) with the schedule words Vm */
function sha1Rounds(c: Core, kind: number, rd: number, rn: number, rm: number): void {
  const x = words(c, rd);
  let y = c.v32[rn * 4]!;
  const w = words(c, rm);
  for (let e = 0; e < 4; e++) {
    const b = x[1]!;
    const cc = x[2]!;
    const d = x[3]!;
    const t = kind === 0 ? ((cc ^ d) & b) ^ d : kind === 1 ? b ^ cc ^ d : (b & cc) | ((b | cc) & d);
    y = (y + rol(x[0]!, 5) + t + w[e]!) >>> 0;
    x[1] = rol(b, 30);
    // <Y, X> = ROL(Y:X, 32)
    const top = x[3]!;
    x[3] = x[2]!;
    x[2] = x[1]!;
    x[1] = x[0]!;
    x[0] = y;
    y = top;
  }
  setWords(c, rd, x);
}

const sigma0 = (x: number): number => ror(x, 2) ^ ror(x, 13) ^ ror(x, 22);
const sigma1 = (x: number): number => ror(x, 6) ^ ror(x, 11) ^ ror(x, 25);

/** SHA256hash(X, Y, W, part1) */
function sha256Hash(x: number[], y: number[], w: readonly number[], part1: boolean): number[] {
  for (let e = 0; e < 4; e++) {
    const chs = ((y[1]! ^ y[2]!) & y[0]!) ^ y[2]!;
    const maj = (x[0]! & x[1]!) | ((x[0]! | x[1]!) & x[2]!);
    const t = (y[3]! + sigma1(y[0]!) + chs + w[e]!) >>> 0;
    x[3] = (t + x[3]!) >>> 0;
    y[3] = (t + sigma0(x[0]!) + maj) >>> 0;
    // <Y, X> = ROL(Y:X, 32)
    const xTop = x[3];
    const yTop = y[3];
    x.splice(3, 1);
    x.unshift(yTop);
    y.splice(3, 1);
    y.unshift(xTop);
  }
  return part1 ? x : y;
}

function sha3reg(c: Core, opcode: number, rm: number, rn: number, rd: number): void {
  switch (opcode) {
    case 0b000: // SHA1C
    case 0b001: // SHA1P
    case 0b010: // SHA1M
      sha1Rounds(c, opcode, rd, rn, rm);
      return;
    case 0b011: { // SHA1SU0: (Vn<63:0> : Vd<127:64>) ^ Vd ^ Vm
      const d = words(c, rd);
      const n = words(c, rn);
      const m = words(c, rm);
      setWords(c, rd, [d[2]! ^ d[0]! ^ m[0]!, d[3]! ^ d[1]! ^ m[1]!, n[0]! ^ d[2]! ^ m[2]!, n[1]! ^ d[3]! ^ m[3]!]);
      return;
    }
    case 0b100: // SHA256H
    case 0b101: { // SHA256H2
      const d = words(c, rd);
      const n = words(c, rn);
      const m = words(c, rm);
      setWords(c, rd, opcode === 0b100 ? sha256Hash(d, n, m, true) : sha256Hash(n, d, m, false));
      return;
    }
    case 0b110: { // SHA256SU1
      const d = words(c, rd);
      const n = words(c, rn);
      const m = words(c, rm);
      const t0 = [n[1]!, n[2]!, n[3]!, m[0]!];
      const s1 = (x: number): number => ror(x, 17) ^ ror(x, 19) ^ (x >>> 10);
      const r0 = (s1(m[2]!) + d[0]! + t0[0]!) >>> 0;
      const r1 = (s1(m[3]!) + d[1]! + t0[1]!) >>> 0;
      const r2 = (s1(r0) + d[2]! + t0[2]!) >>> 0;
      const r3 = (s1(r1) + d[3]! + t0[3]!) >>> 0;
      setWords(c, rd, [r0, r1, r2, r3]);
      return;
    }
    default:
      c.undef();
  }
}

function sha2reg(c: Core, opcode: number, rn: number, rd: number): void {
  switch (opcode) {
    case 0b00000: { // SHA1H: Sd = ROL(Sn, 30)
      const x = rol(c.v32[rn * 4]!, 30);
      setWords(c, rd, [x, 0, 0, 0]);
      return;
    }
    case 0b00001: { // SHA1SU1
      const d = words(c, rd);
      const n = words(c, rn);
      const t = [d[0]! ^ n[1]!, d[1]! ^ n[2]!, d[2]! ^ n[3]!, d[3]!];
      setWords(c, rd, [rol(t[0]!, 1), rol(t[1]!, 1), rol(t[2]!, 1), rol(t[3]!, 1) ^ rol(t[0]!, 2)]);
      return;
    }
    case 0b00010: { // SHA256SU0
      const d = words(c, rd);
      const n = words(c, rn);
      const t = [d[1]!, d[2]!, d[3]!, n[0]!];
      const s0 = (x: number): number => ror(x, 7) ^ ror(x, 18) ^ (x >>> 3);
      setWords(c, rd, t.map((x, e) => (s0(x) + d[e]!) >>> 0));
      return;
    }
    default:
      c.undef();
  }
}

export const rows: Row[] = [
  row('AES', '01001110 size:2 10100 opcode:5 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.size !== 0 || f.opcode < 0b00100 || f.opcode > 0b00111) return c.undef();
    aes(c, f.opcode, f.rn, f.rd);
  }),
  row('SHA_3reg', '01011110 size:2 0 rm:5 0 opcode:3 00 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.size !== 0) return c.undef();
    sha3reg(c, f.opcode, f.rm, f.rn, f.rd);
  }),
  row('SHA_2reg', '01011110 size:2 10100 opcode:5 10 rn:5 rd:5', (c, f) => {
    c.checkFp();
    if (f.size !== 0) return c.undef();
    sha2reg(c, f.opcode, f.rn, f.rd);
  }),
];
