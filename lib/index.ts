/**
 * kvm-arm: write ARM virtual machine monitors in TypeScript.
 *
 *   import { open } from 'kvm-arm';
 *   const hv = open();                 // real /dev/kvm on arm64 Linux, the software backend elsewhere
 *   const vm = hv.createVm();
 *
 * See README.md for the whole tour.
 */
export * from './codec';
export * from './errors';
export type * from './backend';
export { open, backendChoice } from './open';
// the kvm backend's own entry points (the addon itself loads only when one of them is called)
export { openKvm, kvmAvailability, openSharedKvmMemory } from './kvm';
// SMP: one vCPU per worker thread, on either backend (README "SMP: one vCPU per worker")
export { openSharedVm, kickVcpu, type OpenSharedVmOptions } from './soft/smp-open';
export type { KvmHypervisor, KvmVm, KvmVcpu, KvmDevice, KvmGuestMemory, KvmKickHandle, KvmAvailability } from './kvm';
// whole-VM snapshots on either backend and across them (docs/snapshot-format.md)
export * from './snapshot';
