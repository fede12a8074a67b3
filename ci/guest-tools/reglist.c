/*
 * reglist: KVM_GET_REG_LIST of a freshly initialised vCPU and the value of every register right after
 * KVM_ARM_VCPU_INIT, one line per register:
 *
 *     0x<id, 16 hex digits> 0x<value>        (value '-' when KVM_GET_ONE_REG fails; the errno follows as '# ENOENT')
 *
 * Values wider than 64 bits (V, Z and P registers) are printed as one little-endian number.
 * Usage (static arm64 binary, inside the lab guest):
 *     reglist [sve]      default: preferred target + PSCI_0_2;  sve: + SVE + PTRAUTH_ADDRESS/GENERIC, finalized
 * The header names the kernel, the emulated CPU (from $LAB_CPU), qemu (from $LAB_QEMU), target and features,
 * and lists KVM_CHECK_EXTENSION of the ARM capabilities.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/kvm.h>

static void die(const char *what)
{
	fprintf(stderr, "reglist: %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *errname(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EFAULT: return "EFAULT";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBUSY: return "EBUSY";
	}
	static char b[16];
	snprintf(b, sizeof b, "E%d", e);
	return b;
}

int main(int argc, char **argv)
{
	int sve = argc > 1 && strcmp(argv[1], "sve") == 0;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("open /dev/kvm");
	struct utsname u;
	uname(&u);
	const char *cpu = getenv("LAB_CPU"), *qemu = getenv("LAB_QEMU");
	printf("# KVM_GET_REG_LIST after KVM_ARM_VCPU_INIT and every value (KVM_GET_ONE_REG) right after init\n");
	printf("# kernel: %s %s (%s)\n", u.release, u.version, u.machine);
	printf("# qemu: %s; -M virt,virtualization=on,gic-version=2 -cpu %s; kvm-arm.mode=nvhe\n", qemu ? qemu : "?", cpu ? cpu : "?");

	static const struct { const char *name; int cap; } caps[] = {
		{ "KVM_CAP_ARM_PSCI", KVM_CAP_ARM_PSCI }, { "KVM_CAP_ARM_PSCI_0_2", KVM_CAP_ARM_PSCI_0_2 },
		{ "KVM_CAP_ARM_SET_DEVICE_ADDR", KVM_CAP_ARM_SET_DEVICE_ADDR }, { "KVM_CAP_ARM_EL1_32BIT", KVM_CAP_ARM_EL1_32BIT },
		{ "KVM_CAP_ARM_PMU_V3", KVM_CAP_ARM_PMU_V3 }, { "KVM_CAP_ARM_USER_IRQ", KVM_CAP_ARM_USER_IRQ },
		{ "KVM_CAP_ARM_INJECT_SERROR_ESR", KVM_CAP_ARM_INJECT_SERROR_ESR },
		{ "KVM_CAP_ARM_VM_IPA_SIZE", KVM_CAP_ARM_VM_IPA_SIZE }, { "KVM_CAP_ARM_SVE", KVM_CAP_ARM_SVE },
		{ "KVM_CAP_ARM_PTRAUTH_ADDRESS", KVM_CAP_ARM_PTRAUTH_ADDRESS },
		{ "KVM_CAP_ARM_PTRAUTH_GENERIC", KVM_CAP_ARM_PTRAUTH_GENERIC },
		{ "KVM_CAP_ARM_IRQ_LINE_LAYOUT_2", KVM_CAP_ARM_IRQ_LINE_LAYOUT_2 },
		{ "KVM_CAP_ARM_NISV_TO_USER", KVM_CAP_ARM_NISV_TO_USER },
		{ "KVM_CAP_ARM_INJECT_EXT_DABT", KVM_CAP_ARM_INJECT_EXT_DABT }, { "KVM_CAP_ARM_MTE", KVM_CAP_ARM_MTE },
		{ "KVM_CAP_ARM_SYSTEM_SUSPEND", KVM_CAP_ARM_SYSTEM_SUSPEND },
		{ "KVM_CAP_MAX_VCPUS", KVM_CAP_MAX_VCPUS }, { "KVM_CAP_NR_VCPUS", KVM_CAP_NR_VCPUS },
		{ "KVM_CAP_NR_MEMSLOTS", KVM_CAP_NR_MEMSLOTS }, { "KVM_CAP_ONE_REG", KVM_CAP_ONE_REG },
		{ "KVM_CAP_IRQCHIP", KVM_CAP_IRQCHIP }, { "KVM_CAP_DEVICE_CTRL", KVM_CAP_DEVICE_CTRL },
		{ "KVM_CAP_GUEST_DEBUG_HW_BPS", KVM_CAP_GUEST_DEBUG_HW_BPS },
		{ "KVM_CAP_GUEST_DEBUG_HW_WPS", KVM_CAP_GUEST_DEBUG_HW_WPS },
	};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
		printf("# cap %s = %d\n", caps[i].name, ioctl(kvm, KVM_CHECK_EXTENSION, caps[i].cap));

	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (sve)
		init.features[0] |= (1u << KVM_ARM_VCPU_SVE) | (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) | (1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		die("KVM_ARM_VCPU_INIT");
	printf("# target: %u; features[0]: 0x%x (%s)\n", init.target, init.features[0],
	       sve ? "PSCI_0_2 | SVE | PTRAUTH_ADDRESS | PTRAUTH_GENERIC" : "PSCI_0_2");
	if (sve) {
		uint64_t vls[KVM_ARM64_SVE_VLS_WORDS];
		struct kvm_one_reg r = { .id = KVM_REG_ARM64_SVE_VLS, .addr = (uint64_t)(uintptr_t)vls };
		if (ioctl(vcpu, KVM_GET_ONE_REG, &r) == 0) {
			printf("# KVM_REG_ARM64_SVE_VLS before finalize:");
			for (int i = 0; i < KVM_ARM64_SVE_VLS_WORDS; i++)
				printf(" 0x%llx", (unsigned long long)vls[i]);
			printf("\n");
		}
		int what = KVM_ARM_VCPU_SVE;
		if (ioctl(vcpu, KVM_ARM_VCPU_FINALIZE, &what) < 0)
			die("KVM_ARM_VCPU_FINALIZE(SVE)");
		printf("# KVM_ARM_VCPU_FINALIZE(KVM_ARM_VCPU_SVE) done\n");
	}

	struct kvm_reg_list probe = { .n = 0 };
	if (ioctl(vcpu, KVM_GET_REG_LIST, &probe) == 0 || errno != E2BIG)
		die("KVM_GET_REG_LIST n=0 did not fail with E2BIG");
	struct kvm_reg_list *list = malloc(sizeof *list + probe.n * sizeof(uint64_t));
	list->n = probe.n;
	if (ioctl(vcpu, KVM_GET_REG_LIST, list) < 0)
		die("KVM_GET_REG_LIST");
	unsigned counts[32] = { 0 };
	for (uint64_t i = 0; i < list->n; i++)
		counts[(list->reg[i] & KVM_REG_ARM_COPROC_MASK) >> KVM_REG_ARM_COPROC_SHIFT & 31]++;
	printf("# %llu registers: core %u, demux %u, sysreg %u, fw %u, sve %u, fw_feat_bmap %u\n", (unsigned long long)list->n,
	       counts[0x10], counts[0x11], counts[0x13], counts[0x14], counts[0x15], counts[0x16]);
	printf("# format: 0x<id> 0x<value after init, little-endian for wide registers> | '-' # errno\n");

	uint8_t buf[256];
	for (uint64_t i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];
		size_t size = (size_t)1 << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
		memset(buf, 0, sizeof buf);
		struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)buf };
		printf("0x%016llx ", (unsigned long long)id);
		if (size > sizeof buf || ioctl(vcpu, KVM_GET_ONE_REG, &r) < 0) {
			printf("- # %s\n", size > sizeof buf ? "too wide" : errname(errno));
			continue;
		}
		/* most significant non-zero byte first */
		size_t top = size;
		while (top > 1 && buf[top - 1] == 0)
			top--;
		printf("0x");
		int started = 0;
		for (size_t b = top; b-- > 0;) {
			if (!started) { printf("%x", buf[b]); started = 1; }
			else printf("%02x", buf[b]);
		}
		printf("\n");
	}
	return 0;
}
