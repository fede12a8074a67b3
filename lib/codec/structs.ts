/**
 * DataView encoders/decoders for the KVM structs exchanged with the kernel on arm64 (little-endian,
 * LP64). Offsets and sizes are pinned against the real uapi headers by the golden-file test.
 *
 * Encoders return a fresh Uint8Array of exactly the struct size; decoders accept any view at least that long.
 */
import { STRUCT_SIZE, KVM_EXIT, systemEventName, type SystemEventType } from './abi';

/** Field offsets, by struct (those the golden file checks). */
export const OFFSETS = {
  kvm_run: {
    request_interrupt_window: 0,
    immediate_exit: 1,
    exit_reason: 8,
    ready_for_interrupt_injection: 12,
    if_flag: 13,
    flags: 14,
    cr8: 16,
    apic_base: 24,
    exit: 32, // the union
    kvm_valid_regs: 288,
    kvm_dirty_regs: 296,
    s: 304,
  },
  mmio: { phys_addr: 32, data: 40, len: 48, is_write: 52 },
  hypercall: { nr: 32, args: 40, ret: 88, flags: 96 },
  system_event: { type: 32, ndata: 36, data: 40 },
  arm_nisv: { esr_iss: 32, fault_ipa: 40 },
  internal: { suberror: 32, ndata: 36, data: 40 },
  fail_entry: { hardware_entry_failure_reason: 32, cpu: 40 },
  debug: { hsr: 32, hsr_high: 36, far: 40 },
  hw: { hardware_exit_reason: 32 },
  kvm_userspace_memory_region: { slot: 0, flags: 4, guest_phys_addr: 8, memory_size: 16, userspace_addr: 24 },
  kvm_one_reg: { id: 0, addr: 8 },
  kvm_vcpu_init: { target: 0, features: 4 },
  kvm_reg_list: { n: 0, reg: 8 },
  kvm_irq_level: { irq: 0, level: 4 },
  kvm_device_attr: { flags: 0, group: 4, attr: 8, addr: 16 },
  kvm_create_device: { type: 0, fd: 4, flags: 8 },
  kvm_arm_device_addr: { id: 0, addr: 8 },
  kvm_vcpu_events: { serror_pending: 0, serror_has_esr: 1, ext_dabt_pending: 2, serror_esr: 8, reserved: 16 },
  kvm_enable_cap: { cap: 0, flags: 4, args: 8, pad: 40 },
  kvm_irqfd: { fd: 0, gsi: 4, flags: 8, resamplefd: 12, pad: 16 },
  kvm_ioeventfd: { datamatch: 0, addr: 8, len: 16, fd: 20, flags: 24, pad: 28 },
  kvm_dirty_log: { slot: 0, dirty_bitmap: 8 },
  kvm_mp_state: { mp_state: 0 },
  kvm_guest_debug: { control: 0, pad: 4, arch: 8 },
} as const;

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
function need(b: Uint8Array, n: number, what: string): DataView {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${what}: expected a Uint8Array`);
  if (b.byteLength < n) throw new RangeError(`${what}: needs ${n} bytes, got ${b.byteLength}`);
  return view(b);
}
function u64(name: string, v: bigint | number): bigint {
  const b = typeof v === 'number' ? (Number.isSafeInteger(v) ? BigInt(v) : NaN) : v;
  if (typeof b !== 'bigint' || b < 0n || b > 0xffffffffffffffffn) throw new RangeError(`${name}: must be a u64, got ${String(v)}`);
  return b;
}
function u32(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name}: must be a u32, got ${v}`);
  return v;
}

// ---------------------------------------------------------------- simple structs

export interface UserspaceMemoryRegion {
  slot: number;
  flags: number;
  guestPhysAddr: bigint;
  memorySize: bigint;
  userspaceAddr: bigint;
}
export function encodeUserspaceMemoryRegion(r: UserspaceMemoryRegion): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_userspace_memory_region);
  const d = view(b);
  d.setUint32(0, u32('slot', r.slot), true);
  d.setUint32(4, u32('flags', r.flags), true);
  d.setBigUint64(8, u64('guestPhysAddr', r.guestPhysAddr), true);
  d.setBigUint64(16, u64('memorySize', r.memorySize), true);
  d.setBigUint64(24, u64('userspaceAddr', r.userspaceAddr), true);
  return b;
}
export function decodeUserspaceMemoryRegion(b: Uint8Array): UserspaceMemoryRegion {
  const d = need(b, STRUCT_SIZE.kvm_userspace_memory_region, 'kvm_userspace_memory_region');
  return { slot: d.getUint32(0, true), flags: d.getUint32(4, true), guestPhysAddr: d.getBigUint64(8, true), memorySize: d.getBigUint64(16, true), userspaceAddr: d.getBigUint64(24, true) };
}

export interface VcpuInitStruct {
  target: number;
  features: number[];
}
export function encodeVcpuInit(v: VcpuInitStruct): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_vcpu_init);
  const d = view(b);
  d.setUint32(0, u32('target', v.target), true);
  if (v.features.length > 7) throw new RangeError(`features: at most 7 words, got ${v.features.length}`);
  v.features.forEach((w, i) => d.setUint32(4 + i * 4, u32(`features[${i}]`, w), true));
  return b;
}
export function decodeVcpuInit(b: Uint8Array): VcpuInitStruct {
  const d = need(b, STRUCT_SIZE.kvm_vcpu_init, 'kvm_vcpu_init');
  return { target: d.getUint32(0, true), features: Array.from({ length: 7 }, (_, i) => d.getUint32(4 + i * 4, true)) };
}

export function encodeOneReg(id: bigint, addr: bigint): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_one_reg);
  const d = view(b);
  d.setBigUint64(0, u64('id', id), true);
  d.setBigUint64(8, u64('addr', addr), true);
  return b;
}
export function decodeOneReg(b: Uint8Array): { id: bigint; addr: bigint } {
  const d = need(b, 16, 'kvm_one_reg');
  return { id: d.getBigUint64(0, true), addr: d.getBigUint64(8, true) };
}

/** struct kvm_reg_list with room for `capacity` ids (n = capacity on input). */
export function encodeRegList(capacity: number): Uint8Array {
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > 1 << 20) throw new RangeError(`capacity: must be 0..2^20, got ${capacity}`);
  const b = new Uint8Array(8 + capacity * 8);
  view(b).setBigUint64(0, BigInt(capacity), true);
  return b;
}
/** Decodes a kvm_reg_list: n, then n ids. Throws RangeError when n claims more ids than the buffer holds. */
export function decodeRegList(b: Uint8Array): bigint[] {
  const d = need(b, 8, 'kvm_reg_list');
  const n = d.getBigUint64(0, true);
  if (n > BigInt((b.byteLength - 8) / 8)) throw new RangeError(`kvm_reg_list: n = ${n} but the buffer holds ${Math.floor((b.byteLength - 8) / 8)} ids`);
  const out: bigint[] = [];
  for (let i = 0; i < Number(n); i++) out.push(d.getBigUint64(8 + i * 8, true));
  return out;
}

export function encodeIrqLevel(irq: number, level: number): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_irq_level);
  const d = view(b);
  d.setUint32(0, u32('irq', irq), true);
  d.setUint32(4, u32('level', level), true);
  return b;
}
export function decodeIrqLevel(b: Uint8Array): { irq: number; level: number } {
  const d = need(b, 8, 'kvm_irq_level');
  return { irq: d.getUint32(0, true), level: d.getUint32(4, true) };
}

export interface DeviceAttrStruct {
  flags: number;
  group: number;
  attr: bigint;
  addr: bigint;
}
export function encodeDeviceAttr(a: DeviceAttrStruct): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_device_attr);
  const d = view(b);
  d.setUint32(0, u32('flags', a.flags), true);
  d.setUint32(4, u32('group', a.group), true);
  d.setBigUint64(8, u64('attr', a.attr), true);
  d.setBigUint64(16, u64('addr', a.addr), true);
  return b;
}
export function decodeDeviceAttr(b: Uint8Array): DeviceAttrStruct {
  const d = need(b, 24, 'kvm_device_attr');
  return { flags: d.getUint32(0, true), group: d.getUint32(4, true), attr: d.getBigUint64(8, true), addr: d.getBigUint64(16, true) };
}

export function encodeCreateDevice(c: { type: number; flags: number }): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_create_device);
  const d = view(b);
  d.setUint32(0, u32('type', c.type), true);
  d.setUint32(8, u32('flags', c.flags), true);
  return b;
}
export function decodeCreateDevice(b: Uint8Array): { type: number; fd: number; flags: number } {
  const d = need(b, 12, 'kvm_create_device');
  return { type: d.getUint32(0, true), fd: d.getUint32(4, true), flags: d.getUint32(8, true) };
}

export function encodeArmDeviceAddr(id: bigint, addr: bigint): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_arm_device_addr);
  const d = view(b);
  d.setBigUint64(0, u64('id', id), true);
  d.setBigUint64(8, u64('addr', addr), true);
  return b;
}
export function decodeArmDeviceAddr(b: Uint8Array): { id: bigint; addr: bigint } {
  const d = need(b, 16, 'kvm_arm_device_addr');
  return { id: d.getBigUint64(0, true), addr: d.getBigUint64(8, true) };
}

export function encodeMpState(state: number): Uint8Array {
  const b = new Uint8Array(4);
  view(b).setUint32(0, u32('mp_state', state), true);
  return b;
}
export function decodeMpState(b: Uint8Array): number {
  return need(b, 4, 'kvm_mp_state').getUint32(0, true);
}

/** arm64 struct kvm_vcpu_events. */
export interface VcpuEvents {
  serrorPending: boolean;
  serrorHasEsr: boolean;
  extDabtPending: boolean;
  /** only the low 24 bits (ISS) are used */
  serrorEsr: bigint;
}
export function encodeVcpuEvents(e: VcpuEvents): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_vcpu_events);
  const d = view(b);
  d.setUint8(0, e.serrorPending ? 1 : 0);
  d.setUint8(1, e.serrorHasEsr ? 1 : 0);
  d.setUint8(2, e.extDabtPending ? 1 : 0);
  d.setBigUint64(8, u64('serrorEsr', e.serrorEsr), true);
  return b;
}
export function decodeVcpuEvents(b: Uint8Array): VcpuEvents {
  const d = need(b, STRUCT_SIZE.kvm_vcpu_events, 'kvm_vcpu_events');
  return { serrorPending: d.getUint8(0) !== 0, serrorHasEsr: d.getUint8(1) !== 0, extDabtPending: d.getUint8(2) !== 0, serrorEsr: d.getBigUint64(8, true) };
}

export function encodeEnableCap(c: { cap: number; flags?: number; args?: readonly bigint[] }): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_enable_cap);
  const d = view(b);
  d.setUint32(0, u32('cap', c.cap), true);
  d.setUint32(4, u32('flags', c.flags ?? 0), true);
  const args = c.args ?? [];
  if (args.length > 4) throw new RangeError(`args: at most 4, got ${args.length}`);
  args.forEach((a, i) => d.setBigUint64(8 + i * 8, u64(`args[${i}]`, a), true));
  return b;
}
export function decodeEnableCap(b: Uint8Array): { cap: number; flags: number; args: bigint[] } {
  const d = need(b, STRUCT_SIZE.kvm_enable_cap, 'kvm_enable_cap');
  return { cap: d.getUint32(0, true), flags: d.getUint32(4, true), args: [0, 1, 2, 3].map((i) => d.getBigUint64(8 + i * 8, true)) };
}

export interface IrqfdStruct {
  fd: number;
  gsi: number;
  flags: number;
  resamplefd: number;
}
export function encodeIrqfd(f: IrqfdStruct): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_irqfd);
  const d = view(b);
  d.setUint32(0, u32('fd', f.fd), true);
  d.setUint32(4, u32('gsi', f.gsi), true);
  d.setUint32(8, u32('flags', f.flags), true);
  d.setUint32(12, u32('resamplefd', f.resamplefd), true);
  return b;
}
export function decodeIrqfd(b: Uint8Array): IrqfdStruct {
  const d = need(b, 32, 'kvm_irqfd');
  return { fd: d.getUint32(0, true), gsi: d.getUint32(4, true), flags: d.getUint32(8, true), resamplefd: d.getUint32(12, true) };
}

export interface IoeventfdStruct {
  datamatch: bigint;
  addr: bigint;
  len: number;
  fd: number;
  flags: number;
}
export function encodeIoeventfd(f: IoeventfdStruct): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_ioeventfd);
  const d = view(b);
  d.setBigUint64(0, u64('datamatch', f.datamatch), true);
  d.setBigUint64(8, u64('addr', f.addr), true);
  d.setUint32(16, u32('len', f.len), true);
  if (!Number.isInteger(f.fd) || f.fd < -1 || f.fd > 0x7fffffff) throw new RangeError(`fd: must be a file descriptor, got ${f.fd}`);
  d.setInt32(20, f.fd, true);
  d.setUint32(24, u32('flags', f.flags), true);
  return b;
}
export function decodeIoeventfd(b: Uint8Array): IoeventfdStruct {
  const d = need(b, 64, 'kvm_ioeventfd');
  return { datamatch: d.getBigUint64(0, true), addr: d.getBigUint64(8, true), len: d.getUint32(16, true), fd: d.getInt32(20, true), flags: d.getUint32(24, true) };
}

export function encodeDirtyLog(slot: number, bitmapAddr: bigint): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_dirty_log);
  const d = view(b);
  d.setUint32(0, u32('slot', slot), true);
  d.setBigUint64(8, u64('bitmapAddr', bitmapAddr), true);
  return b;
}

/** arm64 struct kvm_guest_debug: control, then dbg_bcr/bvr/wcr/wvr[16]. */
export interface GuestDebug {
  control: number;
  bcr?: readonly bigint[];
  bvr?: readonly bigint[];
  wcr?: readonly bigint[];
  wvr?: readonly bigint[];
}
export function encodeGuestDebug(g: GuestDebug): Uint8Array {
  const b = new Uint8Array(STRUCT_SIZE.kvm_guest_debug);
  const d = view(b);
  d.setUint32(0, u32('control', g.control), true);
  const arrays = [g.bcr, g.bvr, g.wcr, g.wvr];
  arrays.forEach((arr, k) => {
    if (arr === undefined) return;
    if (arr.length > 16) throw new RangeError(`${['bcr', 'bvr', 'wcr', 'wvr'][k]}: at most 16 entries`);
    arr.forEach((v, i) => d.setBigUint64(8 + k * 128 + i * 8, u64('debug register', v), true));
  });
  return b;
}

// ---------------------------------------------------------------- kvm_run

/** The exits run() returns: a closed union on `reason`. */
export type VcpuExit =
  | {
      readonly reason: 'mmio';
      readonly physAddr: bigint;
      readonly len: number;
      readonly isWrite: boolean;
      /** For a write: the bytes the guest wrote. For a read: fill these `len` bytes before the next run(). */
      readonly data: Uint8Array;
    }
  | { readonly reason: 'system-event'; readonly type: SystemEventType; readonly rawType: number; readonly flags: bigint; readonly data: readonly bigint[] }
  | { readonly reason: 'hypercall'; readonly nr: bigint; readonly args: readonly bigint[]; readonly flags: bigint }
  | { readonly reason: 'arm-nisv'; readonly esrIss: bigint; readonly faultIpa: bigint }
  | { readonly reason: 'intr' }
  | { readonly reason: 'debug'; readonly hsr: number; readonly hsrHigh: number; readonly far: bigint }
  | { readonly reason: 'fail-entry'; readonly hardwareEntryFailureReason: bigint; readonly cpu: number }
  | { readonly reason: 'internal-error'; readonly suberror: number; readonly data: readonly bigint[] }
  | { readonly reason: 'unknown'; readonly exitReason: number; readonly hardwareExitReason: bigint };

export type ExitReason = VcpuExit['reason'];

/**
 * Decodes the exit in a kvm_run area. For 'mmio', `data` is a live view onto kvm_run.mmio.data (len bytes), so
 * writing it completes an MMIO read exactly as a C VMM writes run->mmio.data.
 */
export function decodeRunExit(run: Uint8Array): VcpuExit {
  const d = need(run, 288, 'kvm_run');
  const reason = d.getUint32(8, true);
  switch (reason) {
    case KVM_EXIT.MMIO: {
      const len = d.getUint32(48, true);
      return {
        reason: 'mmio',
        physAddr: d.getBigUint64(32, true),
        len,
        isWrite: d.getUint8(52) !== 0,
        data: run.subarray(40, 40 + Math.min(len, 8)),
      };
    }
    case KVM_EXIT.SYSTEM_EVENT: {
      const t = d.getUint32(32, true);
      const ndata = Math.min(d.getUint32(36, true), 16);
      const data = Array.from({ length: ndata }, (_, i) => d.getBigUint64(40 + i * 8, true));
      return { reason: 'system-event', type: systemEventName(t), rawType: t, flags: d.getBigUint64(40, true), data };
    }
    case KVM_EXIT.HYPERCALL:
      return {
        reason: 'hypercall',
        nr: d.getBigUint64(32, true),
        args: Array.from({ length: 6 }, (_, i) => d.getBigUint64(40 + i * 8, true)),
        flags: d.getBigUint64(96, true),
      };
    case KVM_EXIT.ARM_NISV:
      return { reason: 'arm-nisv', esrIss: d.getBigUint64(32, true), faultIpa: d.getBigUint64(40, true) };
    case KVM_EXIT.INTR:
      return { reason: 'intr' };
    case KVM_EXIT.DEBUG:
      return { reason: 'debug', hsr: d.getUint32(32, true), hsrHigh: d.getUint32(36, true), far: d.getBigUint64(40, true) };
    case KVM_EXIT.FAIL_ENTRY:
      return { reason: 'fail-entry', hardwareEntryFailureReason: d.getBigUint64(32, true), cpu: d.getUint32(40, true) };
    case KVM_EXIT.INTERNAL_ERROR: {
      const ndata = Math.min(d.getUint32(36, true), 16);
      return { reason: 'internal-error', suberror: d.getUint32(32, true), data: Array.from({ length: ndata }, (_, i) => d.getBigUint64(40 + i * 8, true)) };
    }
    default:
      return { reason: 'unknown', exitReason: reason, hardwareExitReason: d.getBigUint64(32, true) };
  }
}

/** Writes an exit into a kvm_run area (used by the soft backend and by tests). */
export function encodeRunExit(run: Uint8Array, e: VcpuExit): void {
  const d = need(run, 288, 'kvm_run');
  run.fill(0, 32, 288);
  switch (e.reason) {
    case 'mmio':
      d.setUint32(8, KVM_EXIT.MMIO, true);
      d.setBigUint64(32, e.physAddr, true);
      run.set(e.data.subarray(0, 8), 40);
      d.setUint32(48, e.len, true);
      d.setUint8(52, e.isWrite ? 1 : 0);
      return;
    case 'system-event':
      d.setUint32(8, KVM_EXIT.SYSTEM_EVENT, true);
      d.setUint32(32, e.rawType, true);
      d.setUint32(36, e.data.length, true);
      e.data.slice(0, 16).forEach((v, i) => d.setBigUint64(40 + i * 8, v, true));
      if (e.data.length === 0) d.setBigUint64(40, e.flags, true);
      return;
    case 'hypercall':
      d.setUint32(8, KVM_EXIT.HYPERCALL, true);
      d.setBigUint64(32, e.nr, true);
      e.args.slice(0, 6).forEach((v, i) => d.setBigUint64(40 + i * 8, v, true));
      d.setBigUint64(96, e.flags, true);
      return;
    case 'arm-nisv':
      d.setUint32(8, KVM_EXIT.ARM_NISV, true);
      d.setBigUint64(32, e.esrIss, true);
      d.setBigUint64(40, e.faultIpa, true);
      return;
    case 'intr':
      d.setUint32(8, KVM_EXIT.INTR, true);
      return;
    case 'debug':
      d.setUint32(8, KVM_EXIT.DEBUG, true);
      d.setUint32(32, e.hsr, true);
      d.setUint32(36, e.hsrHigh, true);
      d.setBigUint64(40, e.far, true);
      return;
    case 'fail-entry':
      d.setUint32(8, KVM_EXIT.FAIL_ENTRY, true);
      d.setBigUint64(32, e.hardwareEntryFailureReason, true);
      d.setUint32(40, e.cpu, true);
      return;
    case 'internal-error':
      d.setUint32(8, KVM_EXIT.INTERNAL_ERROR, true);
      d.setUint32(32, e.suberror, true);
      d.setUint32(36, e.data.length, true);
      e.data.slice(0, 16).forEach((v, i) => d.setBigUint64(40 + i * 8, v, true));
      return;
    case 'unknown':
      d.setUint32(8, e.exitReason, true);
      d.setBigUint64(32, e.hardwareExitReason, true);
      return;
  }
}
