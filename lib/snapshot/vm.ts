/**
 * Save and restore a whole VM through the public backend interfaces only (lib/backend.ts), so that a snapshot
 * taken on one backend restores on the same or the other one ('soft' ↔ 'kvm').
 *
 *   const snap = captureVm({ vm, vcpus, init, memory: [{ slot: 0, guestPhysAddr, memory: mem }], gic });
 *   const bytes = encodeSnapshot(snap);                      // lib/snapshot/format.ts, docs/snapshot-format.md
 *   const r = restoreVm(open({ backend: 'kvm' }), decodeSnapshot(bytes));
 *   r.warnings                                               // every difference between the two register sets
 *   r.vcpus[0].run();
 *
 * What KVM lets userspace read is what is saved: every ONE_REG of GET_REG_LIST (core, sysregs, FP/SIMD,
 * firmware pseudo-registers, timer CTL/CVAL/CNT with KVM's swapped ids, CCSIDR demux), MP_STATE, VCPU_EVENTS,
 * the VGICv2 through its device attributes, and every memory slot. What KVM cannot report is supplied by the
 * VMM: the VCPU_INIT target and features, the slots and the VGIC device (KVM_CREATE_IRQCHIP's legacy VGIC has no
 * device fd, so a snapshottable VM creates its VGIC with KVM_CREATE_DEVICE), its own device models.
 *
 * Restore order (Linux 6.1 arch/arm64/kvm: arm.c, guest.c, hypercalls.c, arch_timer.c, vgic/*):
 *  1. KVM_CREATE_VM; KVM_CREATE_VCPU for every vCPU (before the VGIC is initialised: vgic_init freezes the count).
 *  2. KVM_ARM_VCPU_INIT with the saved features (KVM_ARM_VCPU_FINALIZE for SVE after KVM_REG_ARM64_SVE_VLS).
 *  3. ONE_REGs: core, system registers, CCSIDR demux, firmware (PSCI_VERSION must be set before the first
 *     KVM_RUN; the SMCCC bitmaps are refused with EBUSY once the VM ran), then the timer: CTL, CVAL and CNT last —
 *     writing TIMER_CNT sets the VM's CNTVOFF to (physical count − value), so the guest's virtual count resumes
 *     where it was saved whatever the host's counter reads now.
 *  4. KVM_CREATE_DEVICE(VGIC_V2), GRP_NR_IRQS, GRP_ADDR dist/cpu, GRP_CTRL CTRL_INIT, then the registers in the
 *     order of lib/snapshot/vgic.ts (GICD_IIDR first, ..., GICD_CTLR last, then the CPU interfaces).
 *  5. MP_STATE, VCPU_EVENTS.
 *  6. Guest RAM: new memory per slot, filled, KVM_SET_USER_MEMORY_REGION.
 * Differences between the snapshot and the target (an id the target does not list, a listed id the snapshot
 * lacks, a value the target refuses — e.g. an invariant ID register that differs between backends) are never
 * ignored silently: each is a `RestoreWarning`, and `strict: true` turns any warning into an error.
 */
import type { Hypervisor, Vm, Vcpu, Device, GuestMemory, MemoryRegion, VcpuInit, MpState } from '../backend';
import { KvmError } from '../errors';
import {
  KVM_REG_ARM_CORE,
  KVM_REG_ARM64_SYSREG,
  KVM_REG_ARM_DEMUX,
  KVM_REG_ARM_FW,
  KVM_REG_ARM_FW_FEAT_BMAP,
  KVM_REG_ARM64_SVE,
  KVM_REG_ARM64_SVE_VLS,
  KVM_REG_ARM_COPROC_MASK,
  arm64SysregIdByName,
  regName,
} from '../codec/regid';
import { KVM_DEV_TYPE, KVM_DEV_ARM_VGIC_GRP as GRP, KVM_DEV_ARM_VGIC_CTRL_INIT, encodeVgicV2Attr, gicdRegAt, giccRegAt } from '../codec/vgic';
import { SNAPSHOT_MAJOR, SNAPSHOT_MINOR, SNAPSHOT_PAGE, type VmSnapshot, type SnapshotVcpu, type SnapshotReg, type SnapshotGic, type SnapshotRam, type SnapshotDevice, type SnapshotGicReg } from './format';
import { gicSavePlan, gicRestorePlan, gicReadOnly } from './vgic';

const TIMER_CTL = arm64SysregIdByName('KVM_REG_ARM_TIMER_CTL') as bigint;
const TIMER_CNT = arm64SysregIdByName('KVM_REG_ARM_TIMER_CNT') as bigint;
const TIMER_CVAL = arm64SysregIdByName('KVM_REG_ARM_TIMER_CVAL') as bigint;

/** The parts of a running VM a snapshot needs (KVM cannot enumerate them: the VMM hands them over). */
export interface VmParts {
  /** the hypervisor the VM belongs to (for its backend name); default: vm.backend */
  readonly hypervisor?: Hypervisor;
  readonly vm: Vm;
  /** every vCPU of the VM */
  readonly vcpus: readonly Vcpu[];
  /** what KVM_ARM_VCPU_INIT was given: one for all vCPUs, or one per vCPU */
  readonly init: VcpuInit | readonly VcpuInit[];
  /** every memory slot (as given to setUserMemoryRegion) */
  readonly memory: readonly MemoryRegion[];
  /** the VGICv2 device from createDevice(KVM_DEV_TYPE.ARM_VGIC_V2), if the VM has one */
  readonly gic?: Device;
  /** the IPA size the VM was created with, if not the default */
  readonly ipaSize?: number;
  /** the VMM's machine description (any JSON value): memory map, command line, device list ... */
  readonly machine?: unknown;
  /** the VMM's device models' state (PL011, virtio ...), one opaque blob each */
  readonly devices?: readonly SnapshotDevice[];
}

export interface CaptureOptions {
  /**
   * Complete a pending MMIO/hypercall exit before reading the registers (default true): runs each vCPU once with
   * immediate_exit set, which makes KVM finish the emulated instruction (load the MMIO read data, advance PC) and
   * return at once — what QEMU does before saving. Without it, a vCPU stopped at an MMIO read would lose the data.
   */
  readonly completeIo?: boolean;
}

function hex(v: bigint | number): string {
  return '0x' + v.toString(16);
}

function initFor(init: VcpuInit | readonly VcpuInit[], i: number): VcpuInit {
  if (Array.isArray(init)) {
    const x = (init as readonly VcpuInit[])[i];
    if (x === undefined) throw new RangeError(`init: no VcpuInit for vCPU #${i} (got ${(init as readonly VcpuInit[]).length})`);
    return x;
  }
  return init as VcpuInit;
}

/** Reads the whole VM (see the file comment). The vCPUs must not be running. */
export function captureVm(parts: VmParts, options: CaptureOptions = {}): VmSnapshot {
  if (parts === null || typeof parts !== 'object') throw new TypeError('parts: expected { vm, vcpus, init, memory }');
  const { vm, vcpus } = parts;
  if (vm === null || typeof vm !== 'object') throw new TypeError('parts.vm: expected a Vm');
  if (!Array.isArray(vcpus) || vcpus.length === 0) throw new TypeError('parts.vcpus: expected a non-empty array of Vcpu');
  if (!Array.isArray(parts.memory)) throw new TypeError('parts.memory: expected an array of MemoryRegion');
  if (options.completeIo !== false) {
    for (const v of vcpus) {
      const was = v.immediateExit;
      v.immediateExit = true;
      try {
        const e = v.run();
        if (e.reason !== 'intr') throw new Error(`captureVm: vCPU ${v.index} returned '${e.reason}' from a run with immediate_exit`);
      } finally {
        v.immediateExit = was;
      }
    }
  }
  const snapVcpus: SnapshotVcpu[] = vcpus.map((v, i) => {
    const init = initFor(parts.init, i);
    const regs: SnapshotReg[] = [];
    for (const id of v.getRegList()) regs.push({ id, value: v.getOneReg(id) });
    return { index: v.index, init: { target: init.target, features: [...init.features] }, mpState: v.getMpState(), events: v.getVcpuEvents(), regs };
  });
  let gic: SnapshotGic | undefined;
  if (parts.gic !== undefined) {
    const d = parts.gic;
    if (d.type !== KVM_DEV_TYPE.ARM_VGIC_V2) throw new RangeError(`parts.gic: device type ${d.type} is not KVM_DEV_TYPE_ARM_VGIC_V2 (${KVM_DEV_TYPE.ARM_VGIC_V2}); only GICv2 is supported`);
    const nrIrqs = Number(d.getAttr(GRP.NR_IRQS, 0n, 4));
    const distAddr = d.getAttr(GRP.ADDR, 0n, 8);
    const cpuAddr = d.getAttr(GRP.ADDR, 1n, 8);
    const cpus = vcpus.map((v) => v.index);
    const regs: SnapshotGicReg[] = gicSavePlan(nrIrqs, cpus).map((a) => ({
      ...a,
      value: Number(d.getAttr(a.group === 'dist' ? GRP.DIST_REGS : GRP.CPU_REGS, encodeVgicV2Attr({ cpu: a.cpu, offset: a.offset }), 4)),
    }));
    gic = { type: d.type, nrIrqs, distAddr, cpuAddr, regs };
  }
  const memory: SnapshotRam[] = parts.memory.map((r, i) => {
    if (r.memory === null) throw new TypeError(`parts.memory[${i}].memory: a deleted slot cannot be saved`);
    const off = r.offset ?? 0;
    const size = r.size ?? r.memory.size - off;
    return { slot: r.slot, guestPhysAddr: r.guestPhysAddr, size, readonly: r.readonly === true, logDirtyPages: r.logDirtyPages === true, bytes: r.memory.bytes.slice(off, off + size) };
  });
  return {
    version: { major: SNAPSHOT_MAJOR, minor: SNAPSHOT_MINOR },
    source: parts.hypervisor?.backend ?? vm.backend,
    ipaSize: parts.ipaSize,
    machine: parts.machine,
    vcpus: snapVcpus,
    gic,
    memory,
    devices: (parts.devices ?? []).map((d) => ({ name: d.name, data: d.data.slice() })),
  };
}

// ------------------------------------------------------------------------------------------------ restore

export type RestoreWarningKind =
  /** the snapshot has a register the target's GET_REG_LIST does not list: not written */
  | 'reg-not-listed'
  /** the target lists a register the snapshot does not have: left at the target's reset value */
  | 'reg-not-saved'
  /** KVM_SET_ONE_REG refused the saved value (the errno is in `code`): the target's value stays */
  | 'reg-rejected'
  /** verify: the register reads back differently from the saved value */
  | 'reg-differs'
  /** the saved VCPU_INIT target is not the target's preferred one: the preferred one was used */
  | 'target'
  /** a VGIC attribute write was refused, or (verify) reads back differently */
  | 'gic-rejected'
  | 'gic-differs'
  /** MP_STATE or VCPU_EVENTS refused */
  | 'vcpu-state';

export interface RestoreWarning {
  readonly kind: RestoreWarningKind;
  readonly vcpu?: number;
  /** the register id (reg-*) */
  readonly id?: bigint;
  /** errno name of a refusal */
  readonly code?: string;
  readonly message: string;
}

export interface RestoreOptions {
  /** throw SnapshotRestoreError (after closing what was created) if there is any warning; default false */
  readonly strict?: boolean;
  /** after restoring, read every register and VGIC attribute back and report differences (default false) */
  readonly verify?: boolean;
}

export interface RestoredVm extends Disposable {
  readonly vm: Vm;
  readonly vcpus: readonly Vcpu[];
  readonly gic: Device | undefined;
  /** the new guest memory, one per slot, in snapshot order */
  readonly memory: readonly GuestMemory[];
  readonly regions: readonly MemoryRegion[];
  readonly machine: unknown;
  readonly devices: readonly SnapshotDevice[];
  readonly warnings: readonly RestoreWarning[];
  /** closes vCPUs, device, VM and memory (not the hypervisor) */
  close(): void;
}

/** strict restore found differences; `warnings` lists them. */
export class SnapshotRestoreError extends Error {
  override readonly name = 'SnapshotRestoreError';
  constructor(readonly warnings: readonly RestoreWarning[]) {
    super(`restore: ${warnings.length} difference(s) between the snapshot and the target: ${warnings.slice(0, 5).map((w) => w.message).join('; ')}${warnings.length > 5 ? '; ...' : ''}`);
  }
}

/** Restore order of a vCPU's registers: core, sysregs, demux, firmware, others, then timer CTL, CVAL, CNT. */
function regRank(id: bigint): number {
  if (id === TIMER_CTL) return 10;
  if (id === TIMER_CVAL) return 11;
  if (id === TIMER_CNT) return 12;
  const g = id & KVM_REG_ARM_COPROC_MASK;
  if (g === KVM_REG_ARM_CORE) return 0;
  if (g === KVM_REG_ARM64_SYSREG) return 1;
  if (g === KVM_REG_ARM_DEMUX) return 2;
  if (g === KVM_REG_ARM_FW || g === KVM_REG_ARM_FW_FEAT_BMAP) return 3;
  return 4;
}

function safeName(id: bigint): string {
  try {
    return regName(id);
  } catch {
    return hex(id);
  }
}

function valueText(v: bigint | Uint8Array): string {
  return typeof v === 'bigint' ? hex(v) : `${v.length} bytes`;
}
function sameValue(a: bigint | Uint8Array, b: bigint | Uint8Array): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Restores a snapshot into a fresh VM of `hv` (any backend). Throws for a snapshot that cannot be restored at
 * all (e.g. KVM_CREATE_VCPU or VCPU_INIT refused); reports every per-register difference in `warnings`.
 */
export function restoreVm(hv: Hypervisor, snap: VmSnapshot, options: RestoreOptions = {}): RestoredVm {
  if (hv === null || typeof hv !== 'object') throw new TypeError('hv: expected a Hypervisor');
  if (snap === null || typeof snap !== 'object' || !Array.isArray(snap.vcpus as unknown)) throw new TypeError('snap: expected a VmSnapshot');
  if (snap.version.major !== SNAPSHOT_MAJOR) throw new RangeError(`snap: version ${snap.version.major}.${snap.version.minor} is not supported`);
  const warnings: RestoreWarning[] = [];
  const warn = (w: RestoreWarning): void => void warnings.push(w);
  const vm = hv.createVm(snap.ipaSize !== undefined ? { ipaSize: snap.ipaSize } : {});
  const vcpus: Vcpu[] = [];
  const memory: GuestMemory[] = [];
  const regions: MemoryRegion[] = [];
  let gic: Device | undefined;
  const close = (): void => {
    for (const v of vcpus) v.close();
    gic?.close();
    vm.close();
    for (const m of memory) m.close();
  };
  try {
    // 1. vCPUs
    for (const s of snap.vcpus) vcpus.push(vm.createVcpu(s.index));
    // 2. VCPU_INIT
    const preferred = vm.preferredTarget().target;
    snap.vcpus.forEach((s, i) => {
      const v = vcpus[i] as Vcpu;
      let target = s.init.target;
      if (target !== preferred) {
        warn({ kind: 'target', vcpu: s.index, message: `vCPU ${s.index}: saved target ${target} is not this host's preferred target ${preferred}; using ${preferred}` });
        target = preferred;
      }
      const features = s.init.features.filter((f): f is VcpuInit['features'][number] => typeof f === 'string');
      if (features.length !== s.init.features.length) throw new RangeError(`snap.vcpus[${i}].init.features: unnamed feature bits ${s.init.features.filter((f) => typeof f === 'number').join(', ')}`);
      v.init({ target, features });
      if (features.includes('sve')) {
        const vls = s.regs.find((r) => r.id === (KVM_REG_ARM64_SVE_VLS as bigint));
        if (vls !== undefined) v.setOneReg(vls.id, vls.value);
        v.finalize('sve');
      }
    });
    // 3. ONE_REGs
    snap.vcpus.forEach((s, i) => {
      const v = vcpus[i] as Vcpu;
      const listed = new Set<bigint>(v.getRegList());
      const saved = new Set<bigint>();
      const order = [...s.regs].sort((a, b) => regRank(a.id) - regRank(b.id));
      for (const r of order) {
        saved.add(r.id);
        if (r.id === (KVM_REG_ARM64_SVE_VLS as bigint)) continue; // written before finalize
        if (!listed.has(r.id)) {
          warn({ kind: 'reg-not-listed', vcpu: s.index, id: r.id, message: `vCPU ${s.index}: ${safeName(r.id)} (${hex(r.id)}) is not in the target's register list; not restored (saved value ${valueText(r.value)})` });
          continue;
        }
        try {
          v.setOneReg(r.id, r.value);
        } catch (e) {
          if (!(e instanceof KvmError)) throw e;
          let cur = '?';
          try {
            cur = valueText(v.getOneReg(r.id));
          } catch {
            /* unreadable: keep '?' */
          }
          warn({ kind: 'reg-rejected', vcpu: s.index, id: r.id, code: e.code, message: `vCPU ${s.index}: ${safeName(r.id)} = ${valueText(r.value)} refused with ${e.code}; the target keeps ${cur}` });
        }
      }
      for (const id of listed) {
        if (!saved.has(id)) warn({ kind: 'reg-not-saved', vcpu: s.index, id, message: `vCPU ${s.index}: the target has ${safeName(id)} (${hex(id)}), the snapshot does not; left at the target's reset value` });
      }
    });
    // 4. VGIC
    if (snap.gic !== undefined) {
      const g = snap.gic;
      if (g.type !== KVM_DEV_TYPE.ARM_VGIC_V2) throw new RangeError(`snap.gic.type: ${g.type} is not KVM_DEV_TYPE_ARM_VGIC_V2; only GICv2 snapshots can be restored`);
      gic = vm.createDevice(g.type);
      const dev = gic;
      const attempt = (what: string, f: () => void): boolean => {
        try {
          f();
          return true;
        } catch (e) {
          if (!(e instanceof KvmError)) throw e;
          warn({ kind: 'gic-rejected', code: e.code, message: `VGIC: ${what} refused with ${e.code}` });
          return false;
        }
      };
      attempt(`GRP_NR_IRQS ${g.nrIrqs}`, () => dev.setAttr(GRP.NR_IRQS, 0n, g.nrIrqs));
      attempt(`GRP_ADDR dist ${hex(g.distAddr)}`, () => dev.setAttr(GRP.ADDR, 0n, g.distAddr));
      attempt(`GRP_ADDR cpu ${hex(g.cpuAddr)}`, () => dev.setAttr(GRP.ADDR, 1n, g.cpuAddr));
      dev.setAttr(GRP.CTRL, BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT), 0n);
      const cpus = snap.vcpus.map((s) => s.index);
      for (const w of gicRestorePlan(g.regs, g.nrIrqs, cpus)) {
        const grp = w.group === 'dist' ? GRP.DIST_REGS : GRP.CPU_REGS;
        attempt(`${w.why} cpu ${w.cpu} offset ${hex(w.offset)} = ${hex(w.value)}`, () => dev.setAttr(grp, encodeVgicV2Attr({ cpu: w.cpu, offset: w.offset }), w.value));
      }
    }
    // 5. MP_STATE, VCPU_EVENTS
    snap.vcpus.forEach((s, i) => {
      const v = vcpus[i] as Vcpu;
      try {
        v.setMpState(s.mpState);
      } catch (e) {
        if (!(e instanceof KvmError) && !(e instanceof RangeError)) throw e;
        warn({ kind: 'vcpu-state', vcpu: s.index, code: (e as { code?: string }).code ?? 'RangeError', message: `vCPU ${s.index}: MP_STATE ${s.mpState} refused (${(e as Error).message})` });
      }
      try {
        v.setVcpuEvents(s.events);
      } catch (e) {
        if (!(e instanceof KvmError)) throw e;
        warn({ kind: 'vcpu-state', vcpu: s.index, code: e.code, message: `vCPU ${s.index}: VCPU_EVENTS refused with ${e.code}` });
      }
    });
    // 6. RAM
    for (const r of snap.memory) {
      const m = hv.allocateMemory(Math.ceil(r.size / SNAPSHOT_PAGE) * SNAPSHOT_PAGE);
      memory.push(m);
      m.bytes.set(r.bytes);
      const region: MemoryRegion = { slot: r.slot, guestPhysAddr: r.guestPhysAddr, memory: m, size: r.size, ...(r.readonly ? { readonly: true } : {}), ...(r.logDirtyPages ? { logDirtyPages: true } : {}) };
      vm.setUserMemoryRegion(region);
      regions.push(region);
    }
    if (options.verify === true) verify(snap, vcpus, gic, warn);
  } catch (e) {
    close();
    throw e;
  }
  if (options.strict === true && warnings.length > 0) {
    close();
    throw new SnapshotRestoreError(warnings);
  }
  const out: RestoredVm = {
    vm,
    vcpus,
    gic,
    memory,
    regions,
    machine: snap.machine,
    devices: snap.devices,
    warnings,
    close,
    [Symbol.dispose]: close,
  };
  return out;
}

/** Reads everything back; the virtual count (TIMER_CNT) and TIMER_CTL.ISTATUS move on by themselves and are not compared. */
function verify(snap: VmSnapshot, vcpus: readonly Vcpu[], gic: Device | undefined, warn: (w: RestoreWarning) => void): void {
  snap.vcpus.forEach((s, i) => {
    const v = vcpus[i] as Vcpu;
    const listed = new Set<bigint>(v.getRegList());
    for (const r of s.regs) {
      if (r.id === TIMER_CNT || !listed.has(r.id)) continue;
      let now: bigint | Uint8Array;
      try {
        now = v.getOneReg(r.id);
      } catch (e) {
        if (!(e instanceof KvmError)) throw e;
        warn({ kind: 'reg-differs', vcpu: s.index, id: r.id, code: e.code, message: `vCPU ${s.index}: ${safeName(r.id)} unreadable after restore (${e.code})` });
        continue;
      }
      // TIMER_CTL.ISTATUS (bit 2) is computed from the moving count and ignored on writes: not compared
      if (r.id === TIMER_CTL && typeof now === 'bigint' && typeof r.value === 'bigint' && ((now ^ r.value) & ~4n) === 0n) continue;
      if (!sameValue(now, r.value)) warn({ kind: 'reg-differs', vcpu: s.index, id: r.id, message: `vCPU ${s.index}: ${safeName(r.id)} reads ${valueText(now)} after restore, saved ${valueText(r.value)}` });
    }
  });
  if (gic !== undefined && snap.gic !== undefined) {
    for (const r of snap.gic.regs) {
      const grp = r.group === 'dist' ? GRP.DIST_REGS : GRP.CPU_REGS;
      let now: number;
      try {
        now = Number(gic.getAttr(grp, encodeVgicV2Attr({ cpu: r.cpu, offset: r.offset }), 4));
      } catch (e) {
        if (!(e instanceof KvmError)) throw e;
        warn({ kind: 'gic-differs', code: e.code, message: `VGIC: ${r.group} cpu ${r.cpu} offset ${hex(r.offset)} unreadable after restore (${e.code})` });
        continue;
      }
      if (now !== r.value) {
        const label = (r.group === 'dist' ? gicdRegAt(r.offset) : giccRegAt(r.offset))?.label ?? hex(r.offset);
        warn({ kind: 'gic-differs', message: `VGIC: ${label} (cpu ${r.cpu}) reads ${hex(now)} after restore, saved ${hex(r.value)}${gicReadOnly(r.group, r.offset) ? ' (read-only register)' : ''}` });
      }
    }
  }
}

export type { MpState };
