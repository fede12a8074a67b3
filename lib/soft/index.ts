/** The soft backend: an AArch64 machine in TypeScript behind KVM's API (see lib/backend.ts). */
export { openSoft, SoftHypervisor, type OpenSoftOptions } from './hypervisor';
export { SoftVm, SOFT_CNTFRQ } from './vm';
export { SoftVcpu, kickSoftVcpu, type SoftKickHandle, type CpuFactory } from './vcpu';
export { SoftGuestMemory, SOFT_PAGE_SIZE } from './memory';
export type { SoftMmioHandler, SoftVcpuHook } from './hooks';
export { handleHvc } from './psci';
