/**
 * SMP conformance: vCPUs really running at once, one per worker thread, through the public API on every
 * available backend — the main thread creates the VM, memory and VGIC and posts vm.share(); each worker does
 * openSharedVm(handle) → createVcpu(i) → init → run(). Expectations are KVM's (Linux 6.1).
 */
import { Worker } from 'node:worker_threads';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableBackends } from './backends';
import { arm64CoreId } from '../../lib/codec/regid';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP, KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V2_ADDR_TYPE_CPU, KVM_DEV_ARM_VGIC_CTRL_INIT } from '../../lib/codec/vgic';
import { kickVcpu } from '../../lib';
import type { Hypervisor, Vm, GuestMemory, VcpuExit } from '../../lib/backend';

const RAM = 0x40000000n;
const RAM_SIZE = 0x20000;
const DONE = 0x09000000n; // outside RAM: an MMIO exit
const GICD = 0x08000000n;
const GICC = 0x08010000n;

// --- the library as JS for the workers (ts-jest does not reach worker threads): transpiled once here. When this
// file is itself compiled JS (the arm64 lab runs tsc output from ci/.out/js), lib/ next to it is JS too: the
// workers require lib/index.js directly and nothing is transpiled (typescript is not even loaded).
const COMPILED = __filename.endsWith('.js');
const LIB_ENTRY = join(__dirname, '../../lib', COMPILED ? 'index.js' : 'index.ts');
function transpileLib(): Record<string, string> {
  if (COMPILED) return {};
  const ts = require('typescript') as typeof import('typescript');
  const root = join(__dirname, '../../lib');
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts') && !n.endsWith('.d.ts')) {
        out[p] = ts.transpileModule(readFileSync(p, 'utf8'), { fileName: p, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
      }
    }
  };
  walk(root);
  return out;
}
let libJs: Record<string, string> | undefined;

/**
 * The worker: a VMM thread of one vCPU. Opens the shared VM, creates and inits vCPU `idx`, sets its registers,
 * posts 'created' (with its kick handle and mp_state), waits for 'go', runs until an MMIO exit (or 'intr'),
 * posts the exit with x0..x30, pc and mp_state.
 *
 * The registers are written BEFORE 'created', i.e. before any vCPU of the VM runs. KVM applies a pending PSCI
 * CPU_ON reset at the target's next KVM_GET/SET_ONE_REG (arch/arm64/kvm/arm.c: "handle the pending reset here to
 * ensure userspace register accesses are ordered after the reset"), so a register write that lands after another
 * vCPU's CPU_ON overrides the CPU_ON entry point. Written after 'go' (as this test once did), vCPU1's pc write raced
 * vCPU0's CPU_ON: when it lost, vCPU1 started at its placeholder pc (zeros: UDF → vector 0x200, outside every
 * memslot → an injected prefetch abort at 0x200, forever, inside KVM_RUN) and vCPU0 spun waiting for it — the
 * intermittent lab hang (reproduced every time with the write delayed: vCPU1 kicked out at pc=0x200, x0=0x1234).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Module = require('node:module');
const js = workerData.libJs;
const orig = Module._extensions['.js'];
Module._extensions['.ts'] = (m, f) => m._compile(js[f], f);
const lib = require(workerData.entry);
const { arm64CoreId } = lib;
const vm = lib.openSharedVm(workerData.handle);
const vcpu = vm.createVcpu(workerData.idx);
vcpu.init({ target: vm.preferredTarget().target, features: workerData.features });
for (const [name, v] of Object.entries(workerData.regs)) vcpu.setOneReg(arm64CoreId(name), v);
parentPort.postMessage({ type: 'created', kick: vcpu.kickHandle(), mp: vcpu.getMpState() });
parentPort.once('message', () => {
  try {
    let exit;
    for (;;) {
      exit = vcpu.run();
      if (exit.reason === 'mmio' || exit.reason === 'intr' || exit.reason === 'system-event') break;
    }
    const x = [];
    for (let i = 0; i < 31; i++) x.push(vcpu.getReg(arm64CoreId('x' + i)));
    parentPort.postMessage({ type: 'exit', exit, x, pc: vcpu.getReg(arm64CoreId('pc')), mp: vcpu.getMpState() });
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) });
  }
  vcpu.close();
  vm.close();
});
`;

interface Created {
  kick: unknown;
  mp: string;
}
interface Done {
  exit: VcpuExit;
  x: bigint[];
  pc: bigint;
  mp: string;
}

/** Every VcpuThread whose worker is still alive: afterEach stops them all, so a failed test never leaves one behind. */
const live = new Set<VcpuThread>();
/** Resolves 'slept' after ms; the timer is cleared once `settled` settles (no timer outlives the test). */
function sleepUnless(ms: number, settled: Promise<unknown>): Promise<'slept'> {
  return new Promise((r) => {
    const t = setTimeout(() => r('slept'), ms);
    const clear = (): void => clearTimeout(t);
    settled.then(clear, clear);
  });
}
// how long a test waits for its vCPUs' exits before it kicks them and fails (below jest's timeout, so that the
// failure names where each vCPU was instead of a bare timeout)
const DEADLINE_MS = 95_000;

class VcpuThread {
  readonly worker: Worker;
  readonly created: Promise<Created>;
  readonly done: Promise<Done>;
  readonly gone: Promise<void>;
  #kick: unknown;
  constructor(
    vm: Vm,
    readonly idx: number,
    regs: Record<string, bigint>,
    features: string[] = [],
  ) {
    libJs ??= transpileLib();
    this.worker = new Worker(WORKER, { eval: true, workerData: { libJs, entry: LIB_ENTRY, handle: vm.share(), idx, regs, features } });
    live.add(this);
    this.gone = new Promise((r) => this.worker.once('exit', () => (live.delete(this), r())));
    let created!: (c: Created) => void;
    let done!: (d: Done) => void;
    let failed!: (e: Error) => void;
    this.created = new Promise<Created>((r, j) => ((created = r), (failed = j)));
    const donePromise = new Promise<Done>((r, j) => {
      done = r;
      const prev = failed;
      failed = (e) => (prev(e), j(e));
    });
    this.done = donePromise;
    donePromise.catch(() => undefined);
    this.created.catch(() => undefined);
    this.worker.on('message', (m: { type: string } & Created & Done & { message: string }) => {
      if (m.type === 'created') ((this.#kick = m.kick), created(m));
      else if (m.type === 'exit') done(m);
      else if (m.type === 'error') failed(new Error(m.message));
    });
    this.worker.on('error', (e) => failed(e));
    this.worker.on('exit', (code) => failed(new Error(`vCPU ${idx}'s worker exited (${code}) before reporting`)));
  }
  go(): void {
    this.worker.postMessage('go');
  }
  /** Kicks the vCPU (its run() returns intr; a kick before KVM_RUN makes the next run return intr). */
  kick(): void {
    if (this.#kick !== undefined) kickVcpu(this.#kick as Parameters<typeof kickVcpu>[0]);
  }
  /**
   * Ends the worker whatever it is doing. terminate() alone cannot end a thread blocked in KVM_RUN (a native call:
   * the termination waits for it to return to JS), so the vCPU is kicked every 20 ms until the thread is gone.
   */
  async stop(): Promise<void> {
    if (!live.has(this)) return;
    this.kick();
    const kicker = setInterval(() => this.kick(), 20);
    try {
      await this.worker.terminate();
      await this.gone;
    } finally {
      clearInterval(kicker);
    }
  }
  async finish(): Promise<Done> {
    return (await finishAll([this]))[0] as Done;
  }
}

/**
 * Waits for every thread's exit report, then ends the workers. If the reports have not all come within
 * DEADLINE_MS, kicks every vCPU and fails naming where each one was (pc after the kick) instead of hanging.
 */
async function finishAll(threads: VcpuThread[]): Promise<Done[]> {
  const all = Promise.all(threads.map((t) => t.done));
  const first = await Promise.race([all, sleepUnless(DEADLINE_MS, all)]);
  if (first !== 'slept') {
    await Promise.all(threads.map((t) => t.stop()));
    return first;
  }
  const where = await Promise.all(
    threads.map(async (t) => {
      const kicker = setInterval(() => t.kick(), 20);
      t.kick();
      try {
        const d = await Promise.race([t.done, sleepUnless(10_000, t.done)]);
        return d === 'slept' ? `vCPU ${t.idx}: no report even after kicks` : `vCPU ${t.idx}: ${d.exit.reason} at pc=0x${d.pc.toString(16)} (${d.mp})`;
      } catch (e) {
        return `vCPU ${t.idx}: ${(e as Error).message}`;
      } finally {
        clearInterval(kicker);
      }
    }),
  );
  throw new Error(`the vCPUs did not all exit within ${DEADLINE_MS / 1000} s; kicked: ${where.join('; ')}`);
}

function setup(hv: Hypervisor, code: Uint32Array, at = 0): { vm: Vm; mem: GuestMemory } {
  const vm = hv.createVm();
  const mem = hv.allocateMemory(RAM_SIZE);
  mem.bytes.set(new Uint8Array(code.buffer, code.byteOffset, code.byteLength), at);
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM, memory: mem });
  return { vm, mem };
}

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
// worker start-up (the library transpiled and loaded per thread) and 2 x 100000 interpreted loop iterations on a shared host
jest.setTimeout(120_000);

for (const b of availableBackends()) {
  describe(`SMP, one vCPU per worker thread (${b.name})`, () => {
    let hv: Hypervisor;
    beforeAll(() => {
      hv = b.open();
    });
    afterAll(() => hv.close());
    // a failed or timed-out test must not leave a worker blocked in KVM_RUN (it would keep jest alive)
    afterEach(async () => {
      await Promise.all([...live].map((t) => t.stop()));
    });

    test('two vCPUs incrementing one counter with LDXR/STXR 100000 times each give exactly 200000', async () => {
      // arrive at a barrier (x6), then: ldxr x3,[x1]; add; stxr w4; cbnz w4 retry (x9++); subs x2; b.ne; str x9,[x5]
      const code = new Uint32Array([
        0x885f7cc7, 0x110004e7, 0x88087cc7, 0x35ffffa8, 0xb94000c7, 0x710008ff, 0x54ffffc1, 0xc85f7c23, 0x91000463, 0xc8047c23, 0x350000a4, 0xf1000442,
        0x54ffff61, 0xf90000a9, 0x14000000, 0x91000529, 0x17fffff7,
      ]);
      const { vm, mem } = setup(hv, code);
      const N = 100000n;
      const regs = { pc: RAM, x1: RAM + 0x8000n, x2: N, x5: DONE, x6: RAM + 0x9000n };
      const threads = [new VcpuThread(vm, 0, regs), new VcpuThread(vm, 1, regs)];
      await Promise.all(threads.map((t) => t.created));
      threads.forEach((t) => t.go());
      const results = await finishAll(threads);
      for (const r of results) expect(r.exit).toMatchObject({ reason: 'mmio', isWrite: true, physAddr: DONE });
      const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset);
      expect(dv.getBigUint64(0x8000, true)).toBe(2n * N);
      expect(dv.getUint32(0x9000, true)).toBe(2);
      // failed store-exclusives (contention) seen by each vCPU: informative, timing dependent
      console.log(`${b.name}: STXR retries per vCPU: ${results.map((r) => r.x[9]).join(', ')}`);
      vm.close();
      mem.close();
    });

    // vCPU1's registers (a placeholder pc the CPU_ON must replace) are set before any vCPU runs: see WORKER
    test('PSCI CPU_ON / AFFINITY_INFO across threads: return codes, entry point and context id, MP_STATE', async () => {
      const code = new Uint32Array([
        0x58000580, 0xd2800021, 0xd2800002, 0xd4000002, 0xaa0003f3, 0x58000520, 0xd2800021, 0x10000402, 0xd2824683, 0xd4000002, 0xaa0003f4, 0x58000460,
        0xd2800021, 0x10000342, 0xd2824683, 0xd4000002, 0xaa0003f5, 0x580003a0, 0xd28000e1, 0x10000282, 0xd2800003, 0xd4000002, 0xaa0003f6, 0x580002a0,
        0xd2800021, 0xd2800002, 0xd4000002, 0xaa0003f7, 0x58000200, 0xd2800021, 0xb2480021, 0xd2800002, 0xd4000002, 0xaa0003f8, 0x100001c6, 0xf94000c7,
        0xb4ffffe7, 0xf90000a7, 0x14000000, 0x10000126, 0xf90000c0, 0xd2a12005, 0xf90004a0, 0x14000000, 0xc4000004, 0x00000000, 0xc4000003, 0x00000000,
        0x00000000, 0x00000000,
      ]);
      const { vm, mem } = setup(hv, code);
      const features = ['psci-0.2'];
      const t0 = new VcpuThread(vm, 0, { pc: RAM, x5: DONE }, features);
      const t1 = new VcpuThread(vm, 1, { pc: RAM + 0x1000n }, [...features, 'power-off']);
      const [c0, c1] = await Promise.all([t0.created, t1.created]);
      expect(c0.mp).toBe('runnable');
      expect(c1.mp).toBe('stopped');
      t1.go(); // KVM_RUN of a powered-off vCPU sleeps until CPU_ON
      t0.go();
      const [r0, r1] = (await finishAll([t0, t1])) as [Done, Done];
      expect(r0.x[19]).toBe(1n); // AFFINITY_INFO: OFF
      expect(r0.x[20]).toBe(0n); // CPU_ON: SUCCESS
      expect(r0.x[21]).toBe(u64(-4n)); // CPU_ON again: ALREADY_ON (KVM 6.1 never answers ON_PENDING)
      expect(r0.x[22]).toBe(u64(-2n)); // CPU_ON of an MPIDR no vCPU has: INVALID_PARAMETERS
      expect(r0.x[23]).toBe(0n); // AFFINITY_INFO: ON
      expect(r0.x[24]).toBe(u64(-2n)); // AFFINITY_INFO with bits outside MPIDR_HWID: INVALID_PARAMETERS
      // vCPU1 started at the entry point (pc of vCPU0's code + 0x9c) with the context id in x0
      expect(r1.exit).toMatchObject({ reason: 'mmio', physAddr: DONE + 8n, isWrite: true });
      expect(Buffer.from((r1.exit as { data: Uint8Array }).data).readBigUInt64LE(0)).toBe(0x1234n);
      expect(r1.mp).toBe('runnable');
      expect(r0.exit).toMatchObject({ reason: 'mmio', physAddr: DONE });
      expect(Buffer.from((r0.exit as { data: Uint8Array }).data).readBigUInt64LE(0)).toBe(0x1234n);
      vm.close();
      mem.close();
    });

    // The fact behind the old CPU_ON hang, checked without threads: KVM takes a pending CPU_ON reset at the target's
    // next KVM_GET/SET_ONE_REG (not only at KVM_RUN), so userspace register accesses after the CPU_ON see the reset
    // state and writes made then survive into the run.
    test('a register write to a vCPU after another vCPU CPU_ONs it lands after the CPU_ON reset (KVM: the reset is taken at KVM_GET/SET_ONE_REG)', () => {
      // vCPU0: CPU_ON(1, entry, 0x55); str x0,[x5]. entry: mov x5,#DONE; str x1,[x5,#8]
      const code = new Uint32Array([0x58000140, 0xd2800021, 0x100000a2, 0xd2800aa3, 0xd4000002, 0xf90000a0, 0x14000000, 0xd2a12005, 0xf90004a1, 0x14000000, 0xc4000003, 0]);
      const { vm, mem } = setup(hv, code);
      const closers: Array<{ close(): void }> = [mem, vm];
      try {
        const v0 = vm.createVcpu(0);
        closers.unshift(v0);
        v0.init({ target: vm.preferredTarget().target, features: ['psci-0.2'] });
        const v1 = vm.createVcpu(1);
        closers.unshift(v1);
        v1.init({ target: vm.preferredTarget().target, features: ['psci-0.2', 'power-off'] });
        v1.setOneReg(arm64CoreId('pc'), RAM + 0x1000n); // before the CPU_ON: the reset replaces it
        v0.setOneReg(arm64CoreId('pc'), RAM);
        v0.setOneReg(arm64CoreId('x5'), DONE);
        const e0 = v0.run();
        expect(e0).toMatchObject({ reason: 'mmio', physAddr: DONE, isWrite: true });
        expect(Buffer.from((e0 as { data: Uint8Array }).data).readBigUInt64LE(0)).toBe(0n); // CPU_ON: SUCCESS
        expect(v1.getMpState()).toBe('runnable');
        expect(v1.getReg(arm64CoreId('pc'))).toBe(RAM + 0x1cn); // the entry point, before vCPU1 ever ran
        expect(v1.getReg(arm64CoreId('x0'))).toBe(0x55n); // the context id
        v1.setOneReg(arm64CoreId('x1'), 0x77n); // after the reset: survives into the run
        const e1 = v1.run();
        expect(e1).toMatchObject({ reason: 'mmio', physAddr: DONE + 8n, isWrite: true });
        expect(Buffer.from((e1 as { data: Uint8Array }).data).readBigUInt64LE(0)).toBe(0x77n);
      } finally {
        for (const c of closers) c.close();
      }
    });

    test('an SGI from vCPU0 (GICD_SGIR) wakes vCPU1 from WFI; it acknowledges SGI 1 from CPU 0', async () => {
      const code = new Uint32Array([
        0xb94000c7, 0x34ffffe7, 0x52800028, 0x72a00048, 0xb90f0148, 0xf90000a8, 0x14000000, 0x52800028, 0xb9000148, 0xb9000168, 0x52801fe8, 0xb9000568,
        0x52800028, 0x889ffcc8, 0xd503207f, 0x9100058c, 0xb9400d69, 0x710ffd3f, 0x54ffff80, 0xb9001169, 0xf90004a9, 0x14000000,
      ]);
      const { vm, mem } = setup(hv, code);
      const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
      gic.setAttr(KVM_DEV_ARM_VGIC_GRP.ADDR, BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST), GICD);
      gic.setAttr(KVM_DEV_ARM_VGIC_GRP.ADDR, BigInt(KVM_VGIC_V2_ADDR_TYPE_CPU), GICC);
      const common = { x10: GICD, x11: GICC, x5: DONE, x6: RAM + 0x9000n };
      // vCPU0 is created before vCPU1: KVM numbers a vCPU's GIC CPU interface (the GICD_SGIR target list bit, the
      // IAR source CPU) by creation order, not by vcpu id; created concurrently, vCPU1 could become interface 0, the
      // SGI (target list 0b10) would go to vCPU0 itself and vCPU1 would sleep in WFI forever on real KVM
      const t0 = new VcpuThread(vm, 0, { ...common, pc: RAM });
      await t0.created;
      const t1 = new VcpuThread(vm, 1, { ...common, pc: RAM + 0x1cn });
      await t1.created;
      // every vCPU exists: initialise the VGIC (KVM needs all vCPUs before), then let them run
      gic.setAttr(KVM_DEV_ARM_VGIC_GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
      t1.go();
      t0.go();
      const [r0, r1] = (await finishAll([t0, t1])) as [Done, Done];
      expect(r0.exit).toMatchObject({ reason: 'mmio', physAddr: DONE });
      expect(r1.exit).toMatchObject({ reason: 'mmio', physAddr: DONE + 8n });
      expect(r1.x[9]).toBe(1n); // GICC_IAR: SGI 1, source CPU 0 (bits 12..10)
      expect(r1.x[12]).toBeGreaterThanOrEqual(1n); // WFI returned at least once
      gic.close();
      vm.close();
      mem.close();
    });

    test('kick of a vCPU spinning in a worker: its run() returns intr', async () => {
      const { vm, mem } = setup(hv, new Uint32Array([0x14000000])); // b .
      const t = new VcpuThread(vm, 0, { pc: RAM });
      const c = await t.created;
      t.go();
      // kick until the worker reports: a kick before KVM_RUN starts is not lost either, this keeps the test independent of it
      let stop = false;
      const kicker = (async () => {
        while (!stop) {
          kickVcpu(c.kick);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const r = await t.finish();
      stop = true;
      await kicker;
      expect(r.exit).toEqual({ reason: 'intr' });
      expect(r.x.length).toBe(31);
      vm.close();
      mem.close();
    });
  });
}
