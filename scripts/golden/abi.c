/*
 * Prints the arm64 KVM ABI facts that lib/codec uses, as "NAME VALUE" lines, from the real uapi headers
 * (Debian linux-libc-dev-arm64-cross: /usr/aarch64-linux-gnu/include/linux/kvm.h, asm/kvm.h, linux/psci.h).
 *
 * Build with aarch64-linux-gnu-gcc -static and run under qemu-aarch64 so that sizeof/offsetof are arm64's
 * (scripts/golden/generate.js does both). Output feeds test/fixtures/kvm-abi-golden.txt.
 *
 * Key conventions (test/unit/golden.test.ts relies on them):
 *   header macro names as they are (KVM_CAP_ONE_REG, KVM_GET_ONE_REG, ...);
 *   sizeof(NAME)             struct sizes, NAME being the key of STRUCT_SIZE in lib/codec/abi.ts;
 *   offsetof(GROUP,FIELD)    field offsets, GROUP/FIELD being the keys of OFFSETS in lib/codec/structs.ts;
 *   core(NAME)               KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(field);
 *   macro calls with literal arguments, e.g. ARM64_SYS_REG(3,0,1,0,0), KVM_REG_ARM64_SVE_ZREG(31,31).
 * Values: signed decimal for small constants, 0x-hex for ids, masks and ioctl numbers.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/kvm.h>
#include <linux/psci.h>

/* asm/kvm.h uses the kernel-internal GENMASK for the device-address masks; this is its definition for LP64. */
#ifndef GENMASK
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (63 - (h))))
#endif

/* prints a key without the blanks the preprocessor keeps in #name (ARM64_SYS_REG(3, 0, 1, 0, 0) → ...(3,0,1,0,0)) */
static void put_key(const char *k) {
  for (; *k; k++)
    if (*k != ' ') putchar(*k);
  putchar(' ');
}
#define DN(k, expr) (put_key(k), printf("%lld\n", (long long)(expr)))
#define XN(k, expr) (put_key(k), printf("0x%llx\n", (unsigned long long)(expr)))
#define D(name) DN(#name, name)
#define X(name) XN(#name, name)
#define SIZE(key, expr) printf("sizeof(%s) %zu\n", key, (size_t)(expr))
#define OFF(group, field, type, member) printf("offsetof(%s,%s) %zu\n", group, field, offsetof(type, member))
#define RUN(group, field, member) OFF(group, field, struct kvm_run, member)

#define CORE(name, member, size) \
  XN("core(" name ")", KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(member))

static void ioctls(void) {
  X(KVMIO);
  D(_IOC_NRBITS); D(_IOC_TYPEBITS); D(_IOC_SIZEBITS); D(_IOC_NRSHIFT); D(_IOC_TYPESHIFT); D(_IOC_SIZESHIFT);
  D(_IOC_DIRSHIFT); D(_IOC_NONE); D(_IOC_WRITE); D(_IOC_READ);
  X(KVM_GET_API_VERSION); X(KVM_CREATE_VM); X(KVM_CHECK_EXTENSION); X(KVM_GET_VCPU_MMAP_SIZE);
  X(KVM_CREATE_VCPU); X(KVM_GET_DIRTY_LOG); X(KVM_SET_USER_MEMORY_REGION); X(KVM_CREATE_IRQCHIP);
  X(KVM_IRQ_LINE); X(KVM_IRQFD); X(KVM_IOEVENTFD); X(KVM_ENABLE_CAP); X(KVM_SIGNAL_MSI);
  X(KVM_ARM_SET_DEVICE_ADDR); X(KVM_ARM_PREFERRED_TARGET); X(KVM_CREATE_DEVICE); X(KVM_SET_DEVICE_ATTR);
  X(KVM_GET_DEVICE_ATTR); X(KVM_HAS_DEVICE_ATTR); X(KVM_RUN); X(KVM_GET_MP_STATE); X(KVM_SET_MP_STATE);
  X(KVM_SET_GUEST_DEBUG); X(KVM_GET_VCPU_EVENTS); X(KVM_SET_VCPU_EVENTS); X(KVM_GET_ONE_REG);
  X(KVM_SET_ONE_REG); X(KVM_ARM_VCPU_INIT); X(KVM_GET_REG_LIST); X(KVM_ARM_VCPU_FINALIZE);
}

static void caps(void) {
  D(KVM_CAP_IRQCHIP); D(KVM_CAP_HLT); D(KVM_CAP_USER_MEMORY); D(KVM_CAP_NR_VCPUS); D(KVM_CAP_NR_MEMSLOTS);
  D(KVM_CAP_MP_STATE); D(KVM_CAP_COALESCED_MMIO); D(KVM_CAP_SYNC_MMU); D(KVM_CAP_DESTROY_MEMORY_REGION_WORKS);
  D(KVM_CAP_SET_GUEST_DEBUG); D(KVM_CAP_IRQ_ROUTING); D(KVM_CAP_IRQ_INJECT_STATUS);
  D(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS); D(KVM_CAP_IRQFD); D(KVM_CAP_IOEVENTFD); D(KVM_CAP_ADJUST_CLOCK);
  D(KVM_CAP_INTERNAL_ERROR_DATA); D(KVM_CAP_VCPU_EVENTS); D(KVM_CAP_ENABLE_CAP); D(KVM_CAP_MAX_VCPUS);
  D(KVM_CAP_ONE_REG); D(KVM_CAP_SIGNAL_MSI); D(KVM_CAP_READONLY_MEM); D(KVM_CAP_IRQFD_RESAMPLE);
  D(KVM_CAP_ARM_PSCI); D(KVM_CAP_ARM_SET_DEVICE_ADDR); D(KVM_CAP_DEVICE_CTRL); D(KVM_CAP_ARM_EL1_32BIT);
  D(KVM_CAP_ENABLE_CAP_VM); D(KVM_CAP_IOEVENTFD_NO_LENGTH); D(KVM_CAP_VM_ATTRIBUTES); D(KVM_CAP_ARM_PSCI_0_2);
  D(KVM_CAP_CHECK_EXTENSION_VM); D(KVM_CAP_MULTI_ADDRESS_SPACE); D(KVM_CAP_GUEST_DEBUG_HW_BPS);
  D(KVM_CAP_GUEST_DEBUG_HW_WPS); D(KVM_CAP_IOEVENTFD_ANY_LENGTH); D(KVM_CAP_ARM_PMU_V3);
  D(KVM_CAP_VCPU_ATTRIBUTES); D(KVM_CAP_MAX_VCPU_ID); D(KVM_CAP_MSI_DEVID); D(KVM_CAP_IMMEDIATE_EXIT);
  D(KVM_CAP_ARM_USER_IRQ); D(KVM_CAP_GET_MSR_FEATURES); D(KVM_CAP_ARM_INJECT_SERROR_ESR);
  D(KVM_CAP_COALESCED_PIO); D(KVM_CAP_EXCEPTION_PAYLOAD); D(KVM_CAP_ARM_VM_IPA_SIZE);
  D(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2); D(KVM_CAP_ARM_SVE); D(KVM_CAP_ARM_PTRAUTH_ADDRESS);
  D(KVM_CAP_ARM_PTRAUTH_GENERIC); D(KVM_CAP_PMU_EVENT_FILTER); D(KVM_CAP_ARM_IRQ_LINE_LAYOUT_2);
  D(KVM_CAP_ARM_NISV_TO_USER); D(KVM_CAP_ARM_INJECT_EXT_DABT); D(KVM_CAP_HALT_POLL); D(KVM_CAP_STEAL_TIME);
  D(KVM_CAP_DIRTY_LOG_RING); D(KVM_CAP_SET_GUEST_DEBUG2); D(KVM_CAP_PTP_KVM); D(KVM_CAP_EXIT_HYPERCALL);
  D(KVM_CAP_BINARY_STATS_FD); D(KVM_CAP_ARM_MTE); D(KVM_CAP_VM_GPA_BITS); D(KVM_CAP_SYS_ATTRIBUTES);
  D(KVM_CAP_SYSTEM_EVENT_DATA); D(KVM_CAP_ARM_SYSTEM_SUSPEND); D(KVM_CAP_DIRTY_LOG_RING_ACQ_REL);
}

static void exits(void) {
  D(KVM_EXIT_UNKNOWN); D(KVM_EXIT_EXCEPTION); D(KVM_EXIT_IO); D(KVM_EXIT_HYPERCALL); D(KVM_EXIT_DEBUG);
  D(KVM_EXIT_HLT); D(KVM_EXIT_MMIO); D(KVM_EXIT_IRQ_WINDOW_OPEN); D(KVM_EXIT_SHUTDOWN); D(KVM_EXIT_FAIL_ENTRY);
  D(KVM_EXIT_INTR); D(KVM_EXIT_SET_TPR); D(KVM_EXIT_TPR_ACCESS); D(KVM_EXIT_NMI); D(KVM_EXIT_INTERNAL_ERROR);
  D(KVM_EXIT_SYSTEM_EVENT); D(KVM_EXIT_IOAPIC_EOI); D(KVM_EXIT_HYPERV); D(KVM_EXIT_ARM_NISV);
  D(KVM_EXIT_X86_RDMSR); D(KVM_EXIT_X86_WRMSR); D(KVM_EXIT_DIRTY_RING_FULL); D(KVM_EXIT_AP_RESET_HOLD);
  D(KVM_EXIT_X86_BUS_LOCK); D(KVM_EXIT_XEN); D(KVM_EXIT_RISCV_SBI); D(KVM_EXIT_RISCV_CSR); D(KVM_EXIT_NOTIFY);
  D(KVM_SYSTEM_EVENT_SHUTDOWN); D(KVM_SYSTEM_EVENT_RESET); D(KVM_SYSTEM_EVENT_CRASH); D(KVM_SYSTEM_EVENT_WAKEUP);
  D(KVM_SYSTEM_EVENT_SUSPEND); D(KVM_SYSTEM_EVENT_SEV_TERM); X(KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2);
  D(KVM_INTERNAL_ERROR_EMULATION); D(KVM_INTERNAL_ERROR_SIMUL_EX); D(KVM_INTERNAL_ERROR_DELIVERY_EV);
  D(KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

static void vcpu(void) {
  D(KVM_ARM_TARGET_AEM_V8); D(KVM_ARM_TARGET_FOUNDATION_V8); D(KVM_ARM_TARGET_CORTEX_A57);
  D(KVM_ARM_TARGET_XGENE_POTENZA); D(KVM_ARM_TARGET_CORTEX_A53); D(KVM_ARM_TARGET_GENERIC_V8);
  D(KVM_ARM_VCPU_POWER_OFF); D(KVM_ARM_VCPU_EL1_32BIT); D(KVM_ARM_VCPU_PSCI_0_2); D(KVM_ARM_VCPU_PMU_V3);
  D(KVM_ARM_VCPU_SVE); D(KVM_ARM_VCPU_PTRAUTH_ADDRESS); D(KVM_ARM_VCPU_PTRAUTH_GENERIC);
  D(KVM_MP_STATE_RUNNABLE); D(KVM_MP_STATE_UNINITIALIZED); D(KVM_MP_STATE_INIT_RECEIVED); D(KVM_MP_STATE_HALTED);
  D(KVM_MP_STATE_SIPI_RECEIVED); D(KVM_MP_STATE_STOPPED); D(KVM_MP_STATE_CHECK_STOP); D(KVM_MP_STATE_OPERATING);
  D(KVM_MP_STATE_LOAD); D(KVM_MP_STATE_AP_RESET_HOLD); D(KVM_MP_STATE_SUSPENDED);
  D(KVM_MEM_LOG_DIRTY_PAGES); D(KVM_MEM_READONLY); D(KVM_IRQFD_FLAG_DEASSIGN); D(KVM_IRQFD_FLAG_RESAMPLE);
  D(KVM_IOEVENTFD_FLAG_DATAMATCH); D(KVM_IOEVENTFD_FLAG_PIO); D(KVM_IOEVENTFD_FLAG_DEASSIGN);
  D(KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY); D(KVM_CREATE_DEVICE_TEST);
  X(KVM_GUESTDBG_ENABLE); X(KVM_GUESTDBG_SINGLESTEP); X(KVM_GUESTDBG_USE_SW_BP); X(KVM_GUESTDBG_USE_HW);
  for (int bits = 32; bits <= 52; bits += 4) {
    char key[64];
    snprintf(key, sizeof key, "KVM_VM_TYPE_ARM_IPA_SIZE(%d)", bits);
    DN(key, KVM_VM_TYPE_ARM_IPA_SIZE(bits));
  }
}

static void regids(void) {
  X(KVM_REG_ARCH_MASK); X(KVM_REG_ARM); X(KVM_REG_ARM64); X(KVM_REG_SIZE_SHIFT); X(KVM_REG_SIZE_MASK);
  X(KVM_REG_SIZE_U8); X(KVM_REG_SIZE_U16); X(KVM_REG_SIZE_U32); X(KVM_REG_SIZE_U64); X(KVM_REG_SIZE_U128);
  X(KVM_REG_SIZE_U256); X(KVM_REG_SIZE_U512); X(KVM_REG_SIZE_U1024); X(KVM_REG_SIZE_U2048);
  X(KVM_REG_ARM_COPROC_MASK); X(KVM_REG_ARM_COPROC_SHIFT); X(KVM_REG_ARM_CORE); X(KVM_REG_ARM_DEMUX);
  X(KVM_REG_ARM64_SYSREG); X(KVM_REG_ARM_FW); X(KVM_REG_ARM64_SVE); X(KVM_REG_ARM_FW_FEAT_BMAP);
  X(KVM_REG_ARM_DEMUX_ID_MASK); X(KVM_REG_ARM_DEMUX_ID_SHIFT); X(KVM_REG_ARM_DEMUX_ID_CCSIDR);
  X(KVM_REG_ARM_DEMUX_VAL_MASK);
  X(KVM_REG_ARM64_SYSREG_OP0_MASK); X(KVM_REG_ARM64_SYSREG_OP0_SHIFT); X(KVM_REG_ARM64_SYSREG_OP1_MASK);
  X(KVM_REG_ARM64_SYSREG_OP1_SHIFT); X(KVM_REG_ARM64_SYSREG_CRN_MASK); X(KVM_REG_ARM64_SYSREG_CRN_SHIFT);
  X(KVM_REG_ARM64_SYSREG_CRM_MASK); X(KVM_REG_ARM64_SYSREG_CRM_SHIFT); X(KVM_REG_ARM64_SYSREG_OP2_MASK);
  X(KVM_REG_ARM64_SYSREG_OP2_SHIFT);
  X(KVM_REG_ARM64_SVE_ZREG_BASE); X(KVM_REG_ARM64_SVE_PREG_BASE); X(KVM_REG_ARM64_SVE_FFR_BASE);
  D(KVM_ARM64_SVE_NUM_ZREGS); D(KVM_ARM64_SVE_NUM_PREGS); D(KVM_ARM64_SVE_MAX_SLICES);

  /* core registers: every field of struct kvm_regs that KVM_GET_REG_LIST reports */
#define XREG(n) CORE("x" #n, regs.regs[n], KVM_REG_SIZE_U64)
  XREG(0); XREG(1); XREG(2); XREG(3); XREG(4); XREG(5); XREG(6); XREG(7); XREG(8); XREG(9); XREG(10);
  XREG(11); XREG(12); XREG(13); XREG(14); XREG(15); XREG(16); XREG(17); XREG(18); XREG(19); XREG(20);
  XREG(21); XREG(22); XREG(23); XREG(24); XREG(25); XREG(26); XREG(27); XREG(28); XREG(29); XREG(30);
  CORE("sp", regs.sp, KVM_REG_SIZE_U64);
  CORE("pc", regs.pc, KVM_REG_SIZE_U64);
  CORE("pstate", regs.pstate, KVM_REG_SIZE_U64);
  CORE("sp_el1", sp_el1, KVM_REG_SIZE_U64);
  CORE("elr_el1", elr_el1, KVM_REG_SIZE_U64);
  CORE("spsr_el1", spsr[KVM_SPSR_EL1], KVM_REG_SIZE_U64);
  CORE("spsr_abt", spsr[KVM_SPSR_ABT], KVM_REG_SIZE_U64);
  CORE("spsr_und", spsr[KVM_SPSR_UND], KVM_REG_SIZE_U64);
  CORE("spsr_irq", spsr[KVM_SPSR_IRQ], KVM_REG_SIZE_U64);
  CORE("spsr_fiq", spsr[KVM_SPSR_FIQ], KVM_REG_SIZE_U64);
#define VREG(n) CORE("v" #n, fp_regs.vregs[n], KVM_REG_SIZE_U128)
  VREG(0); VREG(1); VREG(2); VREG(3); VREG(4); VREG(5); VREG(6); VREG(7); VREG(8); VREG(9); VREG(10);
  VREG(11); VREG(12); VREG(13); VREG(14); VREG(15); VREG(16); VREG(17); VREG(18); VREG(19); VREG(20);
  VREG(21); VREG(22); VREG(23); VREG(24); VREG(25); VREG(26); VREG(27); VREG(28); VREG(29); VREG(30); VREG(31);
  CORE("fpsr", fp_regs.fpsr, KVM_REG_SIZE_U32);
  CORE("fpcr", fp_regs.fpcr, KVM_REG_SIZE_U32);

  /* ARM64_SYS_REG of a sample: the corners of each field, and well-known registers */
  X(ARM64_SYS_REG(0, 0, 0, 0, 0)); X(ARM64_SYS_REG(3, 7, 15, 15, 7)); X(ARM64_SYS_REG(2, 0, 0, 0, 4));
  X(ARM64_SYS_REG(3, 0, 1, 0, 0)); X(ARM64_SYS_REG(3, 0, 0, 0, 5)); X(ARM64_SYS_REG(3, 0, 2, 0, 0));
  X(ARM64_SYS_REG(3, 3, 14, 0, 0)); X(ARM64_SYS_REG(3, 4, 1, 1, 0)); X(ARM64_SYS_REG(1, 2, 3, 4, 5));
  X(ARM64_SYS_REG(3, 3, 13, 0, 2)); X(ARM64_SYS_REG(3, 0, 12, 0, 0)); X(ARM64_SYS_REG(2, 3, 0, 5, 0));

  X(KVM_REG_ARM_TIMER_CTL); X(KVM_REG_ARM_TIMER_CNT); X(KVM_REG_ARM_TIMER_CVAL);
  X(KVM_REG_ARM_PTIMER_CTL); X(KVM_REG_ARM_PTIMER_CNT); X(KVM_REG_ARM_PTIMER_CVAL);

  X(KVM_REG_ARM_PSCI_VERSION); X(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1); X(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2);
  X(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3); X(KVM_REG_ARM_FW_REG(0)); X(KVM_REG_ARM_FW_REG(4));
  X(KVM_REG_ARM_FW_REG(0xffff));
  X(KVM_REG_ARM_STD_BMAP); X(KVM_REG_ARM_STD_HYP_BMAP); X(KVM_REG_ARM_VENDOR_HYP_BMAP);
  X(KVM_REG_ARM_FW_FEAT_BMAP_REG(0)); X(KVM_REG_ARM_FW_FEAT_BMAP_REG(3)); X(KVM_REG_ARM_FW_FEAT_BMAP_REG(0xffff));

  X(KVM_REG_ARM64_SVE_ZREG(0, 0)); X(KVM_REG_ARM64_SVE_ZREG(31, 31)); X(KVM_REG_ARM64_SVE_ZREG(5, 3));
  X(KVM_REG_ARM64_SVE_PREG(0, 0)); X(KVM_REG_ARM64_SVE_PREG(15, 31)); X(KVM_REG_ARM64_SVE_PREG(7, 1));
  X(KVM_REG_ARM64_SVE_FFR(0)); X(KVM_REG_ARM64_SVE_FFR(31)); X(KVM_REG_ARM64_SVE_VLS);
}

static void irq_and_vgic(void) {
  D(KVM_ARM_IRQ_VCPU2_SHIFT); X(KVM_ARM_IRQ_VCPU2_MASK); D(KVM_ARM_IRQ_TYPE_SHIFT); X(KVM_ARM_IRQ_TYPE_MASK);
  D(KVM_ARM_IRQ_VCPU_SHIFT); X(KVM_ARM_IRQ_VCPU_MASK); D(KVM_ARM_IRQ_NUM_SHIFT); X(KVM_ARM_IRQ_NUM_MASK);
  D(KVM_ARM_IRQ_TYPE_CPU); D(KVM_ARM_IRQ_TYPE_SPI); D(KVM_ARM_IRQ_TYPE_PPI);
  D(KVM_ARM_IRQ_CPU_IRQ); D(KVM_ARM_IRQ_CPU_FIQ);

  D(KVM_ARM_DEVICE_TYPE_SHIFT); X(KVM_ARM_DEVICE_TYPE_MASK); D(KVM_ARM_DEVICE_ID_SHIFT); X(KVM_ARM_DEVICE_ID_MASK);
  D(KVM_ARM_DEVICE_VGIC_V2); D(KVM_VGIC_V2_ADDR_TYPE_DIST); D(KVM_VGIC_V2_ADDR_TYPE_CPU);
  X(KVM_VGIC_V2_DIST_SIZE); X(KVM_VGIC_V2_CPU_SIZE); D(KVM_VGIC_V3_ADDR_TYPE_DIST);
  D(KVM_VGIC_V3_ADDR_TYPE_REDIST); D(KVM_VGIC_ITS_ADDR_TYPE); D(KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION);

  D(KVM_DEV_TYPE_FSL_MPIC_20); D(KVM_DEV_TYPE_FSL_MPIC_42); D(KVM_DEV_TYPE_XICS); D(KVM_DEV_TYPE_VFIO);
  D(KVM_DEV_TYPE_ARM_VGIC_V2); D(KVM_DEV_TYPE_FLIC); D(KVM_DEV_TYPE_ARM_VGIC_V3); D(KVM_DEV_TYPE_ARM_VGIC_ITS);
  D(KVM_DEV_TYPE_XIVE); D(KVM_DEV_TYPE_ARM_PV_TIME);

  D(KVM_DEV_ARM_VGIC_GRP_ADDR); D(KVM_DEV_ARM_VGIC_GRP_DIST_REGS); D(KVM_DEV_ARM_VGIC_GRP_CPU_REGS);
  D(KVM_DEV_ARM_VGIC_GRP_NR_IRQS); D(KVM_DEV_ARM_VGIC_GRP_CTRL); D(KVM_DEV_ARM_VGIC_GRP_REDIST_REGS);
  D(KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS); D(KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO); D(KVM_DEV_ARM_VGIC_GRP_ITS_REGS);
  D(KVM_DEV_ARM_VGIC_CTRL_INIT); D(KVM_DEV_ARM_ITS_SAVE_TABLES); D(KVM_DEV_ARM_ITS_RESTORE_TABLES);
  D(KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES); D(KVM_DEV_ARM_ITS_CTRL_RESET);
  D(KVM_DEV_ARM_VGIC_CPUID_SHIFT); X(KVM_DEV_ARM_VGIC_CPUID_MASK); D(KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT);
  X(KVM_DEV_ARM_VGIC_V3_MPIDR_MASK); D(KVM_DEV_ARM_VGIC_OFFSET_SHIFT); X(KVM_DEV_ARM_VGIC_OFFSET_MASK);
  X(KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK); D(KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT);
  X(KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK); X(KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK);
  D(VGIC_LEVEL_INFO_LINE_LEVEL);
}

static void psci(void) {
  X(PSCI_0_2_FN_BASE); X(PSCI_0_2_64BIT); X(PSCI_0_2_FN64_BASE);
  X(PSCI_0_2_FN_PSCI_VERSION); X(PSCI_0_2_FN_CPU_SUSPEND); X(PSCI_0_2_FN_CPU_OFF); X(PSCI_0_2_FN_CPU_ON);
  X(PSCI_0_2_FN_AFFINITY_INFO); X(PSCI_0_2_FN_MIGRATE); X(PSCI_0_2_FN_MIGRATE_INFO_TYPE);
  X(PSCI_0_2_FN_MIGRATE_INFO_UP_CPU); X(PSCI_0_2_FN_SYSTEM_OFF); X(PSCI_0_2_FN_SYSTEM_RESET);
  X(PSCI_1_0_FN_PSCI_FEATURES); X(PSCI_1_0_FN_CPU_FREEZE); X(PSCI_1_0_FN_CPU_DEFAULT_SUSPEND);
  X(PSCI_1_0_FN_NODE_HW_STATE); X(PSCI_1_0_FN_SYSTEM_SUSPEND); X(PSCI_1_0_FN_SET_SUSPEND_MODE);
  X(PSCI_1_0_FN_STAT_RESIDENCY); X(PSCI_1_0_FN_STAT_COUNT); X(PSCI_1_1_FN_SYSTEM_RESET2);
  X(PSCI_1_1_FN_MEM_PROTECT); X(PSCI_1_1_FN_MEM_PROTECT_CHECK_RANGE);
  X(PSCI_0_2_FN64_CPU_SUSPEND); X(PSCI_0_2_FN64_CPU_ON); X(PSCI_0_2_FN64_AFFINITY_INFO);
  X(PSCI_0_2_FN64_MIGRATE); X(PSCI_0_2_FN64_MIGRATE_INFO_UP_CPU); X(PSCI_1_1_FN64_SYSTEM_RESET2);
  D(PSCI_RET_SUCCESS); D(PSCI_RET_NOT_SUPPORTED); D(PSCI_RET_INVALID_PARAMS); D(PSCI_RET_DENIED);
  D(PSCI_RET_ALREADY_ON); D(PSCI_RET_ON_PENDING); D(PSCI_RET_INTERNAL_FAILURE); D(PSCI_RET_NOT_PRESENT);
  D(PSCI_RET_DISABLED); D(PSCI_RET_INVALID_ADDRESS);
  D(PSCI_0_2_AFFINITY_LEVEL_ON); D(PSCI_0_2_AFFINITY_LEVEL_OFF); D(PSCI_0_2_AFFINITY_LEVEL_ON_PENDING);
  D(PSCI_0_2_TOS_MP);
  X(PSCI_VERSION(0, 1)); X(PSCI_VERSION(0, 2)); X(PSCI_VERSION(1, 0)); X(PSCI_VERSION(1, 1));
  X(KVM_PSCI_FN_BASE); X(KVM_PSCI_FN_CPU_SUSPEND); X(KVM_PSCI_FN_CPU_OFF); X(KVM_PSCI_FN_CPU_ON);
  X(KVM_PSCI_FN_MIGRATE);
}

static void structs(void) {
  SIZE("kvm_userspace_memory_region", sizeof(struct kvm_userspace_memory_region));
  SIZE("kvm_dirty_log", sizeof(struct kvm_dirty_log));
  SIZE("kvm_one_reg", sizeof(struct kvm_one_reg));
  SIZE("kvm_vcpu_init", sizeof(struct kvm_vcpu_init));
  SIZE("kvm_reg_list", sizeof(struct kvm_reg_list));
  SIZE("kvm_irq_level", sizeof(struct kvm_irq_level));
  SIZE("kvm_arm_device_addr", sizeof(struct kvm_arm_device_addr));
  SIZE("kvm_create_device", sizeof(struct kvm_create_device));
  SIZE("kvm_device_attr", sizeof(struct kvm_device_attr));
  SIZE("kvm_mp_state", sizeof(struct kvm_mp_state));
  SIZE("kvm_vcpu_events", sizeof(struct kvm_vcpu_events));
  SIZE("kvm_enable_cap", sizeof(struct kvm_enable_cap));
  SIZE("kvm_irqfd", sizeof(struct kvm_irqfd));
  SIZE("kvm_ioeventfd", sizeof(struct kvm_ioeventfd));
  SIZE("kvm_guest_debug", sizeof(struct kvm_guest_debug));
  SIZE("kvm_msi", sizeof(struct kvm_msi));
  SIZE("kvm_regs", sizeof(struct kvm_regs));
  SIZE("kvm_run_exit_union", sizeof(((struct kvm_run *)0)->padding));
  SIZE("kvm_run_header", offsetof(struct kvm_run, padding));

  RUN("kvm_run", "request_interrupt_window", request_interrupt_window);
  RUN("kvm_run", "immediate_exit", immediate_exit);
  RUN("kvm_run", "exit_reason", exit_reason);
  RUN("kvm_run", "ready_for_interrupt_injection", ready_for_interrupt_injection);
  RUN("kvm_run", "if_flag", if_flag);
  RUN("kvm_run", "flags", flags);
  RUN("kvm_run", "cr8", cr8);
  RUN("kvm_run", "apic_base", apic_base);
  RUN("kvm_run", "exit", padding);
  RUN("kvm_run", "kvm_valid_regs", kvm_valid_regs);
  RUN("kvm_run", "kvm_dirty_regs", kvm_dirty_regs);
  RUN("kvm_run", "s", s);
  RUN("mmio", "phys_addr", mmio.phys_addr);
  RUN("mmio", "data", mmio.data);
  RUN("mmio", "len", mmio.len);
  RUN("mmio", "is_write", mmio.is_write);
  RUN("hypercall", "nr", hypercall.nr);
  RUN("hypercall", "args", hypercall.args);
  RUN("hypercall", "ret", hypercall.ret);
  /* 6.1 names this u32 "longmode" (+ pad); 6.2+ made it union { longmode; __u64 flags; } at the same offset */
  RUN("hypercall", "flags", hypercall.longmode);
  RUN("system_event", "type", system_event.type);
  RUN("system_event", "ndata", system_event.ndata);
  RUN("system_event", "data", system_event.data);
  RUN("arm_nisv", "esr_iss", arm_nisv.esr_iss);
  RUN("arm_nisv", "fault_ipa", arm_nisv.fault_ipa);
  RUN("internal", "suberror", internal.suberror);
  RUN("internal", "ndata", internal.ndata);
  RUN("internal", "data", internal.data);
  RUN("fail_entry", "hardware_entry_failure_reason", fail_entry.hardware_entry_failure_reason);
  RUN("fail_entry", "cpu", fail_entry.cpu);
  RUN("debug", "hsr", debug.arch.hsr);
  RUN("debug", "hsr_high", debug.arch.hsr_high);
  RUN("debug", "far", debug.arch.far);
  RUN("hw", "hardware_exit_reason", hw.hardware_exit_reason);

  OFF("kvm_userspace_memory_region", "slot", struct kvm_userspace_memory_region, slot);
  OFF("kvm_userspace_memory_region", "flags", struct kvm_userspace_memory_region, flags);
  OFF("kvm_userspace_memory_region", "guest_phys_addr", struct kvm_userspace_memory_region, guest_phys_addr);
  OFF("kvm_userspace_memory_region", "memory_size", struct kvm_userspace_memory_region, memory_size);
  OFF("kvm_userspace_memory_region", "userspace_addr", struct kvm_userspace_memory_region, userspace_addr);
  OFF("kvm_one_reg", "id", struct kvm_one_reg, id);
  OFF("kvm_one_reg", "addr", struct kvm_one_reg, addr);
  OFF("kvm_vcpu_init", "target", struct kvm_vcpu_init, target);
  OFF("kvm_vcpu_init", "features", struct kvm_vcpu_init, features);
  OFF("kvm_reg_list", "n", struct kvm_reg_list, n);
  OFF("kvm_reg_list", "reg", struct kvm_reg_list, reg);
  OFF("kvm_irq_level", "irq", struct kvm_irq_level, irq);
  OFF("kvm_irq_level", "level", struct kvm_irq_level, level);
  OFF("kvm_device_attr", "flags", struct kvm_device_attr, flags);
  OFF("kvm_device_attr", "group", struct kvm_device_attr, group);
  OFF("kvm_device_attr", "attr", struct kvm_device_attr, attr);
  OFF("kvm_device_attr", "addr", struct kvm_device_attr, addr);
  OFF("kvm_create_device", "type", struct kvm_create_device, type);
  OFF("kvm_create_device", "fd", struct kvm_create_device, fd);
  OFF("kvm_create_device", "flags", struct kvm_create_device, flags);
  OFF("kvm_arm_device_addr", "id", struct kvm_arm_device_addr, id);
  OFF("kvm_arm_device_addr", "addr", struct kvm_arm_device_addr, addr);
  OFF("kvm_vcpu_events", "serror_pending", struct kvm_vcpu_events, exception.serror_pending);
  OFF("kvm_vcpu_events", "serror_has_esr", struct kvm_vcpu_events, exception.serror_has_esr);
  OFF("kvm_vcpu_events", "ext_dabt_pending", struct kvm_vcpu_events, exception.ext_dabt_pending);
  OFF("kvm_vcpu_events", "serror_esr", struct kvm_vcpu_events, exception.serror_esr);
  OFF("kvm_vcpu_events", "reserved", struct kvm_vcpu_events, reserved);
  OFF("kvm_enable_cap", "cap", struct kvm_enable_cap, cap);
  OFF("kvm_enable_cap", "flags", struct kvm_enable_cap, flags);
  OFF("kvm_enable_cap", "args", struct kvm_enable_cap, args);
  OFF("kvm_enable_cap", "pad", struct kvm_enable_cap, pad);
  OFF("kvm_irqfd", "fd", struct kvm_irqfd, fd);
  OFF("kvm_irqfd", "gsi", struct kvm_irqfd, gsi);
  OFF("kvm_irqfd", "flags", struct kvm_irqfd, flags);
  OFF("kvm_irqfd", "resamplefd", struct kvm_irqfd, resamplefd);
  OFF("kvm_irqfd", "pad", struct kvm_irqfd, pad);
  OFF("kvm_ioeventfd", "datamatch", struct kvm_ioeventfd, datamatch);
  OFF("kvm_ioeventfd", "addr", struct kvm_ioeventfd, addr);
  OFF("kvm_ioeventfd", "len", struct kvm_ioeventfd, len);
  OFF("kvm_ioeventfd", "fd", struct kvm_ioeventfd, fd);
  OFF("kvm_ioeventfd", "flags", struct kvm_ioeventfd, flags);
  OFF("kvm_ioeventfd", "pad", struct kvm_ioeventfd, pad);
  OFF("kvm_dirty_log", "slot", struct kvm_dirty_log, slot);
  OFF("kvm_dirty_log", "dirty_bitmap", struct kvm_dirty_log, dirty_bitmap);
  OFF("kvm_mp_state", "mp_state", struct kvm_mp_state, mp_state);
  OFF("kvm_guest_debug", "control", struct kvm_guest_debug, control);
  OFF("kvm_guest_debug", "pad", struct kvm_guest_debug, pad);
  OFF("kvm_guest_debug", "arch", struct kvm_guest_debug, arch);
}

int main(void) {
  ioctls();
  caps();
  exits();
  vcpu();
  regids();
  irq_and_vgic();
  psci();
  structs();
  return 0;
}
