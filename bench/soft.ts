/**
 * Soft backend speed next to qemu-system-aarch64 (TCG, `-M virt -cpu cortex-a57`) on bare-metal workloads, side by
 * side in one run: an integer loop and a memory loop (assembly), a sieve and a CRC-32 (C, aarch64-linux-gnu-gcc
 * -O2 -mgeneral-regs-only), all with the start-up in bench/workloads/crt0.S (SP, .bss, main, "result=<hex>" on
 * the PL011, PSCI SYSTEM_OFF via hvc). Images are built here into bench/workloads/out/ (gitignored) by
 * bench/workloads/build.sh; without the cross gcc the C workloads are skipped with the reason in the table.
 *
 * The soft side is a fresh `node` process running `runMachine({ backend: 'soft' })` (the code behind
 * `kvm-arm run --backend soft`); the qemu side is a `qemu-system-aarch64` process. Runs alternate soft, qemu,
 * soft, qemu, ... (3 rounds, medians), so both see the same load on a shared machine. Each side's start-up is the
 * wall time of the same tool on an empty guest (SYSTEM_OFF at once, median of 3) and is subtracted.
 *
 * Instruction counts are exact. Every workload repeats a fixed pass REPS times, and REPS is only a data word
 * (`reps`, in .data): the code is byte-identical for every REPS, so count(REPS) = a * REPS + b. a and b come from
 * a second, independent counter: qemu-system-aarch64 -singlestep -d exec,nochain logs one line per executed
 * instruction; it is run at REPS = 1 and 2, and REPS = 3 must match a * 3 + b (linearity). At REPS = 1, 2, 3 the
 * soft backend's retired-instruction counter must equal the qemu count minus 1 (the final hvc is taken by the
 * hypervisor and not retired by the soft vCPU), and for the asm loops a must equal the analytic per-pass count.
 * The timed soft run's own retired count must equal a * REPS + b - 1 too. Any mismatch fails the suite.
 *
 * qemu runs ~60x more instructions per second than the interpreter, so each tool gets its own REPS (qemu's is
 * larger, so its time is well above its start-up): the two images differ in the 8-byte `reps` word only, which
 * is checked byte by byte. Both runs print a checksum that is checked against a value computed here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

type Row = { name: string; value: number | string; unit?: string; note?: string };

const ROOT = [join(__dirname, '..', '..'), join(__dirname, '..')].find((d) => existsSync(join(d, 'bench', 'workloads', 'build.sh'))) ?? join(__dirname, '..', '..');
const WL = join(ROOT, 'bench', 'workloads');
const OUT = join(WL, 'out');
const MACHINE_JS = join(__dirname, '..', 'lib', 'vmm', 'machine.js');
const M64 = (1n << 64n) - 1n;

interface Workload {
  name: string;
  label: string;
  c: boolean;
  /** analytic instructions per pass (asm loops) */
  perPass?: number;
  softReps: number;
  qemuReps: number;
  /** the 64-bit checksum main() returns */
  expected(reps: number): bigint;
}

/** Scale factor for both sides' REPS (env KVM_ARM_BENCH_SCALE, default 1): e.g. 0.1 for a quick look. */
const SCALE = ((): number => {
  const v = Number(process.env.KVM_ARM_BENCH_SCALE ?? '1');
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`KVM_ARM_BENCH_SCALE: must be a positive number, got ${String(process.env.KVM_ARM_BENCH_SCALE)}`);
  return v;
})();
const reps = (n: number): number => Math.max(4, Math.round(n * SCALE));
/** Timed runs per tool and workload, soft and qemu interleaved (medians are reported). */
const ROUNDS = 3;

const WORKLOADS: Workload[] = [
  { name: 'intloop', label: 'integer loop', c: false, perPass: 3, softReps: reps(8_000_000), qemuReps: reps(480_000_000), expected: (r) => ((BigInt(r) * BigInt(r + 1)) / 2n) & M64 },
  { name: 'memloop', label: 'memory loop', c: false, perPass: 2048 * 5 + 4, softReps: reps(2_400), qemuReps: reps(144_000), expected: (r) => ((2048n * BigInt(r) * BigInt(r + 1)) / 2n) & M64 },
  { name: 'sieve', label: 'sieve (C)', c: true, softReps: reps(270), qemuReps: reps(16_200), expected: (r) => 1028n * BigInt(r) },
  { name: 'crc32', label: 'CRC-32 (C)', c: true, softReps: reps(850), qemuReps: reps(51_000), expected: (r) => BigInt(crc32Chain(r)) },
];

/** The CRC-32 workload in JS: table-driven CRC of a 4 KiB LCG buffer, chained `r` times. */
function crc32Chain(r: number): number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    table[n] = c >>> 0;
  }
  const buf = new Uint8Array(4096);
  let x = 12345;
  for (let i = 0; i < buf.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    buf[i] = (x >>> 16) & 0xff;
  }
  let crc = 0;
  for (let p = 0; p < r; p++) {
    crc = ~crc;
    for (let i = 0; i < buf.length; i++) crc = (table[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    crc = ~crc >>> 0;
  }
  return crc;
}

function have(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

function build(name: string, n: number): string {
  const elf = join(OUT, `${name}-${n}.elf`);
  execFileSync('sh', [join(WL, 'build.sh'), OUT, name, String(n)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return elf;
}

const hex = (v: bigint): string => v.toString(16).padStart(16, '0');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** One soft run in a fresh node process: wall seconds, retired instructions, UART output. */
function softRun(elf: string): { seconds: number; instructions: number; out: string } {
  const code = `const { runMachine } = require(${JSON.stringify(MACHINE_JS)});
let out = '';
runMachine({ image: require('fs').readFileSync(process.argv[1]), backend: 'soft', output: (b) => { out += String.fromCharCode(b); } })
  .then((r) => { process.stdout.write(JSON.stringify({ status: r.status, reason: r.reason, diagnostic: r.diagnostic, instructions: r.instructions, out })); });`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', code, elf], { encoding: 'utf8', timeout: 1_800_000, maxBuffer: 1 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`soft run of ${elf} failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { status: number; reason: string; diagnostic?: string; instructions?: number; out: string };
  if (j.status !== 0 || j.instructions === undefined) throw new Error(`soft run of ${elf}: ${j.reason} ${j.diagnostic ?? ''}`);
  return { seconds, instructions: j.instructions, out: j.out };
}

const QEMU = ['-M', 'virt', '-cpu', 'cortex-a57', '-nographic', '-nic', 'none'];

function qemuRun(elf: string): { seconds: number; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('qemu-system-aarch64', [...QEMU, '-kernel', elf], { input: '', encoding: 'latin1', timeout: 1_800_000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`qemu run of ${elf} failed (status ${String(r.status)}): ${r.stderr}`);
  return { seconds, out: r.stdout };
}

/** Instructions qemu executes for the whole image: one `-d exec` line per instruction with -singlestep. */
function qemuCount(elf: string): number {
  const log = join(tmpdir(), `kvm-arm-bench-${process.pid}-exec.log`);
  try {
    const r = spawnSync('qemu-system-aarch64', [...QEMU, '-singlestep', '-d', 'exec,nochain', '-D', log, '-kernel', elf], { input: '', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`qemu -singlestep run of ${elf} failed: ${String(r.stderr)}`);
    const b = readFileSync(log);
    let n = 0;
    for (let i = b.indexOf('Trace '); i >= 0; i = b.indexOf('Trace ', i + 6)) n++;
    return n;
  } finally {
    rmSync(log, { force: true });
  }
}

function checkOut(tool: string, w: Workload, n: number, out: string): void {
  const want = `result=${hex(w.expected(n))}\n`;
  if (!out.includes(want)) throw new Error(`${w.name} (REPS=${n}) under ${tool}: printed ${JSON.stringify(out)}, expected ${JSON.stringify(want)}`);
}

/** The two images must be the same bytes except the 8-byte `reps` word. */
function sameButReps(a: string, b: string): void {
  const x = readFileSync(a);
  const y = readFileSync(b);
  if (x.length !== y.length) throw new Error(`${a} and ${b} differ in size`);
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) ((lo = lo < 0 ? i : lo), (hi = i));
  if (lo >= 0 && (hi - lo >= 8 || Math.floor(lo / 8) !== Math.floor(hi / 8))) throw new Error(`${a} and ${b} differ beyond the reps word (bytes ${lo}..${hi})`);
}

/** a, b of count(REPS) = a * REPS + b from qemu's exec log, cross-checked with the soft counter at REPS = 1, 2, 3. */
function calibrate(w: Workload): { a: number; b: number; note: string } {
  const q: number[] = [];
  const s: number[] = [];
  for (const n of [1, 2, 3]) {
    const elf = build(w.name, n);
    q.push(qemuCount(elf));
    const sr = softRun(elf);
    checkOut('soft', w, n, sr.out);
    s.push(sr.instructions);
  }
  const [q1, q2, q3] = q as [number, number, number];
  const a = q2 - q1;
  const b = q1 - a;
  if (q3 !== 3 * a + b) throw new Error(`${w.name}: qemu counts ${q.join(', ')} for REPS = 1, 2, 3 are not linear`);
  if (w.perPass !== undefined && a !== w.perPass) throw new Error(`${w.name}: ${a} instructions per pass, the source says ${w.perPass}`);
  s.forEach((v, i) => {
    if (v !== (q[i] as number) - 1) throw new Error(`${w.name}: REPS=${i + 1}: soft retired ${v}, qemu executed ${q[i]} (expected soft = qemu - 1, the final hvc)`);
  });
  return { a, b, note: `count = ${a}*REPS + ${b}, qemu -singlestep exec log = soft retired + 1 at REPS 1..3` };
}

export async function run(): Promise<{ title: string; rows: Row[] }> {
  const rows: Row[] = [];
  const title = 'soft backend vs qemu-system-aarch64 TCG (-M virt -cpu cortex-a57), bare-metal workloads, guest MIPS, start-up subtracted';
  for (const t of ['aarch64-linux-gnu-as', 'aarch64-linux-gnu-ld', 'qemu-system-aarch64']) {
    if (!have(t)) {
      console.warn(`bench soft: skipped: ${t} is not installed (Debian: binutils-aarch64-linux-gnu, qemu-system-arm)`);
      return { title, rows: [{ name: 'all workloads', value: 'skipped', note: `${t} is not installed` }] };
    }
  }
  if (!existsSync(MACHINE_JS)) throw new Error(`${MACHINE_JS} is missing: run through scripts/bench.js, which compiles lib/ and bench/ into dist-bench/`);
  const gcc = have('aarch64-linux-gnu-gcc');
  mkdirSync(OUT, { recursive: true });

  const empty = build('empty', 0);
  const se: number[] = [];
  const qe: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    se.push(softRun(empty).seconds);
    qe.push(qemuRun(empty).seconds);
  }
  const softBase = median(se);
  const qemuBase = median(qe);
  rows.push({ name: 'start-up (empty guest): kvm-arm soft', value: softBase, unit: 's', note: `node + runMachine, median of ${ROUNDS}` });
  rows.push({ name: 'start-up (empty guest): qemu', value: qemuBase, unit: 's', note: `median of ${ROUNDS}` });

  const ratios: number[] = [];
  for (const w of WORKLOADS) {
    if (w.c && !gcc) {
      console.warn(`bench soft: ${w.label}: skipped: aarch64-linux-gnu-gcc is not installed (Debian: gcc-aarch64-linux-gnu)`);
      rows.push({ name: `${w.label}`, value: 'skipped', note: 'aarch64-linux-gnu-gcc is not installed' });
      continue;
    }
    process.stderr.write(`bench soft: ${w.label}: counting (REPS 1..3) ...\n`);
    const { a, b, note } = calibrate(w);
    const softElf = build(w.name, w.softReps);
    const qemuElf = build(w.name, w.qemuReps);
    sameButReps(softElf, qemuElf);
    const softInsns = a * w.softReps + b - 1;
    const qemuInsns = a * w.qemuReps + b;
    process.stderr.write(`bench soft: ${w.label}: soft ${softInsns} insns, qemu ${qemuInsns} insns ...\n`);
    // interleaved rounds, so both tools see the same machine load; medians
    const st: number[] = [];
    const qt: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const sr = softRun(softElf);
      checkOut('soft', w, w.softReps, sr.out);
      if (sr.instructions !== softInsns) throw new Error(`${w.name}: soft retired ${sr.instructions}, expected ${softInsns}`);
      st.push(sr.seconds);
      const qr = qemuRun(qemuElf);
      checkOut('qemu', w, w.qemuReps, qr.out);
      qt.push(qr.seconds);
    }
    const softT = median(st) - softBase;
    const qemuT = median(qt) - qemuBase;
    if (softT <= 0 || qemuT <= 0) throw new Error(`${w.name}: run time not above start-up (soft ${softT} s, qemu ${qemuT} s): raise KVM_ARM_BENCH_SCALE`);
    const softMips = softInsns / softT / 1e6;
    const qemuMips = qemuInsns / qemuT / 1e6;
    ratios.push(softMips / qemuMips);
    rows.push({ name: `${w.label}: kvm-arm soft`, value: softMips, unit: 'MIPS', note: `${softInsns} insns in ${softT.toFixed(2)} s (median of ${ROUNDS}); ${note}` });
    rows.push({ name: `${w.label}: qemu TCG`, value: qemuMips, unit: 'MIPS', note: `${qemuInsns} insns in ${qemuT.toFixed(2)} s (median of ${ROUNDS})` });
    rows.push({ name: `${w.label}: soft / qemu`, value: softMips / qemuMips, unit: 'x' });
  }
  if (ratios.length > 1) {
    rows.push({ name: 'geometric mean: soft / qemu', value: Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length), unit: 'x', note: `${ratios.length} workloads` });
  }
  // keep the built images (gitignored) for a look with objdump; report their size
  const sizes = WORKLOADS.filter((w) => existsSync(join(OUT, `${w.name}-${w.softReps}.elf`))).map((w) => `${w.name} ${statSync(join(OUT, `${w.name}-${w.softReps}.elf`)).size} B`);
  if (sizes.length) rows.push({ name: 'images (bench/workloads/out)', value: sizes.join(', ') });
  return { title, rows };
}
