/**
 * Native-layer overhead, measured side by side against the same work in C, in one run:
 *  1. ioctl call overhead: KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY) on the system fd, N times, from JS
 *     (KvmHypervisor.checkExtension → addon → ioctl) and from a C loop.
 *  2. MMIO exit round trip: a guest that loops on one MMIO write; N × (KVM_RUN → exit → decode) from JS
 *     (KvmVcpu.run(), which decodes the exit into the VcpuExit union) and from C (KVM_RUN, read exit_reason).
 *     x86 host: a real-mode guest (`mov [0x9000], al; jmp $-3`); arm64 host: `str w0, [x1]; b .-4`.
 * The C program (below) is compiled at bench time with `cc -O2`. Both sides do the same work the same way: the
 * same ioctl / guest, the same warm-up count (so the JIT is warm and the guest's pages are in), the same
 * iteration count split into the same number of timed chunks, each side reporting the median chunk (a chunk hit
 * by another process's burst on a shared machine does not count). Rounds alternate which side goes first; a
 * round gives one JS/C ratio and one JS−C difference, and the figures are the medians over the rounds of those
 * paired values (and of each side's times). Absolute times on a shared machine are noise: the ratios count.
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/native.js     # alone
 *   npm run bench -- --only=native                                        # with the other suites
 * Times are CPU time (user + system of the process: getrusage() in C, process.cpuUsage() in JS) unless
 * KVM_ARM_BENCH_CLOCK=wall: on a shared machine wall time mostly measures how many other processes share the CPU.
 * Env: KVM_ARM_BENCH_IOCTLS / KVM_ARM_BENCH_EXITS (iterations per round and side), KVM_ARM_BENCH_ROUNDS,
 * KVM_ARM_BENCH_CHUNKS, KVM_ARM_BENCH_CBIN (a prebuilt C side, e.g. `aarch64-linux-gnu-gcc -O2 -static` of
 * NATIVE_BENCH_C_SOURCE for the arm64 lab, which has no compiler).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
/* argv: mode iterations chunks warmup [cpu|wall] → prints the median over the chunks of ns per iteration */
int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: %s ioctl|mmio iterations chunks warmup [cpu|wall]\n", argv[0]); return 2; }
  cpuClock = argc > 5 && !strcmp(argv[5], "cpu");
  long n = atol(argv[2]), chunks = atol(argv[3]), warm = atol(argv[4]);
  if (n <= 0 || chunks <= 0 || chunks > 1000 || n < chunks || warm < 0) { fprintf(stderr, "bad arguments\n"); return 2; }
  long per = n / chunks;
  double t[1000];
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm < 0) die("open");
  if (!strcmp(argv[1], "ioctl")) {
    long sink = 0;
    for (long i = 0; i < warm; i++) sink += ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
    for (long c = 0; c < chunks; c++) {
      double t0 = now();
      for (long i = 0; i < per; i++) sink += ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
      t[c] = (now() - t0) / per;
    }
    if (sink != warm + per * chunks) { fprintf(stderr, "unexpected result\n"); return 1; }
    qsort(t, chunks, sizeof t[0], cmp);
    printf("%.3f\n", t[chunks / 2]);
    return 0;
  }
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
  uint64_t mmio = 0x9000;
#else
  uint64_t base = 0x40000000;
  const uint32_t code[] = {0xb9000020, 0x17ffffff}; /* str w0, [x1] ; b .-4 */
  memcpy(mem, code, sizeof code);
  uint64_t mmio = 0x10000000;
#endif
  struct kvm_userspace_memory_region r = {0, 0, base, 0x10000, (uint64_t)(uintptr_t)mem};
  if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0) die("KVM_SET_USER_MEMORY_REGION");
  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  if (vcpu < 0) die("KVM_CREATE_VCPU");
  struct kvm_run *run = mmap(0, msz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
#if defined(__aarch64__)
  struct kvm_vcpu_init init;
  if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0) die("KVM_ARM_PREFERRED_TARGET");
  if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0) die("KVM_ARM_VCPU_INIT");
  uint64_t pc = base, x1 = mmio;
  struct kvm_one_reg pr = {0x6030000000100040ull, (uint64_t)(uintptr_t)&pc};
  struct kvm_one_reg xr = {0x6030000000100002ull, (uint64_t)(uintptr_t)&x1};
  if (ioctl(vcpu, KVM_SET_ONE_REG, &pr) < 0 || ioctl(vcpu, KVM_SET_ONE_REG, &xr) < 0) die("KVM_SET_ONE_REG");
#endif
  for (long i = 0; i < warm; i++) if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
  for (long c = 0; c < chunks; c++) {
    double t0 = now();
    for (long i = 0; i < per; i++) {
      if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
      if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != mmio) { fprintf(stderr, "unexpected exit %u\n", run->exit_reason); return 1; }
    }
    t[c] = (now() - t0) / per;
  }
  qsort(t, chunks, sizeof t[0], cmp);
  printf("%.3f\n", t[chunks / 2]);
  return 0;
}
`;

export interface NativeBenchResult {
  ioctlJsNs: number;
  ioctlCNs: number;
  mmioJsNs: number;
  mmioCNs: number;
  /** medians over the rounds of the paired (same round) JS/C ratios and JS−C differences */
  ioctlRatio: number;
  ioctlOverNs: number;
  mmioRatio: number;
  mmioOverNs: number;
  rounds: number;
  clock: 'cpu' | 'wall';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function compileC(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvm-arm-bench-'));
  const src = path.join(dir, 'native-bench.c');
  const bin = path.join(dir, 'native-bench');
  fs.writeFileSync(src, C_SOURCE);
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', bin, src], { stdio: 'inherit' });
  return bin;
}

interface Plan {
  /** iterations per side and round, split into `chunks` timed chunks */
  n: number;
  chunks: number;
  /** untimed iterations first */
  warm: number;
  /** 'cpu': user + system time of the process (what a shared machine's other load does not inflate); 'wall' */
  clock: 'cpu' | 'wall';
}

/** ns on the plan's clock (cpu: process.cpuUsage(), microseconds, as getrusage() on the C side). */
function now(clock: 'cpu' | 'wall'): number {
  if (clock === 'wall') return Number(process.hrtime.bigint());
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

function cRun(bin: string, mode: 'ioctl' | 'mmio', p: Plan): number {
  const r = spawnSync(bin, [mode, String(p.n), String(p.chunks), String(p.warm), p.clock], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`C ${mode} bench failed: ${r.stderr}`);
  const v = Number(r.stdout.trim());
  if (!(v > 0)) throw new Error(`C ${mode} bench printed '${r.stdout.trim()}' (an old KVM_ARM_BENCH_CBIN? rebuild it)`);
  return v;
}

/** The median over `p.chunks` timed chunks of `body(per)` (which does `per` iterations), in ns per iteration. */
function chunked(p: Plan, body: (k: number) => void): number {
  body(p.warm);
  const per = Math.floor(p.n / p.chunks);
  const t: number[] = [];
  for (let c = 0; c < p.chunks; c++) {
    const t0 = now(p.clock);
    body(per);
    t.push((now(p.clock) - t0) / per);
  }
  return median(t);
}

function jsIoctl(p: Plan): number {
  const hv = openKvm();
  try {
    let sink = 0;
    const res = chunked(p, (k) => {
      for (let i = 0; i < k; i++) sink += hv.checkExtension('USER_MEMORY');
    });
    if (sink !== p.warm + Math.floor(p.n / p.chunks) * p.chunks) throw new Error('unexpected KVM_CHECK_EXTENSION result');
    return res;
  } finally {
    hv.close();
  }
}

function jsMmio(p: Plan): number {
  const hv = openKvm();
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  const vcpu = vm.createVcpu(0);
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
    return chunked(p, (k) => {
      for (let i = 0; i < k; i++) {
        const e = vcpu.run();
        if (e.reason !== 'mmio' || e.physAddr !== mmio) throw new Error(`unexpected exit ${e.reason}`);
      }
    });
  } finally {
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
  options: { ioctls?: number; exits?: number; rounds?: number; chunks?: number; clock?: 'cpu' | 'wall' } = {},
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
  const rounds = options.rounds ?? envN('KVM_ARM_BENCH_ROUNDS') ?? 5;
  const chunks = options.chunks ?? envN('KVM_ARM_BENCH_CHUNKS') ?? 10;
  const clock = options.clock ?? (process.env.KVM_ARM_BENCH_CLOCK === 'wall' ? 'wall' : 'cpu');
  // warm-up: enough for the JIT to optimize the JS loop; the C side does the same count
  const ioctlPlan: Plan = { n: ioctls, chunks, warm: Math.min(20_000, ioctls), clock };
  const mmioPlan: Plan = { n: exits, chunks, warm: Math.min(2_000, exits), clock };
  const r = { ioctlJs: [] as number[], ioctlC: [] as number[], mmioJs: [] as number[], mmioC: [] as number[] };
  const pair = (js: number[], c: number[], i: number, jsFirst: boolean, f: () => number, g: () => number): void => {
    if (jsFirst) {
      js[i] = f();
      c[i] = g();
    } else {
      c[i] = g();
      js[i] = f();
    }
  };
  for (let i = 0; i < rounds; i++) {
    const jsFirst = i % 2 === 1;
    pair(r.ioctlJs, r.ioctlC, i, jsFirst, () => jsIoctl(ioctlPlan), () => cRun(bin, 'ioctl', ioctlPlan));
    pair(r.mmioJs, r.mmioC, i, jsFirst, () => jsMmio(mmioPlan), () => cRun(bin, 'mmio', mmioPlan));
  }
  if (!prebuilt) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
  if (process.env.KVM_ARM_BENCH_VERBOSE) process.stderr.write(`bench/native rounds (ns): ${JSON.stringify(r)}\n`);
  const paired = (js: number[], c: number[], f: (a: number, b: number) => number): number => median(js.map((v, i) => f(v, c[i] as number)));
  return {
    ioctlJsNs: median(r.ioctlJs),
    ioctlCNs: median(r.ioctlC),
    mmioJsNs: median(r.mmioJs),
    mmioCNs: median(r.mmioC),
    ioctlRatio: paired(r.ioctlJs, r.ioctlC, (a, b) => a / b),
    ioctlOverNs: paired(r.ioctlJs, r.ioctlC, (a, b) => a - b),
    mmioRatio: paired(r.mmioJs, r.mmioC, (a, b) => a / b),
    mmioOverNs: paired(r.mmioJs, r.mmioC, (a, b) => a - b),
    rounds,
    clock,
  };
}

/** scripts/bench.js suite interface. */
export async function run(): Promise<{ title: string; rows: { name: string; value: number | string; unit?: string; note?: string }[] }> {
  const res = runNativeBench();
  const title = 'skipped' in res ? `native addon vs C (${process.arch})` : `native addon vs C (${process.arch} /dev/kvm; ${res.clock} time; medians of ${res.rounds} interleaved rounds)`;
  if ('skipped' in res) return { title, rows: [{ name: 'skipped', value: res.skipped }] };
  return {
    title,
    rows: [
      { name: 'KVM_CHECK_EXTENSION from JS', value: res.ioctlJsNs, unit: 'ns/call' },
      { name: 'KVM_CHECK_EXTENSION from C', value: res.ioctlCNs, unit: 'ns/call' },
      { name: 'ioctl overhead JS - C', value: res.ioctlOverNs, unit: 'ns/call', note: 'median of paired rounds' },
      { name: 'ioctl JS / C', value: res.ioctlRatio, unit: 'x', note: 'median of paired rounds' },
      { name: 'MMIO exit round trip from JS (run + decode)', value: res.mmioJsNs, unit: 'ns/exit' },
      { name: 'MMIO exit round trip from C', value: res.mmioCNs, unit: 'ns/exit' },
      { name: 'MMIO exit overhead JS - C', value: res.mmioOverNs, unit: 'ns/exit', note: 'median of paired rounds' },
      { name: 'MMIO exit JS / C', value: res.mmioRatio, unit: 'x', note: 'same guest, same run; median of paired rounds' },
    ],
  };
}

if (require.main === module) {
  void run().then((r) => {
    console.log(r.title);
    for (const row of r.rows) console.log(`  ${row.name.padEnd(46)} ${typeof row.value === 'number' ? row.value.toFixed(2).padStart(10) : row.value} ${row.unit ?? ''}`);
  });
}
