/**
 * PSCI function ids and return codes (PSCI spec DEN0022, psci.txt seed) and the PSCI_VERSION values KVM
 * accepts in KVM_REG_ARM_PSCI_VERSION: 0.1 only without the PSCI_0_2 feature; 0.2, 1.0, 1.1 with it.
 */
export const PSCI_0_2_FN_BASE = 0x84000000;
export const PSCI_0_2_64BIT = 0x40000000;
export const PSCI_0_2_FN64_BASE = 0xc4000000;

export const PSCI_FN = {
  PSCI_VERSION: 0x84000000,
  CPU_SUSPEND: 0x84000001,
  CPU_OFF: 0x84000002,
  CPU_ON: 0x84000003,
  AFFINITY_INFO: 0x84000004,
  MIGRATE: 0x84000005,
  MIGRATE_INFO_TYPE: 0x84000006,
  MIGRATE_INFO_UP_CPU: 0x84000007,
  SYSTEM_OFF: 0x84000008,
  SYSTEM_RESET: 0x84000009,
  PSCI_FEATURES: 0x8400000a,
  CPU_FREEZE: 0x8400000b,
  CPU_DEFAULT_SUSPEND: 0x8400000c,
  NODE_HW_STATE: 0x8400000d,
  SYSTEM_SUSPEND: 0x8400000e,
  PSCI_SET_SUSPEND_MODE: 0x8400000f,
  PSCI_STAT_RESIDENCY: 0x84000010,
  PSCI_STAT_COUNT: 0x84000011,
  SYSTEM_RESET2: 0x84000012,
  MEM_PROTECT: 0x84000013,
  MEM_PROTECT_CHECK_RANGE: 0x84000014,
} as const;
/** 64-bit calling convention variant of a function id (SMC64/HVC64): sets bit 30. */
export const psci64 = (fn: number): number => (fn | PSCI_0_2_64BIT) >>> 0;

/** KVM's PSCI 0.1 function ids (used when the vCPU lacks KVM_ARM_VCPU_PSCI_0_2). */
export const KVM_PSCI_FN_BASE = 0x95c1ba5e;
export const KVM_PSCI_FN = { CPU_SUSPEND: KVM_PSCI_FN_BASE + 0, CPU_OFF: KVM_PSCI_FN_BASE + 1, CPU_ON: KVM_PSCI_FN_BASE + 2, MIGRATE: KVM_PSCI_FN_BASE + 3 } as const;

export const PSCI_RET = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  INVALID_ADDRESS: -9,
} as const;

/** PSCI version word: major << 16 | minor. */
export const psciVersion = (major: number, minor: number): number => ((major << 16) | minor) >>> 0;
export const KVM_ARM_PSCI_0_1 = psciVersion(0, 1);
export const KVM_ARM_PSCI_0_2 = psciVersion(0, 2);
export const KVM_ARM_PSCI_1_0 = psciVersion(1, 0);
export const KVM_ARM_PSCI_1_1 = psciVersion(1, 1);
export const KVM_ARM_PSCI_LATEST = KVM_ARM_PSCI_1_1;

/** AFFINITY_INFO results */
export const PSCI_AFFINITY = { ON: 0, OFF: 1, ON_PENDING: 2 } as const;
/** MIGRATE_INFO_TYPE: KVM answers "Trusted OS not present / migration not required" */
export const PSCI_TOS_NOT_PRESENT_MP = 2;

/** SMCCC */
export const SMCCC = {
  VERSION: 0x80000000,
  ARCH_FEATURES: 0x80000001,
  ARCH_WORKAROUND_1: 0x80008000,
  ARCH_WORKAROUND_2: 0x80007fff,
  ARCH_WORKAROUND_3: 0x80003fff,
  NOT_SUPPORTED: -1,
} as const;
