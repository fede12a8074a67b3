/**
 * KVM ONE_REG register ids for arm64 (`KVM_REG_ARM64`) and 32-bit ARM (`KVM_REG_ARM`), both directions.
 *
 * Layout of an id (api.txt 4.68 KVM_SET_ONE_REG, arm64/include/uapi/asm/kvm.h):
 *   bits 63..56 architecture (0x60 arm64, 0x40 arm), bits 55..52 size (log2 of the byte size),
 *   bits 27..16 the coprocessor / register group, bits 15..0 the group's own fields. Every other bit is zero.
 *
 * The 32-bit ARM prefixes are `0x4020` (u32) and `0x4030` (u64): the api.txt seed misprints them as
 * `0x4002` / `0x4003`; such ids are rejected with a hint naming the id that was probably meant.
 */
import { SYSREG_ROWS } from './sysreg-names';

/** A KVM register id. Only codec constructors (and {@link regId}) make one. */
export type RegId = bigint & { readonly __brand: 'RegId' };

export const KVM_REG_ARCH_MASK = 0xff00000000000000n;
export const KVM_REG_ARM = 0x4000000000000000n;
export const KVM_REG_ARM64 = 0x6000000000000000n;
export const KVM_REG_SIZE_SHIFT = 52n;
export const KVM_REG_SIZE_MASK = 0x00f0000000000000n;
export const KVM_REG_SIZE_U8 = 0x0000000000000000n;
export const KVM_REG_SIZE_U16 = 0x0010000000000000n;
export const KVM_REG_SIZE_U32 = 0x0020000000000000n;
export const KVM_REG_SIZE_U64 = 0x0030000000000000n;
export const KVM_REG_SIZE_U128 = 0x0040000000000000n;
export const KVM_REG_SIZE_U256 = 0x0050000000000000n;
export const KVM_REG_SIZE_U512 = 0x0060000000000000n;
export const KVM_REG_SIZE_U1024 = 0x0070000000000000n;
export const KVM_REG_SIZE_U2048 = 0x0080000000000000n;

export const KVM_REG_ARM_COPROC_MASK = 0x000000000fff0000n;
export const KVM_REG_ARM_COPROC_SHIFT = 16n;
export const KVM_REG_ARM_CORE = 0x0010n << 16n;
export const KVM_REG_ARM_DEMUX = 0x0011n << 16n;
export const KVM_REG_ARM_VFP = 0x0012n << 16n;
export const KVM_REG_ARM64_SYSREG = 0x0013n << 16n;
export const KVM_REG_ARM_FW = 0x0014n << 16n;
export const KVM_REG_ARM64_SVE = 0x0015n << 16n;
export const KVM_REG_ARM_FW_FEAT_BMAP = 0x0016n << 16n;

export const KVM_REG_ARM_DEMUX_ID_MASK = 0xff00n;
export const KVM_REG_ARM_DEMUX_ID_SHIFT = 8n;
export const KVM_REG_ARM_DEMUX_ID_CCSIDR = 0x00n << 8n;
export const KVM_REG_ARM_DEMUX_VAL_MASK = 0xffn;

export const KVM_REG_ARM64_SYSREG_OP0_MASK = 0xc000n;
export const KVM_REG_ARM64_SYSREG_OP0_SHIFT = 14n;
export const KVM_REG_ARM64_SYSREG_OP1_MASK = 0x3800n;
export const KVM_REG_ARM64_SYSREG_OP1_SHIFT = 11n;
export const KVM_REG_ARM64_SYSREG_CRN_MASK = 0x0780n;
export const KVM_REG_ARM64_SYSREG_CRN_SHIFT = 7n;
export const KVM_REG_ARM64_SYSREG_CRM_MASK = 0x0078n;
export const KVM_REG_ARM64_SYSREG_CRM_SHIFT = 3n;
export const KVM_REG_ARM64_SYSREG_OP2_MASK = 0x0007n;
export const KVM_REG_ARM64_SYSREG_OP2_SHIFT = 0n;

// 32-bit ARM CP15 fields (arch/arm/include/uapi/asm/kvm.h before 5.7)
export const KVM_REG_ARM_32_OPC2_MASK = 0x0007n;
export const KVM_REG_ARM_OPC1_MASK = 0x0078n;
export const KVM_REG_ARM_OPC1_SHIFT = 3n;
export const KVM_REG_ARM_CRM_MASK = 0x0780n;
export const KVM_REG_ARM_CRM_SHIFT = 7n;
export const KVM_REG_ARM_32_CRN_MASK = 0x7800n;
export const KVM_REG_ARM_32_CRN_SHIFT = 11n;

export const KVM_REG_ARM_VFP_MASK = 0xffffn;
export const KVM_REG_ARM_VFP_BASE_REG = 0x0n;
export const KVM_REG_ARM_VFP_FPSID = 0x1000n;
export const KVM_REG_ARM_VFP_FPSCR = 0x1001n;
export const KVM_REG_ARM_VFP_MVFR1 = 0x1006n;
export const KVM_REG_ARM_VFP_MVFR0 = 0x1007n;
export const KVM_REG_ARM_VFP_FPEXC = 0x1008n;
export const KVM_REG_ARM_VFP_FPINST = 0x1009n;
export const KVM_REG_ARM_VFP_FPINST2 = 0x100an;

export const KVM_REG_ARM_SVE_ZREG_BASE = 0n;
export const KVM_REG_ARM_SVE_PREG_BASE = 0x400n;
export const KVM_REG_ARM_SVE_FFR_BASE = 0x600n;
export const KVM_ARM64_SVE_NUM_ZREGS = 32;
export const KVM_ARM64_SVE_NUM_PREGS = 16;
export const KVM_ARM64_SVE_MAX_SLICES = 32;

/** Byte sizes by the 4-bit size field (U8 … U2048). */
const SIZE_BYTES = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
export type RegSizeName = 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'u512' | 'u1024' | 'u2048';
const SIZE_NAMES: readonly RegSizeName[] = ['u8', 'u16', 'u32', 'u64', 'u128', 'u256', 'u512', 'u1024', 'u2048'];

/** A malformed register id. `field` names the part that is wrong. */
export class RegIdError extends RangeError {
  override readonly name = 'RegIdError';
  constructor(
    readonly id: bigint,
    readonly field: string,
    detail: string,
    /** For a probable typo (e.g. the seed's misprinted 32-bit prefixes): the id that was probably meant. */
    readonly probablyMeant?: bigint,
  ) {
    super(`malformed register id ${hex64(id)}: bad ${field}: ${detail}${probablyMeant !== undefined ? `; did you mean ${hex64(probablyMeant)}?` : ''}`);
  }
}

export function hex64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** The size field of an id as a byte count (1 … 256). Throws RegIdError for values above U2048. */
export function regSizeBytes(id: bigint): number {
  const f = Number((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
  const b = SIZE_BYTES[f];
  if (b === undefined) throw new RegIdError(id, 'size', `size field ${f} is above U2048 (8)`);
  return b;
}

/** The id's size field for a byte count (1, 2, 4 … 256). */
export function sizeFieldFor(bytes: number): bigint {
  const i = SIZE_BYTES.indexOf(bytes as (typeof SIZE_BYTES)[number]);
  if (i < 0) throw new RangeError(`bytes: a register size must be a power of two from 1 to 256, got ${bytes}`);
  return BigInt(i) << KVM_REG_SIZE_SHIFT;
}

// ---------------------------------------------------------------------------------------------------------
// arm64 core registers: the index is the u32 offset of the field in struct kvm_regs
//   struct user_pt_regs regs { u64 regs[31]; u64 sp; u64 pc; u64 pstate; }   offsets 0 .. 272
//   u64 sp_el1 (272); u64 elr_el1 (280); u64 spsr[5] (288); 8 bytes of padding;
//   struct user_fpsimd_state fp_regs { __uint128_t vregs[32] (336); u32 fpsr (848); u32 fpcr (852); u32 __reserved[2]; }
// sizeof(struct kvm_regs) = 864.

export interface CoreField {
  readonly name: string;
  /** byte offset in struct kvm_regs */
  readonly offset: number;
  readonly bytes: number;
}

function buildArm64Core(): CoreField[] {
  const f: CoreField[] = [];
  for (let i = 0; i < 31; i++) f.push({ name: `x${i}`, offset: i * 8, bytes: 8 });
  f.push({ name: 'sp', offset: 248, bytes: 8 }, { name: 'pc', offset: 256, bytes: 8 }, { name: 'pstate', offset: 264, bytes: 8 });
  f.push({ name: 'sp_el1', offset: 272, bytes: 8 }, { name: 'elr_el1', offset: 280, bytes: 8 });
  const spsr = ['spsr_el1', 'spsr_abt', 'spsr_und', 'spsr_irq', 'spsr_fiq'];
  spsr.forEach((name, i) => f.push({ name, offset: 288 + i * 8, bytes: 8 }));
  for (let i = 0; i < 32; i++) f.push({ name: `v${i}`, offset: 336 + i * 16, bytes: 16 });
  f.push({ name: 'fpsr', offset: 848, bytes: 4 }, { name: 'fpcr', offset: 852, bytes: 4 });
  return f;
}
/** The arm64 core registers in KVM_GET_REG_LIST order (the struct kvm_regs layout). */
export const ARM64_CORE_FIELDS: readonly CoreField[] = buildArm64Core();
export const ARM64_KVM_REGS_SIZE = 864;
const arm64CoreByName = new Map(ARM64_CORE_FIELDS.map((f) => [f.name, f]));
const arm64CoreByIndex = new Map(ARM64_CORE_FIELDS.map((f) => [f.offset / 4, f]));
// accepted spellings
const ARM64_CORE_ALIASES: Record<string, string> = {
  'spsr[0]': 'spsr_el1', 'spsr[1]': 'spsr_abt', 'spsr[2]': 'spsr_und', 'spsr[3]': 'spsr_irq', 'spsr[4]': 'spsr_fiq',
  spsr_svc: 'spsr_el1', cpsr: 'pstate', sp_el0: 'sp', lr: 'x30', fp: 'x29', xzr: '',
};

// 32-bit ARM core registers: struct kvm_regs { struct pt_regs usr_regs (uregs[18]); u32 svc_regs[3];
// abt_regs[3]; und_regs[3]; irq_regs[3]; fiq_regs[8]; }, every field 32 bits, index = offset / 4.
const ARM32_CORE_NAMES: readonly string[] = [
  ...Array.from({ length: 13 }, (_, i) => `r${i}`),
  'sp_usr', 'lr_usr', 'pc', 'cpsr', 'orig_r0',
  'sp_svc', 'lr_svc', 'spsr_svc',
  'sp_abt', 'lr_abt', 'spsr_abt',
  'sp_und', 'lr_und', 'spsr_und',
  'sp_irq', 'lr_irq', 'spsr_irq',
  'r8_fiq', 'r9_fiq', 'r10_fiq', 'r11_fiq', 'r12_fiq', 'sp_fiq', 'lr_fiq', 'spsr_fiq',
];
export const ARM32_CORE_REGS: readonly string[] = ARM32_CORE_NAMES;
const ARM32_CORE_ALIASES: Record<string, string> = { r13: 'sp_usr', r14: 'lr_usr', r15: 'pc', sp: 'sp_usr', lr: 'lr_usr' };

// ---------------------------------------------------------------------------------------------------------
// arm64 system registers

export interface SysregEncoding {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
}

const sysKey = (e: SysregEncoding): number => (e.op0 << 14) | (e.op1 << 11) | (e.crn << 7) | (e.crm << 3) | e.op2;

const sysregNameByKey = new Map<number, string>();
const sysregKeyByName = new Map<string, number>();
for (const [name, op0, op1, crn, crm, op2, alt] of SYSREG_ROWS) {
  const k = sysKey({ op0, op1, crn, crm, op2 });
  sysregNameByKey.set(k, name);
  sysregKeyByName.set(name, k);
  if (alt !== undefined) sysregKeyByName.set(alt, k);
}
// The ID register space (op0=3, op1=0, CRn=0, CRm=1..7) beyond binutils 2.40's table: KVM_GET_REG_LIST lists every
// encoding of it (test/fixtures/reglist-*.txt). Registers allocated by newer Arm ARM revisions get their names; the
// rest are named after the kernel's ID_UNALLOCATED(crm, op2) (arch/arm64/kvm/sys_regs.c; RAZ for the guest).
for (const [name, crm, op2] of [
  ['ID_AA64PFR2_EL1', 4, 2], ['ID_AA64FPFR0_EL1', 4, 7], ['ID_AA64DFR2_EL1', 5, 2],
  ['ID_AA64ISAR3_EL1', 6, 3], ['ID_AA64MMFR3_EL1', 7, 3], ['ID_AA64MMFR4_EL1', 7, 4],
] as const) {
  const k = sysKey({ op0: 3, op1: 0, crn: 0, crm, op2 });
  if (!sysregNameByKey.has(k) && !sysregKeyByName.has(name)) {
    sysregNameByKey.set(k, name);
    sysregKeyByName.set(name, k);
  }
}
for (let crm = 1; crm < 8; crm++) {
  for (let op2 = 0; op2 < 8; op2++) {
    const k = sysKey({ op0: 3, op1: 0, crn: 0, crm, op2 });
    if (sysregNameByKey.has(k)) continue;
    sysregNameByKey.set(k, `ID_UNALLOCATED_${crm}_${op2}`);
    sysregKeyByName.set(`ID_UNALLOCATED_${crm}_${op2}`, k);
  }
}

/**
 * KVM's timer ids. The kernel defines KVM_REG_ARM_TIMER_CNT with the encoding of CNTV_CVAL_EL0 (3,3,14,3,2)
 * and KVM_REG_ARM_TIMER_CVAL with that of CNTVCT_EL0 (3,3,14,0,2): the two are swapped, and stay so for ABI
 * compatibility. TIMER_CNT reads and writes the virtual count; TIMER_CVAL the virtual compare value.
 * Names given here are what the id *means*; `holds` is the architectural register behind it.
 */
export const KVM_TIMER_IDS = {
  KVM_REG_ARM_TIMER_CTL: { enc: { op0: 3, op1: 3, crn: 14, crm: 3, op2: 1 }, holds: 'CNTV_CTL_EL0' },
  KVM_REG_ARM_TIMER_CNT: { enc: { op0: 3, op1: 3, crn: 14, crm: 3, op2: 2 }, holds: 'CNTVCT_EL0' },
  KVM_REG_ARM_TIMER_CVAL: { enc: { op0: 3, op1: 3, crn: 14, crm: 0, op2: 2 }, holds: 'CNTV_CVAL_EL0' },
  KVM_REG_ARM_PTIMER_CTL: { enc: { op0: 3, op1: 3, crn: 14, crm: 2, op2: 1 }, holds: 'CNTP_CTL_EL0' },
  KVM_REG_ARM_PTIMER_CNT: { enc: { op0: 3, op1: 3, crn: 14, crm: 0, op2: 1 }, holds: 'CNTPCT_EL0' },
  KVM_REG_ARM_PTIMER_CVAL: { enc: { op0: 3, op1: 3, crn: 14, crm: 2, op2: 2 }, holds: 'CNTP_CVAL_EL0' },
} as const;
export type KvmTimerIdName = keyof typeof KVM_TIMER_IDS;
const timerByKey = new Map<number, { name: KvmTimerIdName; holds: string }>();
const timerIdByHolds = new Map<string, KvmTimerIdName>();
for (const [name, t] of Object.entries(KVM_TIMER_IDS) as [KvmTimerIdName, (typeof KVM_TIMER_IDS)[KvmTimerIdName]][]) {
  timerByKey.set(sysKey(t.enc), { name, holds: t.holds });
  timerIdByHolds.set(t.holds, name);
}

/** The architectural name of a system register encoding, if known (e.g. SCTLR_EL1). */
export function sysregName(e: SysregEncoding): string | undefined {
  return sysregNameByKey.get(sysKey(e));
}

/** The architectural encoding of a system register name (case-insensitive), e.g. SCTLR_EL1 → (3,0,1,0,0). */
export function sysregEncoding(name: string): SysregEncoding | undefined {
  const up = name.toUpperCase();
  const k = sysregKeyByName.get(up) ?? parseGenericSysreg(up);
  if (k === undefined) return undefined;
  return { op0: k >> 14, op1: (k >> 11) & 7, crn: (k >> 7) & 15, crm: (k >> 3) & 15, op2: k & 7 };
}

function parseGenericSysreg(up: string): number | undefined {
  const m = /^S([0-3])_([0-7])_C(\d{1,2})_C(\d{1,2})_([0-7])$/.exec(up);
  if (!m) return undefined;
  const crn = Number(m[3]);
  const crm = Number(m[4]);
  if (crn > 15 || crm > 15) return undefined;
  return sysKey({ op0: Number(m[1]), op1: Number(m[2]), crn, crm, op2: Number(m[5]) });
}

function checkField(name: string, v: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= 1 << bits) throw new RangeError(`${name}: must be an integer 0..${(1 << bits) - 1}, got ${v}`);
}

// ---------------------------------------------------------------------------------------------------------
// constructors

const brand = (v: bigint): RegId => v as RegId;

/** arm64 core register id by name (x0–x30, sp, pc, pstate, sp_el1, elr_el1, spsr_el1/abt/und/irq/fiq, v0–v31, fpsr, fpcr). */
export function arm64CoreId(name: string): RegId {
  const lower = name.toLowerCase();
  const f = arm64CoreByName.get(ARM64_CORE_ALIASES[lower] ?? lower);
  if (f === undefined) throw new RangeError(`name: '${name}' is not an arm64 core register`);
  return brand(KVM_REG_ARM64 | sizeFieldFor(f.bytes) | KVM_REG_ARM_CORE | BigInt(f.offset / 4));
}

/** arm64 system register id: ARM64_SYS_REG(op0, op1, crn, crm, op2), size u64. */
export function arm64SysregId(op0: number, op1: number, crn: number, crm: number, op2: number): RegId {
  checkField('op0', op0, 2);
  checkField('op1', op1, 3);
  checkField('crn', crn, 4);
  checkField('crm', crm, 4);
  checkField('op2', op2, 3);
  return brand(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | BigInt(sysKey({ op0, op1, crn, crm, op2 })));
}

/**
 * arm64 system register id by name. Architectural names (SCTLR_EL1, S3_0_C1_C0_0) and KVM's timer names.
 * For the virtual timer the id returned is the one that accesses the named register through ONE_REG:
 * `CNTVCT_EL0` gives KVM_REG_ARM_TIMER_CNT (encoded (3,3,14,3,2)) and `CNTV_CVAL_EL0` gives KVM_REG_ARM_TIMER_CVAL
 * (encoded (3,3,14,0,2)) — the kernel's swap.
 */
export function arm64SysregIdByName(name: string): RegId {
  const up = name.toUpperCase();
  const kvmName = (up.startsWith('KVM_REG_ARM_') ? up : `KVM_REG_ARM_${up}`) as KvmTimerIdName;
  const t = KVM_TIMER_IDS[kvmName] ?? KVM_TIMER_IDS[timerIdByHolds.get(up) as KvmTimerIdName];
  if (t !== undefined) return arm64SysregId(t.enc.op0, t.enc.op1, t.enc.crn, t.enc.crm, t.enc.op2);
  const e = sysregEncoding(up);
  if (e === undefined) throw new RangeError(`name: '${name}' is not a known arm64 system register`);
  return arm64SysregId(e.op0, e.op1, e.crn, e.crm, e.op2);
}

/** CCSIDR demux id for a CSSELR value (arm64 or arm). */
export function ccsidrId(csselr: number, arch: 'arm64' | 'arm' = 'arm64'): RegId {
  checkField('csselr', csselr, 8);
  return brand((arch === 'arm64' ? KVM_REG_ARM64 : KVM_REG_ARM) | KVM_REG_SIZE_U32 | KVM_REG_ARM_DEMUX | KVM_REG_ARM_DEMUX_ID_CCSIDR | BigInt(csselr));
}

export const FIRMWARE_REGS = ['PSCI_VERSION', 'SMCCC_ARCH_WORKAROUND_1', 'SMCCC_ARCH_WORKAROUND_2', 'SMCCC_ARCH_WORKAROUND_3'] as const;
export const FIRMWARE_BITMAP_REGS = ['STD_BMAP', 'STD_HYP_BMAP', 'VENDOR_HYP_BMAP'] as const;

/** KVM_REG_ARM_FW_REG(index): 0 PSCI_VERSION, 1–3 the SMCCC workaround registers. */
export function firmwareId(index: number, arch: 'arm64' | 'arm' = 'arm64'): RegId {
  checkField('index', index, 16);
  return brand((arch === 'arm64' ? KVM_REG_ARM64 : KVM_REG_ARM) | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW | BigInt(index));
}
/** KVM_REG_ARM_FW_FEAT_BMAP_REG(index): 0 STD, 1 STD_HYP, 2 VENDOR_HYP. */
export function firmwareBitmapId(index: number): RegId {
  checkField('index', index, 16);
  return brand(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW_FEAT_BMAP | BigInt(index));
}
export const KVM_REG_ARM_PSCI_VERSION: RegId = firmwareId(0);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1: RegId = firmwareId(1);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2: RegId = firmwareId(2);
export const KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3: RegId = firmwareId(3);
export const KVM_REG_ARM_STD_BMAP: RegId = firmwareBitmapId(0);
export const KVM_REG_ARM_STD_HYP_BMAP: RegId = firmwareBitmapId(1);
export const KVM_REG_ARM_VENDOR_HYP_BMAP: RegId = firmwareBitmapId(2);

/** SVE Z register slice id (2048 bits). */
export function sveZId(n: number, slice = 0): RegId {
  checkField('n', n, 5);
  checkField('slice', slice, 5);
  return brand(KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_SIZE_U2048 | KVM_REG_ARM_SVE_ZREG_BASE | BigInt((n << 5) | slice));
}
/** SVE P register slice id (256 bits). */
export function svePId(n: number, slice = 0): RegId {
  checkField('n', n, 4);
  checkField('slice', slice, 5);
  return brand(KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_SIZE_U256 | KVM_REG_ARM_SVE_PREG_BASE | BigInt((n << 5) | slice));
}
/** SVE FFR slice id (256 bits). */
export function sveFfrId(slice = 0): RegId {
  checkField('slice', slice, 5);
  return brand(KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_SIZE_U256 | KVM_REG_ARM_SVE_FFR_BASE | BigInt(slice));
}
/** KVM_REG_ARM64_SVE_VLS: the bitmap of supported vector lengths (512 bits). */
export const KVM_REG_ARM64_SVE_VLS: RegId = brand(KVM_REG_ARM64 | KVM_REG_ARM64_SVE | KVM_REG_SIZE_U512 | 0xffffn);

/** 32-bit ARM core register by name (r0–r12, sp_usr, lr_usr, pc, cpsr, banked sp/lr/spsr, r8_fiq…). */
export function armCoreId(name: string): RegId {
  const lower = name.toLowerCase();
  const i = ARM32_CORE_NAMES.indexOf(ARM32_CORE_ALIASES[lower] ?? lower);
  if (i < 0) throw new RangeError(`name: '${name}' is not a 32-bit ARM core register`);
  return brand(KVM_REG_ARM | KVM_REG_SIZE_U32 | KVM_REG_ARM_CORE | BigInt(i));
}
/** 32-bit ARM CP15 32-bit register: 0x4020 0000 000F <zero:1> <crn:4> <crm:4> <opc1:4> <opc2:3>. */
export function armCp15Id(crn: number, crm: number, opc1: number, opc2: number): RegId {
  checkField('crn', crn, 4);
  checkField('crm', crm, 4);
  checkField('opc1', opc1, 4);
  checkField('opc2', opc2, 3);
  return brand(KVM_REG_ARM | KVM_REG_SIZE_U32 | (15n << 16n) | BigInt((crn << 11) | (crm << 7) | (opc1 << 3) | opc2));
}
/** 32-bit ARM CP15 64-bit register: 0x4030 0000 000F <zero:1> <zero:4> <crm:4> <opc1:4> <zero:3>. */
export function armCp15Id64(crm: number, opc1: number): RegId {
  checkField('crm', crm, 4);
  checkField('opc1', opc1, 4);
  return brand(KVM_REG_ARM | KVM_REG_SIZE_U64 | (15n << 16n) | BigInt((crm << 7) | (opc1 << 3)));
}
/** 32-bit ARM VFP: d0–d31 (u64) — 0x4030 0000 0012 0 <regno:12>. */
export function armVfpDId(n: number): RegId {
  checkField('n', n, 5);
  return brand(KVM_REG_ARM | KVM_REG_SIZE_U64 | KVM_REG_ARM_VFP | BigInt(n));
}
export const ARM_VFP_CONTROL: Record<string, number> = {
  FPSID: 0x1000, FPSCR: 0x1001, MVFR1: 0x1006, MVFR0: 0x1007, FPEXC: 0x1008, FPINST: 0x1009, FPINST2: 0x100a,
};
/** 32-bit ARM VFP control register (FPSID, FPSCR, MVFR0/1, FPEXC, FPINST, FPINST2): 0x4020 0000 0012 1 <regno:12>. */
export function armVfpControlId(name: string): RegId {
  const n = ARM_VFP_CONTROL[name.toUpperCase()];
  if (n === undefined) throw new RangeError(`name: '${name}' is not a VFP control register`);
  return brand(KVM_REG_ARM | KVM_REG_SIZE_U32 | KVM_REG_ARM_VFP | BigInt(n));
}

/**
 * Names of 32-bit CP15 registers (ARMv7-A / AArch32 encodings): key "crn/crm/opc1/opc2" (32-bit) or
 * "64:crm/opc1" (64-bit MCRR/MRRC registers).
 */
export const ARM_CP15_NAMES: Readonly<Record<string, string>> = {
  '0/0/0/0': 'MIDR', '0/0/0/1': 'CTR', '0/0/0/2': 'TCMTR', '0/0/0/3': 'TLBTR', '0/0/0/5': 'MPIDR', '0/0/0/6': 'REVIDR',
  '0/1/0/0': 'ID_PFR0', '0/1/0/1': 'ID_PFR1', '0/1/0/2': 'ID_DFR0', '0/1/0/3': 'ID_AFR0',
  '0/1/0/4': 'ID_MMFR0', '0/1/0/5': 'ID_MMFR1', '0/1/0/6': 'ID_MMFR2', '0/1/0/7': 'ID_MMFR3',
  '0/2/0/0': 'ID_ISAR0', '0/2/0/1': 'ID_ISAR1', '0/2/0/2': 'ID_ISAR2', '0/2/0/3': 'ID_ISAR3', '0/2/0/4': 'ID_ISAR4',
  '0/2/0/5': 'ID_ISAR5', '0/2/0/6': 'ID_MMFR4', '0/2/0/7': 'ID_ISAR6',
  '0/0/1/0': 'CCSIDR', '0/0/1/1': 'CLIDR', '0/0/1/7': 'AIDR', '0/0/2/0': 'CSSELR',
  '1/0/0/0': 'SCTLR', '1/0/0/1': 'ACTLR', '1/0/0/2': 'CPACR',
  '2/0/0/0': 'TTBR0', '2/0/0/1': 'TTBR1', '2/0/0/2': 'TTBCR', '3/0/0/0': 'DACR',
  '5/0/0/0': 'DFSR', '5/0/0/1': 'IFSR', '5/1/0/0': 'ADFSR', '5/1/0/1': 'AIFSR',
  '6/0/0/0': 'DFAR', '6/0/0/2': 'IFAR', '7/4/0/0': 'PAR',
  '7/5/0/0': 'ICIALLU', '7/1/0/0': 'ICIALLUIS', '7/6/0/2': 'DCISW', '7/10/0/2': 'DCCSW', '7/14/0/2': 'DCCISW',
  '9/12/0/0': 'PMCR', '9/12/0/1': 'PMCNTENSET', '9/12/0/2': 'PMCNTENCLR', '9/12/0/3': 'PMOVSR', '9/12/0/5': 'PMSELR',
  '9/13/0/0': 'PMCCNTR', '9/13/0/1': 'PMXEVTYPER', '9/13/0/2': 'PMXEVCNTR', '9/14/0/0': 'PMUSERENR',
  '9/14/0/1': 'PMINTENSET', '9/14/0/2': 'PMINTENCLR', '9/14/0/3': 'PMOVSSET',
  '10/2/0/0': 'PRRR', '10/2/0/1': 'NMRR', '10/3/0/0': 'AMAIR0', '10/3/0/1': 'AMAIR1',
  '12/0/0/0': 'VBAR', '13/0/0/1': 'CONTEXTIDR', '13/0/0/2': 'TPIDRURW', '13/0/0/3': 'TPIDRURO', '13/0/0/4': 'TPIDRPRW',
  '14/1/0/0': 'CNTKCTL', '14/0/0/0': 'CNTFRQ', '14/2/0/1': 'CNTP_CTL', '14/2/0/0': 'CNTP_TVAL', '14/3/0/1': 'CNTV_CTL', '14/3/0/0': 'CNTV_TVAL',
  '15/0/1/0': 'L2CTLR', '15/0/1/2': 'L2ECTLR',
  '64:2/0': 'TTBR0', '64:2/1': 'TTBR1', '64:7/0': 'PAR', '64:14/0': 'CNTPCT', '64:14/1': 'CNTVCT', '64:14/2': 'CNTP_CVAL',
  '64:14/3': 'CNTV_CVAL', '64:15/0': 'CPUMERRSR', '64:15/1': 'CPUECTLR',
};
const cp15ByName = new Map<string, string>();
for (const [k, v] of Object.entries(ARM_CP15_NAMES)) if (!cp15ByName.has(v) || !k.startsWith('64:')) cp15ByName.set(v, k);

// ---------------------------------------------------------------------------------------------------------
// decoding

interface DecodedBase {
  readonly id: RegId;
  readonly arch: 'arm64' | 'arm';
  /** byte size from the size field */
  readonly bytes: number;
  readonly sizeName: RegSizeName;
  /** the name, when the id has one; never a guess */
  readonly name: string | undefined;
}
export type DecodedRegId =
  | (DecodedBase & { readonly kind: 'core'; readonly index: number })
  | (DecodedBase & { readonly kind: 'sysreg'; readonly encoding: SysregEncoding; readonly holds?: string })
  | (DecodedBase & { readonly kind: 'demux'; readonly demuxId: number; readonly csselr: number })
  | (DecodedBase & { readonly kind: 'firmware'; readonly index: number })
  | (DecodedBase & { readonly kind: 'firmware-bitmap'; readonly index: number })
  | (DecodedBase & { readonly kind: 'sve'; readonly sve: 'z' | 'p' | 'ffr' | 'vls'; readonly n: number; readonly slice: number })
  | (DecodedBase & { readonly kind: 'cp'; readonly coproc: number; readonly crn: number; readonly crm: number; readonly opc1: number; readonly opc2: number; readonly is64: boolean })
  | (DecodedBase & { readonly kind: 'vfp'; readonly regno: number });

export type RegKind = DecodedRegId['kind'];

/** Accepts a bigint, a number (safe integer) or a hex/decimal string and checks it is a u64. */
export function toU64(v: bigint | number | string, argName = 'id'): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${argName}: ${v} is not a safe integer; pass a bigint`);
    b = BigInt(v);
  } else if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new TypeError(`${argName}: '${v}' is not a number`);
    b = BigInt(s);
  } else throw new TypeError(`${argName}: expected a bigint, number or string, got ${typeof v}`);
  if (b < 0n || b > 0xffffffffffffffffn) throw new RangeError(`${argName}: ${v} is outside 0 .. 2^64-1`);
  return b;
}

/** Validates an id and returns it branded. Throws RegIdError naming the bad field. */
export function regId(v: bigint | number | string): RegId {
  decodeRegId(v);
  return brand(toU64(v));
}

/** Decodes a register id into its fields and name. Throws RegIdError (a RangeError) for malformed ids. */
export function decodeRegId(v: bigint | number | string): DecodedRegId {
  const id = toU64(v);
  // Split once into two 32-bit halves: field extraction on numbers is ~10x cheaper than on bigints.
  const hi = Number(id >> 32n);
  const lo = Number(id & 0xffffffffn);
  const archByte = hi >>> 24;
  if (archByte !== 0x60 && archByte !== 0x40) {
    throw new RegIdError(id, 'architecture', `0x${archByte.toString(16)} is neither KVM_REG_ARM64 (0x60) nor KVM_REG_ARM (0x40)`);
  }
  const sizeField = (hi >>> 20) & 0xf;
  const reserved = (((hi & 0xfffff) << 4) | (lo >>> 28)) >>> 0; // bits 51..28
  if (archByte === 0x40 && sizeField === 0 && (reserved === 0x200000 || reserved === 0x300000)) {
    // the api.txt seed's 0x4002 / 0x4003 prefixes: the size nibble slipped one place to the right (bits 51..48,
    // which are bits 23..20 of `reserved`)
    const nib = BigInt(reserved >>> 20);
    const meant = (id & ~(0xffn << 48n)) | (nib << 52n);
    throw new RegIdError(id, 'reserved bits', `bits 51..48 are set (0x40${nib}…): the api.txt seed misprints the 32-bit prefixes 0x4020/0x4030 as 0x4002/0x4003`, meant);
  }
  const bytes = SIZE_BYTES[sizeField];
  if (bytes === undefined) throw new RegIdError(id, 'size', `size field ${sizeField} is above U2048 (8)`);
  if (reserved !== 0) throw new RegIdError(id, 'reserved bits', `bits 51..28 must be zero, got 0x${reserved.toString(16)}`);
  const base: Base = { id: brand(id), bytes, sizeName: SIZE_NAMES[sizeField] as RegSizeName };
  const group = (lo >>> 16) & 0xfff;
  const low = lo & 0xffff;
  const needSize = (want: number, what: string): void => {
    if (bytes !== want) throw new RegIdError(id, 'size', `${what} is ${want * 8}-bit, the id says ${base.sizeName}`);
  };
  return archByte === 0x60 ? decodeArm64(id, base, group, low, needSize) : decodeArm32(id, base, group, low, needSize);
}

type Base = { id: RegId; bytes: number; sizeName: RegSizeName };

function decodeArm64(id: bigint, base: Base, group: number, low: number, needSize: (b: number, w: string) => void): DecodedRegId {
  const b = { id: base.id, arch: 'arm64' as const, bytes: base.bytes, sizeName: base.sizeName };
  switch (group) {
    case 0x10: {
      if (low >= ARM64_KVM_REGS_SIZE / 4) throw new RegIdError(id, 'core index', `${low} is past the end of struct kvm_regs (${ARM64_KVM_REGS_SIZE / 4} words)`);
      const f = arm64CoreByIndex.get(low);
      // as the kernel's validate_core_offset(): the index must start a field (not its middle, not the padding)
      if (f === undefined) throw new RegIdError(id, 'core index', `${low} (byte offset ${low * 4}) does not start a field of struct kvm_regs`);
      needSize(f.bytes, `core register ${f.name}`);
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'core', index: low, name: f.name };
    }
    case 0x11: {
      const demuxId = (low >> 8) & 0xff;
      if (demuxId !== 0) throw new RegIdError(id, 'demux id', `${demuxId} is not KVM_REG_ARM_DEMUX_ID_CCSIDR (0)`);
      needSize(4, 'CCSIDR');
      const csselr = low & 0xff;
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'demux', demuxId, csselr, name: `CCSIDR[${csselrText(csselr)}]` };
    }
    case 0x13: {
      needSize(8, 'a system register');
      const encoding = { op0: low >> 14, op1: (low >> 11) & 7, crn: (low >> 7) & 15, crm: (low >> 3) & 15, op2: low & 7 };
      const t = timerByKey.get(low);
      if (t !== undefined) return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'sysreg', encoding, name: t.name, holds: t.holds };
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'sysreg', encoding, name: sysregNameByKey.get(low) };
    }
    case 0x14:
      needSize(8, 'a firmware pseudo-register');
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'firmware', index: low, name: low < FIRMWARE_REGS.length ? `KVM_REG_ARM_${FIRMWARE_REGS[low]}` : undefined };
    case 0x16:
      needSize(8, 'a firmware feature bitmap register');
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'firmware-bitmap', index: low, name: low < FIRMWARE_BITMAP_REGS.length ? `KVM_REG_ARM_${FIRMWARE_BITMAP_REGS[low]}` : undefined };
    case 0x15: {
      if (low === 0xffff) {
        needSize(64, 'KVM_REG_ARM64_SVE_VLS');
        return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'sve', sve: 'vls', n: 0, slice: 0, name: 'KVM_REG_ARM64_SVE_VLS' };
      }
      const slice = low & 0x1f;
      // Z: 0x000 | n:5 | slice:5; P: 0x400 | n:4 | slice:5; FFR: 0x600 | slice:5 (the blocks are not 0x400-aligned)
      if ((low & 0xfc00) === 0) {
        needSize(256, 'an SVE Z register slice');
        const n = (low >> 5) & 0x1f;
        return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'sve', sve: 'z', n, slice, name: `z${n}${slice ? `[${slice}]` : ''}` };
      }
      if ((low & 0xfe00) === 0x400) {
        needSize(32, 'an SVE P register slice');
        const n = (low >> 5) & 0xf;
        return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'sve', sve: 'p', n, slice, name: `p${n}${slice ? `[${slice}]` : ''}` };
      }
      if ((low & 0xffe0) === 0x600) {
        needSize(32, 'an SVE FFR slice');
        return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'sve', sve: 'ffr', n: 0, slice, name: `ffr${slice ? `[${slice}]` : ''}` };
      }
      throw new RegIdError(id, 'SVE register field', `0x${low.toString(16)} is not a Z, P, FFR or VLS id`);
    }
    default:
      throw new RegIdError(id, 'coprocessor group', `0x${group.toString(16)} is not an arm64 register group (core 0x10, demux 0x11, sysreg 0x13, fw 0x14, sve 0x15, fw bitmap 0x16)`);
  }
}

function decodeArm32(id: bigint, base: Base, group: number, low: number, needSize: (b: number, w: string) => void): DecodedRegId {
  const b = { id: base.id, arch: 'arm' as const, bytes: base.bytes, sizeName: base.sizeName };
  if (group <= 15) {
    if (group !== 15 && group !== 14) throw new RegIdError(id, 'coprocessor group', `cp${group} has no KVM registers (only cp14 and cp15)`);
    if (low & 0x8000) throw new RegIdError(id, 'reserved bits', 'bit 15 must be zero');
    if (base.bytes === 4) {
      const crn = (low >> 11) & 15, crm = (low >> 7) & 15, opc1 = (low >> 3) & 15, opc2 = low & 7;
      const name = group === 15 ? ARM_CP15_NAMES[`${crn}/${crm}/${opc1}/${opc2}`] : undefined;
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'cp', coproc: group, crn, crm, opc1, opc2, is64: false, name };
    }
    if (base.bytes === 8) {
      if (low & 0x7807) throw new RegIdError(id, 'reserved bits', 'a 64-bit CP15 id has crn and opc2 zero');
      const crm = (low >> 7) & 15, opc1 = (low >> 3) & 15;
      const name = group === 15 ? ARM_CP15_NAMES[`64:${crm}/${opc1}`] : undefined;
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'cp', coproc: group, crn: 0, crm, opc1, opc2: 0, is64: true, name };
    }
    throw new RegIdError(id, 'size', `coprocessor registers are u32 or u64, the id says ${base.sizeName}`);
  }
  switch (group) {
    case 0x10: {
      if (low >= ARM32_CORE_NAMES.length) throw new RegIdError(id, 'core index', `${low} is past the end of the 32-bit struct kvm_regs (${ARM32_CORE_NAMES.length} words)`);
      needSize(4, 'a 32-bit core register');
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'core', index: low, name: ARM32_CORE_NAMES[low] };
    }
    case 0x11: {
      const demuxId = (low >> 8) & 0xff;
      if (demuxId !== 0) throw new RegIdError(id, 'demux id', `${demuxId} is not KVM_REG_ARM_DEMUX_ID_CCSIDR (0)`);
      needSize(4, 'CCSIDR');
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'demux', demuxId, csselr: low & 0xff, name: `CCSIDR[${csselrText(low & 0xff)}]` };
    }
    case 0x12: {
      if (low < 0x1000) {
        if (low >= 32) throw new RegIdError(id, 'VFP register number', `d${low} does not exist (d0–d31)`);
        needSize(8, 'a VFP D register');
        return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'vfp', regno: low, name: `d${low}` };
      }
      if (low >= 0x2000) throw new RegIdError(id, 'VFP register number', `0x${low.toString(16)} is neither a D register nor a control register`);
      needSize(4, 'a VFP control register');
      const name = Object.entries(ARM_VFP_CONTROL).find(([, n]) => n === low)?.[0];
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'vfp', regno: low, name };
    }
    case 0x14:
      needSize(8, 'a firmware pseudo-register');
      return { id: b.id, arch: b.arch, bytes: b.bytes, sizeName: b.sizeName, kind: 'firmware', index: low, name: low < FIRMWARE_REGS.length ? `KVM_REG_ARM_${FIRMWARE_REGS[low]}` : undefined };
    default:
      throw new RegIdError(id, 'coprocessor group', `0x${group.toString(16)} is not a 32-bit ARM register group (cp0–cp15, core 0x10, demux 0x11, vfp 0x12, fw 0x14)`);
  }
}

function csselrText(v: number): string {
  const level = ((v >> 1) & 7) + 1;
  const kind = v & 1 ? 'I' : 'D/U';
  return v < 16 ? `csselr=${v} L${level}${kind}` : `csselr=${v}`;
}

/** Byte size of the register an id names (from its size field). */
export function regIdBytes(v: bigint | number | string): number {
  return decodeRegId(v).bytes;
}

/**
 * Text form of an id, e.g. `arm64 sysreg SCTLR_EL1 (3,0,1,0,0) u64`, `arm64 core pc u64`,
 * `arm cp15 SCTLR c1/c0/0/0 u32`. An id without a known name shows its raw fields.
 */
export function formatRegId(v: bigint | number | string): string {
  const d = decodeRegId(v);
  const nm = d.name !== undefined ? `${d.name} ` : '';
  switch (d.kind) {
    case 'core':
      return `${d.arch} core ${d.name ?? `index ${d.index} (0x${d.index.toString(16)})`} ${d.sizeName}`;
    case 'sysreg': {
      const e = d.encoding;
      const holds = d.holds !== undefined ? ` [holds ${d.holds}]` : '';
      return `arm64 sysreg ${nm}(${e.op0},${e.op1},${e.crn},${e.crm},${e.op2}) ${d.sizeName}${holds}`;
    }
    case 'demux':
      return `${d.arch} demux ${d.name} ${d.sizeName}`;
    case 'firmware':
      return `${d.arch} firmware ${d.name ?? `index ${d.index}`} ${d.sizeName}`;
    case 'firmware-bitmap':
      return `arm64 firmware-bitmap ${d.name ?? `index ${d.index}`} ${d.sizeName}`;
    case 'sve':
      return d.sve === 'vls' ? `arm64 sve ${d.name} ${d.sizeName}` : `arm64 sve ${d.name} slice ${d.slice} ${d.sizeName}`;
    case 'cp':
      return d.is64
        ? `arm cp${d.coproc} ${nm}64-bit c${d.crm}/${d.opc1} ${d.sizeName}`
        : `arm cp${d.coproc} ${nm}c${d.crn}/c${d.crm}/${d.opc1}/${d.opc2} ${d.sizeName}`;
    case 'vfp':
      return `arm vfp ${d.name ?? `regno 0x${d.regno.toString(16)}`} ${d.sizeName}`;
  }
}

/** A short name for an id: its name when known, else the text form. */
export function regName(v: bigint | number | string): string {
  const d = decodeRegId(v);
  return d.name ?? formatRegId(v);
}

/**
 * Parses a register name (or a hex/decimal id) into an id.
 *
 * arm64: x0–x30, sp, pc, pstate, sp_el1, elr_el1, spsr_el1…, v0–v31, fpsr, fpcr; system register names
 * (SCTLR_EL1, S3_0_C1_C0_0); KVM_REG_ARM_TIMER_*; PSCI_VERSION and the other firmware registers;
 * ccsidr:N (N = CSSELR); z0–z31, p0–p15, ffr (optionally [slice]), vls.
 * arm (32-bit): r0–r15 and the banked registers, cpsr; CP15 names (SCTLR, TTBR0 → the 32-bit form;
 * TTBR0_64 for the 64-bit one) or p15:cN/cM/opc1/opc2 and p15:64:cM/opc1; d0–d31, FPSCR, FPEXC…; ccsidr:N.
 */
export function parseRegName(text: string, arch: 'arm64' | 'arm' = 'arm64'): RegId {
  const s = text.trim();
  if (/^(0x[0-9a-f_]+|\d+)$/i.test(s)) return regId(s);
  const lower = s.toLowerCase();
  const ccs = /^ccsidr[:[(](?:csselr=)?(\d+)[\])]?$/.exec(lower);
  if (ccs) return ccsidrId(Number(ccs[1]), arch);
  const fwName = lower.replace(/^kvm_reg_arm_/, '').toUpperCase();
  const fw = (FIRMWARE_REGS as readonly string[]).indexOf(fwName);
  if (fw >= 0) return firmwareId(fw, arch);
  if (arch === 'arm64') {
    if (arm64CoreByName.has(ARM64_CORE_ALIASES[lower] ?? lower)) return arm64CoreId(lower);
    const bm = (FIRMWARE_BITMAP_REGS as readonly string[]).indexOf(fwName);
    if (bm >= 0) return firmwareBitmapId(bm);
    const sve = /^(z|p)(\d+)(?:\[(\d+)\])?$/.exec(lower);
    if (sve) {
      const n = Number(sve[2]);
      const slice = Number(sve[3] ?? 0);
      return sve[1] === 'z' ? sveZId(n, slice) : svePId(n, slice);
    }
    const ffr = /^ffr(?:\[(\d+)\])?$/.exec(lower);
    if (ffr) return sveFfrId(Number(ffr[1] ?? 0));
    if (lower === 'vls' || lower === 'kvm_reg_arm64_sve_vls') return KVM_REG_ARM64_SVE_VLS;
    return arm64SysregIdByName(s);
  }
  if (ARM32_CORE_NAMES.includes(ARM32_CORE_ALIASES[lower] ?? lower)) return armCoreId(lower);
  const d = /^d(\d+)$/.exec(lower);
  if (d) return armVfpDId(Number(d[1]));
  if (ARM_VFP_CONTROL[s.toUpperCase()] !== undefined) return armVfpControlId(s);
  const p32 = /^p15:c(\d+)\/c(\d+)\/(\d+)\/(\d+)$/.exec(lower);
  if (p32) return armCp15Id(Number(p32[1]), Number(p32[2]), Number(p32[3]), Number(p32[4]));
  const p64 = /^p15:64:c(\d+)\/(\d+)$/.exec(lower);
  if (p64) return armCp15Id64(Number(p64[1]), Number(p64[2]));
  const up = s.toUpperCase();
  const want64 = up.endsWith('_64');
  const key = want64 ? [...Object.entries(ARM_CP15_NAMES)].find(([k, v]) => k.startsWith('64:') && v === up.slice(0, -3))?.[0] : cp15ByName.get(up);
  if (key !== undefined) {
    if (key.startsWith('64:')) {
      const [crm, opc1] = key.slice(3).split('/').map(Number) as [number, number];
      return armCp15Id64(crm, opc1);
    }
    const [crn, crm, opc1, opc2] = key.split('/').map(Number) as [number, number, number, number];
    return armCp15Id(crn, crm, opc1, opc2);
  }
  throw new RangeError(`name: '${text}' is not a known 32-bit ARM register`);
}
