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
import { VmClock, type CounterSource } from './timer';
import { SoftVcpu, type CpuFactory } from './vcpu';
import * as S from './shared';
import type { SoftSharedVmHandle } from './shared';
import { smpMonitor } from './smp';
import { softEventFd, ioeventfdMatches, signalCell, EventFdTables, SOFT_MAX_IOEVENTFDS, SOFT_MAX_IRQFDS, type SoftEventFd, type IoEventFdEntry } from './eventfd';

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
  /** open the VM another thread shared (Vm.share()) instead of creating one */
  shared?: SoftSharedVmHandle;
}

/** The host clock every thread of the VM reads: process.hrtime (one CLOCK_MONOTONIC per process) from a shared origin. */
class SharedHostCounter implements CounterSource {
  constructor(private readonly b: BigInt64Array) {}
  count(frequency: bigint): bigint {
    return ((process.hrtime.bigint() - (this.b[S.VM_CLOCK_T0_64] as bigint)) * frequency) / 1_000_000_000n;
  }
}

/** The VM clock with CNTVOFF in the shared state (one per VM, whichever thread writes it). */
class SharedVmClock extends VmClock {
  constructor(
    private readonly b: BigInt64Array,
    frequency: bigint,
  ) {
    super(new SharedHostCounter(b), frequency);
  }
  override get cntvoff(): bigint {
    return BigInt.asUintN(64, Atomics.load(this.b, S.VM_CNTVOFF64));
  }
  override set cntvoff(v: bigint) {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`cntvoff: must be a u64 bigint, got ${String(v)}`);
    Atomics.store(this.b, S.VM_CNTVOFF64, BigInt.asIntN(64, v));
  }
}

export class SoftVm implements Vm {
  readonly backend = 'soft' as const;
  readonly ipaSize: number;
  /** the VM's counter (CNTPCT, the VM-wide CNTVOFF) at 62.5 MHz from the host's monotonic clock */
  readonly clock: VmClock;
  /** the shared VM words (lib/soft/shared.ts): flags, vCPU blocks, slot table */
  readonly words: Int32Array;
  /** the per-vCPU blocks (lib/soft/shared.ts V_*), by vcpu_idx */
  readonly blocks: readonly Int32Array[];
  readonly #w64: BigInt64Array;
  /** the guest memories the slot table refers to by index (every thread has the same list) */
  readonly #memories: SoftGuestMemory[] = [];
  /** share() was called: the memory list is frozen (other threads cannot receive new buffers later) */
  #shared = false;
  #seenSlotGen = 0;
  /** this VM object opened a handle from another thread */
  readonly opened: boolean;
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
  /** the KVM_IOEVENTFD / KVM_IRQFD tables (lib/soft/eventfd.ts), shared by every thread of the VM */
  readonly eventfds: EventFdTables;
  /** this thread's side of the irqfds registered here, by table index */
  readonly #irqfdsHere = new Map<number, { ev: SoftEventFd; rs: SoftEventFd | undefined; listener: () => void; onClose: () => void; cell: BigUint64Array }>();
  /** the vCPUs created on this thread, by vcpu_idx (creation order); other threads' vCPUs are undefined here */
  readonly vcpus: (SoftVcpu | undefined)[] = [];
  readonly maxVcpus = SOFT_MAX_VCPUS;
  readonly cpuFactory: CpuFactory;
  /** KVM_ARCH_FLAG_HAS_RAN_ONCE */
  get hasRanOnce(): boolean {
    return Atomics.load(this.words, S.VM_HAS_RUN) !== 0;
  }
  set hasRanOnce(v: boolean) {
    Atomics.store(this.words, S.VM_HAS_RUN, v ? 1 : 0);
  }
  get nisvToUser(): boolean {
    return Atomics.load(this.words, S.VM_NISV) !== 0;
  }
  set nisvToUser(v: boolean) {
    Atomics.store(this.words, S.VM_NISV, v ? 1 : 0);
  }
  get systemSuspendEnabled(): boolean {
    return Atomics.load(this.words, S.VM_SUSPEND) !== 0;
  }
  set systemSuspendEnabled(v: boolean) {
    Atomics.store(this.words, S.VM_SUSPEND, v ? 1 : 0);
  }
  /** kvm->arch.psci_version (0.2+ vCPUs); set through the PSCI_VERSION firmware register */
  get psciVersion(): number {
    return Atomics.load(this.words, S.VM_PSCI_VERSION) >>> 0;
  }
  set psciVersion(v: number) {
    Atomics.store(this.words, S.VM_PSCI_VERSION, v | 0);
  }
  /** SMCCC feature bitmaps (KVM_REG_ARM_STD_BMAP, STD_HYP_BMAP, VENDOR_HYP_BMAP) */
  readonly fwBitmaps: { std: bigint; stdHyp: bigint; vendorHyp: bigint };
  manualDirtyProtect = 0n;

  constructor(options: SoftVmOptions) {
    this.ipaSize = options.ipaSize;
    this.cpuFactory = options.cpuFactory;
    const h = options.shared;
    this.opened = h !== undefined;
    const state = h?.state ?? S.newVmState();
    if (state.byteLength !== S.VM_STATE_BYTES) throw new RangeError(`shared.state: a soft VM state buffer has ${S.VM_STATE_BYTES} bytes`);
    this.words = new Int32Array(state);
    this.#w64 = new BigInt64Array(state, 0, S.VM_CLOCK_T0_64 + 1);
    const w = this.words;
    const blocks = h?.vcpus ?? S.newVcpuBlocks();
    this.blocks = blocks.map((b) => new Int32Array(b));
    if (h === undefined) {
      w[S.VM_PSCI_VERSION] = KVM_ARM_PSCI_LATEST;
      w[S.VM_BMAP_STD] = 1;
      w[S.VM_BMAP_STD_HYP] = 1;
      w[S.VM_BMAP_VENDOR] = 3;
      this.#w64[S.VM_CLOCK_T0_64] = process.hrtime.bigint();
    } else {
      for (const b of h.memories) this.#memories.push(new SoftGuestMemory(b));
      this.#shared = true;
    }
    this.clock = new SharedVmClock(this.#w64, SOFT_CNTFRQ);
    const word = (i: number) => ({
      get: (): bigint => BigInt(Atomics.load(w, i)),
      set: (v: bigint): void => void Atomics.store(w, i, Number(v)),
    });
    const std = word(S.VM_BMAP_STD);
    const stdHyp = word(S.VM_BMAP_STD_HYP);
    const vendor = word(S.VM_BMAP_VENDOR);
    this.fwBitmaps = Object.defineProperties({} as { std: bigint; stdHyp: bigint; vendorHyp: bigint }, {
      std: { ...std, enumerable: true },
      stdHyp: { ...stdHyp, enumerable: true },
      vendorHyp: { ...vendor, enumerable: true },
    });
    const vm = this;
    const host: VgicHost = {
      vcpuCount: () => vm.vcpuCount,
      anyVcpuRunning: () => {
        for (let i = 0; i < vm.vcpuCount; i++) if (Atomics.load(vm.blocks[i] as Int32Array, S.V_RUNNING) !== 0) return true;
        return false;
      },
      anyVcpuHasRun: () => vm.hasRanOnce,
      ipaBits: this.ipaSize,
      setCpuLine: (i, line, level) => vm.setCpuLine(i, line, level),
      gicOutput: (i, irq, fiq) => {
        const v = vm.vcpus[i];
        if (v !== undefined) v.setGicOutputs(irq, fiq);
        else if (irq || fiq) S.wakeVcpu(vm.blocks[i] as Int32Array);
      },
    };
    this.vgic = new SoftVgic(host, h?.gic);
    this.vgic.onSpiDeactivate = (intid) => vm.#acked(intid);
    if (h !== undefined) this.syncSlots();
    this.eventfds = new EventFdTables(h?.eventfds);
    this.#mmio.push((cpu, pa, size, isWrite, value) => {
      const r = vm.vgic.handleMmio(cpu, pa, size, isWrite, value);
      return r.handled ? r : undefined;
    });
    this.#mmio.push((_cpu, pa, size, isWrite, value) => {
      if (!isWrite) return undefined;
      for (const p of vm.eventfds.ioeventfds) {
        if (ioeventfdMatches(p, pa, size, value)) {
          vm.#ioeventfdHit(p);
          return IOEVENTFD_HANDLED;
        }
      }
      return undefined;
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
    this.syncSlots();
    S.lock(this.words, S.VM_LOCK);
    try {
      this.syncSlots();
      this.#setRegion(id, memory, offset, size, guestPhysAddr, ro, dirty, E);
    } finally {
      S.unlock(this.words, S.VM_LOCK);
    }
  }

  #setRegion(id: number, memory: SoftGuestMemory | null, offset: number, size: number, guestPhysAddr: bigint, ro: boolean, dirty: boolean, E: (code: ErrnoCode) => KvmError): void {
    const old = this.#slots.get(id);
    if (size === 0) {
      if (old === undefined) throw E('EINVAL');
      this.#slots.delete(id);
      this.#relayout(true);
      return;
    }
    if (memory === null) throw E('EINVAL');
    if (this.#memIndex(memory) < 0 && this.#shared) {
      throw new RangeError('memory: this VM was shared (share()) before this guest memory was added to it; other threads could not see it — add every memory slot before share(), or share() again after adding it');
    }
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
    this.#relayout(true);
  }

  #memIndex(m: SoftGuestMemory): number {
    return this.#memories.findIndex((x) => x.buffer === m.buffer);
  }

  /** Writes the slot layout into the shared table (under the VM lock) and bumps the generation. */
  #publish(): void {
    const w = this.words;
    if (this.#slots.size > S.SHARED_MAX_SLOTS) {
      w[S.VM_SLOT_COUNT] = -1;
    } else {
      let i = 0;
      for (const sl of this.#slots.values()) {
        let m = this.#memIndex(sl.memory);
        if (m < 0) {
          this.#memories.push(sl.memory);
          m = this.#memories.length - 1;
        }
        const at = S.SLOTS_AT + i * S.SLOT_WORDS;
        w[at + S.S_ID] = sl.id;
        w[at + S.S_GPA_LO] = sl.gpa % 2 ** 32 | 0;
        w[at + S.S_GPA_HI] = Math.floor(sl.gpa / 2 ** 32);
        w[at + S.S_SIZE] = sl.size | 0;
        w[at + S.S_MEM] = m;
        w[at + S.S_OFFSET] = sl.offset | 0;
        w[at + S.S_FLAGS] = (sl.readonly ? 1 : 0) | (sl.logDirty ? 2 : 0);
        i++;
      }
      w[S.VM_SLOT_COUNT] = i;
    }
    this.#seenSlotGen = Atomics.add(w, S.VM_SLOT_GEN, 1) + 1;
  }

  /** Takes the slot layout another thread published (cheap when nothing changed: one atomic load). */
  syncSlots(): void {
    const w = this.words;
    const gen = Atomics.load(w, S.VM_SLOT_GEN);
    if (gen === this.#seenSlotGen) return;
    S.lock(w, S.VM_LOCK);
    try {
      const n = w[S.VM_SLOT_COUNT] as number;
      if (n < 0) throw new Error(`the VM has more than ${S.SHARED_MAX_SLOTS} memory slots: a shared soft VM supports at most that many`);
      const next = new Map<number, Slot>();
      for (let i = 0; i < n; i++) {
        const at = S.SLOTS_AT + i * S.SLOT_WORDS;
        const memory = this.#memories[w[at + S.S_MEM] as number];
        if (memory === undefined) continue; // a memory this thread never received (added after share())
        const id = w[at + S.S_ID] as number;
        const gpa = ((w[at + S.S_GPA_HI] as number) >>> 0) * 2 ** 32 + ((w[at + S.S_GPA_LO] as number) >>> 0);
        const size = (w[at + S.S_SIZE] as number) >>> 0;
        const offset = (w[at + S.S_OFFSET] as number) >>> 0;
        const flags = w[at + S.S_FLAGS] as number;
        const ro = (flags & 1) !== 0;
        const dirty = (flags & 2) !== 0;
        const prev = this.#slots.get(id);
        const bytes = memory.bytes.subarray(offset, offset + size);
        next.set(id, {
          id, gpa, size, memory, offset, readonly: ro, logDirty: dirty,
          region: { gpa, bytes, readonly: ro },
          snapshot: dirty ? (prev !== undefined && prev.memory === memory && prev.offset === offset && prev.size === size ? prev.snapshot : bytes.slice()) : null,
        });
      }
      this.#slots.clear();
      for (const [k, v] of next) this.#slots.set(k, v);
      this.#relayout(false);
      this.#seenSlotGen = Atomics.load(w, S.VM_SLOT_GEN);
    } finally {
      S.unlock(w, S.VM_LOCK);
    }
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

  #relayout(publish: boolean): void {
    this.#sorted = [...this.#slots.values()].sort((a, b) => a.gpa - b.gpa);
    this.#last = undefined;
    this.#generation++;
    if (publish) this.#publish();
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
    const w = this.words;
    // KVM_CREATE_VCPU may come from any thread: kvm->lock
    S.lock(w, S.VM_LOCK);
    try {
      const created = Atomics.load(w, S.VM_CREATED);
      if (created >= this.maxVcpus) throw fail('EINVAL', 'KVM_CREATE_VCPU', ctx);
      this.vgic.checkCreateVcpu(created);
      if (index >= this.maxVcpus) throw fail('EINVAL', 'KVM_CREATE_VCPU', ctx);
      for (let i = 0; i < created; i++) if ((this.blocks[i] as Int32Array)[S.V_ID] === index) throw fail('EEXIST', 'KVM_CREATE_VCPU', ctx);
      const blk = this.blocks[created] as Int32Array;
      blk.fill(0);
      blk[S.V_ID] = index;
      const v = new SoftVcpu(this, index, created);
      this.vcpus[created] = v;
      Atomics.store(w, S.VM_CREATED, created + 1);
      return v;
    } finally {
      S.unlock(w, S.VM_LOCK);
    }
  }

  #block(idx: number): Int32Array {
    const b = this.blocks[idx];
    if (b === undefined) throw new RangeError(`idx: no vCPU block ${idx}`);
    return b;
  }

  /** vCPUs created in the VM (on every thread): KVM's online_vcpus. */
  get vcpuCount(): number {
    return Atomics.load(this.words, S.VM_CREATED);
  }
  /** MPIDR of vCPU `idx` (any thread's): reset_mpidr from its id. */
  vcpuMpidr(idx: number): bigint {
    return mpidrOfId((this.#block(idx))[S.V_ID] as number);
  }
  /** kvm_arm_vcpu_stopped(vCPU `idx`). */
  vcpuStopped(idx: number): boolean {
    return Atomics.load(this.#block(idx), S.V_MP) === S.MP_STOPPED;
  }
  /**
   * PSCI CPU_ON of vCPU `idx` (any thread's), under the VM lock as KVM's kvm->lock: 'already-on' unless it is
   * stopped; else the reset state (entry point, context id) is stored, it becomes runnable and is woken.
   */
  cpuOn(idx: number, pc: bigint, x0: bigint): 'on' | 'already-on' {
    const w = this.words;
    return S.locked(w, S.VM_LOCK, () => {
      const b = this.#block(idx);
      if (Atomics.load(b, S.V_MP) !== S.MP_STOPPED) return 'already-on';
      b[S.V_PC_LO] = Number(pc & 0xffffffffn) | 0;
      b[S.V_PC_HI] = Number((pc >> 32n) & 0xffffffffn) | 0;
      b[S.V_X0_LO] = Number(x0 & 0xffffffffn) | 0;
      b[S.V_X0_HI] = Number((x0 >> 32n) & 0xffffffffn) | 0;
      Atomics.store(b, S.V_RESET, 1);
      Atomics.store(b, S.V_MP, S.MP_RUNNABLE);
      S.wakeVcpu(b);
      return 'on';
    });
  }
  /** KVM_IRQ_LINE type CPU (no VGIC) for vCPU `idx`, whichever thread runs it. */
  setCpuLine(idx: number, line: 'irq' | 'fiq', level: boolean): void {
    const b = this.#block(idx);
    const bit = line === 'irq' ? 1 : 2;
    if (level) Atomics.or(b, S.V_LINES, bit);
    else Atomics.and(b, S.V_LINES, ~bit);
    this.vcpus[idx]?.setInterruptLine(line, level);
    S.wakeVcpu(b);
  }
  /** SEV from vCPU `from`: the event register of every other vCPU is set and they wake. */
  sendEvent(from: number): void {
    const w = this.words;
    const n = this.vcpuCount;
    for (let i = 0; i < n; i++) {
      if (i === from) continue;
      const b = this.#block(i);
      Atomics.store(b, S.V_EVENT, 1);
      S.wakeVcpu(b);
    }
  }

  /**
   * A structured-cloneable handle of this VM for other threads (post it to a worker_thread; open it there with
   * openSharedVm / SoftVm.openShared): the same VM — memory slots, VGIC, vCPUs, PSCI state — for vCPUs created there.
   * Memory slots must use guest memory added before share() (call it again after adding new memory).
   */
  share(): SoftSharedVmHandle {
    this.#check('share');
    S.locked(this.words, S.VM_LOCK, () => {
      if (this.#slots.size > S.SHARED_MAX_SLOTS) throw fail('ENOSPC', 'share', `a shared soft VM holds at most ${S.SHARED_MAX_SLOTS} memory slots`);
      this.#publish();
    });
    this.#shared = true;
    return {
      backend: 'soft',
      kind: 'vm',
      ipaSize: this.ipaSize,
      state: this.words.buffer as SharedArrayBuffer,
      gic: this.vgic.buffer,
      vcpus: this.blocks.map((b) => b.buffer as SharedArrayBuffer),
      memories: this.#memories.map((m) => m.buffer),
      eventfds: this.eventfds.buffer,
    };
  }

  /** Opens a VM shared by another thread (the handle from share()). */
  static openShared(handle: SoftSharedVmHandle, cpuFactory: CpuFactory): SoftVm {
    if (!S.isSoftSharedVmHandle(handle)) throw new TypeError("handle: expected the { backend: 'soft', kind: 'vm', ... } handle of SoftVm.share()");
    return new SoftVm({ ipaSize: handle.ipaSize, cpuFactory, shared: handle });
  }

  #trace: ((pc: bigint, insn: number) => void) | undefined;
  /** Traces every instruction of vCPUs created after this call (soft backend only; slow). */
  setTrace(fn: ((pc: bigint, insn: number) => void) | undefined): void {
    this.#trace = fn;
  }

  /** A Cpu of this VM's machine (used by SoftVcpu). */
  makeCpu(index: number): Cpu {
    const trace = this.#trace;
    const bus = this.busFor(index);
    const cpu = this.cpuFactory({ bus, clock: this.clock, ...(trace !== undefined ? { trace } : {}) });
    // exclusives that hold across threads (STXR = compare-and-swap on the shared RAM), SEV to the other vCPUs
    const hooks = cpu as unknown as { globalMonitor?: unknown; onSev?: unknown };
    if ('globalMonitor' in hooks) hooks.globalMonitor = smpMonitor(bus, this.words);
    if ('onSev' in hooks) hooks.onSev = () => this.sendEvent(index);
    return cpu;
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

  /**
   * KVM_IRQFD (api.txt 4.75): signalling soft eventfd `fd` (SoftHypervisor.eventfd) raises SPI gsi + 32 (an edge
   * SPI latches pending; a level one stays high — with `resampleFd` it is lowered when the guest deactivates it,
   * and `resampleFd` is signalled). Errnos as virt/kvm/eventfd.c on arm64: VGIC not initialised EAGAIN, unknown fd
   * EBADF, the eventfd already an irqfd EBUSY; deassign of nothing is 0. See lib/soft/eventfd.ts for threads.
   */
  irqfd(options: { fd: number; gsi: number; deassign?: boolean; resampleFd?: number }): void {
    this.#check('KVM_IRQFD');
    if (options === null || typeof options !== 'object') throw new TypeError('options: expected { fd, gsi, deassign?, resampleFd? }');
    const gsi = u32Arg('gsi', options.gsi);
    if (options.deassign !== true && this.vgic.gic === undefined) {
      // kvm_irqfd_assign: arm64's kvm_arch_intc_initialized (vgic_initialized) is checked before the fd
      throw fail('EAGAIN', 'KVM_IRQFD', 'the VGIC is not initialised yet (KVM_DEV_ARM_VGIC_CTRL_INIT or a first KVM_RUN)');
    }
    const ev = this.#eventfdArg('KVM_IRQFD', options.fd);
    if (options.deassign === true) {
      const x = this.eventfds.removeIrqfd(ev.key, gsi);
      if (x !== undefined) this.#dropIrqfd(x.index);
      return;
    }
    const rs = options.resampleFd !== undefined ? this.#eventfdArg('KVM_IRQFD', options.resampleFd) : undefined;
    const x = this.eventfds.addIrqfd({ gsi, key: ev.key, resampleKey: rs?.key ?? -1 });
    if (x === 'EBUSY') throw fail('EBUSY', 'KVM_IRQFD', `fd ${options.fd} is already an irqfd of this VM`);
    if (x === 'ENOSPC') throw fail('ENOSPC', 'KVM_IRQFD', `a soft VM holds at most ${SOFT_MAX_IRQFDS} irqfds`);
    const listener = (): void => this.#injectIrqfd(x.gsi);
    ev.listeners.add(listener);
    rs?.cells.add(x.resampleCell);
    const onClose = (): void => {
      // KVM: closing the eventfd (EPOLLHUP) deassigns its irqfd
      this.eventfds.removeIrqfd(x.key, x.gsi);
      this.#dropIrqfd(x.index);
    };
    ev.onClose.add(onClose);
    this.#irqfdsHere.set(x.index, { ev, rs, listener, onClose, cell: x.resampleCell });
    ev.fire(); // a count already waiting is taken at once, as irqfd assignment does
  }

  /** Forgets this thread's side of irqfd table entry `index` (listener, resample cell, close hook). */
  #dropIrqfd(index: number): void {
    const h = this.#irqfdsHere.get(index);
    if (h === undefined) return;
    this.#irqfdsHere.delete(index);
    h.ev.listeners.delete(h.listener);
    h.ev.onClose.delete(h.onClose);
    h.rs?.unlink(h.cell);
  }

  /**
   * KVM_IOEVENTFD (api.txt 4.59): a guest MMIO write of `len` bytes (0 = any) at `addr`, equal to `datamatch` when
   * given, signals soft eventfd `fd` and the guest goes on without an exit. Errnos as virt/kvm/eventfd.c: len not
   * 0/1/2/4/8, addr + len wrapping, len 0 with datamatch → EINVAL; unknown fd EBADF; the same place already taken
   * EEXIST; no room ENOSPC; deassign without an equal registration ENOENT.
   */
  ioeventfd(options: { fd: number; addr: bigint; len: number; datamatch?: bigint; deassign?: boolean; pio?: boolean }): void {
    this.#check('KVM_IOEVENTFD');
    if (options === null || typeof options !== 'object') throw new TypeError('options: expected { fd, addr, len, datamatch?, deassign?, pio? }');
    if (typeof options.addr !== 'bigint' || options.addr < 0n || options.addr > U64) throw new RangeError(`addr: must be a u64 bigint, got ${String(options.addr)}`);
    const len = u32Arg('len', options.len);
    const dm = options.datamatch;
    if (dm !== undefined && (typeof dm !== 'bigint' || dm < 0n || dm > U64)) throw new RangeError(`datamatch: must be a u64 bigint, got ${String(dm)}`);
    const pio = options.pio === true;
    const ctx = `fd ${String(options.fd)} addr 0x${options.addr.toString(16)}`;
    if (options.deassign === true) {
      const ev = this.#eventfdArg('KVM_IOEVENTFD', options.fd);
      const p = this.eventfds.removeIoeventfd({ addr: options.addr, len, datamatch: dm, pio, key: ev.key });
      if (p === undefined) throw fail('ENOENT', 'KVM_IOEVENTFD', `${ctx}: no such ioeventfd`);
      ev.unlink(p.cell);
      return;
    }
    if (len !== 0 && len !== 1 && len !== 2 && len !== 4 && len !== 8) throw fail('EINVAL', 'KVM_IOEVENTFD', `${ctx}: len ${len} (0, 1, 2, 4 or 8)`);
    if (options.addr + BigInt(len) > U64) throw fail('EINVAL', 'KVM_IOEVENTFD', `${ctx}: addr + len wraps`);
    if (len === 0 && dm !== undefined) throw fail('EINVAL', 'KVM_IOEVENTFD', `${ctx}: len 0 (any length) with datamatch`);
    const ev = this.#eventfdArg('KVM_IOEVENTFD', options.fd);
    const p = this.eventfds.addIoeventfd({ addr: options.addr, len, datamatch: dm, pio, key: ev.key });
    if (p === 'EEXIST') throw fail('EEXIST', 'KVM_IOEVENTFD', `${ctx}: an ioeventfd is already there`);
    if (p === 'ENOSPC') throw fail('ENOSPC', 'KVM_IOEVENTFD', `a soft VM holds at most ${SOFT_MAX_IOEVENTFDS} ioeventfds`);
    ev.cells.add(p.cell);
  }

  /** The lookup of `fd`: this thread's soft eventfd, or EBADF. */
  #eventfdArg(ioctl: string, fd: number): SoftEventFd {
    if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new RangeError(`fd: must be an integer, got ${String(fd)}`);
    const ev = softEventFd(fd);
    if (ev === undefined) throw fail('EBADF', ioctl, `fd ${fd} is no soft eventfd of this thread (SoftHypervisor.eventfd)`);
    return ev;
  }

  /** An irqfd fires (any thread): SPI gsi + 32 raised, as arm64's kvm_arch_set_irq_inatomic does (level 1 only). */
  #injectIrqfd(gsi: number): void {
    if (this.vgic.gic === undefined) return;
    try {
      this.vgic.inject(1, 0, gsi + 32, true);
    } catch (err) {
      if (!(err instanceof KvmError)) throw err; // an SPI beyond nr_irqs: kvm_set_irq fails silently
    }
  }

  /** A guest write hit ioeventfd `p`: an irqfd on the same eventfd injects at once, else the cell counts it. */
  #ioeventfdHit(p: IoEventFdEntry): void {
    for (const x of this.eventfds.irqfds) {
      if (x.key === p.key) {
        this.#injectIrqfd(x.gsi);
        return;
      }
    }
    signalCell(p.cell);
  }

  /** The guest deactivated level SPI `intid` (GIC lock held): resampling irqfds lower it and signal their resample fd. */
  #acked(intid: number): void {
    for (const x of this.eventfds.irqfds) {
      if (x.resampleKey === -1 || x.gsi + 32 !== intid) continue;
      try {
        this.vgic.inject(1, 0, intid, false);
      } catch (err) {
        if (!(err instanceof KvmError)) throw err;
      }
      signalCell(x.resampleCell);
    }
  }

  /** A PSCI SYSTEM_OFF/RESET: every vCPU stops (kvm_prepare_system_event). */
  stopAllVcpus(): void {
    const w = this.words;
    for (let i = 0; i < this.vcpuCount; i++) {
      const b = this.#block(i);
      Atomics.store(b, S.V_MP, S.MP_STOPPED);
      S.wakeVcpu(b);
    }
  }

  close(): void {
    if (this.#closed) return;
    for (const v of this.vcpus) v?.close();
    this.#closed = true;
    this.#slots.clear();
    this.#relayout(false);
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

const NOT_HANDLED: MmioResult = { handled: false };
const IOEVENTFD_HANDLED: MmioResult = { handled: true, value: 0n };
const U64 = 0xffffffffffffffffn;

function u32Arg(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name}: must be a u32, got ${String(v)}`);
  return v;
}

/** reset_mpidr: Aff0 = id & 0xf, Aff1 = (id >> 4) & 0xff, Aff2 = (id >> 12) & 0xff, bit 31 (RES1) */
export function mpidrOfId(index: number): bigint {
  const id = BigInt(index);
  return (1n << 31n) | (id & 0xfn) | (((id >> 4n) & 0xffn) << 8n) | (((id >> 12n) & 0xffn) << 16n);
}

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
