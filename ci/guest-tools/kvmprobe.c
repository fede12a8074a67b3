/*
 * kvmprobe: what real arm64 KVM answers to each misuse (and a few correct uses), one line per probe:
 *
 *     <probe name> -> <return value> | -1 <ERRNO>          (plus "# ..." detail lines)
 *
 * The output is committed as test/fixtures/kvm-errno-arm64.txt; the soft backend must give the same errno.
 * Static arm64 binary, run inside the lab guest:  ci/arm64-lab.sh tools && ci/arm64-lab.sh run -- ci/.out/bin/kvmprobe
 * Every probe uses fresh VMs so the answers do not depend on each other. The tiny guests are assembled into this
 * binary (the probe is itself arm64 code) and copied into guest RAM.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <linux/kvm.h>

static int kvm_fd;
static int run_size;

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EPROTO: return "EPROTO";
	}
	static char b[16];
	snprintf(b, sizeof b, "E%d", e);
	return b;
}

/* print "<label> -> r" or "<label> -> -1 ERRNO" and pass the result through */
static long P(const char *label, long r)
{
	if (r < 0)
		printf("%-64s -> -1 %s\n", label, errname(errno));
	else
		printf("%-64s -> %ld\n", label, r);
	fflush(stdout);
	return r;
}

static void die(const char *what)
{
	printf("FATAL: %s: %s\n", what, errname(errno));
	exit(1);
}


/* KVM_RUN with a 2 s watchdog: a guest stuck in a loop (or in exception vectors without memory) returns EINTR */
static void on_alarm(int sig) { (void)sig; }
static int kvm_run(int vcpu)
{
	alarm(2);
	int r = ioctl(vcpu, KVM_RUN, 0);
	int e = errno;
	alarm(0);
	errno = e;
	return r;
}

/* ------------------------------------------------------------------ register ids */
#define CORE(field) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, field) / 4))
#define REG_PC CORE(regs.pc)
#define REG_PSTATE CORE(regs.pstate)
#define REG_X(n) CORE(regs.regs[n])
#define SYSREG(op0, op1, crn, crm, op2) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | \
	((uint64_t)(op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define REG_MPIDR SYSREG(3, 0, 0, 0, 5)

static int get_reg(int vcpu, uint64_t id, uint64_t *v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)v };
	return ioctl(vcpu, KVM_GET_ONE_REG, &r);
}
static int set_reg(int vcpu, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&v };
	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

/* ------------------------------------------------------------------ VM / vCPU helpers */
static int new_vm(void)
{
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	return vm;
}
static struct kvm_vcpu_init preferred(int vm)
{
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	return init;
}
static int new_vcpu(int vm, int id, uint32_t features)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, id);
	if (fd < 0)
		die("KVM_CREATE_VCPU");
	struct kvm_vcpu_init init = preferred(vm);
	init.features[0] = features;
	if (ioctl(fd, KVM_ARM_VCPU_INIT, &init) < 0)
		die("KVM_ARM_VCPU_INIT");
	return fd;
}
static struct kvm_run *map_run(int vcpu)
{
	void *p = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (p == MAP_FAILED)
		die("mmap kvm_run");
	return p;
}

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x10000ull
#define MMIO_GPA 0x10000000ull   /* no slot there: accesses exit to userspace */

/* a VM with one 64K RAM slot at RAM_GPA holding [code, code_end), one vCPU (PSCI 0.2) with PC at RAM_GPA */
struct guest { int vm, vcpu; struct kvm_run *run; uint8_t *ram; };
static struct guest new_guest(const uint8_t *code, const uint8_t *code_end)
{
	struct guest g;
	g.vm = new_vm();
	g.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.ram == MAP_FAILED)
		die("mmap ram");
	memcpy(g.ram, code, code_end - code);
	struct kvm_userspace_memory_region m = { .slot = 0, .guest_phys_addr = RAM_GPA, .memory_size = RAM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)g.ram };
	if (ioctl(g.vm, KVM_SET_USER_MEMORY_REGION, &m) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	g.vcpu = new_vcpu(g.vm, 0, 1u << KVM_ARM_VCPU_PSCI_0_2);
	if (set_reg(g.vcpu, REG_PC, RAM_GPA) < 0)
		die("set pc");
	g.run = map_run(g.vcpu);
	return g;
}
static void free_guest(struct guest *g)
{
	munmap(g->run, run_size);
	close(g->vcpu);
	close(g->vm);
	munmap(g->ram, RAM_SIZE);
}

static const char *exit_name(uint32_t r)
{
	switch (r) {
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_HYPERCALL: return "HYPERCALL";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVM_EXIT_ARM_NISV: return "ARM_NISV";
	case KVM_EXIT_DEBUG: return "DEBUG";
	}
	return "?";
}

/* KVM_RUN once and describe the exit */
static long run_once(const char *label, struct guest *g)
{
	long r = P(label, kvm_run(g->vcpu));
	uint64_t pc = 0, x0 = 0, pstate = 0;
	get_reg(g->vcpu, REG_PC, &pc);
	get_reg(g->vcpu, REG_X(0), &x0);
	get_reg(g->vcpu, REG_PSTATE, &pstate);
	if (r < 0) {
		uint64_t esr = 0, far = 0, elr = 0;
		get_reg(g->vcpu, SYSREG(3, 0, 5, 2, 0), &esr);
		get_reg(g->vcpu, SYSREG(3, 0, 6, 0, 0), &far);
		get_reg(g->vcpu, CORE(elr_el1), &elr);
		printf("#   pc=0x%llx x0=0x%llx pstate=0x%llx esr_el1=0x%llx far_el1=0x%llx elr_el1=0x%llx\n", (unsigned long long)pc,
		       (unsigned long long)x0, (unsigned long long)pstate, (unsigned long long)esr, (unsigned long long)far, (unsigned long long)elr);
		return r;
	}
	struct kvm_run *k = g->run;
	printf("#   exit_reason=%u (%s) pc=0x%llx", k->exit_reason, exit_name(k->exit_reason), (unsigned long long)pc);
	switch (k->exit_reason) {
	case KVM_EXIT_MMIO: {
		uint64_t d = 0;
		memcpy(&d, k->mmio.data, 8);
		printf(" mmio.phys_addr=0x%llx len=%u is_write=%u data=0x%llx", (unsigned long long)k->mmio.phys_addr,
		       k->mmio.len, k->mmio.is_write, (unsigned long long)d);
		break;
	}
	case KVM_EXIT_SYSTEM_EVENT:
		printf(" system_event.type=%u ndata=%u data[0]=0x%llx", k->system_event.type, k->system_event.ndata,
		       (unsigned long long)k->system_event.data[0]);
		break;
	case KVM_EXIT_ARM_NISV:
		printf(" arm_nisv.esr_iss=0x%llx fault_ipa=0x%llx", (unsigned long long)k->arm_nisv.esr_iss,
		       (unsigned long long)k->arm_nisv.fault_ipa);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		printf(" hardware_entry_failure_reason=0x%llx cpu=%u",
		       (unsigned long long)k->fail_entry.hardware_entry_failure_reason, k->fail_entry.cpu);
		break;
	}
	printf("\n");
	fflush(stdout);
	return r;
}

/* ------------------------------------------------------------------ guests (AArch64, EL1, MMU off) */
#define GUEST(name, body) \
	extern const uint8_t name[], name##_end[]; \
	__asm__(".pushsection .rodata\n.balign 4\n.global " #name ", " #name "_end\n.hidden " #name ", " #name "_end\n" \
		#name ":\n" body "\n" #name "_end:\n.popsection\n")

/* PSCI_VERSION through SMC, then store x0 to MMIO so userspace sees it */
GUEST(g_smc_version,
      "movz w0, #0x8400, lsl #16\n"   /* 0x84000000 PSCI_VERSION */
      "smc #0\n"
      "movz x1, #0x1000, lsl #16\n"   /* x1 = MMIO_GPA */
      "str x0, [x1]\n"
      "b .\n");
/* PSCI_VERSION through HVC, result stored to MMIO */
GUEST(g_hvc_version,
      "movz w0, #0x8400, lsl #16\n"
      "hvc #0\n"
      "movz x1, #0x1000, lsl #16\n"
      "str x0, [x1]\n"
      "b .\n");
/* an unknown SMCCC function id through HVC (fast call, SiP range), result stored to MMIO */
GUEST(g_hvc_unknown,
      "movz w0, #0x1234\n"
      "movk w0, #0xc200, lsl #16\n"   /* 0xc2001234 */
      "hvc #0\n"
      "movz x1, #0x1000, lsl #16\n"
      "str x0, [x1]\n"
      "b .\n");
/* MMIO: 64-bit STR, 32-bit STR, 64-bit LDR (value in x2 then STRB to show it), LDRB, then LDP */
GUEST(g_mmio,
      "movz x1, #0x1000, lsl #16\n"
      "movz x2, #0x5678\n"
      "movk x2, #0x1234, lsl #16\n"
      "movk x2, #0xbeef, lsl #32\n"
      "movk x2, #0xdead, lsl #48\n"
      "str x2, [x1, #8]\n"            /* exit 1: write 8 bytes at MMIO+8 */
      "str w2, [x1, #4]\n"            /* exit 2: write 4 bytes at MMIO+4 */
      "ldr x3, [x1, #16]\n"           /* exit 3: read 8 bytes at MMIO+16, userspace supplies the data */
      "str x3, [x1, #24]\n"           /* exit 4: shows the value the read delivered */
      "ldrb w4, [x1, #32]\n"          /* exit 5: read 1 byte */
      "ldp x5, x6, [x1, #48]\n"       /* exit 6: no valid syndrome (ISV=0) */
      "b .\n");
/* PSCI SYSTEM_OFF, then (if it ever returns) SYSTEM_RESET */
GUEST(g_system_off,
      "movz w0, #0x8400, lsl #16\n"
      "movk w0, #0x0008\n"            /* 0x84000008 SYSTEM_OFF */
      "hvc #0\n"
      "b .\n");
GUEST(g_system_reset,
      "movz w0, #0x8400, lsl #16\n"
      "movk w0, #0x0009\n"            /* 0x84000009 SYSTEM_RESET */
      "hvc #0\n"
      "b .\n");
/* PSCI 0.1 function id (KVM_PSCI_FN_CPU_OFF) on a PSCI 0.2 vCPU */
GUEST(g_spin, "b .\n");

/* ------------------------------------------------------------------ probes */
static void caps(void)
{
	static const struct { const char *name; int cap; } c[] = {
		{ "KVM_CAP_IRQCHIP", KVM_CAP_IRQCHIP },
		{ "KVM_CAP_USER_MEMORY", KVM_CAP_USER_MEMORY },
		{ "KVM_CAP_NR_VCPUS", KVM_CAP_NR_VCPUS },
		{ "KVM_CAP_NR_MEMSLOTS", KVM_CAP_NR_MEMSLOTS },
		{ "KVM_CAP_MAX_VCPUS", KVM_CAP_MAX_VCPUS },
		{ "KVM_CAP_MAX_VCPU_ID", KVM_CAP_MAX_VCPU_ID },
		{ "KVM_CAP_ONE_REG", KVM_CAP_ONE_REG },
		{ "KVM_CAP_DEVICE_CTRL", KVM_CAP_DEVICE_CTRL },
		{ "KVM_CAP_IRQFD", KVM_CAP_IRQFD },
		{ "KVM_CAP_IOEVENTFD", KVM_CAP_IOEVENTFD },
		{ "KVM_CAP_READONLY_MEM", KVM_CAP_READONLY_MEM },
		{ "KVM_CAP_IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT },
		{ "KVM_CAP_SET_GUEST_DEBUG", KVM_CAP_SET_GUEST_DEBUG },
		{ "KVM_CAP_VCPU_EVENTS", KVM_CAP_VCPU_EVENTS },
		{ "KVM_CAP_MP_STATE", KVM_CAP_MP_STATE },
		{ "KVM_CAP_SYNC_MMU", KVM_CAP_SYNC_MMU },
		{ "KVM_CAP_ARM_PSCI", KVM_CAP_ARM_PSCI },
		{ "KVM_CAP_ARM_PSCI_0_2", KVM_CAP_ARM_PSCI_0_2 },
		{ "KVM_CAP_ARM_SET_DEVICE_ADDR", KVM_CAP_ARM_SET_DEVICE_ADDR },
		{ "KVM_CAP_ARM_EL1_32BIT", KVM_CAP_ARM_EL1_32BIT },
		{ "KVM_CAP_ARM_PMU_V3", KVM_CAP_ARM_PMU_V3 },
		{ "KVM_CAP_ARM_USER_IRQ", KVM_CAP_ARM_USER_IRQ },
		{ "KVM_CAP_ARM_INJECT_SERROR_ESR", KVM_CAP_ARM_INJECT_SERROR_ESR },
		{ "KVM_CAP_ARM_VM_IPA_SIZE", KVM_CAP_ARM_VM_IPA_SIZE },
		{ "KVM_CAP_ARM_SVE", KVM_CAP_ARM_SVE },
		{ "KVM_CAP_ARM_PTRAUTH_ADDRESS", KVM_CAP_ARM_PTRAUTH_ADDRESS },
		{ "KVM_CAP_ARM_PTRAUTH_GENERIC", KVM_CAP_ARM_PTRAUTH_GENERIC },
		{ "KVM_CAP_ARM_IRQ_LINE_LAYOUT_2", KVM_CAP_ARM_IRQ_LINE_LAYOUT_2 },
		{ "KVM_CAP_ARM_NISV_TO_USER", KVM_CAP_ARM_NISV_TO_USER },
		{ "KVM_CAP_ARM_INJECT_EXT_DABT", KVM_CAP_ARM_INJECT_EXT_DABT },
		{ "KVM_CAP_ARM_MTE", KVM_CAP_ARM_MTE },
		{ "KVM_CAP_SYSTEM_EVENT_DATA", KVM_CAP_SYSTEM_EVENT_DATA },
		{ "KVM_CAP_ARM_SYSTEM_SUSPEND", KVM_CAP_ARM_SYSTEM_SUSPEND },
		{ "KVM_CAP_GUEST_DEBUG_HW_BPS", KVM_CAP_GUEST_DEBUG_HW_BPS },
		{ "KVM_CAP_GUEST_DEBUG_HW_WPS", KVM_CAP_GUEST_DEBUG_HW_WPS },
	};
	printf("## system fd KVM_CHECK_EXTENSION\n");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char l[96];
		snprintf(l, sizeof l, "check_extension %s (%d)", c[i].name, c[i].cap);
		P(l, ioctl(kvm_fd, KVM_CHECK_EXTENSION, c[i].cap));
	}
	P("KVM_GET_API_VERSION", ioctl(kvm_fd, KVM_GET_API_VERSION, 0));
	P("KVM_GET_VCPU_MMAP_SIZE", ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	int vm = new_vm();
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	P("KVM_ARM_PREFERRED_TARGET", ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init));
	printf("#   target=%u features[0]=0x%x\n", init.target, init.features[0]);
	P("vm fd check_extension KVM_CAP_ARM_VM_IPA_SIZE", ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE));
	close(vm);
	P("KVM_CREATE_VM type=0x100 (unknown type bits)", ioctl(kvm_fd, KVM_CREATE_VM, 0x100));
	int r = P("KVM_CREATE_VM ipa_size=32", ioctl(kvm_fd, KVM_CREATE_VM, 32));
	if (r >= 0) close(r);
	P("KVM_CREATE_VM ipa_size=31 (below 32)", ioctl(kvm_fd, KVM_CREATE_VM, 31));
	P("KVM_CREATE_VM ipa_size=52 (above the host limit?)", ioctl(kvm_fd, KVM_CREATE_VM, 52));
}

static void vcpu_probes(void)
{
	printf("## vCPU creation and init\n");
	int vm = new_vm();
	int max = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	int maxid = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	printf("#   KVM_CAP_MAX_VCPUS=%d KVM_CAP_MAX_VCPU_ID=%d\n", max, maxid);
	char l[96];
	snprintf(l, sizeof l, "KVM_CREATE_VCPU id=%d (= MAX_VCPU_ID)", maxid);
	P(l, ioctl(vm, KVM_CREATE_VCPU, maxid));
	P("KVM_CREATE_VCPU id=-1", ioctl(vm, KVM_CREATE_VCPU, -1));
	int v0 = P("KVM_CREATE_VCPU id=0", ioctl(vm, KVM_CREATE_VCPU, 0));
	P("KVM_CREATE_VCPU id=0 again", ioctl(vm, KVM_CREATE_VCPU, 0));
	int v1 = ioctl(vm, KVM_CREATE_VCPU, 1);
	struct kvm_run *run = map_run(v0);
	P("KVM_RUN before KVM_ARM_VCPU_INIT", kvm_run(v0));
	uint64_t v;
	P("KVM_GET_ONE_REG pc before VCPU_INIT", get_reg(v0, REG_PC, &v));
	P("KVM_SET_ONE_REG pc before VCPU_INIT", set_reg(v0, REG_PC, 0));
	struct kvm_reg_list rl = { .n = 0 };
	P("KVM_GET_REG_LIST n=0 before VCPU_INIT", ioctl(v0, KVM_GET_REG_LIST, &rl));
	struct kvm_vcpu_init init = preferred(vm);
	struct kvm_vcpu_init bad = init;
	bad.target = 99;
	P("KVM_ARM_VCPU_INIT target=99", ioctl(v0, KVM_ARM_VCPU_INIT, &bad));
	bad = init;
	bad.features[0] = 1u << 20;
	P("KVM_ARM_VCPU_INIT unknown feature bit 20", ioctl(v0, KVM_ARM_VCPU_INIT, &bad));
	bad = init;
	bad.features[1] = 1;
	P("KVM_ARM_VCPU_INIT features[1]=1", ioctl(v0, KVM_ARM_VCPU_INIT, &bad));
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	P("KVM_ARM_VCPU_INIT PSCI_0_2", ioctl(v0, KVM_ARM_VCPU_INIT, &init));
	P("KVM_ARM_VCPU_INIT PSCI_0_2 again (same)", ioctl(v0, KVM_ARM_VCPU_INIT, &init));
	struct kvm_vcpu_init other = init;
	other.features[0] = (1u << KVM_ARM_VCPU_PSCI_0_2) | (1u << KVM_ARM_VCPU_POWER_OFF);
	P("KVM_ARM_VCPU_INIT again with PSCI_0_2|POWER_OFF (different)", ioctl(v0, KVM_ARM_VCPU_INIT, &other));
	other.features[0] = 0;
	P("KVM_ARM_VCPU_INIT again with no features (different)", ioctl(v0, KVM_ARM_VCPU_INIT, &other));
	other = init;
	other.target = init.target == KVM_ARM_TARGET_GENERIC_V8 ? KVM_ARM_TARGET_CORTEX_A57 : KVM_ARM_TARGET_GENERIC_V8;
	P("KVM_ARM_VCPU_INIT again, other target", ioctl(v0, KVM_ARM_VCPU_INIT, &other));
	other = init;
	other.features[0] |= 1u << KVM_ARM_VCPU_EL1_32BIT;
	P("KVM_ARM_VCPU_INIT vcpu1 EL1_32BIT while vcpu0 is AArch64", ioctl(v1, KVM_ARM_VCPU_INIT, &other));
	P("KVM_ARM_VCPU_INIT vcpu1 AArch64 after that", ioctl(v1, KVM_ARM_VCPU_INIT, &init));
	other = init;
	other.features[0] |= 1u << KVM_ARM_VCPU_SVE;
	int v2 = ioctl(vm, KVM_CREATE_VCPU, 2);
	P("KVM_ARM_VCPU_INIT SVE (cap ARM_SVE?)", ioctl(v2, KVM_ARM_VCPU_INIT, &other));
	int fz = KVM_ARM_VCPU_SVE;
	P("KVM_ARM_VCPU_FINALIZE(SVE) on a non-SVE vcpu0", ioctl(v0, KVM_ARM_VCPU_FINALIZE, &fz));
	fz = 7;
	P("KVM_ARM_VCPU_FINALIZE(7)", ioctl(v0, KVM_ARM_VCPU_FINALIZE, &fz));
	close(v2);
	/* the running state */
	P("KVM_RUN after init (guest has no memory: expect an exit or error)", kvm_run(v0));
	printf("#   exit_reason=%u (%s)\n", run->exit_reason, exit_name(run->exit_reason));
	P("KVM_CREATE_VCPU id=3 after a vCPU ran", ioctl(vm, KVM_CREATE_VCPU, 3));
	P("KVM_ARM_VCPU_INIT again after running (same features)", ioctl(v0, KVM_ARM_VCPU_INIT, &init));
	munmap(run, run_size);
	close(v0); close(v1); close(vm);

	/* an AArch32 VM of its own */
	vm = new_vm();
	v0 = ioctl(vm, KVM_CREATE_VCPU, 0);
	v1 = ioctl(vm, KVM_CREATE_VCPU, 1);
	init = preferred(vm);
	init.features[0] = (1u << KVM_ARM_VCPU_EL1_32BIT) | (1u << KVM_ARM_VCPU_PSCI_0_2);
	P("KVM_ARM_VCPU_INIT EL1_32BIT|PSCI_0_2 (fresh VM)", ioctl(v0, KVM_ARM_VCPU_INIT, &init));
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	P("KVM_ARM_VCPU_INIT vcpu1 AArch64 in the 32-bit VM", ioctl(v1, KVM_ARM_VCPU_INIT, &init));
	uint64_t pstate = 0;
	get_reg(v0, REG_PSTATE, &pstate);
	printf("#   32-bit vcpu pstate after init = 0x%llx\n", (unsigned long long)pstate);
	close(v0); close(v1); close(vm);
}

static void onereg_probes(void)
{
	printf("## ONE_REG\n");
	int vm = new_vm();
	int vcpu = new_vcpu(vm, 0, 1u << KVM_ARM_VCPU_PSCI_0_2);
	uint64_t v = 0;
	uint8_t big[256];
	struct kvm_one_reg r;
	P("GET_ONE_REG unknown sysreg (3,7,15,15,7)", get_reg(vcpu, SYSREG(3, 7, 15, 15, 7), &v));
	P("GET_ONE_REG sysreg op0=0 (0,0,0,0,0)", get_reg(vcpu, SYSREG(0, 0, 0, 0, 0), &v));
	P("GET_ONE_REG core index past struct kvm_regs (0x1000)", get_reg(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | 0x1000, &v));
	P("GET_ONE_REG core index 1 (middle of x0)", get_reg(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | 1, &v));
	P("GET_ONE_REG unknown coproc group 0x7f", get_reg(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U64 | (0x7full << 16), &v));
	P("GET_ONE_REG firmware reg 0x7f (unknown)", get_reg(vcpu, KVM_REG_ARM_FW_REG(0x7f), &v));
	P("GET_ONE_REG arch 0x40 (32-bit ARM id) x0-ish", get_reg(vcpu, 0x4030000000100000ull, &v));
	P("GET_ONE_REG SVE Z0 on a non-SVE vcpu", get_reg(vcpu, KVM_REG_ARM64_SVE_ZREG(0, 0), (uint64_t *)(void *)big));
	P("GET_ONE_REG DEMUX CCSIDR 0 (L1 D)", get_reg(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_DEMUX | KVM_REG_ARM_DEMUX_ID_CCSIDR | 0, &v));
	P("GET_ONE_REG DEMUX CCSIDR 14 (reserved level)", get_reg(vcpu, KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_DEMUX | KVM_REG_ARM_DEMUX_ID_CCSIDR | 14, &v));
	/* wrong sizes */
	memset(big, 0, sizeof big);
	r.addr = (uint64_t)(uintptr_t)big;
	r.id = (REG_X(0) & ~KVM_REG_SIZE_MASK) | KVM_REG_SIZE_U32;
	P("SET_ONE_REG x0 with a U32 id", ioctl(vcpu, KVM_SET_ONE_REG, &r));
	P("GET_ONE_REG x0 with a U32 id", ioctl(vcpu, KVM_GET_ONE_REG, &r));
	r.id = (REG_X(0) & ~KVM_REG_SIZE_MASK) | KVM_REG_SIZE_U128;
	P("SET_ONE_REG x0 with a U128 id", ioctl(vcpu, KVM_SET_ONE_REG, &r));
	r.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, fp_regs.vregs[0]) / 4);
	P("SET_ONE_REG v0 with a U64 id", ioctl(vcpu, KVM_SET_ONE_REG, &r));
	r.id = KVM_REG_ARM64 | KVM_REG_SIZE_U128 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, fp_regs.vregs[0]) / 4);
	P("SET_ONE_REG v0 with a U128 id (correct)", ioctl(vcpu, KVM_SET_ONE_REG, &r));
	r.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, fp_regs.fpsr) / 4);
	P("GET_ONE_REG fpsr with a U64 id", ioctl(vcpu, KVM_GET_ONE_REG, &r));
	r.id = (REG_MPIDR & ~KVM_REG_SIZE_MASK) | KVM_REG_SIZE_U32;
	P("GET_ONE_REG MPIDR_EL1 with a U32 id", ioctl(vcpu, KVM_GET_ONE_REG, &r));
	P("SET_ONE_REG MPIDR_EL1 with a U32 id", ioctl(vcpu, KVM_SET_ONE_REG, &r));
	r.id = (KVM_REG_ARM_PSCI_VERSION & ~KVM_REG_SIZE_MASK) | KVM_REG_SIZE_U32;
	P("GET_ONE_REG PSCI_VERSION with a U32 id", ioctl(vcpu, KVM_GET_ONE_REG, &r));
	r.id = REG_X(0);
	r.addr = 8;  /* unmapped user address */
	P("GET_ONE_REG x0 into a bad user address", ioctl(vcpu, KVM_GET_ONE_REG, &r));
	P("SET_ONE_REG x0 from a bad user address", ioctl(vcpu, KVM_SET_ONE_REG, &r));
	/* pstate values */
	P("SET_ONE_REG pstate=0x3c5 (EL1h, DAIF)", set_reg(vcpu, REG_PSTATE, 0x3c5));
	P("SET_ONE_REG pstate=0x3c9 (EL2h: not allowed)", set_reg(vcpu, REG_PSTATE, 0x3c9));
	P("SET_ONE_REG pstate=0x10 (AArch32 usr on a 64-bit vcpu)", set_reg(vcpu, REG_PSTATE, 0x10));
	P("SET_ONE_REG pstate=0x3c0 (EL0t)", set_reg(vcpu, REG_PSTATE, 0x3c0));
	P("SET_ONE_REG MPIDR_EL1=0x80000001", set_reg(vcpu, REG_MPIDR, 0x80000001));
	get_reg(vcpu, REG_MPIDR, &v);
	printf("#   MPIDR_EL1 read back = 0x%llx\n", (unsigned long long)v);
	P("SET_ONE_REG MIDR_EL1=0 (ID reg, differs from reset value)", set_reg(vcpu, SYSREG(3, 0, 0, 0, 0), 0));
	get_reg(vcpu, SYSREG(3, 0, 0, 0, 0), &v);
	P("SET_ONE_REG MIDR_EL1=<its own value>", set_reg(vcpu, SYSREG(3, 0, 0, 0, 0), v));
	P("SET_ONE_REG ID_AA64PFR0_EL1=0", set_reg(vcpu, SYSREG(3, 0, 0, 4, 0), 0));
	/* PSCI version */
	P("GET_ONE_REG PSCI_VERSION", get_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, &v));
	printf("#   PSCI_VERSION = 0x%llx\n", (unsigned long long)v);
	static const uint64_t pv[] = { 0x10002, 0x3, 0x10000, 0x2, 0x0, 0x10001, 0x20000 };
	for (size_t i = 0; i < sizeof pv / sizeof pv[0]; i++) {
		char l[80];
		snprintf(l, sizeof l, "SET_ONE_REG PSCI_VERSION=0x%llx", (unsigned long long)pv[i]);
		P(l, set_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, pv[i]));
		get_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, &v);
		printf("#   read back 0x%llx\n", (unsigned long long)v);
	}
	P("GET_ONE_REG SMCCC_ARCH_WORKAROUND_1", get_reg(vcpu, KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, &v));
	printf("#   value 0x%llx\n", (unsigned long long)v);
	P("SET_ONE_REG SMCCC_ARCH_WORKAROUND_1=7 (bad)", set_reg(vcpu, KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, 7));
	close(vcpu);
	/* PSCI 0.1 vcpu */
	int v1 = new_vcpu(vm, 1, 0);
	get_reg(v1, KVM_REG_ARM_PSCI_VERSION, &v);
	printf("#   vcpu without PSCI_0_2 in the same VM: PSCI_VERSION = 0x%llx (VM-wide value)\n", (unsigned long long)v);
	close(v1);
	close(vm);
	vm = new_vm();
	v1 = new_vcpu(vm, 0, 0);
	P("GET_ONE_REG PSCI_VERSION (vcpu without PSCI_0_2, fresh VM)", get_reg(v1, KVM_REG_ARM_PSCI_VERSION, &v));
	printf("#   value 0x%llx\n", (unsigned long long)v);
	P("SET_ONE_REG PSCI_VERSION=0x10001 on a PSCI 0.1 vcpu", set_reg(v1, KVM_REG_ARM_PSCI_VERSION, 0x10001));
	P("SET_ONE_REG PSCI_VERSION=0 on a PSCI 0.1 vcpu", set_reg(v1, KVM_REG_ARM_PSCI_VERSION, 0));
	close(v1);
	close(vm);
	/* after the vcpu ran */
	struct guest g = new_guest(g_spin, g_spin_end);
	g.run->immediate_exit = 1;
	P("KVM_RUN with immediate_exit=1", kvm_run(g.vcpu));
	printf("#   exit_reason=%u (%s)\n", g.run->exit_reason, exit_name(g.run->exit_reason));
	P("SET_ONE_REG PSCI_VERSION=0x2 after KVM_RUN (immediate exit)", set_reg(g.vcpu, KVM_REG_ARM_PSCI_VERSION, 2));
	free_guest(&g);
}

static void memslot_probes(void)
{
	printf("## memory slots\n");
	int vm = new_vm();
	P("check_extension KVM_CAP_NR_MEMSLOTS", ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS));
	int nslots = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	void *m = mmap(NULL, 0x40000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region r = { .slot = 0, .guest_phys_addr = 0x40000000, .memory_size = 0x10000,
		.userspace_addr = (uint64_t)(uintptr_t)m };
	P("SET_USER_MEMORY_REGION slot 0 at 0x40000000 size 64K", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = 1; r.guest_phys_addr = 0x40008000;
	P("slot 1 overlapping slot 0", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.guest_phys_addr = 0x40010000;
	P("slot 1 adjacent (0x40010000)", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = 2; r.guest_phys_addr = 0x50000800;
	P("slot 2 guest_phys_addr not page aligned", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.guest_phys_addr = 0x50000000; r.memory_size = 0x10800;
	P("slot 2 size not page aligned", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.memory_size = 0x10000; r.userspace_addr = (uint64_t)(uintptr_t)m + 0x800;
	P("slot 2 userspace_addr not page aligned", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.userspace_addr = (uint64_t)(uintptr_t)m;
	r.slot = nslots;
	char l[96];
	snprintf(l, sizeof l, "slot %d (= NR_MEMSLOTS)", nslots);
	P(l, ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = nslots - 1;
	snprintf(l, sizeof l, "slot %d (= NR_MEMSLOTS-1)", nslots - 1);
	P(l, ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = 3; r.guest_phys_addr = 1ull << 40;
	P("slot 3 at 1<<40 (beyond the default 40-bit IPA)", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.guest_phys_addr = (1ull << 40) - 0x8000;
	P("slot 3 crossing the 40-bit IPA limit", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.guest_phys_addr = 0x60000000; r.flags = 0x80;
	P("slot 3 unknown flag 0x80", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.flags = KVM_MEM_READONLY;
	P("slot 3 KVM_MEM_READONLY", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.flags = 0; r.memory_size = 0x20000;
	P("slot 3 resize (64K -> 128K)", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.memory_size = 0x10000; r.guest_phys_addr = 0x70000000;
	P("slot 3 move to 0x70000000", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.memory_size = 0;
	P("slot 3 delete (size 0)", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = 9; r.memory_size = 0;
	P("slot 9 delete (never existed)", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = 4; r.guest_phys_addr = 0x80000000; r.memory_size = 0x10000; r.userspace_addr = 0x1000;
	P("slot 4 unmapped userspace_addr 0x1000", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	r.slot = (1u << 16) | 5; r.userspace_addr = (uint64_t)(uintptr_t)m;
	P("slot 5 in address space 1", ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
	close(vm);
	munmap(m, 0x40000);
}

static int vgic_dev(int vm, uint32_t type)
{
	struct kvm_create_device d = { .type = type };
	if (ioctl(vm, KVM_CREATE_DEVICE, &d) < 0)
		return -1;
	return d.fd;
}
static int attr(int dev, unsigned long req, uint32_t group, uint64_t a, void *val)
{
	struct kvm_device_attr at = { .group = group, .attr = a, .addr = (uint64_t)(uintptr_t)val };
	return ioctl(dev, req, &at);
}

static void irq_probes(void)
{
	printf("## KVM_IRQ_LINE without an irqchip\n");
	int vm = new_vm();
	int vcpu = new_vcpu(vm, 0, 1u << KVM_ARM_VCPU_PSCI_0_2);
	struct kvm_irq_level il = { .level = 1 };
#define IRQ(type, vcpu_idx, num) (((type) << KVM_ARM_IRQ_TYPE_SHIFT) | ((vcpu_idx) << KVM_ARM_IRQ_VCPU_SHIFT) | (num))
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 32);
	P("IRQ_LINE SPI 32 (no irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_PPI, 0, 16);
	P("IRQ_LINE PPI 16 vcpu0 (no irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_CPU, 0, KVM_ARM_IRQ_CPU_IRQ);
	P("IRQ_LINE CPU vcpu0 IRQ (no irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_CPU, 0, KVM_ARM_IRQ_CPU_FIQ);
	P("IRQ_LINE CPU vcpu0 FIQ (no irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_CPU, 0, 2);
	P("IRQ_LINE CPU vcpu0 line 2 (neither IRQ nor FIQ)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_CPU, 5, KVM_ARM_IRQ_CPU_IRQ);
	P("IRQ_LINE CPU vcpu5 (does not exist)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(3, 0, 0);
	P("IRQ_LINE type 3 (unknown)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_CPU, 0, KVM_ARM_IRQ_CPU_IRQ); il.level = 0;
	P("IRQ_LINE CPU vcpu0 IRQ level 0", ioctl(vm, KVM_IRQ_LINE, &il));
	close(vcpu);
	close(vm);

	printf("## legacy KVM_CREATE_IRQCHIP\n");
	vm = new_vm();
	vcpu = new_vcpu(vm, 0, 1u << KVM_ARM_VCPU_PSCI_0_2);
	P("KVM_CREATE_IRQCHIP", ioctl(vm, KVM_CREATE_IRQCHIP, 0));
	P("KVM_CREATE_IRQCHIP again", ioctl(vm, KVM_CREATE_IRQCHIP, 0));
	P("KVM_CREATE_DEVICE VGIC_V2 after CREATE_IRQCHIP", vgic_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V2));
	struct kvm_arm_device_addr da = { .id = ((uint64_t)KVM_ARM_DEVICE_VGIC_V2 << KVM_ARM_DEVICE_ID_SHIFT) | KVM_VGIC_V2_ADDR_TYPE_DIST, .addr = 0x8000000 };
	P("ARM_SET_DEVICE_ADDR dist 0x8000000", ioctl(vm, KVM_ARM_SET_DEVICE_ADDR, &da));
	P("ARM_SET_DEVICE_ADDR dist again", ioctl(vm, KVM_ARM_SET_DEVICE_ADDR, &da));
	da.id = ((uint64_t)KVM_ARM_DEVICE_VGIC_V2 << KVM_ARM_DEVICE_ID_SHIFT) | KVM_VGIC_V2_ADDR_TYPE_CPU;
	da.addr = 0x8010800;
	P("ARM_SET_DEVICE_ADDR cpu 0x8010800 (not 4K aligned)", ioctl(vm, KVM_ARM_SET_DEVICE_ADDR, &da));
	da.addr = 0x8010000;
	P("ARM_SET_DEVICE_ADDR cpu 0x8010000", ioctl(vm, KVM_ARM_SET_DEVICE_ADDR, &da));
	da.id = ((uint64_t)KVM_ARM_DEVICE_VGIC_V2 << KVM_ARM_DEVICE_ID_SHIFT) | 7;
	P("ARM_SET_DEVICE_ADDR type 7 (unknown)", ioctl(vm, KVM_ARM_SET_DEVICE_ADDR, &da));
	da.id = (5ull << KVM_ARM_DEVICE_ID_SHIFT) | 0;
	P("ARM_SET_DEVICE_ADDR device id 5 (unknown)", ioctl(vm, KVM_ARM_SET_DEVICE_ADDR, &da));
	il.level = 1;
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 32);
	P("IRQ_LINE SPI 32 (irqchip, before init)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 1020);
	P("IRQ_LINE SPI 1020 (irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 1019);
	P("IRQ_LINE SPI 1019 (irqchip, default nr_irqs)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 31);
	P("IRQ_LINE SPI 31 (a private intid)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_PPI, 0, 27);
	P("IRQ_LINE PPI 27 vcpu0 (irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_PPI, 0, 15);
	P("IRQ_LINE PPI 15 (an SGI number)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_PPI, 0, 32);
	P("IRQ_LINE PPI 32 (an SPI number)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_PPI, 3, 27);
	P("IRQ_LINE PPI 27 vcpu3 (does not exist)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_CPU, 0, KVM_ARM_IRQ_CPU_IRQ);
	P("IRQ_LINE CPU vcpu0 IRQ (with the in-kernel irqchip)", ioctl(vm, KVM_IRQ_LINE, &il));
	P("KVM_CREATE_VCPU 1 after IRQ_LINE (vgic initialised lazily?)", ioctl(vm, KVM_CREATE_VCPU, 1));
	close(vcpu);
	close(vm);
}

static void vgic_probes(void)
{
	printf("## VGIC v2 through KVM_CREATE_DEVICE\n");
	int vm = new_vm();
	int v0 = new_vcpu(vm, 0, 1u << KVM_ARM_VCPU_PSCI_0_2);
	struct kvm_create_device t = { .type = KVM_DEV_TYPE_ARM_VGIC_V2, .flags = KVM_CREATE_DEVICE_TEST };
	P("KVM_CREATE_DEVICE VGIC_V2 with KVM_CREATE_DEVICE_TEST", ioctl(vm, KVM_CREATE_DEVICE, &t));
	printf("#   fd field after TEST = %d\n", (int)t.fd);
	t.type = KVM_DEV_TYPE_ARM_VGIC_V3; t.flags = 0;
	P("KVM_CREATE_DEVICE VGIC_V3 (GICv2 host)", ioctl(vm, KVM_CREATE_DEVICE, &t));
	t.type = KVM_DEV_TYPE_ARM_VGIC_ITS;
	P("KVM_CREATE_DEVICE VGIC_ITS", ioctl(vm, KVM_CREATE_DEVICE, &t));
	t.type = 0x7777;
	P("KVM_CREATE_DEVICE type 0x7777", ioctl(vm, KVM_CREATE_DEVICE, &t));
	int dev = vgic_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V2);
	P("KVM_CREATE_DEVICE VGIC_V2", dev);
	P("KVM_CREATE_DEVICE VGIC_V2 again", vgic_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V2));
	P("KVM_CREATE_IRQCHIP after CREATE_DEVICE", ioctl(vm, KVM_CREATE_IRQCHIP, 0));
	uint32_t u32;
	uint64_t u64;
	u32 = 0;
	P("HAS_ATTR NR_IRQS", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, NULL));
	P("HAS_ATTR CTRL_INIT", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
	P("HAS_ATTR CTRL 1 (unknown)", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, 1, NULL));
	P("HAS_ATTR ADDR dist", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, NULL));
	P("HAS_ATTR ADDR 2 (v3 dist type)", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, 2, NULL));
	P("HAS_ATTR DIST_REGS GICD_TYPER (0x4)", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 4, NULL));
	P("HAS_ATTR DIST_REGS 0xf00 (GICD_SGIR)", attr(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0xf00, NULL));
	P("HAS_ATTR group 99 (unknown)", attr(dev, KVM_HAS_DEVICE_ATTR, 99, 0, NULL));
	P("GET_ATTR NR_IRQS before set", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	printf("#   value %u\n", u32);
	u32 = 63;
	P("SET_ATTR NR_IRQS=63", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u32 = 1056;
	P("SET_ATTR NR_IRQS=1056", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u32 = 32;
	P("SET_ATTR NR_IRQS=32", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u32 = 100;
	P("SET_ATTR NR_IRQS=100 (not a multiple of 32)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u32 = 96;
	P("SET_ATTR NR_IRQS=96", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	P("SET_ATTR NR_IRQS=96 again", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u32 = 128;
	P("SET_ATTR NR_IRQS=128 after 96", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u32 = 0;
	P("GET_ATTR NR_IRQS", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	printf("#   value %u\n", u32);
	u64 = 0x8000800;
	P("SET_ATTR ADDR dist 0x8000800 (not 4K aligned)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64));
	u64 = 1ull << 40;
	P("SET_ATTR ADDR dist 1<<40 (beyond IPA)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64));
	u64 = 0x8000000;
	P("SET_ATTR ADDR dist 0x8000000", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64));
	u64 = 0x9000000;
	P("SET_ATTR ADDR dist again (0x9000000)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64));
	u64 = 0;
	P("GET_ATTR ADDR dist", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64));
	printf("#   value 0x%llx\n", (unsigned long long)u64);
	u64 = 0;
	P("GET_ATTR ADDR cpu (unset)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &u64));
	printf("#   value 0x%llx\n", (unsigned long long)u64);
	u64 = 0x8000000;
	P("SET_ATTR ADDR 2 (v3 dist) on v2", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, 2, &u64));
	u64 = 0x8001000;
	P("SET_ATTR ADDR cpu 0x8001000 (overlaps dist 0x8000000+4K? no: adjacent)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &u64));
	u32 = 0;
	P("GET_ATTR DIST_REGS GICD_TYPER before CTRL_INIT", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 4, &u32));
	printf("#   value 0x%x\n", u32);
	P("GET_ATTR DIST_REGS GICD_CTLR (0x0)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, &u32));
	printf("#   value 0x%x\n", u32);
	u32 = 0;
	P("GET_ATTR DIST_REGS GICD_IIDR (0x8)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 8, &u32));
	printf("#   value 0x%x\n", u32);
	P("GET_ATTR DIST_REGS 0x2 (unaligned offset)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 2, &u32));
	P("GET_ATTR DIST_REGS 0x1000 (beyond the distributor)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x1000, &u32));
	P("GET_ATTR DIST_REGS cpuid 1 (vcpu 1 does not exist) GICD_TYPER", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, (1ull << 32) | 4, &u32));
	u32 = 0;
	P("GET_ATTR CPU_REGS GICC_CTLR (cpu 0)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 0, &u32));
	printf("#   value 0x%x\n", u32);
	u32 = 0;
	P("GET_ATTR CPU_REGS GICC_PMR (0x4, cpu 0)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 4, &u32));
	printf("#   value 0x%x\n", u32);
	u32 = 0;
	P("GET_ATTR CPU_REGS GICC_IIDR (0xfc, cpu 0)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 0xfc, &u32));
	printf("#   value 0x%x\n", u32);
	P("GET_ATTR CPU_REGS cpu 1 (>= nr vcpus)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 1ull << 32, &u32));
	P("GET_ATTR CPU_REGS cpu 255", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 255ull << 32, &u32));
	P("GET_ATTR group 99 (unknown)", attr(dev, KVM_GET_DEVICE_ATTR, 99, 0, &u32));
	P("SET_ATTR group 99 (unknown)", attr(dev, KVM_SET_DEVICE_ATTR, 99, 0, &u32));
	P("GET_ATTR CTRL_INIT", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, &u32));
	P("SET_ATTR CTRL 5 (unknown ctrl)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, 5, NULL));
	P("SET_ATTR CTRL_INIT", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
	P("SET_ATTR CTRL_INIT again", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
	u32 = 0;
	P("GET_ATTR DIST_REGS GICD_TYPER after CTRL_INIT", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 4, &u32));
	printf("#   value 0x%x\n", u32);
	u32 = 128;
	P("SET_ATTR NR_IRQS=128 after CTRL_INIT", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &u32));
	u64 = 0xa000000;
	P("SET_ATTR ADDR cpu after CTRL_INIT", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &u64));
	P("KVM_CREATE_VCPU 1 after CTRL_INIT", ioctl(vm, KVM_CREATE_VCPU, 1));
	struct kvm_irq_level il = { .level = 1 };
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 32 + 63);
	P("IRQ_LINE SPI 95 (nr_irqs 96: the last)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 96);
	P("IRQ_LINE SPI 96 (nr_irqs 96: one past)", ioctl(vm, KVM_IRQ_LINE, &il));
	il.irq = IRQ(KVM_ARM_IRQ_TYPE_SPI, 0, 1020);
	P("IRQ_LINE SPI 1020", ioctl(vm, KVM_IRQ_LINE, &il));
	u32 = 0;
	P("GET_ATTR DIST_REGS GICD_ISPENDR1 (0x204) after raising SPI 95? (ISPENDR2 0x208)", attr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x208, &u32));
	printf("#   GICD_ISPENDR2 = 0x%x\n", u32);
	close(dev);
	close(v0);
	close(vm);

	/* overlap and the first run */
	printf("## VGIC v2 addresses overlapping, then KVM_RUN\n");
	struct guest g = new_guest(g_spin, g_spin_end);
	dev = vgic_dev(g.vm, KVM_DEV_TYPE_ARM_VGIC_V2);
	u64 = 0x8000000;
	attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64);
	u64 = 0x8000000;
	P("SET_ATTR ADDR cpu = dist address (overlap)", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &u64));
	P("SET_ATTR CTRL_INIT with overlapping addresses", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
	g.run->immediate_exit = 1;
	P("KVM_RUN (immediate_exit) with overlapping vgic addresses", kvm_run(g.vcpu));
	close(dev);
	free_guest(&g);

	g = new_guest(g_spin, g_spin_end);
	dev = vgic_dev(g.vm, KVM_DEV_TYPE_ARM_VGIC_V2);
	g.run->immediate_exit = 1;
	P("KVM_RUN (immediate_exit) with vgic addresses unset", kvm_run(g.vcpu));
	u64 = 0x40008000;
	attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64);
	u64 = 0x8010000;
	attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &u64);
	P("KVM_RUN (immediate_exit) with dist inside a RAM slot", kvm_run(g.vcpu));
	close(dev);
	free_guest(&g);

	g = new_guest(g_spin, g_spin_end);
	dev = vgic_dev(g.vm, KVM_DEV_TYPE_ARM_VGIC_V2);
	u64 = 0x8000000;
	attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &u64);
	u64 = 0x8010000;
	attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &u64);
	g.run->immediate_exit = 1;
	P("KVM_RUN (immediate_exit) with vgic addresses set, no CTRL_INIT", kvm_run(g.vcpu));
	P("SET_ATTR CTRL_INIT after that run", attr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
	close(dev);
	free_guest(&g);

	printf("## KVM_CREATE_VCPU limits with a VGIC v2\n");
	vm = new_vm();
	dev = vgic_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V2);
	int i, last = -1;
	for (i = 0; i < 16; i++) {
		int fd = ioctl(vm, KVM_CREATE_VCPU, i);
		if (fd < 0) {
			char l[96];
			snprintf(l, sizeof l, "KVM_CREATE_VCPU id=%d with a VGIC v2 (after %d vcpus)", i, i);
			P(l, fd);
			break;
		}
		last = i;
	}
	printf("#   created vcpus 0..%d\n", last);
	close(dev);
	close(vm);
}

static void run_probes(void)
{
	printf("## guests: SMC/HVC from EL1\n");
	struct guest g = new_guest(g_smc_version, g_smc_version_end);
	run_once("KVM_RUN: smc #0 with w0=PSCI_VERSION, then str x0 to MMIO", &g);
	free_guest(&g);
	g = new_guest(g_hvc_version, g_hvc_version_end);
	run_once("KVM_RUN: hvc #0 with w0=PSCI_VERSION, then str x0 to MMIO", &g);
	free_guest(&g);
	g = new_guest(g_hvc_unknown, g_hvc_unknown_end);
	run_once("KVM_RUN: hvc #0 with w0=0xc2001234 (unknown), then str x0", &g);
	free_guest(&g);

	printf("## guests: MMIO exits\n");
	g = new_guest(g_mmio, g_mmio_end);
	run_once("KVM_RUN 1: str x2, [x1, #8]", &g);
	run_once("KVM_RUN 2: str w2, [x1, #4]", &g);
	run_once("KVM_RUN 3: ldr x3, [x1, #16]", &g);
	uint64_t d = 0x0123456789abcdefull;
	memcpy(g.run->mmio.data, &d, 8);
	run_once("KVM_RUN 4: str x3, [x1, #24] (after completing the read with 0x0123456789abcdef)", &g);
	run_once("KVM_RUN 5: ldrb w4, [x1, #32]", &g);
	d = 0xffffffffffffffa5ull;
	memcpy(g.run->mmio.data, &d, 8);
	run_once("KVM_RUN 6: ldp x5, x6, [x1, #48] (after completing ldrb with 0x..a5)", &g);
	uint64_t x4 = 0;
	get_reg(g.vcpu, REG_X(4), &x4);
	printf("#   x4 after the ldrb completion = 0x%llx\n", (unsigned long long)x4);
	run_once("KVM_RUN 7: again after the ldp failure", &g);
	free_guest(&g);

	g = new_guest(g_mmio, g_mmio_end);
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };
	P("KVM_ENABLE_CAP ARM_NISV_TO_USER (vm)", ioctl(g.vm, KVM_ENABLE_CAP, &cap));
	cap.flags = 1;
	P("KVM_ENABLE_CAP ARM_NISV_TO_USER flags=1", ioctl(g.vm, KVM_ENABLE_CAP, &cap));
	for (int i = 0; i < 5; i++)
		if (kvm_run(g.vcpu) < 0)
			break;
	run_once("KVM_RUN 6 with NISV_TO_USER: ldp x5, x6, [x1, #48]", &g);
	run_once("KVM_RUN 7 with NISV_TO_USER: again (no PC advance by KVM)", &g);
	free_guest(&g);

	printf("## guests: PSCI system events\n");
	g = new_guest(g_system_off, g_system_off_end);
	run_once("KVM_RUN: hvc PSCI SYSTEM_OFF", &g);
	run_once("KVM_RUN: again after SYSTEM_OFF", &g);
	free_guest(&g);
	g = new_guest(g_system_reset, g_system_reset_end);
	run_once("KVM_RUN: hvc PSCI SYSTEM_RESET", &g);
	free_guest(&g);

	printf("## immediate_exit and signals\n");
	g = new_guest(g_spin, g_spin_end);
	g.run->immediate_exit = 1;
	P("KVM_RUN with immediate_exit=1", kvm_run(g.vcpu));
	printf("#   exit_reason=%u (%s)\n", g.run->exit_reason, exit_name(g.run->exit_reason));
	struct kvm_mp_state mp = { 0 };
	P("KVM_GET_MP_STATE", ioctl(g.vcpu, KVM_GET_MP_STATE, &mp));
	printf("#   mp_state=%u\n", mp.mp_state);
	mp.mp_state = KVM_MP_STATE_HALTED;
	P("KVM_SET_MP_STATE HALTED (arm64 accepts only RUNNABLE/STOPPED/SUSPENDED?)", ioctl(g.vcpu, KVM_SET_MP_STATE, &mp));
	mp.mp_state = KVM_MP_STATE_STOPPED;
	P("KVM_SET_MP_STATE STOPPED", ioctl(g.vcpu, KVM_SET_MP_STATE, &mp));
	free_guest(&g);

	/* secondary POWER_OFF vcpu */
	g = new_guest(g_spin, g_spin_end);
	int v1 = new_vcpu(g.vm, 1, (1u << KVM_ARM_VCPU_PSCI_0_2) | (1u << KVM_ARM_VCPU_POWER_OFF));
	mp.mp_state = 99;
	P("KVM_GET_MP_STATE of a POWER_OFF vcpu", ioctl(v1, KVM_GET_MP_STATE, &mp));
	printf("#   mp_state=%u (KVM_MP_STATE_STOPPED=%u)\n", mp.mp_state, KVM_MP_STATE_STOPPED);
	close(v1);
	free_guest(&g);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;   /* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	struct utsname u;
	uname(&u);
	printf("# kvmprobe: arm64 KVM errno facts. kernel %s %s, machine %s\n", u.release, u.version, u.machine);
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("open /dev/kvm");
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	caps();
	vcpu_probes();
	onereg_probes();
	memslot_probes();
	irq_probes();
	vgic_probes();
	run_probes();
	printf("# kvmprobe: done\n");
	return 0;
}
