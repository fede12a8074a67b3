/**
 * Differential oracle for the A64 interpreter: random snippets per encoding class run under qemu-aarch64
 * (-cpu cortex-a57) through test/oracle/harness/harness.c and on lib/soft/cpu; every register, NZCV, the pc and
 * signal of the trap that ends the snippet, the scratch memory hash, V0-V31, FPSR and FPCR must agree.
 *
 * ORACLE_COUNT (default 1000000) snippets per run, ORACLE_SEED (default: a new seed every run, printed) and
 * ORACLE_BATCH (default 20000). The classes come from the interpreter's decoder table (see a64-diff.ts).
 * Replay a failure with `node scripts/oracle.js --seed S --class NAME --count N`.
 */
import { CLASSES, Rng, generate, laneEdge } from './a64-gen';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classStatus, compare, loadDecoder, schedule } from './a64-diff';
import { loadCreateCpu } from './a64-interp';
import { oracleUnavailable, runHarness } from './a64-qemu';
import { SCRATCH_ADDR, SIGBUS, SIGILL, decodeOut, encodeIn, fnv1a, scratchInit, type SnippetIn } from './a64-record';

const why = oracleUnavailable();
const d = why ? (console.warn(`skipped: A64 differential oracle: ${why}`), describe.skip) : describe;

const COUNT = Number(process.env['ORACLE_COUNT'] ?? 1_000_000);
const SEED = Number(process.env['ORACLE_SEED'] ?? ((Date.now() ^ (process.pid << 16)) >>> 0));
const BATCH = Number(process.env['ORACLE_BATCH'] ?? 20000);

function blank(insns: number[]): SnippetIn {
  return { cls: 'manual', insns, x: Array.from({ length: 31 }, (_, i) => BigInt(i) * 0x101n), sp: 0x7fff0000n, nzcv: 0, fpsr: 0, fpcr: 0, v: new Uint8Array(512) };
}

describe('A64 oracle generator (no qemu needed)', () => {
  test('the run schedule gives every class its weight, spread over the cycle', () => {
    const s = schedule(CLASSES);
    for (const c of CLASSES) expect(s.filter((x) => x === c).length).toBe(c.weight ?? 1);
    // the first cycle round lists every class once, in order
    expect(s.slice(0, CLASSES.length)).toEqual([...CLASSES]);
    expect(() => schedule([{ ...(CLASSES[0] as (typeof CLASSES)[number]), weight: 0 }])).toThrow(RangeError);
  });

  test('integer lanes hit the saturation edges of every lane size', () => {
    const r = new Rng(9);
    for (const e of [8, 16, 32]) {
      const m = e === 32 ? 0xffffffff : 2 ** e - 1;
      const seen = new Set<number>();
      const outOfRange: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const v = laneEdge(r, e);
        if (!(Number.isInteger(v) && v >= 0 && v <= m)) outOfRange.push(v);
        seen.add(v);
      }
      expect(outOfRange).toEqual([]);
      for (const want of [0, 1, m, (m - 1) / 2, (m + 1) / 2, (m - 1) / 2 - 1, (m + 1) / 2 + 1, m - 1]) expect(seen.has(want)).toBe(true);
    }
  });
});

d('A64 differential oracle (qemu-aarch64)', () => {
  test('the harness captures registers, flags, memory, V registers, FPSR and FPCR exactly', async () => {
    const a = blank([0x8b020020]); // add x0, x1, x2
    const b = blank([0xab1f03ff]); // cmn xzr, xzr ... adds xzr, xzr, xzr: Z=1
    b.nzcv = 0x90000000;
    const c = blank([0xf9000381]); // str x1, [x28]
    c.x[28] = BigInt(SCRATCH_ADDR + 8);
    const e = blank([0x1e622820]); // fadd d0, d1, d2
    const fv = new DataView(e.v.buffer);
    fv.setFloat64(16, 1.5, true);
    fv.setFloat64(32, 2.25, true);
    fv.setUint32(16 + 12, 0xdeadbeef, true); // upper half of v1: not touched by a scalar add to d0
    e.fpsr = 0x10; // IXC set on input: sticky
    e.fpcr = 0x00c00000; // round towards zero
    const f = blank([0xf9400000]); // ldr x0, [x0] with x0 = 0: SIGSEGV at address 0
    const out = await runHarness(encodeIn([a, b, c, e, f]));
    const o = [0, 1, 2, 3, 4].map((i) => decodeOut(out, i));
    expect(o[0]!.x[0]).toBe(0x101n + 0x202n);
    expect(o[0]!.signo).toBe(SIGILL);
    expect(o[0]!.pcIndex).toBe(1);
    expect(o[1]!.nzcv >>> 0).toBe(0x40000000);
    const mem = scratchInit();
    new DataView(mem.buffer).setBigUint64(8, 0x101n, true);
    expect(o[2]!.memHash).toBe(fnv1a(mem));
    expect(o[0]!.memHash).toBe(fnv1a(scratchInit()));
    const ov = new DataView(o[3]!.v.buffer, o[3]!.v.byteOffset, 512);
    expect(ov.getFloat64(0, true)).toBe(3.75);
    expect(ov.getBigUint64(8, true)).toBe(0n);
    expect(ov.getUint32(16 + 12, true)).toBe(0xdeadbeef);
    expect(o[3]!.fpsr).toBe(0x10);
    expect(o[3]!.fpcr).toBe(0x00c00000);
    expect(o[4]!.signo).toBe(11);
    expect(o[4]!.pcIndex).toBe(0);
    expect(o[4]!.faultAddr).toBe(0n);
  });

  test('every generated snippet is valid on the reference: it runs to its UDF (except deliberate unaligned exclusives and dp-random)', async () => {
    const r = new Rng(SEED);
    const recs: SnippetIn[] = [];
    for (const c of CLASSES) for (let i = 0; i < 1000; i++) recs.push(generate(c, r, recs.length));
    const out = await runHarness(encodeIn(recs));
    const bad: string[] = [];
    recs.forEach((rec, i) => {
      const o = decodeOut(out, i);
      const atUdf = o.signo === SIGILL && o.pcIndex >= rec.insns.length;
      const unalignedOk = o.signo === SIGBUS && (rec.cls === 'exclusive' || rec.cls === 'ldar-stlr');
      const undefOk = o.signo === SIGILL && rec.cls === 'dp-random'; // unallocated words are the point there
      if (!atUdf && !unalignedOk && !undefOk && bad.length < 10) {
        bad.push(`${rec.cls}: ${rec.insns.map((w) => w.toString(16).padStart(8, '0')).join(' ')} -> signal ${o.signo} at ${o.pcIndex}`);
      }
    });
    expect(bad).toEqual([]);
  }, 120_000);

  test('the comparison sees a one-bit difference in every compared field', () => {
    const r = new Rng(1);
    const base = { x: Array.from({ length: 31 }, () => r.u64()), sp: 8n, nzcv: 0, pcIndex: 1, signo: SIGILL, faultAddr: 0n, memHash: 5, fpsr: 0, fpcr: 0, v: new Uint8Array(512) };
    expect(compare(base, { ...base, x: [...base.x], v: base.v.slice() })).toEqual([]);
    const flips: Array<(o: typeof base) => void> = [
      (o) => { o.x[17] = (o.x[17] as bigint) ^ (1n << 63n); },
      (o) => { o.sp ^= 1n; },
      (o) => { o.nzcv = 0x10000000; },
      (o) => { o.pcIndex = 2; },
      (o) => { o.signo = SIGBUS; },
      (o) => { o.memHash ^= 1; },
      (o) => { o.fpsr = 1; },
      (o) => { o.fpcr = 1 << 22; },
      (o) => { o.v[31 * 16 + 15] = (o.v[31 * 16 + 15] ?? 0) ^ 0x80; },
    ];
    for (const flip of flips) {
      const o = { ...base, x: [...base.x], v: base.v.slice() };
      flip(o);
      expect(compare(base, o).length).toBe(1);
    }
  });

  // The run itself goes through scripts/oracle.js in a child Node process: inside jest's module sandbox the
  // interpreter ran several times slower (measured: ~7 CPU-minutes vs 68 s for 10^6 snippets).
  test(`${COUNT} snippets over every class the decoder registers: zero mismatches`, async () => {
    const create = loadCreateCpu();
    if (typeof create === 'string') throw new Error(`the interpreter is not available: ${create}`);
    const dec = loadDecoder();
    if (typeof dec === 'string') throw new Error(dec);
    const status = classStatus(dec);
    expect(status.some((s) => s.enabled)).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvm-arm-oracle-run-'));
    const json = path.join(dir, 'result.json');
    const script = path.join(__dirname, '..', '..', 'scripts', 'oracle.js');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [script, '--count', String(COUNT), '--seed', String(SEED), '--batch', String(BATCH), '--json', json], { stdio: ['ignore', 'pipe', 'ignore'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => chunks.push(b));
      child.on('error', reject);
      child.on('close', () => resolve(Buffer.concat(chunks).toString()));
    });
    console.log(`A64 oracle (replay: node scripts/oracle.js --seed ${SEED} --count ${COUNT})\n${out}`);
    const res = JSON.parse(fs.readFileSync(json, 'utf8')) as { total: number; mismatches: number; perClass: Record<string, { count: number }> };
    fs.rmSync(dir, { recursive: true, force: true });
    expect(res.total).toBe(COUNT);
    for (const s of status.filter((x) => x.enabled)) expect(res.perClass[s.cls.name]?.count ?? 0).toBeGreaterThan(0);
    expect(res.mismatches).toBe(0);
  }, 30 * 60 * 1000);
});
