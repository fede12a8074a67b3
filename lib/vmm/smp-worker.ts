/**
 * One vCPU thread of the SMP reference VMM (lib/vmm/smp.ts): opens the shared VM, creates vCPU `idx`, runs it,
 * services its MMIO exits (the PL011: bytes go to a shared output ring in the order the guest wrote them) and
 * reports how it ended. Only the public API (lib/index.ts), so the same code runs on kvm and soft.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSharedVm, arm64CoreId, KvmError, type SharedVmHandle, type VcpuExit } from '../index';
import { Pl011, PL011_SIZE } from './pl011';
import { VIRT } from './virt';
import { OUT_STOP, OUT_DATA, OUT_CAPACITY, ringAppend, type SmpWorkerData, type SmpWorkerReport } from './smp-shared';

function main(d: SmpWorkerData): void {
  const port = parentPort;
  if (port === null) throw new Error('smp-worker: not a worker thread');
  const ctl = new Int32Array(d.out);
  const ring = new Uint16Array(d.out, OUT_DATA * 4, OUT_CAPACITY);
  const vm = openSharedVm(d.handle as SharedVmHandle);
  const vcpu = vm.createVcpu(d.idx);
  vcpu.init({ target: vm.preferredTarget().target, features: d.idx === 0 ? ['psci-0.2'] : ['psci-0.2', 'power-off'] });
  if (d.idx === 0) {
    vcpu.setOneReg(arm64CoreId('pc'), d.entry);
    vcpu.setOneReg(arm64CoreId('x0'), d.dtb);
  }
  const uart = new Pl011((b) => {
    // one shared ring for every vCPU: the atomic tail orders bytes as the guest's (lock-serialised) writes did
    ringAppend(ctl, ring, b); // reserve, then publish the slot (see smp-shared.ts)
  });
  uart.onIrq = (level) => vm.irqLine({ type: 'spi', vcpu: 0, irq: 32 + VIRT.UART_SPI }, level);
  const soft = vcpu as typeof vcpu & { setInstructionBudget?(n: number | undefined): void; instructionsRetired?: number };
  if (d.maxInsns !== undefined) soft.setInstructionBudget?.(d.maxInsns);
  port.postMessage({ type: 'created', kick: vcpu.kickHandle() });
  const report = (r: Omit<SmpWorkerReport, 'type' | 'idx' | 'instructions'>): void => {
    port.postMessage({ type: 'done', idx: d.idx, instructions: soft.instructionsRetired, ...r } satisfies SmpWorkerReport);
  };
  port.once('message', () => {
    try {
      for (;;) {
        let exit: VcpuExit;
        try {
          exit = vcpu.run();
        } catch (e) {
          if (e instanceof KvmError) return report({ reason: 'fault', diagnostic: `vCPU ${d.idx}: ${e.message}; PC=0x${vcpu.getReg(arm64CoreId('pc')).toString(16)}` });
          throw e;
        }
        if (exit.reason === 'mmio') {
          const a = exit.physAddr;
          if (a >= VIRT.UART && a < VIRT.UART + BigInt(PL011_SIZE)) {
            const off = Number(a - VIRT.UART);
            if (exit.isWrite) {
              let v = 0;
              for (let i = Math.min(exit.len, 4) - 1; i >= 0; i--) v = v * 256 + (exit.data[i] as number);
              uart.write(off, v);
            } else {
              const v = uart.read(off);
              for (let i = 0; i < exit.len; i++) exit.data[i] = i < 4 ? (v >>> (8 * i)) & 0xff : 0;
            }
            continue;
          }
          return report({ reason: 'mmio-unmapped', diagnostic: `vCPU ${d.idx}: guest ${exit.isWrite ? 'write to' : 'read from'} 0x${a.toString(16)} (${exit.len} bytes): no device there; PC=0x${vcpu.getReg(arm64CoreId('pc')).toString(16)}` });
        }
        if (exit.reason === 'system-event') {
          if (exit.type === 'shutdown' || exit.type === 'reset') return report({ reason: exit.type });
          return report({ reason: 'exit', diagnostic: `vCPU ${d.idx}: unhandled system event ${exit.type}` });
        }
        if (exit.reason === 'intr') {
          if (Atomics.load(ctl, OUT_STOP) !== 0) return report({ reason: 'stopped' });
          if (d.maxInsns !== undefined && soft.instructionsRetired !== undefined && soft.instructionsRetired >= d.maxInsns) {
            return report({ reason: 'max-insns', diagnostic: `vCPU ${d.idx}: instruction limit (${d.maxInsns}) reached; PC=0x${vcpu.getReg(arm64CoreId('pc')).toString(16)}` });
          }
          continue;
        }
        return report({ reason: 'exit', diagnostic: `vCPU ${d.idx}: unhandled exit '${exit.reason}'` });
      }
    } catch (e) {
      report({ reason: 'error', diagnostic: `vCPU ${d.idx}: ${(e as Error).stack ?? String(e)}` });
    } finally {
      vcpu.close();
      vm.close();
    }
  });
}

main(workerData as SmpWorkerData);
