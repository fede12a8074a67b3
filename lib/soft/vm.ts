/**
 * SoftVm: KVM's VM fd semantics over the software machine: memory slots (KVM_SET_USER_MEMORY_REGION's rules and
 * errnos, read-only slots, dirty logging), vCPU creation, IRQ lines, device creation, capabilities.
 */
import type { Vm, MemoryRegion, VcpuInit, Device, KvmCapName } from '../backend';
import type { IrqField } from '../codec/irq';
import { encodeIrq } from '../codec/irq';
import { KVM_CAP, KVM_ARM_TARGET } from '../codec/abi';
import { KVM_ARM_PSCI_LATEST } from '../codec/psci';
import { KvmError, closedError, type ErrnoCode } from '../errors';
import type { Cpu, MmioResult, PhysBus, RamRegion } from './cpu/api';
import { SoftGuestMemory, SOFT_PAGE_SIZE } from './memory';
import { SOFT_MAX_VCPUS, KVM_MAX_VCPU_IDS, SOFT_NR_MEMSLOTS, SOFT_DEFAULT_IPA, SOFT_IPA_LIMIT } from './caps';
import type { SoftMmioHandler, SoftVcpuHook } from './hooks';
import { SoftVgic, type VgicHost } from './gic/device';
import { VmClock, HostCounter } from './timer';
import { SoftVcpu, type CpuFactory } from './vcpu';

/** CNTFRQ of the soft machine: 62.5 MHz, as qemu's virt board (and so the lab's KVM guests) report. */
export const SOFT_CNTFRQ = 62_500_000n;

function fail(code: ErrnoCode, ioctl: string, context?: string): KvmError {
  return new KvmError(code, { syscall: 'ioctl', ioctl, ...(context !== undefined ? { context } : {}), backend: 'soft' });
}

interface Slot {
  readonly id: number;
  readonly gpa: number;
  readonly size: number;
  readonly memory: SoftGuestMemory;
  readonly offset: number;
  readonly readonly: boolean;
  readonly logDirty: boolean;
  readonly region: RamRegion;
  /** dirty logging: the slot's content at the last KVM_GET_DIRTY_LOG (or when logging started) */
  snapshot: Uint8Array | null;
}

export interface SoftVmOptions {
  ipaSize: number;
  cpuFactory: CpuFactory;
}

export class SoftVm implements Vm {
  readonly backend = 'soft' as const;
  readonly ipaSize: number;
  /** the VM's counter (CNTPCT, the VM-wide CNTVOFF) at 62.5 MHz from the host's monotonic clock */
  readonly clock = new VmClock(new HostCounter(), SOFT_CNTFRQ);
  /** the in-kernel GICv2 (lib/soft/gic): exists from creation, 'created' by KVM_CREATE_IRQCHIP / KVM_CREATE_DEVICE */
  readonly vgic: SoftVgic;
  #closed = false;
  readonly #slots = new Map<number, Slot>();
  /** slots sorted by gpa, for the bus */
  #sorted: Slot[] = [];
  #last: Slot | undefined;
  #generation = 0;
  readonly #mmio: SoftMmioHandler[] = [];
  readonly hooks: SoftVcpuHook[] = [];
  readonly vcpus: (SoftVcpu | undefined)[] = [];
  #createdVcpus = 0;
  readonly maxVcpus = SOFT_MAX_VCPUS;
  readonly cpuFactory: CpuFactory;
  /** KVM_ARCH_FLAG_HAS_RAN_ONCE */
  hasRanOnce = false;
  nisvToUser = false;
  systemSuspendEnabled = false;
  /** kvm->arch.psci_version (0.2+ vCPUs); set through the PSCI_VERSION firmware register */
  psciVersion = KVM_ARM_PSCI_LATEST;
  /** SMCCC feature bitmaps (KVM_REG_ARM_STD_BMAP, STD_HYP_BMAP, VENDOR_HYP_BMAP) */
  readonly fwBitmaps = { std: 1n, stdHyp: 1n, vendorHyp: 3n };
  manualDirtyProtect = 0n;

  constructor(options: SoftVmOptions) {
    this.ipaSize = options.ipaSize;
    this.cpuFactory = options.cpuFactory;
    const vm = this;
    const host: VgicHost = {
      vcpuCount: () => vm.vcpus.length,
      anyVcpuRunning: () => vm.vcpus.some((v) => v !== undefined && v.running),
      anyVcpuHasRun: () => vm.hasRanOnce,
      ipaBits: this.ipaSize,
      setCpuLine: (i, line, level) => vm.vcpus[i]?.setInterruptLine(line, level),
      gicOutput: (i, irq, fiq) => vm.vcpus[i]?.setGicOutputs(irq, fiq),
    };
    this.vgic = new SoftVgic(host);
    this.#mmio.push((cpu, pa, size, isWrite, value) => {
      const r = vm.vgic.handleMmio(cpu, pa, size, isWrite, value);
      return r.handled ? r : undefined;
    });
  }

  #check(ioctl: string): void {
    if (this.#closed) throw closedError('VM', ioctl);
  }

  // ------------------------------------------------------------------ capabilities

  checkExtension(cap: KvmCapName | number): number {
    this.#check('KVM_CHECK_EXTENSION');
    const nr = typeof cap === 'number' ? cap : KVM_CAP[cap];
    if (nr === undefined) throw new RangeError(`cap: unknown capability '${String(cap)}'`);
    return softCaps().get(nr) ?? 0;
  }

  enableCap(cap: KvmCapName | number, args: readonly bigint[] = [], flags = 0): void {
    this.#check('KVM_ENABLE_CAP');
    const nr = typeof cap === 'number' ? cap : KVM_CAP[cap];
    if (nr === undefined) throw new RangeError(`cap: unknown capability '${String(cap)}'`);
    if (args.length > 4) throw new RangeError(`args: at most 4, got ${args.length}`);
    const ctx = typeof cap === 'number' ? `cap ${cap}` : cap;
    const arg0 = args[0] ?? 0n;
    // generic caps first (kvm_vm_ioctl_enable_cap_generic), then arm64's (flags must be 0)
    if (nr === KVM_CAP.MANUAL_DIRTY_LOG_PROTECT2) {
      if (flags !== 0 || (arg0 & ~3n) !== 0n) throw fail('EINVAL', 'KVM_ENABLE_CAP', ctx);
      this.manualDirtyProtect = arg0;
      return;
    }
    if (nr === KVM_CAP.HALT_POLL) {
      if (flags !== 0 || arg0 !== BigInt.asUintN(31, arg0)) throw fail('EINVAL', 'KVM_ENABLE_CAP', ctx);
      return;
    }
    if (flags !== 0) throw fail('EINVAL', 'KVM_ENABLE_CAP', ctx);
    if (nr === KVM_CAP.ARM_NISV_TO_USER) this.nisvToUser = true;
    else if (nr === KVM_CAP.ARM_SYSTEM_SUSPEND) this.systemSuspendEnabled = true;
    else throw fail('EINVAL', 'KVM_ENABLE_CAP', ctx);
  }

  // ------------------------------------------------------------------ memory

  setUserMemoryRegion(region: MemoryRegion): void {
    this.#check('KVM_SET_USER_MEMORY_REGION');
    if (region === null || typeof region !== 'object') throw new TypeError('region: expected an object');
    const { slot, guestPhysAddr } = region;
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xffffffff) throw new RangeError(`slot: must be a u32, got ${String(slot)}`);
    if (typeof guestPhysAddr !== 'bigint' || guestPhysAddr < 0n || guestPhysAddr > 0xffffffffffffffffn) {
      throw new RangeError(`guestPhysAddr: must be a u64 bigint, got ${String(guestPhysAddr)}`);
    }
    const memory = region.memory;
    if (memory !== null && !(memory instanceof SoftGuestMemory)) throw new TypeError('memory: expected guest memory allocated by the soft backend (allocateMemory)');
    const offset = region.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset: must be a non-negative integer, got ${String(offset)}`);
    const size = memory === null ? 0 : region.size ?? memory.size - offset;
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size: must be a non-negative integer, got ${String(size)}`);
    if (memory !== null && memory.closed) throw closedError('guest memory', 'KVM_SET_USER_MEMORY_REGION');
    if (memory !== null && offset + size > memory.size) throw new RangeError(`size: offset ${offset} + size ${size} is past the end of the memory (${memory.size} bytes)`);
    const ro = region.readonly === true;
    const dirty = region.logDirtyPages === true;
    const ctx = `slot ${slot}`;
    const E = (code: ErrnoCode): KvmError => fail(code, 'KVM_SET_USER_MEMORY_REGION', ctx);
    // __kvm_set_memory_region's order of checks
    if (size % SOFT_PAGE_SIZE !== 0) throw E('EINVAL');
    if (guestPhysAddr % BigInt(SOFT_PAGE_SIZE) !== 0n) throw E('EINVAL');
    if (offset % SOFT_PAGE_SIZE !== 0) throw E('EINVAL');
    const asId = slot >>> 16;
    const id = slot & 0xffff;
    if (asId >= 1 || id >= SOFT_NR_MEMSLOTS) throw E('EINVAL');
    if (guestPhysAddr + BigInt(size) > 0xffffffffffffffffn) throw E('EINVAL');
    const old = this.#slots.get(id);
    if (size === 0) {
      if (old === undefined) throw E('EINVAL');
      this.#slots.delete(id);
      this.#relayout();
      return;
    }
    if (memory === null) throw E('EINVAL');
    const gpaEnd = guestPhysAddr + BigInt(size);
    if (old !== undefined) {
      if (old.memory !== memory || old.offset !== offset || old.size !== size || old.readonly !== ro) throw E('EINVAL');
      if (BigInt(old.gpa) === guestPhysAddr && old.logDirty === dirty) return;
    }
    const moving = old === undefined || BigInt(old.gpa) !== guestPhysAddr;
    if (moving) {
      for (const s of this.#slots.values()) {
        if (s.id === id) continue;
        if (guestPhysAddr < BigInt(s.gpa + s.size) && BigInt(s.gpa) < gpaEnd) throw E('EEXIST');
      }
    }
    // kvm_arch_prepare_memory_region: the slot must lie inside the VM's IPA space
    if (gpaEnd > 1n << BigInt(this.ipaSize)) throw E('EFAULT');
    const gpa = Number(guestPhysAddr);
    const bytes = memory.bytes.subarray(offset, offset + size);
    const s: Slot = {
      id, gpa, size, memory, offset, readonly: ro, logDirty: dirty,
      region: { gpa, bytes, readonly: ro },
      // KVM_DIRTY_LOG_INITIALLY_SET (manual protect): every page starts dirty, so the snapshot differs from every page
      snapshot: dirty ? (old?.snapshot ?? (this.manualDirtyProtect & 2n ? invertedCopy(bytes) : bytes.slice())) : null,
    };
    this.#slots.set(id, s);
    this.#relayout();
  }

  getDirtyLog(slot: number): Uint8Array {
    this.#check('KVM_GET_DIRTY_LOG');
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xffffffff) throw new RangeError(`slot: must be a u32, got ${String(slot)}`);
    const ctx = `slot ${slot}`;
    if (slot >>> 16 >= 1 || (slot & 0xffff) >= SOFT_NR_MEMSLOTS) throw fail('EINVAL', 'KVM_GET_DIRTY_LOG', ctx);
    const s = this.#slots.get(slot & 0xffff);
    if (s === undefined || !s.logDirty || s.snapshot === null) throw fail('ENOENT', 'KVM_GET_DIRTY_LOG', ctx);
    const pages = s.size / SOFT_PAGE_SIZE;
    // the kernel's bitmap is a whole number of longs
    const out = new Uint8Array(Math.ceil(pages / 64) * 8);
    const cur = s.region.bytes;
    const snap = s.snapshot;
    for (let p = 0; p < pages; p++) {
      const a = p * SOFT_PAGE_SIZE;
      if (!pageEqual(cur, snap, a)) {
        out[p >> 3] = (out[p >> 3] as number) | (1 << (p & 7));
        snap.set(cur.subarray(a, a + SOFT_PAGE_SIZE), a);
      }
    }
    return out;
  }

  #relayout(): void {
    this.#sorted = [...this.#slots.values()].sort((a, b) => a.gpa - b.gpa);
    this.#last = undefined;
    this.#generation++;
  }

  /** PhysBus.generation */
  get generation(): number {
    return this.#generation;
  }

  /** The RAM region holding `pa` (PhysBus.ram). */
  ram(pa: number): RamRegion | undefined {
    const l = this.#last;
    if (l !== undefined && pa >= l.gpa && pa < l.gpa + l.size) return l.region;
    for (const s of this.#sorted) {
      if (pa < s.gpa) break;
      if (pa < s.gpa + s.size) {
        this.#last = s;
        return s.region;
      }
    }
    return undefined;
  }

  /** An access outside RAM: the in-backend device chain (PhysBus.mmio for `vcpu`). */
  mmio(vcpu: number, pa: number, size: number, isWrite: boolean, value: bigint): MmioResult {
    for (const h of this.#mmio) {
      const r = h(vcpu, pa, size, isWrite, value);
      if (r !== undefined) return r;
    }
    return NOT_HANDLED;
  }

  /** Adds an in-backend MMIO device (the GIC); returns a function that removes it. */
  addMmioHandler(handler: SoftMmioHandler): () => void {
    this.#mmio.push(handler);
    return () => {
      const i = this.#mmio.indexOf(handler);
      if (i >= 0) this.#mmio.splice(i, 1);
    };
  }

  /** Adds a per-vCPU hook (timer, GIC): see hooks.ts. */
  addVcpuHook(hook: SoftVcpuHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** A PhysBus view for one vCPU (its index goes to the MMIO chain, for banked GIC registers). */
  busFor(vcpu: number): PhysBus {
    const vm = this;
    return {
      ram: (pa: number) => vm.ram(pa),
      mmio: (pa: number, size: number, isWrite: boolean, value: bigint) => vm.mmio(vcpu, pa, size, isWrite, value),
      get generation() {
        return vm.generation;
      },
    };
  }

  // ------------------------------------------------------------------ vCPUs

  preferredTarget(): VcpuInit {
    this.#check('KVM_ARM_PREFERRED_TARGET');
    return { target: KVM_ARM_TARGET.CORTEX_A57, features: [] };
  }

  createVcpu(index: number): SoftVcpu {
    this.#check('KVM_CREATE_VCPU');
    if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new RangeError(`index: must be a u32, got ${String(index)}`);
    const ctx = `vcpu ${index}`;
    if (index >= KVM_MAX_VCPU_IDS) throw fail('EINVAL', 'KVM_CREATE_VCPU', ctx);
    if (this.#createdVcpus >= this.maxVcpus) throw fail('EINVAL', 'KVM_CREATE_VCPU', ctx);
    this.vgic.checkCreateVcpu(this.#createdVcpus);
    if (index >= this.maxVcpus) throw fail('EINVAL', 'KVM_CREATE_VCPU', ctx);
    if (this.vcpus.some((v) => v !== undefined && v.index === index)) throw fail('EEXIST', 'KVM_CREATE_VCPU', ctx);
    const v = new SoftVcpu(this, index);
    this.#createdVcpus++;
    this.vcpus.push(v);
    return v;
  }

  /** kvm_mpidr_to_vcpu */
  vcpuByMpidr(mpidr: bigint): SoftVcpu | undefined {
    const aff = mpidr & 0xff00ffffffn;
    return this.vcpus.find((v) => v !== undefined && (v.mpidr & 0xff00ffffffn) === aff);
  }

  #trace: ((pc: bigint, insn: number) => void) | undefined;
  /** Traces every instruction of vCPUs created after this call (soft backend only; slow). */
  setTrace(fn: ((pc: bigint, insn: number) => void) | undefined): void {
    this.#trace = fn;
  }

  /** A Cpu of this VM's machine (used by SoftVcpu). */
  makeCpu(index: number): Cpu {
    const trace = this.#trace;
    return this.cpuFactory({ bus: this.busFor(index), clock: this.clock, ...(trace !== undefined ? { trace } : {}) });
  }

  // ------------------------------------------------------------------ interrupts and devices

  createIrqchip(): void {
    this.#check('KVM_CREATE_IRQCHIP');
    this.vgic.createIrqchip();
  }

  irqLine(irq: number | IrqField, level: boolean | number): void {
    this.#check('KVM_IRQ_LINE');
    let raw: number;
    if (typeof irq === 'number') {
      if (!Number.isInteger(irq) || irq < 0 || irq > 0xffffffff) throw new RangeError(`irq: must be a u32, got ${irq}`);
      raw = irq;
    } else if (irq !== null && typeof irq === 'object') {
      raw = encodeIrq(irq);
    } else throw new TypeError('irq: expected an encoded irq field (number) or { type, vcpu, irq }');
    if (typeof level !== 'boolean' && (!Number.isInteger(level) || level < 0 || level > 0xffffffff)) throw new RangeError(`level: must be a boolean or a u32, got ${String(level)}`);
    this.vgic.irqLine(raw, level);
  }

  setDeviceAddr(id: bigint, addr: bigint): void {
    this.#check('KVM_ARM_SET_DEVICE_ADDR');
    this.vgic.setDeviceAddr(id, addr);
  }

  createDevice(type: number, options?: { test?: false }): Device;
  createDevice(type: number, options: { test: true }): null;
  createDevice(type: number, options?: { test?: boolean }): Device | null {
    this.#check('KVM_CREATE_DEVICE');
    if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) throw new RangeError(`type: must be a u32, got ${String(type)}`);
    if (!this.vgic.handlesDeviceType(type)) throw fail('ENODEV', 'KVM_CREATE_DEVICE', `device type ${type}`);
    return this.vgic.createDevice(type, options?.test === true);
  }

  irqfd(_options: { fd: number; gsi: number; deassign?: boolean; resampleFd?: number }): void {
    this.#check('KVM_IRQFD');
    throw fail('ENOSYS', 'KVM_IRQFD', 'eventfds are not implemented by the soft backend');
  }

  ioeventfd(_options: { fd: number; addr: bigint; len: number; datamatch?: bigint; deassign?: boolean }): void {
    this.#check('KVM_IOEVENTFD');
    throw fail('ENOSYS', 'KVM_IOEVENTFD', 'eventfds are not implemented by the soft backend');
  }

  /** A PSCI SYSTEM_OFF/RESET: every vCPU stops (kvm_prepare_system_event). */
  stopAllVcpus(): void {
    for (const v of this.vcpus) v?.forceStopped();
  }

  close(): void {
    if (this.#closed) return;
    for (const v of this.vcpus) v?.close();
    this.#closed = true;
    this.#slots.clear();
    this.#relayout();
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

const NOT_HANDLED: MmioResult = { handled: false };

function encodeField(f: IrqField): number {
  const t = ['cpu', 'spi', 'ppi'].indexOf(f.type);
  if (!Number.isInteger(f.irq) || f.irq < 0 || f.irq > 0xffff) throw new RangeError(`irq.irq: must be 0..65535, got ${String(f.irq)}`);
  if (!Number.isInteger(f.vcpu) || f.vcpu < 0 || f.vcpu > 4095) throw new RangeError(`irq.vcpu: must be 0..4095, got ${String(f.vcpu)}`);
  return ((t << 24) | ((f.vcpu & 0xff) << 16) | ((f.vcpu >> 8) << 28) | f.irq) >>> 0;
}

function pageEqual(a: Uint8Array, b: Uint8Array, off: number): boolean {
  const n = SOFT_PAGE_SIZE;
  if ((a.byteOffset + off) % 4 === 0 && (b.byteOffset + off) % 4 === 0) {
    const x = new Int32Array(a.buffer, a.byteOffset + off, n / 4);
    const y = new Int32Array(b.buffer, b.byteOffset + off, n / 4);
    for (let i = 0; i < n / 4; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = off; i < off + n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function invertedCopy(bytes: Uint8Array): Uint8Array {
  const c = bytes.slice();
  for (let i = 0; i < c.length; i += SOFT_PAGE_SIZE) c[i] = ~(c[i] as number) & 0xff;
  return c;
}

let capsCache: Map<number, number> | undefined;
function softCaps(): Map<number, number> {
  if (capsCache === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const os = require('node:os') as typeof import('node:os');
    const { softCapabilities } = require('./caps') as typeof import('./caps');
    capsCache = softCapabilities(typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  }
  return capsCache;
}

export { SOFT_DEFAULT_IPA, SOFT_IPA_LIMIT };
