/**
 * The KVM ABI as arm64 userspace sees it: ioctl request numbers (built like the kernel's _IO/_IOR/_IOW/_IOWR
 * macros), capabilities, exit reasons, vCPU features and targets, MP states, system-event types.
 * Checked against the real uapi headers: test/unit/golden.test.ts (golden file) and the oracle tier.
 */

// ---------------------------------------------------------------- ioctl numbers (asm-generic/ioctl.h)
export const IOC_NRBITS = 8;
export const IOC_TYPEBITS = 8;
export const IOC_SIZEBITS = 14;
export const IOC_NRSHIFT = 0;
export const IOC_TYPESHIFT = 8;
export const IOC_SIZESHIFT = 16;
export const IOC_DIRSHIFT = 30;
export const IOC_NONE = 0;
export const IOC_WRITE = 1;
export const IOC_READ = 2;
export const KVMIO = 0xae;

export function IOC(dir: number, type: number, nr: number, size: number): number {
  if (size < 0 || size >= 1 << IOC_SIZEBITS) throw new RangeError(`size: ${size} does not fit the 14-bit ioctl size field`);
  return ((dir << IOC_DIRSHIFT) | (size << IOC_SIZESHIFT) | (type << IOC_TYPESHIFT) | (nr << IOC_NRSHIFT)) >>> 0;
}
export const IO = (type: number, nr: number): number => IOC(IOC_NONE, type, nr, 0);
export const IOR = (type: number, nr: number, size: number): number => IOC(IOC_READ, type, nr, size);
export const IOW = (type: number, nr: number, size: number): number => IOC(IOC_WRITE, type, nr, size);
export const IOWR = (type: number, nr: number, size: number): number => IOC(IOC_READ | IOC_WRITE, type, nr, size);

/** Fields of an ioctl request number. */
export function decodeIoctl(req: number): { dir: number; type: number; nr: number; size: number } {
  return { dir: req >>> IOC_DIRSHIFT, type: (req >>> IOC_TYPESHIFT) & 0xff, nr: req & 0xff, size: (req >>> IOC_SIZESHIFT) & 0x3fff };
}

/** Struct sizes on arm64 (bytes). */
export const STRUCT_SIZE = {
  kvm_userspace_memory_region: 32,
  kvm_dirty_log: 16,
  kvm_one_reg: 16,
  kvm_vcpu_init: 32,
  kvm_reg_list: 8,
  kvm_irq_level: 8,
  kvm_arm_device_addr: 16,
  kvm_create_device: 12,
  kvm_device_attr: 24,
  kvm_mp_state: 4,
  kvm_vcpu_events: 64,
  kvm_enable_cap: 104,
  kvm_irqfd: 32,
  kvm_ioeventfd: 64,
  kvm_guest_debug: 520,
  kvm_msi: 32,
  kvm_regs: 864,
  kvm_run_exit_union: 256,
  kvm_run_header: 32,
} as const;

const S = STRUCT_SIZE;
/** Every KVM ioctl kvm-arm issues, by name. */
export const KVM_IOCTL = {
  // system
  KVM_GET_API_VERSION: IO(KVMIO, 0x00),
  KVM_CREATE_VM: IO(KVMIO, 0x01),
  KVM_CHECK_EXTENSION: IO(KVMIO, 0x03),
  KVM_GET_VCPU_MMAP_SIZE: IO(KVMIO, 0x04),
  // vm
  KVM_CREATE_VCPU: IO(KVMIO, 0x41),
  KVM_GET_DIRTY_LOG: IOW(KVMIO, 0x42, S.kvm_dirty_log),
  KVM_SET_USER_MEMORY_REGION: IOW(KVMIO, 0x46, S.kvm_userspace_memory_region),
  KVM_CREATE_IRQCHIP: IO(KVMIO, 0x60),
  KVM_IRQ_LINE: IOW(KVMIO, 0x61, S.kvm_irq_level),
  KVM_IRQFD: IOW(KVMIO, 0x76, S.kvm_irqfd),
  KVM_IOEVENTFD: IOW(KVMIO, 0x79, S.kvm_ioeventfd),
  KVM_ENABLE_CAP: IOW(KVMIO, 0xa3, S.kvm_enable_cap),
  KVM_SIGNAL_MSI: IOW(KVMIO, 0xa5, S.kvm_msi),
  KVM_ARM_SET_DEVICE_ADDR: IOW(KVMIO, 0xab, S.kvm_arm_device_addr),
  KVM_ARM_PREFERRED_TARGET: IOR(KVMIO, 0xaf, S.kvm_vcpu_init),
  KVM_CREATE_DEVICE: IOWR(KVMIO, 0xe0, S.kvm_create_device),
  KVM_SET_DEVICE_ATTR: IOW(KVMIO, 0xe1, S.kvm_device_attr),
  KVM_GET_DEVICE_ATTR: IOW(KVMIO, 0xe2, S.kvm_device_attr),
  KVM_HAS_DEVICE_ATTR: IOW(KVMIO, 0xe3, S.kvm_device_attr),
  // vcpu
  KVM_RUN: IO(KVMIO, 0x80),
  KVM_GET_MP_STATE: IOR(KVMIO, 0x98, S.kvm_mp_state),
  KVM_SET_MP_STATE: IOW(KVMIO, 0x99, S.kvm_mp_state),
  KVM_SET_GUEST_DEBUG: IOW(KVMIO, 0x9b, S.kvm_guest_debug),
  KVM_GET_VCPU_EVENTS: IOR(KVMIO, 0x9f, S.kvm_vcpu_events),
  KVM_SET_VCPU_EVENTS: IOW(KVMIO, 0xa0, S.kvm_vcpu_events),
  // 0xab is both KVM_GET_ONE_REG (vcpu fd) and KVM_ARM_SET_DEVICE_ADDR (vm fd), as in the kernel
  KVM_GET_ONE_REG: IOW(KVMIO, 0xab, S.kvm_one_reg),
  KVM_SET_ONE_REG: IOW(KVMIO, 0xac, S.kvm_one_reg),
  KVM_ARM_VCPU_INIT: IOW(KVMIO, 0xae, S.kvm_vcpu_init),
  KVM_GET_REG_LIST: IOWR(KVMIO, 0xb0, S.kvm_reg_list),
  KVM_ARM_VCPU_FINALIZE: IOW(KVMIO, 0xc2, 4),
} as const;
export type KvmIoctlName = keyof typeof KVM_IOCTL;
const ioctlNames = new Map<number, string>();
for (const [k, v] of Object.entries(KVM_IOCTL)) ioctlNames.set(v, ioctlNames.has(v) ? `${ioctlNames.get(v)}/${k}` : k);
/** The name of an ioctl request number, e.g. 0x4010aeaf... → KVM_ARM_PREFERRED_TARGET (shared numbers give both names). */
export function ioctlName(req: number): string {
  return ioctlNames.get(req >>> 0) ?? `ioctl 0x${(req >>> 0).toString(16)}`;
}

// ---------------------------------------------------------------- capabilities (linux/kvm.h)
export const KVM_CAP = {
  IRQCHIP: 0,
  HLT: 1,
  USER_MEMORY: 3,
  NR_VCPUS: 9,
  NR_MEMSLOTS: 10,
  MP_STATE: 14,
  COALESCED_MMIO: 15,
  SYNC_MMU: 16,
  DESTROY_MEMORY_REGION_WORKS: 21,
  SET_GUEST_DEBUG: 23,
  IRQ_ROUTING: 25,
  IRQ_INJECT_STATUS: 26,
  JOIN_MEMORY_REGIONS_WORKS: 30,
  IRQFD: 32,
  IOEVENTFD: 36,
  ADJUST_CLOCK: 39,
  INTERNAL_ERROR_DATA: 40,
  VCPU_EVENTS: 41,
  ENABLE_CAP: 54,
  MAX_VCPUS: 66,
  ONE_REG: 70,
  SIGNAL_MSI: 77,
  READONLY_MEM: 81,
  IRQFD_RESAMPLE: 82,
  ARM_PSCI: 87,
  ARM_SET_DEVICE_ADDR: 88,
  DEVICE_CTRL: 89,
  ARM_EL1_32BIT: 93,
  ENABLE_CAP_VM: 98,
  IOEVENTFD_NO_LENGTH: 100,
  VM_ATTRIBUTES: 101,
  ARM_PSCI_0_2: 102,
  CHECK_EXTENSION_VM: 105,
  MULTI_ADDRESS_SPACE: 118,
  GUEST_DEBUG_HW_BPS: 119,
  GUEST_DEBUG_HW_WPS: 120,
  IOEVENTFD_ANY_LENGTH: 122,
  ARM_PMU_V3: 126,
  VCPU_ATTRIBUTES: 127,
  MAX_VCPU_ID: 128,
  MSI_DEVID: 131,
  IMMEDIATE_EXIT: 136,
  ARM_USER_IRQ: 144,
  GET_MSR_FEATURES: 153,
  ARM_INJECT_SERROR_ESR: 158,
  COALESCED_PIO: 162,
  EXCEPTION_PAYLOAD: 164,
  ARM_VM_IPA_SIZE: 165,
  MANUAL_DIRTY_LOG_PROTECT2: 168,
  ARM_SVE: 170,
  ARM_PTRAUTH_ADDRESS: 171,
  ARM_PTRAUTH_GENERIC: 172,
  PMU_EVENT_FILTER: 173,
  ARM_IRQ_LINE_LAYOUT_2: 174,
  ARM_NISV_TO_USER: 177,
  ARM_INJECT_EXT_DABT: 178,
  HALT_POLL: 182,
  STEAL_TIME: 187,
  DIRTY_LOG_RING: 192,
  SET_GUEST_DEBUG2: 195,
  PTP_KVM: 198,
  EXIT_HYPERCALL: 201,
  BINARY_STATS_FD: 203,
  ARM_MTE: 205,
  VM_GPA_BITS: 207,
  SYS_ATTRIBUTES: 209,
  SYSTEM_EVENT_DATA: 215,
  ARM_SYSTEM_SUSPEND: 216,
  DIRTY_LOG_RING_ACQ_REL: 223,
} as const;
export type KvmCapName = keyof typeof KVM_CAP;
/** The ARM-relevant capabilities `kvm-arm info` reports. */
export const ARM_CAPS: readonly KvmCapName[] = [
  'IRQCHIP', 'USER_MEMORY', 'NR_VCPUS', 'MAX_VCPUS', 'MAX_VCPU_ID', 'NR_MEMSLOTS', 'ONE_REG', 'DEVICE_CTRL', 'ARM_PSCI', 'ARM_PSCI_0_2',
  'ARM_SET_DEVICE_ADDR', 'ARM_EL1_32BIT', 'ARM_PMU_V3', 'ARM_USER_IRQ', 'ARM_IRQ_LINE_LAYOUT_2', 'ARM_VM_IPA_SIZE', 'ARM_SVE',
  'ARM_PTRAUTH_ADDRESS', 'ARM_PTRAUTH_GENERIC', 'ARM_NISV_TO_USER', 'ARM_INJECT_SERROR_ESR', 'ARM_INJECT_EXT_DABT', 'ARM_MTE',
  'ARM_SYSTEM_SUSPEND', 'IRQFD', 'IOEVENTFD', 'READONLY_MEM', 'IMMEDIATE_EXIT', 'VCPU_EVENTS', 'SET_GUEST_DEBUG', 'MP_STATE',
  'SYNC_MMU', 'CHECK_EXTENSION_VM', 'ENABLE_CAP_VM', 'VCPU_ATTRIBUTES', 'GUEST_DEBUG_HW_BPS', 'GUEST_DEBUG_HW_WPS', 'STEAL_TIME',
  'PTP_KVM', 'SYSTEM_EVENT_DATA',
];

// ---------------------------------------------------------------- exit reasons
export const KVM_EXIT = {
  UNKNOWN: 0,
  EXCEPTION: 1,
  IO: 2,
  HYPERCALL: 3,
  DEBUG: 4,
  HLT: 5,
  MMIO: 6,
  IRQ_WINDOW_OPEN: 7,
  SHUTDOWN: 8,
  FAIL_ENTRY: 9,
  INTR: 10,
  SET_TPR: 11,
  TPR_ACCESS: 12,
  NMI: 16,
  INTERNAL_ERROR: 17,
  SYSTEM_EVENT: 24,
  IOAPIC_EOI: 26,
  HYPERV: 27,
  ARM_NISV: 28,
  X86_RDMSR: 29,
  X86_WRMSR: 30,
  DIRTY_RING_FULL: 31,
  AP_RESET_HOLD: 32,
  X86_BUS_LOCK: 33,
  XEN: 34,
  RISCV_SBI: 35,
  RISCV_CSR: 36,
  NOTIFY: 37,
} as const;

export const KVM_SYSTEM_EVENT = {
  SHUTDOWN: 1,
  RESET: 2,
  CRASH: 3,
  WAKEUP: 4,
  SUSPEND: 5,
  SEV_TERM: 6,
} as const;
export type SystemEventType = 'shutdown' | 'reset' | 'crash' | 'wakeup' | 'suspend' | 'sev-term' | 'unknown';
export function systemEventName(t: number): SystemEventType {
  return (['unknown', 'shutdown', 'reset', 'crash', 'wakeup', 'suspend', 'sev-term'] as const)[t] ?? 'unknown';
}
/** flags of a RESET system event: KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 */
export const KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 = 1n << 0n;

export const KVM_INTERNAL_ERROR = { EMULATION: 1, SIMUL_EX: 2, DELIVERY_EV: 3, UNEXPECTED_EXIT_REASON: 4 } as const;

// ---------------------------------------------------------------- vCPU init
export const KVM_ARM_TARGET = {
  AEM_V8: 0,
  FOUNDATION_V8: 1,
  CORTEX_A57: 2,
  XGENE_POTENZA: 3,
  CORTEX_A53: 4,
  GENERIC_V8: 5,
} as const;
export function targetName(t: number): string {
  return Object.entries(KVM_ARM_TARGET).find(([, v]) => v === t)?.[0] ?? `target ${t}`;
}

export const KVM_ARM_VCPU_FEATURE = {
  'power-off': 0,
  'el1-32bit': 1,
  'psci-0.2': 2,
  'pmu-v3': 3,
  sve: 4,
  'ptrauth-address': 5,
  'ptrauth-generic': 6,
} as const;
export type VcpuFeature = keyof typeof KVM_ARM_VCPU_FEATURE;
/** Named feature list → the features[7] bitmap words of struct kvm_vcpu_init. */
export function featureWords(features: readonly (VcpuFeature | number)[]): number[] {
  const w = [0, 0, 0, 0, 0, 0, 0];
  for (const f of features) {
    const bit = typeof f === 'number' ? f : KVM_ARM_VCPU_FEATURE[f];
    if (bit === undefined || !Number.isInteger(bit) || bit < 0 || bit >= 7 * 32) throw new RangeError(`features: unknown vCPU feature '${String(f)}'`);
    w[bit >> 5] = ((w[bit >> 5] as number) | (1 << (bit & 31))) >>> 0;
  }
  return w;
}
export function featureNames(words: readonly number[]): (VcpuFeature | number)[] {
  const out: (VcpuFeature | number)[] = [];
  words.forEach((w, i) => {
    for (let b = 0; b < 32; b++) {
      if ((w >>> b) & 1) {
        const bit = i * 32 + b;
        const name = (Object.entries(KVM_ARM_VCPU_FEATURE) as [VcpuFeature, number][]).find(([, v]) => v === bit)?.[0];
        out.push(name ?? bit);
      }
    }
  });
  return out;
}
/** KVM_ARM_VCPU_FINALIZE features */
export const KVM_ARM_VCPU_FINALIZE_FEATURE = { sve: 4 } as const;

export const KVM_MP_STATE = {
  RUNNABLE: 0,
  UNINITIALIZED: 1,
  INIT_RECEIVED: 2,
  HALTED: 3,
  SIPI_RECEIVED: 4,
  STOPPED: 5,
  CHECK_STOP: 6,
  OPERATING: 7,
  LOAD: 8,
  AP_RESET_HOLD: 9,
  SUSPENDED: 10,
} as const;
export type MpState = 'runnable' | 'stopped' | 'suspended' | 'halted' | 'uninitialized' | 'other';

export const KVM_MEM = { LOG_DIRTY_PAGES: 1, READONLY: 2 } as const;
export const KVM_IRQFD_FLAG = { DEASSIGN: 1, RESAMPLE: 2 } as const;
export const KVM_IOEVENTFD_FLAG = { DATAMATCH: 1, PIO: 2, DEASSIGN: 4, VIRTIO_CCW_NOTIFY: 8 } as const;
export const KVM_CREATE_DEVICE_TEST = 1;
export const KVM_GUESTDBG = { ENABLE: 1, SINGLESTEP: 2, USE_SW_BP: 1 << 16, USE_HW: 1 << 17 } as const;

/** KVM_VM_TYPE_ARM_IPA_SIZE(bits) for KVM_CREATE_VM: 0 = the default 40-bit IPA. */
export function vmTypeIpaSize(bits: number): number {
  if (!Number.isInteger(bits) || bits < 32 || bits > 52) throw new RangeError(`ipaSize: must be 32..52 bits, got ${bits}`);
  return bits & 0xff;
}
