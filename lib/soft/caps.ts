/**
 * KVM_CHECK_EXTENSION answers of the soft backend: those of the lab's arm64 KVM (Linux 6.1, cortex-a57 under
 * qemu, GICv2, nVHE; /work/shared/arm64-kvm-lab README "What works" and arch/arm64/kvm/arm.c
 * kvm_vm_ioctl_check_extension + virt/kvm/kvm_main.c kvm_vm_ioctl_check_extension_generic).
 */
import { KVM_CAP, type KvmCapName } from '../codec/abi';

/** vCPUs a VM may have (kvm_vgic_get_max_vcpus() on a GICv2 host: 8). */
export const SOFT_MAX_VCPUS = 8;
/** KVM_MAX_VCPU_IDS on arm64 (KVM_MAX_VCPUS = VGIC_V3_MAX_CPUS = 512). */
export const KVM_MAX_VCPU_IDS = 512;
/** KVM_USER_MEM_SLOTS = SHRT_MAX on arm64 (no internal slots). */
export const SOFT_NR_MEMSLOTS = 32767;
/** The host's IPA limit (the lab reports 44); the default VM IPA size is 40. */
export const SOFT_IPA_LIMIT = 44;
export const SOFT_DEFAULT_IPA = 40;
export const KVM_GUESTDBG_VALID_MASK = 0x1 | 0x2 | 0x10000 | 0x20000;

/** nr: capability number → value (absent = 0). */
export function softCapabilities(nrVcpusOnline: number): Map<number, number> {
  const c = new Map<number, number>();
  const set = (name: KvmCapName, v: number): void => void c.set(KVM_CAP[name], v);
  // arm64 (arch/arm64/kvm/arm.c)
  set('IRQCHIP', 1);
  for (const n of [
    'IOEVENTFD', 'DEVICE_CTRL', 'USER_MEMORY', 'SYNC_MMU', 'DESTROY_MEMORY_REGION_WORKS', 'ONE_REG', 'ARM_PSCI', 'ARM_PSCI_0_2',
    'READONLY_MEM', 'MP_STATE', 'IMMEDIATE_EXIT', 'VCPU_EVENTS', 'ARM_IRQ_LINE_LAYOUT_2', 'ARM_NISV_TO_USER', 'ARM_INJECT_EXT_DABT',
    'SET_GUEST_DEBUG', 'VCPU_ATTRIBUTES', 'PTP_KVM', 'ARM_SYSTEM_SUSPEND', 'ARM_SET_DEVICE_ADDR', 'ARM_USER_IRQ', 'ARM_EL1_32BIT',
    'ARM_PMU_V3', 'STEAL_TIME',
  ] as const) set(n, 1);
  set('SET_GUEST_DEBUG2', KVM_GUESTDBG_VALID_MASK);
  set('NR_VCPUS', Math.max(1, Math.min(nrVcpusOnline, SOFT_MAX_VCPUS)));
  set('MAX_VCPUS', SOFT_MAX_VCPUS);
  set('MAX_VCPU_ID', SOFT_MAX_VCPUS);
  set('GUEST_DEBUG_HW_BPS', 6);
  set('GUEST_DEBUG_HW_WPS', 4);
  set('ARM_VM_IPA_SIZE', SOFT_IPA_LIMIT);
  // generic (virt/kvm/kvm_main.c)
  for (const n of ['JOIN_MEMORY_REGIONS_WORKS', 'INTERNAL_ERROR_DATA', 'SIGNAL_MSI', 'IRQFD', 'IRQFD_RESAMPLE', 'IOEVENTFD_ANY_LENGTH',
    'CHECK_EXTENSION_VM', 'ENABLE_CAP_VM', 'HALT_POLL', 'COALESCED_PIO', 'BINARY_STATS_FD', 'SYSTEM_EVENT_DATA', 'IOEVENTFD_NO_LENGTH'] as const) set(n, 1);
  set('COALESCED_MMIO', 1);
  set('MANUAL_DIRTY_LOG_PROTECT2', 3);
  set('IRQ_ROUTING', 4096);
  set('NR_MEMSLOTS', SOFT_NR_MEMSLOTS);
  return c;
}
