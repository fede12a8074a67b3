/**
 * The SMP reference VMM (`kvm-arm run --smp N`): the qemu-virt machine of machine.ts with N vCPUs, each in its own
 * worker thread (smp-worker.ts), through the public API only — so the same code drives kvm and soft:
 *   main: open → createVm → memory slot → VGIC → load image + FDT (/cpus: N CPUs, enable-method psci) → vm.share()
 *   each worker: openSharedVm(handle) → createVcpu(i) → init (vCPUs 1.. powered off; the guest starts them with
 *   PSCI CPU_ON) → run, servicing its own MMIO exits.
 * UART output from every vCPU goes through one shared ring whose atomic tail orders the bytes as the guest wrote
 * them; the main thread drains it. The first vCPU to end the run (SYSTEM_OFF, fault, ...) decides the result;
 * the others are kicked and stop.
 */
import { Worker } from 'node:worker_threads';
import { open, kickVcpu, KvmError, type Hypervisor, type Vm, type GuestMemory } from '../index';
import { encodeDeviceAddrId } from '../codec/vgic';
import { isElf, loadElf, loadRaw } from './loader';
import { VIRT, virtFdt } from './virt';
import type { MachineOptions, MachineResult } from './machine';
import { OUT_TAIL, OUT_STOP, OUT_DATA, OUT_CAPACITY, ringDrain, type SmpWorkerData, type SmpWorkerReport } from './smp-shared';

const PAGE = 4096;

/** Starts the worker script: compiled JS as is; the TypeScript source (tests) through typescript's transpiler. */
function spawn(data: SmpWorkerData): Worker {
  const script = require.resolve('./smp-worker');
  const boot = `
    const { workerData } = require('node:worker_threads');
    if (workerData.script.endsWith('.ts')) {
      const ts = require(workerData.typescript), fs = require('node:fs'), Module = require('node:module');
      Module._extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), { fileName: f, compilerOptions: { module: 1, target: 9, esModuleInterop: true } }).outputText, f);
    }
    require(workerData.script);`;
  const typescript = script.endsWith('.ts') ? require.resolve('typescript') : '';
  return new Worker(boot, { eval: true, workerData: { ...data, script, typescript } });
}

export async function runSmpMachine(o: MachineOptions): Promise<MachineResult> {
  const memMiB = o.memMiB ?? 128;
  if (!Number.isInteger(memMiB) || memMiB < 1 || memMiB > 4096) throw new RangeError(`memMiB: must be 1..4096, got ${String(memMiB)}`);
  const n = o.smp ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new RangeError(`smp: must be 1..8, got ${String(n)}`);
  if (o.trace !== undefined) throw new RangeError('trace: not supported with --smp > 1');
  const hv: Hypervisor = open({ backend: o.backend ?? 'auto' });
  const vm: Vm = hv.createVm();
  const memSize = memMiB * 1024 * 1024;
  const mem: GuestMemory = hv.allocateMemory(memSize);
  const workers: Worker[] = [];
  try {
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: VIRT.RAM, memory: mem });
    const write = (gpa: bigint, bytes: Uint8Array): void => {
      if (gpa < VIRT.RAM || gpa + BigInt(bytes.length) > VIRT.RAM + BigInt(memSize)) {
        throw new RangeError(`image: bytes at 0x${gpa.toString(16)}..0x${(gpa + BigInt(bytes.length)).toString(16)} are outside RAM (0x40000000 + ${memMiB} MiB)`);
      }
      mem.bytes.set(bytes, Number(gpa - VIRT.RAM));
    };
    const img = isElf(o.image) ? loadElf(o.image, write) : loadRaw(o.image, o.loadAddr ?? 0x40080000n, write);
    let gic = false;
    try {
      vm.createIrqchip();
      vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), VIRT.GIC_DIST);
      vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), VIRT.GIC_CPU);
      gic = true;
    } catch (e) {
      if (!(e instanceof KvmError)) throw e;
    }
    let initrd: { start: bigint; end: bigint } | undefined;
    if (o.initrd !== undefined) {
      const start = (VIRT.RAM + BigInt(memSize) - BigInt(o.initrd.length) - 0x200000n) & ~0xfffn;
      write(start, o.initrd);
      initrd = { start, end: start + BigInt(o.initrd.length) };
    }
    // vCPU ids 0..n-1: KVM's reset MPIDR of each (Aff0 = id for ids < 16)
    const mpidrs = Array.from({ length: n }, (_, i) => BigInt(i & 0xf) | (BigInt((i >> 4) & 0xff) << 8n));
    const dtb = virtFdt({ memSize: BigInt(memSize), mpidrs, gic, ...(o.append !== undefined ? { bootargs: o.append } : {}), ...(initrd ? { initrd } : {}) });
    let dtbAddr: bigint = VIRT.RAM;
    const overlaps = (a: bigint): boolean => img.ranges.some(([s, e]) => a < e && s < a + BigInt(dtb.length));
    if (overlaps(dtbAddr)) dtbAddr = (VIRT.RAM + BigInt(memSize) - BigInt(dtb.length) - BigInt(PAGE)) & ~0xfffn;
    write(dtbAddr, dtb);

    const out = new SharedArrayBuffer(OUT_DATA * 4 + OUT_CAPACITY * 2);
    const ctl = new Int32Array(out);
    const ring = new Uint16Array(out, OUT_DATA * 4, OUT_CAPACITY);
    let head = 0;
    const drain = (final = false): void => {
      head = ringDrain(ctl, ring, head, (b) => o.output(b), final);
    };
    const handle = vm.share();
    const kicks: unknown[] = [];
    const created: Promise<void>[] = [];
    const reports: Promise<SmpWorkerReport>[] = [];
    for (let i = 0; i < n; i++) {
      const w = spawn({ handle, idx: i, entry: img.entry, dtb: dtbAddr, out, ...(o.maxInsns !== undefined ? { maxInsns: o.maxInsns } : {}) });
      workers.push(w);
      created.push(
        new Promise((res, rej) => {
          w.once('message', (m: { type: string; kick: unknown }) => ((kicks[i] = m.kick), res()));
          w.once('error', rej);
        }),
      );
      reports.push(
        new Promise((res) => {
          w.on('message', (m: SmpWorkerReport) => m.type === 'done' && res(m));
          w.on('error', (e) => res({ type: 'done', idx: i, reason: 'error', diagnostic: `vCPU ${i}: ${e.stack ?? String(e)}` }));
          w.on('exit', (code) => res({ type: 'done', idx: i, reason: 'error', diagnostic: `vCPU ${i}: worker exited (${code})` }));
        }),
      );
      // One at a time: KVM numbers the VGIC CPU interfaces in vCPU creation order, so concurrent KVM_CREATE_VCPU
      // calls could give vCPU 1 interface 0 and misroute SGIs/targets (seen in the lab).
      await created[i];
    }
    // every vCPU exists before any runs (the VGIC is initialised at the first KVM_RUN with the vCPUs there are)
    await Promise.all(created);
    for (const w of workers) w.postMessage('go');
    const poll = setInterval(() => drain(), 10);
    let timedOut = false;
    const stopAll = (): void => {
      Atomics.store(ctl, OUT_STOP, 1);
      for (const k of kicks) kickVcpu(k);
    };
    const timer = o.timeoutSec !== undefined ? setTimeout(() => ((timedOut = true), stopAll()), o.timeoutSec * 1000) : undefined;
    let first: SmpWorkerReport;
    let all: SmpWorkerReport[];
    try {
      first = await Promise.race(reports);
      stopAll();
      all = await Promise.all(reports);
    } finally {
      clearInterval(poll);
      if (timer !== undefined) clearTimeout(timer);
      drain(true);
    }
    const instructions = all.every((r) => r.instructions !== undefined) ? all.reduce((s, r) => s + (r.instructions ?? 0), 0) : undefined;
    const base = { backend: hv.backend, ...(instructions !== undefined ? { instructions } : {}) };
    const truncated = Atomics.load(ctl, OUT_TAIL) > ring.length ? ` (output beyond ${ring.length} bytes dropped)` : '';
    if (timedOut) return { ...base, status: 124, reason: 'timeout', diagnostic: `timeout after ${o.timeoutSec} s${truncated}` };
    switch (first.reason) {
      case 'shutdown':
      case 'reset':
        return { ...base, status: truncated ? 1 : 0, reason: first.reason, ...(truncated ? { diagnostic: truncated.trim() } : {}) };
      case 'stopped':
        return { ...base, status: 1, reason: 'error', diagnostic: `vCPU ${first.idx} stopped` };
      default:
        return { ...base, status: 1, reason: first.reason, diagnostic: first.diagnostic ?? first.reason };
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    vm.close();
    mem.close();
    hv.close();
  }
}
