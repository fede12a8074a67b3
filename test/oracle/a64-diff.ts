/**
 * The differential runner: generated snippets through the arm64 harness (qemu-aarch64 or native arm64) and
 * through lib/soft/cpu, compared field by field. Used by a64-diff.test.ts (CI) and scripts/oracle.js.
 *
 * Which classes run comes from the interpreter's decoder table: a class joins as soon as any of its encodings
 * is registered there (and the helper instructions its snippets use are), so new instruction groups are checked
 * from the commit that registers them. A partially registered class runs too: its mismatches show.
 */
import type { Row } from '../../lib/soft/cpu/decoder';
import { CLASSES, Rng, generate, type EncodingClass } from './a64-gen';
import { InterpRunner, loadCreateCpu } from './a64-interp';
import { disassemble, runHarness } from './a64-qemu';
import { SIGBUS, SIGILL, SIGSEGV, decodeOut, encodeIn, slotAddr, type SnippetIn, type SnippetOut } from './a64-record';

// ---------------------------------------------------------------------------------------------- class list

interface DecoderLike {
  lookup(insn: number): Row;
}

/** The decoder built from the interpreter's table, or the reason it is not available. */
export function loadDecoder(): DecoderLike | string {
  let mod: Record<string, unknown>;
  let Dec: (new (rows: readonly Row[], h: (c: never, f: never) => void) => DecoderLike) | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    Dec = (require('../../lib/soft/cpu/decoder') as { Decoder: typeof Dec }).Decoder;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    mod = require('../../lib/soft/cpu/insns') as Record<string, unknown>;
  } catch (e) {
    return `the decoder table (lib/soft/cpu/insns) cannot be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
  const isRow = (r: unknown): r is Row =>
    typeof r === 'object' && r !== null && typeof (r as Row).mask === 'number' && typeof (r as Row).match === 'number' && typeof (r as Row).name === 'string';
  const rows: Row[] = [];
  const seen = new Set<unknown>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) for (const r of v) if (isRow(r) && !seen.has(r)) { seen.add(r); rows.push(r); }
  };
  for (const v of Object.values(mod)) {
    collect(v);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const w of Object.values(v)) collect(w);
  }
  if (rows.length === 0 || !Dec) return 'lib/soft/cpu/insns exports no decoder rows';
  return new Dec(rows, () => undefined);
}

const UNALLOCATED = /^(UNALLOCATED|UDF|UNDEFINED)/i;

export interface ClassStatus {
  cls: EncodingClass;
  enabled: boolean;
  /** fraction of the class's sampled encodings that the decoder table registers */
  coverage: number;
  reason: string;
}

/** Which classes the decoder table registers. */
export function classStatus(decoder: DecoderLike, classes: readonly EncodingClass[] = CLASSES): ClassStatus[] {
  return classes.map((cls) => {
    const r = new Rng(0x5eed);
    let subject = 0;
    let registered = 0;
    const missing = new Set<number>();
    for (let i = 0; i < 300; i++) {
      for (const w of generate(cls, r, i).insns) {
        if (!cls.patterns.some((p) => ((w & p.mask) >>> 0) === p.match)) continue;
        subject++;
        if (!UNALLOCATED.test(decoder.lookup(w).name)) registered++;
        else if (missing.size < 3) missing.add(w);
      }
    }
    const helpersMissing = (cls.helpers ?? []).filter((w) => UNALLOCATED.test(decoder.lookup(w).name));
    const coverage = subject ? registered / subject : 0;
    let reason = '';
    if (registered === 0) reason = 'no encoding of the class is in the decoder table';
    else if (helpersMissing.length) reason = `helper instructions not in the decoder: ${helpersMissing.map((w) => w.toString(16)).join(', ')}`;
    else if (coverage < 1 && !cls.random) reason = `partial: ${(coverage * 100).toFixed(1)}% of sampled encodings registered (e.g. ${[...missing].map((w) => w.toString(16).padStart(8, '0')).join(', ')})`;
    return { cls, enabled: registered > 0 && helpersMissing.length === 0, coverage, reason };
  });
}

// ---------------------------------------------------------------------------------------------- comparison

const hex = (v: bigint | number, w = 16): string => '0x' + v.toString(16).padStart(w, '0');

/** Field-by-field differences between the reference output and the interpreter's. */
export function compare(ref: SnippetOut, got: SnippetOut): string[] {
  const d: string[] = [];
  if (ref.signo !== got.signo) d.push(`signal ${ref.signo} vs ${got.signo}`);
  if (ref.pcIndex !== got.pcIndex) d.push(`pc index ${ref.pcIndex} vs ${got.pcIndex}`);
  if ((ref.signo === SIGSEGV || ref.signo === SIGBUS) && ref.signo === got.signo && ref.faultAddr !== got.faultAddr) {
    d.push(`fault address ${hex(ref.faultAddr)} vs ${hex(got.faultAddr)}`);
  }
  for (let k = 0; k < 31; k++) if (ref.x[k] !== got.x[k]) d.push(`x${k} ${hex(ref.x[k] as bigint)} vs ${hex(got.x[k] as bigint)}`);
  if (ref.sp !== got.sp) d.push(`sp ${hex(ref.sp)} vs ${hex(got.sp)}`);
  if (ref.nzcv !== got.nzcv) d.push(`nzcv ${(ref.nzcv >>> 28).toString(2).padStart(4, '0')} vs ${(got.nzcv >>> 28).toString(2).padStart(4, '0')}`);
  if (ref.memHash !== got.memHash) d.push(`memory hash ${hex(ref.memHash, 8)} vs ${hex(got.memHash, 8)}`);
  if (ref.fpsr !== got.fpsr) d.push(`fpsr ${hex(ref.fpsr, 8)} vs ${hex(got.fpsr, 8)}`);
  if (ref.fpcr !== got.fpcr) d.push(`fpcr ${hex(ref.fpcr, 8)} vs ${hex(got.fpcr, 8)}`);
  for (let n = 0; n < 32; n++) {
    const a = ref.v.subarray(n * 16, n * 16 + 16);
    const b = got.v.subarray(n * 16, n * 16 + 16);
    if (!a.every((x, i) => x === b[i])) d.push(`v${n} ${vhex(a)} vs ${vhex(b)}`);
  }
  return d;
}

function vhex(b: Uint8Array): string {
  return '0x' + Buffer.from(b).reverse().toString('hex');
}

export interface Mismatch {
  cls: string;
  seed: number;
  index: number;
  input: SnippetIn;
  ref: SnippetOut;
  got: SnippetOut;
  diffs: string[];
}

/** A readable report of one mismatch: words, disassembly, input state, both outputs. */
export function formatMismatch(m: Mismatch, slot: number): string {
  const dis = disassemble(m.input.insns);
  const lines = [`MISMATCH class ${m.cls} (seed ${m.seed}, snippet ${m.index}, code at ${hex(slotAddr(slot), 8)})`];
  m.input.insns.forEach((w, i) => lines.push(`  ${i}: ${w.toString(16).padStart(8, '0')}  ${dis[i] ?? ''}`));
  lines.push(`  ${m.input.insns.length}: 00000000  udf #0`);
  lines.push('  differences (qemu vs interpreter):');
  for (const d of m.diffs) lines.push(`    ${d}`);
  const regs = (x: readonly bigint[]): string =>
    x.map((v, k) => `x${k}=${v.toString(16)}`).join(' ');
  lines.push(`  input: ${regs(m.input.x)} sp=${m.input.sp.toString(16)} nzcv=${(m.input.nzcv >>> 28).toString(2).padStart(4, '0')} fpsr=${hex(m.input.fpsr, 8)} fpcr=${hex(m.input.fpcr, 8)}`);
  const usedV = new Set<number>();
  for (const d of m.diffs) { const mm = /^v(\d+) /.exec(d); if (mm) usedV.add(Number(mm[1])); }
  if (m.input.fpcr || m.input.v.some((b) => b !== 0)) {
    lines.push('  input V: ' + Array.from({ length: 32 }, (_, n) => `v${n}=${vhex(m.input.v.subarray(n * 16, n * 16 + 16))}`).join(' '));
  }
  lines.push(`  qemu:  signal ${m.ref.signo} pc+${m.ref.pcIndex * 4} ${regs(m.ref.x)} sp=${m.ref.sp.toString(16)}`);
  lines.push(`  interp: signal ${m.got.signo} pc+${m.got.pcIndex * 4} ${regs(m.got.x)} sp=${m.got.sp.toString(16)}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- the run

export interface OracleOptions {
  count: number;
  seed: number;
  classes: readonly EncodingClass[];
  batch?: number;
  /** stop collecting details after this many mismatches (all are still counted) */
  keep?: number;
  log?: (s: string) => void;
}

export interface ClassResult {
  count: number;
  mismatches: number;
  /**
   * Snippets where the interpreter took UNDEFINED on an instruction the reference executed: an encoding inside
   * a registered decoder row whose handler does not implement it yet. For the int/branch/mem groups (finished)
   * these count as mismatches; for fp/simd (in progress) they are reported, with the instruction words.
   */
  unimplemented: number;
  unimplementedWords: Map<number, number>;
}

/** Groups where an UNDEFINED-in-the-interpreter outcome is reported as "not implemented yet" instead of failing. */
export const IN_PROGRESS_GROUPS: ReadonlySet<string> = new Set(
  (process.env['ORACLE_IN_PROGRESS'] ?? 'fp,simd').split(',').filter((g) => g !== ''),
);

export interface OracleResult {
  total: number;
  mismatches: number;
  perClass: Map<string, ClassResult>;
  details: string[];
  seconds: number;
  /** time spent inside the interpreter runner and waiting for qemu, for the report */
  interpSeconds: number;
  waitSeconds: number;
}

/**
 * The order snippets cycle through the classes: class c appears `c.weight` (default 1) times per cycle, spread
 * out (round w lists every class whose weight exceeds w), so every batch interleaves all classes.
 */
export function schedule(classes: readonly EncodingClass[]): EncodingClass[] {
  const ws = classes.map((c) => {
    const w = c.weight ?? 1;
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`class ${c.name}: weight ${w} is not a positive integer`);
    return w;
  });
  const out: EncodingClass[] = [];
  for (let round = 0; round < Math.max(...ws); round++) classes.forEach((c, i) => { if ((ws[i] as number) > round) out.push(c); });
  return out;
}

/** Runs `count` snippets spread over `classes` by weight (interleaved in every batch). */
export async function runOracle(o: OracleOptions): Promise<OracleResult> {
  const create = loadCreateCpu();
  if (typeof create === 'string') throw new Error(create);
  if (o.classes.length === 0) throw new RangeError('runOracle: no classes');
  const batch = o.batch ?? 20000;
  const keep = o.keep ?? 5;
  const interp = new InterpRunner(create, batch);
  const perClass = new Map<string, ClassResult>(o.classes.map((c) => [c.name, { count: 0, mismatches: 0, unimplemented: 0, unimplementedWords: new Map() }]));
  const groupOf = new Map(o.classes.map((c) => [c.name, c.group]));
  const details: string[] = [];
  let mismatches = 0;
  const t0 = process.hrtime.bigint();
  let interpNs = 0n;
  let waitNs = 0n;
  const sched = schedule(o.classes);
  const makeBatch = (k: number, n: number): SnippetIn[] => {
    const r = new Rng((o.seed + Math.imul(k, 0x9e3779b1)) >>> 0);
    const recs: SnippetIn[] = [];
    for (let i = 0; i < n; i++) recs.push(generate(sched[(k * batch + i) % sched.length] as EncodingClass, r, i));
    return recs;
  };
  const nb = Math.ceil(o.count / batch);
  let recs = makeBatch(0, Math.min(batch, o.count));
  let pending = runHarness(encodeIn(recs));
  for (let k = 0; k < nb; k++) {
    // qemu works on batch k in a child process while this thread runs the interpreter on it
    const ti = process.hrtime.bigint();
    const got = interp.runBatch(recs);
    const tw = process.hrtime.bigint();
    interpNs += tw - ti;
    const refBuf = await pending;
    waitNs += process.hrtime.bigint() - tw;
    const cur = recs;
    // start the next batch before comparing this one
    if (k + 1 < nb) {
      recs = makeBatch(k + 1, Math.min(batch, o.count - (k + 1) * batch));
      pending = runHarness(encodeIn(recs));
    }
    for (let i = 0; i < cur.length; i++) {
      const inp = cur[i] as SnippetIn;
      const ref = decodeOut(refBuf, i);
      const g = got[i] as SnippetOut;
      const pc = perClass.get(inp.cls) as ClassResult;
      pc.count++;
      if (ref.signo === SIGILL && g.signo === SIGILL && g.pcIndex < ref.pcIndex && g.pcIndex < inp.insns.length && IN_PROGRESS_GROUPS.has(groupOf.get(inp.cls) ?? '')) {
        pc.unimplemented++;
        const w = inp.insns[g.pcIndex] as number;
        pc.unimplementedWords.set(w, (pc.unimplementedWords.get(w) ?? 0) + 1);
        continue;
      }
      const diffs = compare(ref, g);
      if (diffs.length) {
        mismatches++;
        pc.mismatches++;
        // keep details of the first few mismatches of each class
        if (details.length < keep * o.classes.length && pc.mismatches <= keep) {
          details.push(formatMismatch({ cls: inp.cls, seed: o.seed, index: k * batch + i, input: inp, ref, got: g, diffs }, i));
        }
      }
    }
    o.log?.(`batch ${k + 1}/${nb}: ${Math.min((k + 1) * batch, o.count)} snippets, ${mismatches} mismatches`);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { total: o.count, mismatches, perClass, details, seconds, interpSeconds: Number(interpNs) / 1e9, waitSeconds: Number(waitNs) / 1e9 };
}

/** The per-class table printed by the test and the script. */
export function formatSummary(res: OracleResult): string {
  const lines = [`${res.total} snippets in ${res.seconds.toFixed(1)} s = ${Math.round(res.total / res.seconds)} snippets/s ` +
    `(interpreter ${res.interpSeconds.toFixed(1)} s, waiting for qemu ${res.waitSeconds.toFixed(1)} s); mismatches: ${res.mismatches}`];
  for (const [name, c] of res.perClass) {
    const un = c.unimplemented ? `, ${c.unimplemented} stopped at an instruction the interpreter does not implement yet (UNDEFINED)` : '';
    lines.push(`  ${name.padEnd(14)} ${String(c.count).padStart(8)} snippets  ${c.mismatches ? `${c.mismatches} MISMATCHES` : 'ok'}${un}`);
  }
  const un = [...res.perClass.values()].reduce((a, c) => a + c.unimplemented, 0);
  if (un) {
    lines.push(`NOT IMPLEMENTED YET (${un} snippets; groups ${[...IN_PROGRESS_GROUPS].join(',')}): the interpreter takes UNDEFINED where qemu executes:`);
    for (const [name, c] of res.perClass) {
      if (!c.unimplemented) continue;
      const words = [...c.unimplementedWords.entries()].sort((a, b) => b[1] - a[1]);
      const sample = words.slice(0, 12).map(([w]) => w);
      const dis = disassemble(sample);
      const mn = new Map<string, number>();
      sample.forEach((w, i) => { const m = (dis[i] ?? '?').split(/\s/)[0] as string; mn.set(m, (mn.get(m) ?? 0) + (c.unimplementedWords.get(w) ?? 0)); });
      lines.push(`  ${name}: ${words.length} distinct words, e.g. ${sample.slice(0, 6).map((w, i) => `${w.toString(16).padStart(8, '0')} (${dis[i] ?? '?'})`).join('; ')}`);
    }
  }
  return lines.join('\n');
}
