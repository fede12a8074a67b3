/**
 * VGIC codecs: KVM_ARM_SET_DEVICE_ADDR ids, KVM device attribute encodings for the VGIC (arm-vgic.txt and
 * today's devices/arm-vgic*.rst), and the GICv2 distributor / CPU interface register maps — one table that the
 * attribute encoder, the emulated GIC (lib/soft/gic) and snapshots all use.
 */

// ---------------------------------------------------------------- KVM_ARM_SET_DEVICE_ADDR
export const KVM_ARM_DEVICE_TYPE_SHIFT = 0;
export const KVM_ARM_DEVICE_TYPE_MASK = 0xffff;
export const KVM_ARM_DEVICE_ID_SHIFT = 16;
export const KVM_ARM_DEVICE_ID_MASK = 0xffff0000; // not `0xffff << 16`: JS shifts give int32 (-65536)
export const KVM_ARM_DEVICE_VGIC_V2 = 0;
export const KVM_VGIC_V2_ADDR_TYPE_DIST = 0;
export const KVM_VGIC_V2_ADDR_TYPE_CPU = 1;
export const KVM_VGIC_V2_DIST_SIZE = 0x1000;
export const KVM_VGIC_V2_CPU_SIZE = 0x2000;
export const KVM_VGIC_V3_ADDR_TYPE_DIST = 2;
export const KVM_VGIC_V3_ADDR_TYPE_REDIST = 3;
export const KVM_VGIC_V3_ADDR_TYPE_ITS = 4;
export const KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION = 5;
export const KVM_VGIC_ITS_ADDR_TYPE = 4;

export type DeviceAddrKind = 'vgic-v2-dist' | 'vgic-v2-cpu';
export interface DeviceAddrId {
  readonly device: number;
  readonly type: number;
  /** 'vgic-v2-dist' / 'vgic-v2-cpu' when the pair is known */
  readonly kind: DeviceAddrKind | undefined;
}

/** Encodes the `id` of struct kvm_arm_device_addr: (device id << 16) | address type. */
export function encodeDeviceAddrId(a: { device: number; type: number } | DeviceAddrKind): bigint {
  const { device, type } =
    typeof a === 'string'
      ? a === 'vgic-v2-dist'
        ? { device: KVM_ARM_DEVICE_VGIC_V2, type: KVM_VGIC_V2_ADDR_TYPE_DIST }
        : a === 'vgic-v2-cpu'
          ? { device: KVM_ARM_DEVICE_VGIC_V2, type: KVM_VGIC_V2_ADDR_TYPE_CPU }
          : badKind(a)
      : a;
  if (!Number.isInteger(device) || device < 0 || device > 0xffff) throw new RangeError(`device: must be 0..0xffff, got ${device}`);
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) throw new RangeError(`type: must be 0..0xffff, got ${type}`);
  return BigInt(((device << KVM_ARM_DEVICE_ID_SHIFT) | type) >>> 0); // `x >>> 0 | type` would be int32 again
}
function badKind(a: string): never {
  throw new RangeError(`kind: must be 'vgic-v2-dist' or 'vgic-v2-cpu', got '${a}'`);
}

export function decodeDeviceAddrId(id: bigint | number): DeviceAddrId {
  const v = BigInt(id);
  if (v < 0n || v >> 32n !== 0n) throw new RangeError(`id: bits 63..32 of a device address id are reserved and must be zero, got 0x${v.toString(16)}`);
  const device = Number((v >> 16n) & 0xffffn);
  const type = Number(v & 0xffffn);
  const kind: DeviceAddrKind | undefined =
    device === KVM_ARM_DEVICE_VGIC_V2 ? (type === 0 ? 'vgic-v2-dist' : type === 1 ? 'vgic-v2-cpu' : undefined) : undefined;
  return { device, type, kind };
}

// ---------------------------------------------------------------- KVM device types and VGIC groups
export const KVM_DEV_TYPE = {
  FSL_MPIC_20: 1,
  FSL_MPIC_42: 2,
  XICS: 3,
  VFIO: 4,
  ARM_VGIC_V2: 5,
  FLIC: 6,
  ARM_VGIC_V3: 7,
  ARM_VGIC_ITS: 8,
  XIVE: 9,
  ARM_PV_TIME: 10,
} as const;

export const KVM_DEV_ARM_VGIC_GRP = {
  ADDR: 0,
  DIST_REGS: 1,
  CPU_REGS: 2,
  NR_IRQS: 3,
  CTRL: 4,
  REDIST_REGS: 5,
  CPU_SYSREGS: 6,
  LEVEL_INFO: 7,
  ITS_REGS: 8,
} as const;
export type VgicGroupName = keyof typeof KVM_DEV_ARM_VGIC_GRP;

export const KVM_DEV_ARM_VGIC_CTRL_INIT = 0;
export const KVM_DEV_ARM_ITS_SAVE_TABLES = 1;
export const KVM_DEV_ARM_ITS_RESTORE_TABLES = 2;
export const KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES = 3;
export const KVM_DEV_ARM_ITS_CTRL_RESET = 4;

export const KVM_DEV_ARM_VGIC_CPUID_SHIFT = 32n;
export const KVM_DEV_ARM_VGIC_CPUID_MASK = 0xffn << 32n;
export const KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT = 32n;
export const KVM_DEV_ARM_VGIC_V3_MPIDR_MASK = 0xffffffffn << 32n;
export const KVM_DEV_ARM_VGIC_OFFSET_SHIFT = 0n;
export const KVM_DEV_ARM_VGIC_OFFSET_MASK = 0xffffffffn;
export const KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK = 0xffffn;
export const KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT = 10n;
export const KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK = 0x3fffffn << 10n;
export const KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK = 0x3ffn;
export const VGIC_LEVEL_INFO_LINE_LEVEL = 0;

/** Attribute errors: a RangeError whose `field` names the bad part. */
export class AttrError extends RangeError {
  override readonly name = 'AttrError';
  constructor(readonly field: string, detail: string) {
    super(`${field}: ${detail}`);
  }
}

function u(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new AttrError(name, `must be an integer 0..0x${max.toString(16)}, got ${v}`);
  return v;
}

/** GICv2 DIST_REGS / CPU_REGS attr: | 63..40 reserved | 39..32 cpu id | 31..0 offset |. */
export function encodeVgicV2Attr(a: { cpu: number; offset: number }): bigint {
  return (BigInt(u('cpu', a.cpu, 0xff)) << 32n) | BigInt(u('offset', a.offset, 0xffffffff));
}

export function decodeVgicV2Attr(attr: bigint | number | string): { cpu: number; offset: number } {
  const v = typeof attr === 'string' ? BigInt(attr) : BigInt(attr);
  if (v < 0n || v > 0xffffffffffffffffn) throw new AttrError('attr', `must be a u64, got ${String(attr)}`);
  if (v >> 40n !== 0n) throw new AttrError('reserved', `bits 63..40 must be zero, got 0x${(v >> 40n).toString(16)}`);
  return { cpu: Number((v >> 32n) & 0xffn), offset: Number(v & 0xffffffffn) };
}

/** An MPIDR affinity as the GICv3 attrs carry it: Aff3.Aff2.Aff1.Aff0, 8 bits each. */
export interface Affinity {
  readonly aff3: number;
  readonly aff2: number;
  readonly aff1: number;
  readonly aff0: number;
}
function affValue(a: Affinity): bigint {
  return (BigInt(u('aff3', a.aff3, 0xff)) << 24n) | (BigInt(u('aff2', a.aff2, 0xff)) << 16n) | (BigInt(u('aff1', a.aff1, 0xff)) << 8n) | BigInt(u('aff0', a.aff0, 0xff));
}
function affFrom(v: bigint): Affinity {
  return { aff3: Number((v >> 24n) & 0xffn), aff2: Number((v >> 16n) & 0xffn), aff1: Number((v >> 8n) & 0xffn), aff0: Number(v & 0xffn) };
}
/** MPIDR_EL1 affinity fields (Aff3 at 39..32, Aff2..Aff0 at 23..0) → Affinity. */
export function affinityFromMpidr(mpidr: bigint): Affinity {
  return { aff3: Number((mpidr >> 32n) & 0xffn), aff2: Number((mpidr >> 16n) & 0xffn), aff1: Number((mpidr >> 8n) & 0xffn), aff0: Number(mpidr & 0xffn) };
}

/** GICv3 REDIST_REGS / DIST_REGS attr: | 63..32 mpidr (aff3.aff2.aff1.aff0) | 31..0 offset |. */
export function encodeVgicV3Attr(a: { mpidr: Affinity; offset: number }): bigint {
  return (affValue(a.mpidr) << 32n) | BigInt(u('offset', a.offset, 0xffffffff));
}
function attrU64(attr: bigint): bigint {
  if (typeof attr !== 'bigint') throw new TypeError(`attr: expected a bigint, got ${typeof attr}`);
  if (attr < 0n || attr > 0xffffffffffffffffn) throw new AttrError('attr', `must be a u64, got ${attr}`);
  return attr;
}
export function decodeVgicV3Attr(attr: bigint): { mpidr: Affinity; offset: number } {
  attrU64(attr);
  return { mpidr: affFrom(attr >> 32n), offset: Number(attr & 0xffffffffn) };
}

/** GICv3 CPU_SYSREGS attr: | 63..32 mpidr | 31..16 reserved | 15..0 op0,op1,CRn,CRm,op2 |. */
export function encodeVgicV3SysregAttr(a: { mpidr: Affinity; op0: number; op1: number; crn: number; crm: number; op2: number }): bigint {
  const instr = (u('op0', a.op0, 3) << 14) | (u('op1', a.op1, 7) << 11) | (u('crn', a.crn, 15) << 7) | (u('crm', a.crm, 15) << 3) | u('op2', a.op2, 7);
  return (affValue(a.mpidr) << 32n) | BigInt(instr);
}
export function decodeVgicV3SysregAttr(attr: bigint): { mpidr: Affinity; op0: number; op1: number; crn: number; crm: number; op2: number } {
  attrU64(attr);
  if ((attr >> 16n) & 0xffffn) throw new AttrError('reserved', 'bits 31..16 must be zero');
  const i = Number(attr & 0xffffn);
  return { mpidr: affFrom(attr >> 32n), op0: i >> 14, op1: (i >> 11) & 7, crn: (i >> 7) & 15, crm: (i >> 3) & 15, op2: i & 7 };
}

/** GICv3 LEVEL_INFO attr: | 63..32 mpidr | 31..10 info | 9..0 intid (a multiple of 32) |. */
export function encodeVgicV3LevelInfoAttr(a: { mpidr: Affinity; info: number; intid: number }): bigint {
  u('intid', a.intid, 0x3ff);
  if (a.intid % 32 !== 0) throw new AttrError('intid', `must be a multiple of 32, got ${a.intid}`);
  return (affValue(a.mpidr) << 32n) | (BigInt(u('info', a.info, 0x3fffff)) << 10n) | BigInt(a.intid);
}
export function decodeVgicV3LevelInfoAttr(attr: bigint): { mpidr: Affinity; info: number; intid: number } {
  attrU64(attr);
  return { mpidr: affFrom(attr >> 32n), info: Number((attr >> 10n) & 0x3fffffn), intid: Number(attr & 0x3ffn) };
}

/** NR_IRQS: 64..1024 in steps of 32 (arm-vgic.txt). Returns the value or throws RangeError. */
export function checkNrIrqs(n: number): number {
  if (!Number.isInteger(n) || n < 64 || n > 1024 || n % 32 !== 0) throw new AttrError('nr_irqs', `must be 64..1024 in steps of 32, got ${n}`);
  return n;
}

// ---------------------------------------------------------------- GICv2 register maps

export type GicAccess = 'rw' | 'ro' | 'wo';
export interface GicRegDef {
  readonly name: string;
  readonly offset: number;
  /** bytes the register (or register array) spans in the 4 KiB frame */
  readonly span: number;
  readonly access: GicAccess;
  /** bits of state per interrupt, for per-irq arrays (GICD_ISENABLER: 1, GICD_IPRIORITYR: 8 …) */
  readonly bitsPerIrq?: number;
  /** byte accesses allowed besides word accesses (GICv2 spec 4.1.4) */
  readonly byteAccess?: boolean;
  /** SGI/PPI part banked per CPU: the first `bankedBytes` bytes of the array */
  readonly bankedBytes?: number;
  /**
   * false: not reachable through KVM_DEV_ARM_VGIC_GRP_DIST_REGS / CPU_REGS (KVM 6.1 has no userspace register
   * region for it: has_attr gives ENXIO, get/set read 0 and ignore writes). In the distributor KVM has no region
   * for the guest either (RAZ/WI). Default: reachable.
   */
  readonly uaccess?: false;
  readonly description: string;
}

/** Span of a per-irq array for 1024 interrupts. */
const perIrq = (bits: number): number => (1024 * bits) / 8;

/** GICv2 distributor (GIC architecture spec v2, table 4-1), offsets from the distributor base. */
export const GICD_REGS: readonly GicRegDef[] = [
  { name: 'GICD_CTLR', offset: 0x000, span: 4, access: 'rw', description: 'Distributor Control' },
  { name: 'GICD_TYPER', offset: 0x004, span: 4, access: 'ro', description: 'Interrupt Controller Type' },
  { name: 'GICD_IIDR', offset: 0x008, span: 4, access: 'ro', description: 'Distributor Implementer Identification' },
  { name: 'GICD_IGROUPR', offset: 0x080, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Group' },
  { name: 'GICD_ISENABLER', offset: 0x100, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Set-Enable' },
  { name: 'GICD_ICENABLER', offset: 0x180, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Clear-Enable' },
  { name: 'GICD_ISPENDR', offset: 0x200, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Set-Pending' },
  { name: 'GICD_ICPENDR', offset: 0x280, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Clear-Pending' },
  { name: 'GICD_ISACTIVER', offset: 0x300, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Set-Active' },
  { name: 'GICD_ICACTIVER', offset: 0x380, span: perIrq(1), access: 'rw', bitsPerIrq: 1, bankedBytes: 4, description: 'Interrupt Clear-Active' },
  { name: 'GICD_IPRIORITYR', offset: 0x400, span: perIrq(8), access: 'rw', bitsPerIrq: 8, byteAccess: true, bankedBytes: 32, description: 'Interrupt Priority' },
  { name: 'GICD_ITARGETSR', offset: 0x800, span: perIrq(8), access: 'rw', bitsPerIrq: 8, byteAccess: true, bankedBytes: 32, description: 'Interrupt Processor Targets (SGI/PPI words read-only)' },
  { name: 'GICD_ICFGR', offset: 0xc00, span: perIrq(2), access: 'rw', bitsPerIrq: 2, bankedBytes: 8, description: 'Interrupt Configuration' },
  { name: 'GICD_NSACR', offset: 0xe00, span: perIrq(2), access: 'rw', bitsPerIrq: 2, uaccess: false, description: 'Non-secure Access Control (RAZ/WI without security extensions)' },
  { name: 'GICD_SGIR', offset: 0xf00, span: 4, access: 'wo', description: 'Software Generated Interrupt' },
  { name: 'GICD_CPENDSGIR', offset: 0xf10, span: 16, access: 'rw', byteAccess: true, bankedBytes: 16, description: 'SGI Clear-Pending (8 bits per SGI: one per source CPU)' },
  { name: 'GICD_SPENDSGIR', offset: 0xf20, span: 16, access: 'rw', byteAccess: true, bankedBytes: 16, description: 'SGI Set-Pending (8 bits per SGI: one per source CPU)' },
  { name: 'GICD_ICPIDR2', offset: 0xfe8, span: 4, access: 'ro', uaccess: false, description: 'Peripheral ID2 (architecture revision in bits 7..4)' },
];

/** GICv2 CPU interface (table 4-2), offsets from the CPU interface base. */
export const GICC_REGS: readonly GicRegDef[] = [
  { name: 'GICC_CTLR', offset: 0x00, span: 4, access: 'rw', description: 'CPU Interface Control' },
  { name: 'GICC_PMR', offset: 0x04, span: 4, access: 'rw', description: 'Interrupt Priority Mask' },
  { name: 'GICC_BPR', offset: 0x08, span: 4, access: 'rw', description: 'Binary Point' },
  { name: 'GICC_IAR', offset: 0x0c, span: 4, access: 'ro', uaccess: false, description: 'Interrupt Acknowledge' },
  { name: 'GICC_EOIR', offset: 0x10, span: 4, access: 'wo', uaccess: false, description: 'End of Interrupt' },
  { name: 'GICC_RPR', offset: 0x14, span: 4, access: 'ro', uaccess: false, description: 'Running Priority' },
  { name: 'GICC_HPPIR', offset: 0x18, span: 4, access: 'ro', uaccess: false, description: 'Highest Priority Pending Interrupt' },
  { name: 'GICC_ABPR', offset: 0x1c, span: 4, access: 'rw', description: 'Aliased Binary Point' },
  { name: 'GICC_AIAR', offset: 0x20, span: 4, access: 'ro', uaccess: false, description: 'Aliased Interrupt Acknowledge' },
  { name: 'GICC_AEOIR', offset: 0x24, span: 4, access: 'wo', uaccess: false, description: 'Aliased End of Interrupt' },
  { name: 'GICC_AHPPIR', offset: 0x28, span: 4, access: 'ro', uaccess: false, description: 'Aliased Highest Priority Pending Interrupt' },
  { name: 'GICC_APR', offset: 0xd0, span: 16, access: 'rw', description: 'Active Priorities APR0–APR3 (KVM fixed format: see aprLevelActive)' },
  { name: 'GICC_NSAPR', offset: 0xe0, span: 16, access: 'rw', uaccess: false, description: 'Non-secure Active Priorities NSAPR0–NSAPR3' },
  { name: 'GICC_IIDR', offset: 0xfc, span: 4, access: 'ro', description: 'CPU Interface Identification' },
  { name: 'GICC_DIR', offset: 0x1000, span: 4, access: 'wo', uaccess: false, description: 'Deactivate Interrupt' },
];

export interface GicRegLocation {
  readonly reg: GicRegDef;
  /** index of the 32-bit word within the register array (APR0..3 → 0..3) */
  readonly word: number;
  /** for per-irq arrays: the first interrupt the word covers */
  readonly firstIrq: number | undefined;
  /** register name with its index, e.g. GICD_ISENABLER1, GICC_APR2 */
  readonly label: string;
}

function locate(table: readonly GicRegDef[], offset: number): GicRegLocation | undefined {
  for (const reg of table) {
    if (offset >= reg.offset && offset < reg.offset + reg.span) {
      const word = Math.floor((offset - reg.offset) / 4);
      const firstIrq = reg.bitsPerIrq !== undefined ? (word * 32) / reg.bitsPerIrq : undefined;
      const label = reg.span > 4 ? `${reg.name}${word}` : reg.name;
      return { reg, word, firstIrq, label };
    }
  }
  return undefined;
}
/** The distributor register at an offset, if any. */
export function gicdRegAt(offset: number): GicRegLocation | undefined {
  return locate(GICD_REGS, offset);
}
/** The CPU interface register at an offset, if any. */
export function giccRegAt(offset: number): GicRegLocation | undefined {
  return locate(GICC_REGS, offset);
}

/** Offset of a register by name, e.g. 'GICD_ISENABLER1' → 0x104, 'GICC_APR2' → 0xd8, 'GICD_TYPER' → 4. */
export function gicRegOffset(name: string): { frame: 'dist' | 'cpu'; offset: number } {
  const up = name.toUpperCase();
  // a name that is itself a one-word register (GICD_ICPIDR2 ends in a digit that is part of the name)
  for (const [frame, table] of [['dist', GICD_REGS], ['cpu', GICC_REGS]] as const) {
    const reg = table.find((r) => r.name === up && r.span === 4);
    if (reg !== undefined) return { frame, offset: reg.offset };
  }
  const m = /^(GIC[DC]_[A-Z0-9]*?[A-Z])(\d*)$/.exec(up);
  if (m) {
    const base = m[1] as string;
    const idx = m[2] === '' ? 0 : Number(m[2]);
    for (const [frame, table] of [['dist', GICD_REGS], ['cpu', GICC_REGS]] as const) {
      const reg = table.find((r) => r.name === base);
      if (reg !== undefined) {
        if (idx * 4 >= reg.span || (m[2] !== '' && reg.span === 4)) throw new RangeError(`name: ${name}: ${base} has ${reg.span / 4} word(s)`);
        return { frame, offset: reg.offset + idx * 4 };
      }
    }
  }
  throw new RangeError(`name: '${name}' is not a GICv2 distributor or CPU interface register`);
}

/** Byte offset and bit position of an interrupt's field in a per-irq array. */
export function irqFieldLocation(reg: GicRegDef, irq: number): { offset: number; shift: number; bits: number } {
  if (reg.bitsPerIrq === undefined) throw new RangeError(`reg: ${reg.name} is not a per-interrupt register`);
  if (!Number.isInteger(irq) || irq < 0 || irq > 1019) throw new RangeError(`irq: must be 0..1019, got ${irq}`);
  const bit = irq * reg.bitsPerIrq;
  return { offset: reg.offset + Math.floor(bit / 32) * 4, shift: bit % 32, bits: reg.bitsPerIrq };
}

/**
 * The seed's fixed APRn format: preemption level X has an active interrupt iff APRn[X mod 32] == 1, n = X / 32.
 * `apr` holds APR0..APR3.
 */
export function aprLevelActive(apr: readonly number[], level: number): boolean {
  if (!Number.isInteger(level) || level < 0 || level > 127) throw new RangeError(`level: must be 0..127, got ${level}`);
  const word = apr[level >> 5];
  return word !== undefined && ((word >>> (level & 31)) & 1) === 1;
}
/** Where a preemption level's bit lives: APR n, bit b. */
export function aprBit(level: number): { n: number; bit: number } {
  if (!Number.isInteger(level) || level < 0 || level > 127) throw new RangeError(`level: must be 0..127, got ${level}`);
  return { n: level >> 5, bit: level & 31 };
}
