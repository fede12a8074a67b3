const fp = require('./out/fp.js');
const { execFileSync } = require('child_process');
let seed = Number(process.argv[3] || 1);
function rnd() { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; }
function r32() { return ((rnd() << 1) ^ rnd()) >>> 0; }
function r64() { return (BigInt(r32()) << 32n) | BigInt(r32()); }
const sp32 = [0,0x80000000,1,0x80000001,0x007fffff,0x807fffff,0x00800000,0x80800000,0x3f800000,0xbf800000,0x3fc00000,0x7f7fffff,0xff7fffff,0x7f800000,0xff800000,0x7fc00000,0x7fc12345,0xffc00001,0x7f800001,0xff812345,0x4b000000,0x4b000001,0x3f000000,0x3fbfffff,0x00000003,0x4effffff,0x4f000000,0xcf000000,0x5f000000,0x5f7fffff,0x34000000,0x00400000];
const sp64 = [0n,1n<<63n,1n,(1n<<63n)|1n,0x000fffffffffffffn,0x0010000000000000n,0x8010000000000000n,0x3ff0000000000000n,0xbff0000000000000n,0x3ff8000000000000n,0x7fefffffffffffffn,0xffefffffffffffffn,0x7ff0000000000000n,0xfff0000000000000n,0x7ff8000000000000n,0x7ff8000000012345n,0xfff0000000000001n,0x7ff4000000abcdefn,0x4330000000000000n,0x3fe0000000000000n,0x41dfffffffc00000n,0x41e0000000000000n,0xc1e0000000000000n,0x43e0000000000000n,0x43f0000000000000n,0x3810000000000000n,0x3800000000000000n,0x47efffffe0000000n,0x47efffffefffffffn,0x36a0000000000000n,0x40f0000000000000n,0x40effc0000000000n,0x3e80000000000000n];
function pick32() {
  const k = rnd() % 6;
  if (k === 0) return sp32[rnd() % sp32.length];
  if (k === 1) return (0x3f000000 + (rnd() % 0x2000000)) >>> 0 | (rnd() & 1 ? 0x80000000 : 0);
  if (k === 2) return (rnd() % 0x01000000) | (rnd() & 1 ? 0x80000000 : 0); // tiny
  if (k === 3) return (0x7e800000 + (rnd() % 0x1000000)) >>> 0; // huge
  return r32();
}
function pick64() {
  const k = rnd() % 6;
  if (k === 0) return sp64[rnd() % sp64.length];
  if (k === 1) return ((0x3fen + BigInt(rnd() % 4)) << 52n) | (r64() & ((1n << 52n) - 1n)) | (rnd() & 1 ? 1n << 63n : 0n);
  if (k === 2) return (r64() & ((1n << 54n) - 1n)) | (rnd() & 1 ? 1n << 63n : 0n);
  if (k === 3) return ((0x7fdn + BigInt(rnd() % 2)) << 52n) | (r64() & ((1n << 52n) - 1n));
  if (k === 4) return ((0x3ffn + BigInt(rnd() % 80) - 40n) << 52n) | (r64() & ((1n << 52n) - 1n)) | (rnd() & 1 ? 1n << 63n : 0n);
  return r64();
}
const fpcrs = [0, 1<<22, 2<<22, 3<<22, 1<<24, 1<<25, (1<<24)|(1<<25)|(2<<22), 1<<26, (1<<26)|(3<<22), (1<<24)|(1<<22)];
const RM = { n: 0, a: 4, p: 1, m: 2, z: 3 };
const ops = [];
for (const w of [32, 64]) {
  for (const o of ['add','sub','mul','nmul','div','sqrt','madd','msub','nmadd','nmsub','max','min','maxnm','minnm','frintn','frinta','frintp','frintm','frintz','frintx','frinti','cvtsd','cvth','cmp','cmpe','cmpz']) ops.push([o + w, w]);
  for (const m of 'nampz') for (const s of 'su') for (const g of 'wx') ops.push([`fcvt${m}${s}${g}${w}`, w]);
  for (const s of 'su') { ops.push([`fcvtz${s}w5_${w}`, w]); ops.push([`fcvtz${s}x40_${w}`, w]); for (const g of 'xw') { ops.push([`${s}cvtf${g}${w}`, w]); ops.push([`${s}cvtf${g}3_${w}`, w]); } }
  ops.push(['cvtfh' + w, w]);
}
function run(op, w, fpcr, a, b, c, slow) {
  const env = { fpcr, fpsr: 0 };
  const N = w;
  let m;
  const A = BigInt(a), B = BigInt(b), C = BigInt(c);
  let r;
  const base = op.replace(/\d+$/, '').replace(/_$/, '');
  const F = slow ? { add: fp.fpAddN, sub: fp.fpSubN, mul: fp.fpMulN, div: fp.fpDivN, sqrt: fp.fpSqrtN, cmp: fp.fpCompareN } : { add: fp.fpAdd, sub: fp.fpSub, mul: fp.fpMul, div: fp.fpDiv, sqrt: fp.fpSqrt, cmp: fp.fpCompare };
  const rmode = (fpcr >> 22) & 3;
  if (base === 'add' || base === 'sub' || base === 'mul' || base === 'div') r = F[base](N, A, B, env);
  else if (base === 'nmul') r = fp.fpNeg(N, F.mul(N, A, B, env));
  else if (base === 'sqrt') r = F.sqrt(N, A, env);
  else if (base === 'madd') r = (slow ? fp.fpMulAddN : fp.fpMulAdd)(N, C, A, B, env);
  else if (base === 'msub') r = fp.fpMulAddN(N, C, fp.fpNeg(N, A), B, env);
  else if (base === 'nmadd') r = fp.fpMulAddN(N, fp.fpNeg(N, C), fp.fpNeg(N, A), B, env);
  else if (base === 'nmsub') r = fp.fpMulAddN(N, fp.fpNeg(N, C), A, B, env);
  else if (base === 'max') r = fp.fpMaxN(N, A, B, env);
  else if (base === 'min') r = fp.fpMinN(N, A, B, env);
  else if (base === 'maxnm') r = fp.fpMaxNumN(N, A, B, env);
  else if (base === 'minnm') r = fp.fpMinNumN(N, A, B, env);
  else if ((m = /^frint(.)$/.exec(base))) { const k = m[1]; r = fp.fpRoundIntN(N, A, env, k === 'x' || k === 'i' ? rmode : RM[k], k === 'x'); }
  else if (base === 'cvtsd') r = w === 32 ? fp.fpConvertN(64, 32, A, env) : fp.fpConvertN(32, 64, A, env);
  else if (base === 'cvth') r = fp.fpConvertN(w, 16, A, env);
  else if (base === 'cvtfh') r = fp.fpConvertN(16, w, A, env);
  else if (base === 'cmp' || base === 'cmpe') r = BigInt(F.cmp(N, A, B, base === 'cmpe', env)) << 28n;
  else if (base === 'cmpz') r = BigInt(F.cmp(N, A, 0n, false, env)) << 28n;
  else if ((m = /^fcvt(.)(.)([wx])(\d*)$/.exec(base))) r = fp.fpToFixedN(N, A, m[4] ? Number(m[4]) : 0, m[2] === 'u', env, RM[m[1]], m[3] === 'w' ? 32 : 64);
  else if ((m = /^(.)cvtf([wx])(\d*)$/.exec(base))) r = fp.fixedToFpN(N, A, m[2] === 'w' ? 32 : 64, m[3] ? Number(m[3]) : 0, m[1] === 'u', env, rmode);
  else throw new Error('op ' + op);
  return [r, env.fpsr];
}
if (process.env.OPS) { const re = new RegExp(process.env.OPS); for (let i = ops.length - 1; i >= 0; i--) if (!re.test(ops[i][0])) ops.splice(i, 1); }
const count = Number(process.argv[2] || 2000);
const lines = [], cases = [];
for (let i = 0; i < count; i++) {
  const [op, w] = ops[rnd() % ops.length];
  const fpcr = fpcrs[rnd() % fpcrs.length];
  let a, b, c;
  if (/cvtfh/.test(op)) { a = BigInt(r32() & 0xffff); if (rnd()%3===0) a = BigInt([0x7c00,0xfc00,0x7e00,0x7d00,0x0001,0x03ff,0x0400,0x7bff,0x8001][rnd()%9]); b = c = 0n; }
  else if (/^cvtsd32/.test(op)) { a = pick64(); b = c = 0n; }
  else if (/^cvtsd64/.test(op)) { a = BigInt(pick32()); b = c = 0n; }
  else if (/cvtf/.test(op)) { a = rnd()%2 ? r64() : BigInt(rnd()%1000) - 500n & 0xffffffffffffffffn; if (/cvtfw/.test(op)) a &= 0xffffffffn; b = c = 0n; }
  else if (w === 32) { a = BigInt(pick32()); b = BigInt(pick32()); c = BigInt(pick32()); if (rnd()%4===0) b = a ^ BigInt(rnd()%4) ^ 0x80000000n; }
  else { a = pick64(); b = pick64(); c = pick64(); if (rnd()%4===0) b = a ^ BigInt(rnd()%4) ^ (1n<<63n); }
  cases.push([op, w, fpcr, a, b, c]);
  lines.push(`${op} ${fpcr.toString(16)} ${a.toString(16)} ${b.toString(16)} ${c.toString(16)}`);
}
const out = execFileSync('qemu-aarch64', ['./fpq'], { input: lines.join('\n') + '\n', maxBuffer: 1 << 26 }).toString().trim().split('\n');
let bad = 0;
for (let i = 0; i < cases.length; i++) {
  const [op, w, fpcr, a, b, c] = cases[i];
  const [qr, qf] = out[i].split(' ').map((x) => BigInt('0x' + x));
  for (const slow of [false, true]) {
    let r, f;
    try { [r, f] = run(op, w, fpcr, a, b, c, slow); } catch (e) { r = -1n; f = -1; console.log('THROW', op, e.message); }
    let rr = r;
    if (/^fcvt..w/.test(op) || /fcvtz.w5/.test(op)) rr = r;
    if (process.env.BREAK ? rr === qr : rr !== qr || BigInt(f) !== qf) {
      bad++;
      if (bad < 40) console.log(`${slow ? 'slow' : 'fast'} ${lines[i]} => qemu ${qr.toString(16)} fpsr ${qf.toString(16)}  mine ${rr.toString(16)} fpsr ${f.toString(16)}`);
    }
  }
}
console.log(`${cases.length} cases, ${bad} mismatches`);
if (process.env.DUMP) {
  const rows = cases.map((cs, i) => { const [op, w, fpcr, a, b, c] = cs; return `  '${op} ${fpcr.toString(16)} ${a.toString(16)} ${b.toString(16)} ${c.toString(16)} ${out[i]}',`; });
  require('fs').writeFileSync(process.env.DUMP, rows.join('\n') + '\n');
}
