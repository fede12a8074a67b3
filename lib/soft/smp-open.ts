/**
 * The top-level SMP entry points that work for both backends (exported by lib/index.ts):
 *   openSharedVm(handle)  — the VM another thread shared with vm.share()
 *   kickVcpu(handle)      — kick a vCPU from any thread with the handle of vcpu.kickHandle()
 * The kvm backend is loaded only for kvm handles (the soft backend needs no addon).
 */
import type { SharedVmHandle, Vm } from '../backend';
import { SoftVm } from './vm';
import { defaultCpuFactory, kickSoftVcpu, type CpuFactory, type SoftKickHandle } from './vcpu';
import { isSoftSharedVmHandle } from './shared';

type KvmSide = typeof import('../kvm/vm') & { requireBinding: typeof import('../kvm/binding').requireBinding; kickKvm: typeof import('../kvm/vcpu').kickVcpu };
const kvm = (): KvmSide => {
  const vm = require('../kvm/vm') as typeof import('../kvm/vm');
  const b = require('../kvm/binding') as typeof import('../kvm/binding');
  const v = require('../kvm/vcpu') as typeof import('../kvm/vcpu');
  return { ...vm, requireBinding: b.requireBinding, kickKvm: v.kickVcpu };
};

export interface OpenSharedVmOptions {
  /** soft backend: the interpreter factory (default lib/soft/cpu) */
  cpuFactory?: CpuFactory;
}

/**
 * Opens, on this thread, a VM that another thread shared (`vm.share()`, posted to this worker). Create this
 * thread's vCPU on it with createVcpu(i) and run it here. Closing it releases only this thread's view.
 */
export function openSharedVm(handle: SharedVmHandle, options: OpenSharedVmOptions = {}): Vm {
  if (handle === null || typeof handle !== 'object') throw new TypeError('handle: expected the handle of vm.share()');
  if (handle.backend === 'soft') {
    if (!isSoftSharedVmHandle(handle)) throw new TypeError("handle: a soft VM handle needs { kind: 'vm', ipaSize, state, gic, memories }");
    return SoftVm.openShared(handle, options.cpuFactory ?? defaultCpuFactory());
  }
  if (handle.backend === 'kvm') {
    const k = kvm();
    return k.openSharedKvmVm(handle, k.requireBinding());
  }
  throw new TypeError(`handle.backend: expected 'soft' or 'kvm', got '${String((handle as { backend?: unknown }).backend)}'`);
}

/**
 * Kicks a vCPU from any thread: its running (or next) run() returns { reason: 'intr' }. `handle` is what
 * vcpu.kickHandle() returned (posted between threads). Returns false when a kvm vCPU is already closed.
 */
export function kickVcpu(handle: unknown): boolean {
  if (handle === null || typeof handle !== 'object') throw new TypeError('handle: expected the handle of vcpu.kickHandle()');
  const b = (handle as { backend?: unknown }).backend;
  if (b === 'soft') {
    kickSoftVcpu(handle as SoftKickHandle);
    return true;
  }
  if (b === 'kvm') return kvm().kickKvm(handle as import('../kvm/vcpu').KvmKickHandle);
  throw new TypeError(`handle.backend: expected 'soft' or 'kvm', got '${String(b)}'`);
}
