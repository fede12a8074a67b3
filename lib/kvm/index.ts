/** The 'kvm' backend: typed objects over the real /dev/kvm through the native addon (see binding.ts). */
export { openKvm, kvmAvailability, openSharedKvmMemory, KvmHypervisor, KvmEventFd, type KvmAvailability } from './hypervisor';
export { KvmVm, openSharedKvmVm, type KvmSharedVmHandle } from './vm';
export { KvmVcpu, kickVcpu, type KvmKickHandle } from './vcpu';
export { KvmDevice } from './device';
export { KvmGuestMemory, type AllocateOptions } from './memory';
export { capNumber } from './caps';
export { loadBinding, type BindingStatus, type NativeBinding } from './binding';
