/**
 * Native-layer overhead, measured side by side against the same work in C, in one run:
 *  1. ioctl call overhead: KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY) on the system fd, from JS
 *     (KvmHypervisor.checkExtension → addon → ioctl) and from a C loop.
 *  2. MMIO exit round trip: a guest that loops on one MMIO write; KVM_RUN → exit → decode, from JS through
 *     KvmVcpu.run() (which builds the VcpuExit union: the headline) and through KvmVcpu.runReason() +
 *     mmioPhysAddr (the kvm-only borrowed exit, read from kvm_run), and from C (KVM_RUN, read exit_reason and
 *     phys_addr). x86 host: a real-mode guest (`mov [0x9000], al; jmp $-3`); arm64 host: `str w0, [x1]; b .-4`.
 * The C program (below) is compiled at bench time with `cc -O2`, runs as its own process with its own VM and
 * serves timed chunks over two FIFOs; the JS side alternates its chunks with the C side's, chunk by chunk,
 * rotating which goes first. Both sides warm up the same count first (the JIT is warm, the guest's pages in).
 * Each pair of adjacent chunks gives one JS/C ratio and one JS−C difference; the figures are the medians over
 * the pairs (so a burst of another process's load hits both sides of a pair, and a pair it distorts does not
 * move the median), and each side's ns are the medians of its chunks. Absolute times on a shared machine are
 * noise: the ratios count.
 *
 * In the arm64 lab (nested KVM under qemu TCG, guest kernel with KPTI: every syscall and every exit empties
 * qemu's TLB), the JS side's overhead is mostly page walks: each distinct page touched between two KVM_RUNs
 * costs ~150 ns there, and an N-API call touches a few dozen (V8 builtins, Node's napi glue, the addon).
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/native.js     # alone
 *   npm run bench -- --only=native                                        # with the other suites
 * Times are CPU time (user + system of the process: getrusage() in C, process.cpuUsage() in JS) unless
 * KVM_ARM_BENCH_CLOCK=wall. Env: KVM_ARM_BENCH_IOCTLS / KVM_ARM_BENCH_EXITS (iterations per side and JS path),
 * KVM_ARM_BENCH_PAIRS (chunk pairs, default 40), KVM_ARM_BENCH_VERBOSE (every pair's figures to stderr),
 * KVM_ARM_BENCH_CBIN (a prebuilt C side, e.g. `aarch64-linux-gnu-gcc -O2 -static` of NATIVE_BENCH_C_SOURCE
 * for the arm64 lab, which has no compiler). The arm64 lab run:
 *   node -e "process.stdout.write(require('./dist-bench/bench/native.js').NATIVE_BENCH_C_SOURCE)" > /tmp/nb.c
 *   aarch64-linux-gnu-gcc -O2 -static -o /tmp/nb /tmp/nb.c        # + the arm64 addon (npm run prebuild -- arm64)
 *   KVM_ARM_LAB_DIR=/tmp/labci1 bash ci/arm64-lab.sh run --wait --cpu cortex-a57 -e KVM_ARM_ADDON=<arm64 .node> \
 *     -e KVM_ARM_BENCH_CBIN=/tmp/nb --dir <a folder holding both and dist-bench> -- node <...>/bench/native.js
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KVM_EXIT } from '../lib/codec/abi';
import { arm64CoreId } from '../lib/codec/regid';
import { kvmAvailability, openKvm } from '../lib/kvm';

const C_SOURCE = String.raw`
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
static int cpuClock;
/* cpu clock: user + system time of the process (getrusage, microseconds, as Node's process.cpuUsage()) */
static double now(void) {
  if (cpuClock) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e9 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e3;
  }
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}
static void die(const char *m) { perror(m); exit(1); }
static int kvm, vcpu, mmioMode;
static struct kvm_run *run;
static uint64_t mmio;
static long sink;
static void setup(void) {
  kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) die("open");
  if (!mmioMode) return;
  int vm = ioctl(kvm, KVM_CREATE_VM, 0);
  if (vm < 0) die("KVM_CREATE_VM");
  size_t msz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  uint8_t *mem = mmap(0, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
#if defined(__x86_64__)
  uint64_t base = 0xffff0000;
  const uint8_t code[] = {0xa2, 0x00, 0x90, 0xeb, 0xfb}; /* mov [0x9000], al ; jmp short -5 */
  memcpy(mem + 0xff00, code, sizeof code);
  const uint8_t reset[] = {0xe9, 0x0d, 0xff}; /* jmp near 0xff00 */
  memcpy(mem + 0xfff0, reset, sizeof reset);
  mmio = 0x9000;
#else
  uint64_t base = 0x40000000;
  const uint32_t code[] = {0xb9000020, 0x17ffffff}; /* str w0, [x1] ; b .-4 */
  memcpy(mem, code, sizeof code);
  mmio = 0x10000000;
#endif
  struct kvm_userspace_memory_region r = {0, 0, base, 0x10000, (uint64_t)(uintptr_t)mem};
  if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0) die("KVM_SET_USER_MEMORY_REGION");
  vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  if (vcpu < 0) die("KVM_CREATE_VCPU");
  run = mmap(0, msz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
#if defined(__aarch64__)
  struct kvm_vcpu_init init;
  if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0) die("KVM_ARM_PREFERRED_TARGET");
  if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0) die("KVM_ARM_VCPU_INIT");
  uint64_t pc = base, x1 = mmio;
  struct kvm_one_reg pr = {0x6030000000100040ull, (uint64_t)(uintptr_t)&pc};
  struct kvm_one_reg xr = {0x6030000000100002ull, (uint64_t)(uintptr_t)&x1};
  if (ioctl(vcpu, KVM_SET_ONE_REG, &pr) < 0 || ioctl(vcpu, KVM_SET_ONE_REG, &xr) < 0) die("KVM_SET_ONE_REG");
#endif
}
/* k iterations: KVM_CHECK_EXTENSION(USER_MEMORY) on the system fd, or KVM_RUN + check the MMIO exit */
static void iterations(long k) {
  if (!mmioMode) {
    for (long i = 0; i < k; i++) sink += ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
    return;
  }
  for (long i = 0; i < k; i++) {
    if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
    if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != mmio) { fprintf(stderr, "unexpected exit %u\n", run->exit_reason); exit(1); }
    sink++;
  }
}
/* argv: ioctl|mmio warmup cmdfifo resfifo [cpu|wall]. Sets up, warms up, then serves timed chunks: reads a
   count k per line from cmdfifo, runs k iterations, writes the chunk's total ns to resfifo; exits at EOF.
   The JS side alternates its own chunks with these, so both sides of a pair see the same machine load. */
int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: %s ioctl|mmio warmup cmdfifo resfifo [cpu|wall]\n", argv[0]); return 2; }
  mmioMode = !strcmp(argv[1], "mmio");
  if (!mmioMode && strcmp(argv[1], "ioctl")) { fprintf(stderr, "bad mode\n"); return 2; }
  cpuClock = argc > 5 && !strcmp(argv[5], "cpu");
  long warm = atol(argv[2]);
  if (warm < 0) { fprintf(stderr, "bad arguments\n"); return 2; }
  setup();
  iterations(warm);
  FILE *res = fopen(argv[4], "w"); /* res first: the JS side waits for this writer, then opens cmd */
  if (!res) die("res fifo");
  FILE *cmd = fopen(argv[3], "r");
  if (!cmd) die("cmd fifo");
  char line[64];
  long done = warm;
  while (fgets(line, sizeof line, cmd)) {
    long k = atol(line);
    if (k <= 0) { fprintf(stderr, "bad chunk '%s'\n", line); return 2; }
    double t0 = now();
    iterations(k);
    fprintf(res, "%.1f\n", now() - t0);
    fflush(res);
    done += k;
  }
  if (!mmioMode && sink != done) { fprintf(stderr, "unexpected KVM_CHECK_EXTENSION result\n"); return 1; }
  return 0;
}
`;

export interface NativeBenchResult {
  /** medians over the pairs of each side's ns per iteration */
  ioctlJsNs: number;
  ioctlCNs: number;
  mmioJsNs: number;
  mmioCNs: number;
  /** KvmVcpu.runReason() + mmioPhysAddr (no exit object) */
  mmioFastJsNs: number;
  /** medians over the pairs of the paired (adjacent chunks) JS/C ratios and JS−C differences */
  ioctlRatio: number;
  ioctlOverNs: number;
  mmioRatio: number;
  mmioOverNs: number;
  mmioFastRatio: number;
  mmioFastOverNs: number;
  /** [first, third] quartile of the paired MMIO run() ratios: how much the pairs scatter */
  mmioRatioIqr: [number, number];
  pairs: number;
  clock: 'cpu' | 'wall';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
function quartiles(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)] as number, s[Math.floor((3 * s.length) / 4)] as number];
}

function compileC(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvm-arm-bench-'));
  const src = path.join(dir, 'native-bench.c');
  const bin = path.join(dir, 'native-bench');
  fs.writeFileSync(src, C_SOURCE);
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', bin, src], { stdio: 'inherit' });
  return bin;
}

/** ns on the clock (cpu: process.cpuUsage(), microseconds, as getrusage() on the C side). */
function now(clock: 'cpu' | 'wall'): number {
  if (clock === 'wall') return Number(process.hrtime.bigint());
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

const sleepWord = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepWord, 0, 0, ms);
}

/**
 * The C side as a separate process serving timed chunks over two FIFOs (see the C source): chunk(k) runs k
 * iterations there and returns their ns. Synchronous; a C side that dies (setup failure, unexpected exit) is
 * an Error with its stderr, never a hang: the start is polled with a deadline, later reads see EOF.
 */
class CSide {
  readonly #dir: string;
  readonly #pid: number;
  readonly #err: string;
  #cmd = -1;
  #res = -1;
  #buf = '';

  constructor(bin: string, mode: 'ioctl' | 'mmio', warm: number, clock: 'cpu' | 'wall') {
    this.#dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvm-arm-bench-fifo-'));
    const cmd = path.join(this.#dir, 'cmd');
    const res = path.join(this.#dir, 'res');
    this.#err = path.join(this.#dir, 'stderr');
    const mk = spawnSync('mkfifo', [cmd, res], { encoding: 'utf8' });
    if (mk.status !== 0) throw new Error(`mkfifo failed: ${mk.stderr ?? mk.error?.message}`);
    const errFd = fs.openSync(this.#err, 'w');
    // a reader that does not wait for the writer: the C side opens res once set up and warmed up
    const early = fs.openSync(res, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const child = spawn(bin, [mode, String(warm), cmd, res, clock], { stdio: ['ignore', 'ignore', errFd] });
    fs.closeSync(errFd);
    if (child.pid === undefined) throw new Error(`cannot start the C side ${bin}`);
    this.#pid = child.pid;
    try {
      // wait for the C side to open res (a write end exists: reads give EAGAIN instead of EOF), or to die
      const deadline = Date.now() + 600_000;
      const probe = Buffer.alloc(1);
      for (;;) {
        try {
          if (fs.readSync(early, probe, 0, 1, null) > 0) throw new Error(`C ${mode} side wrote before it was asked`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
        if (!this.#alive()) throw new Error(`C ${mode} side exited during setup: ${this.#stderr()}`);
        if (Date.now() > deadline) throw new Error(`C ${mode} side did not start within 600 s`);
        sleepMs(2);
      }
      this.#res = fs.openSync(res, 'r'); // a blocking reader now that a writer exists: EOF if the C side dies
      this.#cmd = fs.openSync(cmd, 'w'); // the C side opens cmd right after res
    } finally {
      fs.closeSync(early);
    }
  }

  #alive(): boolean {
    try {
      const st = fs.readFileSync(`/proc/${this.#pid}/stat`, 'utf8');
      return !/\) [ZX] /.test(st);
    } catch {
      return false;
    }
  }
  #stderr(): string {
    try {
      return fs.readFileSync(this.#err, 'utf8').trim() || '(no stderr)';
    } catch {
      return '(no stderr)';
    }
  }

  /** k iterations on the C side → their total ns (on the C side's clock). */
  chunk(k: number): number {
    fs.writeSync(this.#cmd, `${k}\n`);
    const b = Buffer.alloc(64);
    while (!this.#buf.includes('\n')) {
      const n = fs.readSync(this.#res, b, 0, b.length, null);
      if (n === 0) throw new Error(`the C side died: ${this.#stderr()}`);
      this.#buf += b.toString('utf8', 0, n);
    }
    const i = this.#buf.indexOf('\n');
    const v = Number(this.#buf.slice(0, i));
    this.#buf = this.#buf.slice(i + 1);
    if (!(v > 0)) throw new Error(`the C side answered '${v}' (an old KVM_ARM_BENCH_CBIN? rebuild it from NATIVE_BENCH_C_SOURCE)`);
    return v;
  }

  /** EOF to the C side, which checks its results and exits. */
  close(): void {
    if (this.#cmd >= 0) fs.closeSync(this.#cmd);
    this.#cmd = -1;
    if (this.#res >= 0) {
      const b = Buffer.alloc(64);
      while (fs.readSync(this.#res, b, 0, b.length, null) > 0); // until the C side closes res (exits)
      fs.closeSync(this.#res);
    }
    this.#res = -1;
    const err = this.#stderr();
    fs.rmSync(this.#dir, { recursive: true, force: true });
    if (err !== '(no stderr)') throw new Error(`the C side reported: ${err}`);
  }
}

/** Times `body(k)` (k iterations) → total ns. */
function timed(clock: 'cpu' | 'wall', k: number, body: (k: number) => void): number {
  const t0 = now(clock);
  body(k);
  return now(clock) - t0;
}

interface Paired {
  c: number[];
  js: number[][];
}
/**
 * `pairs` rounds; in each, one C chunk and one chunk per JS body, of k iterations each, back to back in an
 * order that rotates from round to round (so no side always goes first). Per iteration ns.
 */
function pairedChunks(c: CSide, bodies: ((k: number) => void)[], k: number, pairs: number, clock: 'cpu' | 'wall'): Paired {
  const out: Paired = { c: [], js: bodies.map(() => []) };
  const n = bodies.length + 1;
  for (let p = 0; p < pairs; p++) {
    for (let j = 0; j < n; j++) {
      const which = (p + j) % n;
      if (which === 0) out.c.push(c.chunk(k) / k);
      else (out.js[which - 1] as number[]).push(timed(clock, k, bodies[which - 1] as (k: number) => void) / k);
    }
  }
  return out;
}

function ioctlBench(bin: string, k: number, pairs: number, warm: number, clock: 'cpu' | 'wall'): Paired {
  const hv = openKvm();
  const c = new CSide(bin, 'ioctl', warm, clock);
  try {
    let sink = 0;
    const body = (n: number): void => {
      for (let i = 0; i < n; i++) sink += hv.checkExtension('USER_MEMORY');
    };
    body(warm);
    const r = pairedChunks(c, [body], k, pairs, clock);
    if (sink !== warm + k * pairs) throw new Error('unexpected KVM_CHECK_EXTENSION result');
    return r;
  } finally {
    c.close();
    hv.close();
  }
}

function mmioBench(bin: string, k: number, pairs: number, warm: number, clock: 'cpu' | 'wall'): Paired {
  const hv = openKvm();
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  const vcpu = vm.createVcpu(0);
  let c: CSide | undefined;
  try {
    let base: bigint;
    let mmio: bigint;
    if (process.arch === 'x64') {
      base = 0xffff0000n;
      mmio = 0x9000n;
      mem.bytes.set([0xa2, 0x00, 0x90, 0xeb, 0xfb], 0xff00); // mov [0x9000], al ; jmp short -5
      mem.bytes.set([0xe9, 0x0d, 0xff], 0xfff0); // jmp near 0xff00
      vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: base, memory: mem });
    } else {
      base = 0x40000000n;
      mmio = 0x10000000n;
      const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset);
      dv.setUint32(0, 0xb9000020, true); // str w0, [x1]
      dv.setUint32(4, 0x17ffffff, true); // b .-4
      vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: base, memory: mem });
      vcpu.init(vm.preferredTarget());
      vcpu.setOneReg(arm64CoreId('pc'), base);
      vcpu.setOneReg(arm64CoreId('x1'), mmio);
    }
    const mmioNum = Number(mmio);
    // run(): the VcpuExit union, as every VMM written against the Vcpu interface sees it
    const plain = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const e = vcpu.run();
        if (e.reason !== 'mmio' || e.physAddr !== mmio) throw new Error(`unexpected exit ${e.reason}`);
      }
    };
    // runReason(): the exit borrowed from kvm_run (kvm backend only), the same checks as the C side
    const fast = (n: number): void => {
      for (let i = 0; i < n; i++) {
        if (vcpu.runReason() !== KVM_EXIT.MMIO || vcpu.mmioPhysAddr !== mmioNum) throw new Error('unexpected exit');
      }
    };
    plain(warm);
    fast(warm);
    c = new CSide(bin, 'mmio', warm, clock);
    return pairedChunks(c, [plain, fast], k, pairs, clock);
  } finally {
    c?.close();
    vcpu.close();
    vm.close();
    mem.close();
    hv.close();
  }
}

/** The C side's source, for cross-compiling it (KVM_ARM_BENCH_CBIN). */
export const NATIVE_BENCH_C_SOURCE = C_SOURCE;

/** Runs the native benchmarks; null (with the reason) when /dev/kvm, the addon or a C compiler is missing. */
export function runNativeBench(
  options: { ioctls?: number; exits?: number; pairs?: number; clock?: 'cpu' | 'wall' } = {},
): NativeBenchResult | { skipped: string } {
  const a = kvmAvailability();
  if (!a.addonLoaded) return { skipped: `native addon not loaded: ${a.reason}` };
  if (!a.deviceOpens) return { skipped: a.reason };
  if (process.arch !== 'x64' && process.arch !== 'arm64') return { skipped: `no guest for ${process.arch}` };
  // KVM_ARM_BENCH_CBIN: a prebuilt C side (e.g. cross-compiled for the arm64 lab, which has no compiler)
  const prebuilt = process.env.KVM_ARM_BENCH_CBIN;
  let bin: string;
  try {
    bin = prebuilt ?? compileC();
  } catch (e) {
    return { skipped: `no C compiler for the C side: ${(e as Error).message}` };
  }
  const envN = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
  const ioctls = options.ioctls ?? envN('KVM_ARM_BENCH_IOCTLS') ?? 200_000;
  const exits = options.exits ?? envN('KVM_ARM_BENCH_EXITS') ?? 20_000;
  const pairs = options.pairs ?? envN('KVM_ARM_BENCH_PAIRS') ?? 40;
  const clock = options.clock ?? (process.env.KVM_ARM_BENCH_CLOCK === 'wall' ? 'wall' : 'cpu');
  for (const [name, v] of [['ioctls', ioctls], ['exits', exits], ['pairs', pairs]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name}: must be a positive integer, got ${v}`);
  }
  if (ioctls < pairs || exits < pairs) throw new RangeError(`ioctls and exits must be at least pairs (${pairs})`);
  // warm-up: enough for the JIT to optimize the JS loops; the C side does the same count
  const io = ioctlBench(bin, Math.floor(ioctls / pairs), pairs, Math.min(20_000, ioctls), clock);
  const mm = mmioBench(bin, Math.floor(exits / pairs), pairs, Math.min(2_000, exits), clock);
  if (!prebuilt) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
  if (process.env.KVM_ARM_BENCH_VERBOSE) process.stderr.write(`bench/native pairs (ns/iteration): ${JSON.stringify({ ioctl: io, mmio: mm })}\n`);
  const js = (p: Paired, i: number): number[] => p.js[i] as number[];
  const ratios = (p: Paired, i: number): number[] => js(p, i).map((v, j) => v / (p.c[j] as number));
  const diffs = (p: Paired, i: number): number[] => js(p, i).map((v, j) => v - (p.c[j] as number));
  return {
    ioctlJsNs: median(js(io, 0)),
    ioctlCNs: median(io.c),
    mmioJsNs: median(js(mm, 0)),
    mmioCNs: median(mm.c),
    mmioFastJsNs: median(js(mm, 1)),
    ioctlRatio: median(ratios(io, 0)),
    ioctlOverNs: median(diffs(io, 0)),
    mmioRatio: median(ratios(mm, 0)),
    mmioOverNs: median(diffs(mm, 0)),
    mmioFastRatio: median(ratios(mm, 1)),
    mmioFastOverNs: median(diffs(mm, 1)),
    mmioRatioIqr: quartiles(ratios(mm, 0)),
    pairs,
    clock,
  };
}

/** scripts/bench.js suite interface. */
export async function run(): Promise<{ title: string; rows: { name: string; value: number | string; unit?: string; note?: string }[] }> {
  const res = runNativeBench();
  const title =
    'skipped' in res
      ? `native addon vs C (${process.arch})`
      : `native addon vs C (${process.arch} /dev/kvm; ${res.clock} time; medians of ${res.pairs} adjacent JS/C chunk pairs)`;
  if ('skipped' in res) return { title, rows: [{ name: 'skipped', value: res.skipped }] };
  return {
    title,
    rows: [
      { name: 'KVM_CHECK_EXTENSION from JS', value: res.ioctlJsNs, unit: 'ns/call' },
      { name: 'KVM_CHECK_EXTENSION from C', value: res.ioctlCNs, unit: 'ns/call' },
      { name: 'ioctl overhead JS - C', value: res.ioctlOverNs, unit: 'ns/call', note: 'median of paired chunks' },
      { name: 'ioctl JS / C', value: res.ioctlRatio, unit: 'x', note: 'median of paired chunks' },
      { name: 'MMIO exit round trip from JS, run() (VcpuExit)', value: res.mmioJsNs, unit: 'ns/exit' },
      { name: 'MMIO exit round trip from JS, runReason() (borrowed)', value: res.mmioFastJsNs, unit: 'ns/exit' },
      { name: 'MMIO exit round trip from C', value: res.mmioCNs, unit: 'ns/exit' },
      { name: 'MMIO exit overhead JS - C, run()', value: res.mmioOverNs, unit: 'ns/exit', note: 'median of paired chunks' },
      {
        name: 'MMIO exit JS / C, run()',
        value: res.mmioRatio,
        unit: 'x',
        note: `headline; same guest code, adjacent chunks; pairs' IQR ${res.mmioRatioIqr[0].toFixed(3)}-${res.mmioRatioIqr[1].toFixed(3)}`,
      },
      { name: 'MMIO exit overhead JS - C, runReason()', value: res.mmioFastOverNs, unit: 'ns/exit', note: 'median of paired chunks' },
      { name: 'MMIO exit JS / C, runReason()', value: res.mmioFastRatio, unit: 'x', note: 'kvm-only API: exit read from kvm_run, valid until the next run' },
    ],
  };
}

if (require.main === module) {
  void run().then((r) => {
    console.log(r.title);
    for (const row of r.rows) {
      const v = typeof row.value === 'number' ? row.value.toFixed(row.unit === 'x' ? 3 : 0).padStart(10) : row.value;
      console.log(`  ${row.name.padEnd(52)} ${v} ${row.unit ?? ''}${row.note ? `   (${row.note})` : ''}`);
    }
  });
}
