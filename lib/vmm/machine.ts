/**
 * The reference VMM: a qemu-virt-compatible machine built only on the public API (lib/index.ts), so the same code
 * drives the soft backend and the real KVM. RAM at 0x40000000, PL011 at 0x09000000 → output, GICv2 when the
 * backend has one, PSCI through hvc (in the hypervisor), a device tree at the start of RAM with its address in x0.
 */
import { open, arm64CoreId, arm64SysregIdByName, KvmError, type Hypervisor, type Vcpu, type Vm, type VcpuExit, type GuestMemory } from '../index';
import { encodeDeviceAddrId } from '../codec/vgic';
import { Pl011, PL011_SIZE } from './pl011';
import { isElf, loadElf, loadRaw } from './loader';
import { isArm64Image, parseArm64ImageHeader, layoutLinux } from './linux';
import { VIRT, virtFdt } from './virt';

/** Host bytes for the PL011's receiver (stdin): subscribe returns an unsubscribe function. */
export interface MachineInput {
  subscribe(onData: (bytes: Uint8Array) => void): () => void;
}

export interface MachineOptions {
  /**
   * an AArch64 ELF (program headers), an arm64 Linux Image (header magic "ARM\x64" at 0x38: loaded per the boot
   * protocol, lib/vmm/linux.ts) or a raw binary (at loadAddr)
   */
  image: Uint8Array;
  /** raw images: load address (default 0x40080000); ignored for ELF; given for a Linux Image, it loads it raw there */
  loadAddr?: bigint;
  memMiB?: number;
  append?: string;
  initrd?: Uint8Array;
  backend?: 'auto' | 'soft' | 'kvm';
  smp?: number;
  /** per-instruction trace lines (soft backend only) */
  trace?: (line: string) => void;
  maxInsns?: number;
  timeoutSec?: number;
  /** UART output */
  output: (byte: number) => void;
  /** UART input (host → guest); bytes wait in a host queue while the RX FIFO is full or the receiver disabled */
  input?: MachineInput;
  /** abort: the run ends with reason 'quit', status 0 (e.g. Ctrl-A x) */
  signal?: AbortSignal;
}

export interface MachineResult {
  /** process exit status: 0 after SYSTEM_OFF (or RESET), non-zero otherwise */
  status: number;
  /** how it ended */
  reason: 'shutdown' | 'reset' | 'quit' | 'timeout' | 'max-insns' | 'mmio-unmapped' | 'fault' | 'exit' | 'error';
  /** one diagnostic line (non-zero status) */
  diagnostic?: string;
  backend: 'soft' | 'kvm';
  instructions?: number;
}

const PAGE = 4096;

export async function runMachine(o: MachineOptions): Promise<MachineResult> {
  const memMiB = o.memMiB ?? 128;
  if (!Number.isInteger(memMiB) || memMiB < 1 || memMiB > 4096) throw new RangeError(`memMiB: must be 1..4096, got ${String(memMiB)}`);
  const smp = o.smp ?? 1;
  if (smp !== 1) throw new RangeError('smp: only 1 vCPU is supported by `run` so far');
  const hv: Hypervisor = open({ backend: o.backend ?? 'auto' });
  const vm: Vm = hv.createVm();
  const memSize = memMiB * 1024 * 1024;
  const mem: GuestMemory = hv.allocateMemory(memSize);
  try {
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: VIRT.RAM, memory: mem });
    const ram = mem.bytes;
    const write = (gpa: bigint, bytes: Uint8Array): void => {
      if (gpa < VIRT.RAM || gpa + BigInt(bytes.length) > VIRT.RAM + BigInt(memSize)) {
        throw new RangeError(`image: bytes at 0x${gpa.toString(16)}..0x${(gpa + BigInt(bytes.length)).toString(16)} are outside RAM (0x40000000 + ${memMiB} MiB)`);
      }
      ram.set(bytes, Number(gpa - VIRT.RAM));
    };
    const linux = !isElf(o.image) && o.loadAddr === undefined && isArm64Image(o.image) ? parseArm64ImageHeader(o.image) : undefined;
    // GICv2 (legacy irqchip API, as qemu's virt with KVM uses it); a backend without one runs without interrupts
    let gic = false;
    try {
      vm.createIrqchip();
      vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-dist'), VIRT.GIC_DIST);
      vm.setDeviceAddr(encodeDeviceAddrId('vgic-v2-cpu'), VIRT.GIC_CPU);
      gic = true;
    } catch (e) {
      if (!(e instanceof KvmError)) throw e;
    }
    if (o.trace !== undefined && hv.backend === 'soft') {
      const describe = (require('../soft/cpu') as { describe(insn: number): string }).describe;
      const tr = o.trace;
      (vm as unknown as { setTrace(fn: (pc: bigint, insn: number) => void): void }).setTrace((pc, insn) =>
        tr(`${pc.toString(16).padStart(16, '0')}: ${insn.toString(16).padStart(8, '0')}  ${describe(insn)}`),
      );
    }
    const vcpu: Vcpu = vm.createVcpu(0);
    const target = vm.preferredTarget();
    vcpu.init({ target: target.target, features: ['psci-0.2'] });
    const mpidr = vcpu.getReg(arm64SysregIdByName('MPIDR_EL1'));
    const fdt = (initrd?: { start: bigint; end: bigint }): Uint8Array =>
      virtFdt({ memSize: BigInt(memSize), mpidrs: [mpidr], gic, ...(o.append !== undefined ? { bootargs: o.append } : {}), ...(initrd ? { initrd } : {}) });
    let entry: bigint;
    let dtbAddr: bigint;
    let dtb: Uint8Array;
    if (linux !== undefined) {
      // the arm64 boot protocol: Image at the 2 MiB-aligned RAM base + text_offset, DTB and initrd high in RAM
      const sized = fdt(o.initrd !== undefined ? { start: 0n, end: 0n } : undefined); // same size as the final one
      const l = layoutLinux({ ramBase: VIRT.RAM, ramSize: BigInt(memSize), header: linux, dtbSize: sized.length, ...(o.initrd !== undefined ? { initrdSize: o.initrd.length } : {}) });
      write(l.kernel, o.image);
      if (o.initrd !== undefined && l.initrd !== undefined) write(l.initrd.start, o.initrd);
      dtb = fdt(l.initrd);
      entry = l.kernel;
      dtbAddr = l.dtb;
    } else {
      const img = isElf(o.image) ? loadElf(o.image, write) : loadRaw(o.image, o.loadAddr ?? 0x40080000n, write);
      // initrd near the top of RAM, device tree at the start of RAM (qemu's place for bare-metal ELF images)
      let initrd: { start: bigint; end: bigint } | undefined;
      if (o.initrd !== undefined) {
        const start = (VIRT.RAM + BigInt(memSize) - BigInt(o.initrd.length) - 0x200000n) & ~0xfffn;
        write(start, o.initrd);
        initrd = { start, end: start + BigInt(o.initrd.length) };
      }
      dtb = fdt(initrd);
      dtbAddr = VIRT.RAM;
      const overlaps = (a: bigint): boolean => img.ranges.some(([s, e]) => a < e && s < a + BigInt(dtb.length));
      if (overlaps(dtbAddr)) dtbAddr = (VIRT.RAM + BigInt(memSize) - BigInt(dtb.length) - BigInt(PAGE)) & ~0xfffn;
      entry = img.entry;
    }
    write(dtbAddr, dtb);
    vcpu.setOneReg(arm64CoreId('pc'), entry);
    vcpu.setOneReg(arm64CoreId('x0'), dtbAddr);
    for (const x of ['x1', 'x2', 'x3']) vcpu.setOneReg(arm64CoreId(x), 0n);

    const uart = new Pl011(o.output);
    if (gic) uart.onIrq = (level) => vm.irqLine({ type: 'spi', vcpu: 0, irq: 32 + VIRT.UART_SPI }, level);
    // host input: a queue in front of the RX FIFO, refilled after the guest reads (on a later turn of the event
    // loop, as bytes arrive over time on a real line: a driver draining the FIFO in a loop does not eat the queue)
    const rxq = new ByteQueue();
    let pumpQueued = false;
    const pump = (): void => {
      pumpQueued = false;
      if (rxq.length > 0 && uart.rxRoom > 0) rxq.drop(uart.receive(rxq.peek(uart.rxRoom)));
    };
    uart.onRxSpace = () => {
      if (rxq.length > 0 && !pumpQueued) {
        pumpQueued = true;
        setImmediate(pump);
      }
    };
    const unsubscribe = o.input?.subscribe((bytes) => {
      rxq.push(bytes);
      pump();
    });
    // a vCPU asleep in WFI waits with Atomics.waitAsync (soft) or in a thread-pool KVM_RUN: neither keeps Node's
    // event loop alive, and a guest idle until its next timer or an input byte must not end the process
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let quit = o.signal?.aborted === true;
    const onAbort = (): void => {
      quit = true;
      vcpu.kick();
    };
    o.signal?.addEventListener('abort', onAbort);
    const soft = vcpu as Vcpu & { setInstructionBudget?(n: number | undefined): void; instructionsRetired?: number };
    let timedOut = false;
    const timer = o.timeoutSec !== undefined ? setTimeout(() => ((timedOut = true), vcpu.kick()), o.timeoutSec * 1000) : undefined;
    const base = { backend: hv.backend };
    const insns = (): { instructions?: number } => (soft.instructionsRetired !== undefined ? { instructions: soft.instructionsRetired } : {});
    try {
      for (;;) {
        if (quit) return { ...base, ...insns(), status: 0, reason: 'quit' };
        let exit: VcpuExit;
        if (o.maxInsns !== undefined && soft.setInstructionBudget !== undefined && soft.instructionsRetired !== undefined) {
          const left = o.maxInsns - soft.instructionsRetired;
          if (left <= 0) return { ...base, ...insns(), status: 1, reason: 'max-insns', diagnostic: `instruction limit (${o.maxInsns}) reached; ${cpuState(vcpu, ram)}` };
          soft.setInstructionBudget(left);
        }
        try {
          exit = await vcpu.runAsync();
        } catch (e) {
          if (e instanceof KvmError) return { ...base, ...insns(), status: 1, reason: 'fault', diagnostic: `${e.message}; ${cpuState(vcpu, ram)}` };
          throw e;
        }
        switch (exit.reason) {
          case 'mmio': {
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
            return {
              ...base, ...insns(), status: 1, reason: 'mmio-unmapped',
              diagnostic: `guest ${exit.isWrite ? 'write to' : 'read from'} 0x${a.toString(16)} (${exit.len} bytes): no device there; ${cpuState(vcpu, ram)}`,
            };
          }
          case 'system-event':
            if (exit.type === 'shutdown') return { ...base, ...insns(), status: 0, reason: 'shutdown' };
            if (exit.type === 'reset') return { ...base, ...insns(), status: 0, reason: 'reset' };
            return { ...base, ...insns(), status: 1, reason: 'exit', diagnostic: `unhandled system event ${exit.type}; ${cpuState(vcpu, ram)}` };
          case 'intr':
            if (quit) return { ...base, ...insns(), status: 0, reason: 'quit' };
            if (timedOut) return { ...base, ...insns(), status: 124, reason: 'timeout', diagnostic: `timeout after ${o.timeoutSec} s; ${cpuState(vcpu, ram)}` };
            if (o.maxInsns !== undefined && soft.instructionsRetired !== undefined && soft.instructionsRetired >= o.maxInsns) {
              return { ...base, ...insns(), status: 1, reason: 'max-insns', diagnostic: `instruction limit (${o.maxInsns}) reached; ${cpuState(vcpu, ram)}` };
            }
            continue;
          default:
            return { ...base, ...insns(), status: 1, reason: 'exit', diagnostic: `unhandled exit '${exit.reason}'; ${cpuState(vcpu, ram)}` };
        }
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      clearInterval(keepAlive);
      unsubscribe?.();
      o.signal?.removeEventListener('abort', onAbort);
      uart.onRxSpace = undefined;
    }
  } finally {
    vm.close();
    mem.close();
    hv.close();
  }
}

/** One line: PC, ESR_EL1, FAR_EL1, ELR_EL1 and the instructions at PC and ELR (disassembled when possible). */
function cpuState(vcpu: Vcpu, ram: Uint8Array): string {
  const r = (n: string, sys = false): bigint | undefined => {
    try {
      return vcpu.getReg(sys ? arm64SysregIdByName(n) : arm64CoreId(n));
    } catch {
      return undefined;
    }
  };
  const hex = (v: bigint | undefined): string => (v === undefined ? '?' : `0x${v.toString(16)}`);
  const pc = r('pc');
  const elr = r('elr_el1');
  const parts = [`PC=${hex(pc)}`, `ESR_EL1=${hex(r('ESR_EL1', true))}`, `FAR_EL1=${hex(r('FAR_EL1', true))}`, `ELR_EL1=${hex(elr)}`];
  const at = (a: bigint | undefined): string | undefined => {
    if (a === undefined || a < VIRT.RAM || a + 4n > VIRT.RAM + BigInt(ram.length)) return undefined;
    const off = Number(a - VIRT.RAM);
    const w = ((ram[off] as number) | ((ram[off + 1] as number) << 8) | ((ram[off + 2] as number) << 16) | ((ram[off + 3] as number) << 24)) >>> 0;
    return `${w.toString(16).padStart(8, '0')} ${disasm(w)}`;
  };
  const ip = at(pc);
  if (ip !== undefined) parts.push(`insn@PC=${ip}`);
  const ie = at(elr);
  if (ie !== undefined && elr !== pc) parts.push(`insn@ELR=${ie}`);
  return parts.join(' ');
}

function disasm(w: number): string {
  try {
    return `(${(require('../soft/cpu') as { describe(insn: number): string }).describe(w)})`;
  } catch {
    return '';
  }
}

/** FIFO of host bytes (chunks, no copying on push). */
class ByteQueue {
  readonly #chunks: Uint8Array[] = [];
  #head = 0;
  length = 0;
  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.#chunks.push(b);
    this.length += b.length;
  }
  /** up to n bytes from the front (not removed) */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.length));
    let o = 0;
    let h = this.#head;
    for (const c of this.#chunks) {
      const part = c.subarray(h, h + (out.length - o));
      out.set(part, o);
      o += part.length;
      h = 0;
      if (o === out.length) break;
    }
    return out;
  }
  drop(n: number): void {
    this.length -= n;
    while (n > 0) {
      const c = this.#chunks[0] as Uint8Array;
      const left = c.length - this.#head;
      if (n < left) {
        this.#head += n;
        return;
      }
      n -= left;
      this.#chunks.shift();
      this.#head = 0;
    }
  }
}
