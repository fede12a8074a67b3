/* kvminfo: printed by the lab guest's /init before the command runs: the machine, the KVM API version
 * and the preferred vCPU target, so every log of the arm64 tier says what it ran on. Static arm64 binary. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/kvm.h>

int main(void)
{
	struct utsname u;
	if (uname(&u) == 0)
		printf("lab: guest uname -m: %s, kernel %s\n", u.machine, u.release);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("lab: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	printf("lab: KVM API version: %d", api);
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm >= 0) {
		struct kvm_vcpu_init init;
		memset(&init, 0, sizeof init);
		if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) == 0)
			printf(", preferred target %u", init.target);
		close(vm);
	}
	printf(", max vcpus %d\n", ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS));
	close(kvm);
	return api == KVM_API_VERSION ? 0 : 1;
}
