/**
 * open(): the entry point. Picks the backend:
 *  - 'kvm'  : the real /dev/kvm through the native addon (throws KvmError / Error when unusable).
 *  - 'soft' : the software AArch64 machine (always works).
 *  - 'auto' : kvm when the addon loads, /dev/kvm opens and the host is arm64 (or 32-bit arm); otherwise soft.
 *             The choice and the reason are on `hv.backend` / `hv.reason` (and in `kvm-arm info`).
 */
import type { Hypervisor, OpenOptions } from './backend';

interface KvmModule {
  openKvm(path?: string, reason?: string): Hypervisor;
  kvmAvailability(path?: string): { available: boolean; reason: string; loadErrors?: readonly string[] };
}
interface SoftModule {
  openSoft(options?: { reason?: string }): Hypervisor;
}

// Loaded lazily: the soft backend does not need the addon, and `kvm-arm reg` needs neither.
const kvm = (): KvmModule => require('./kvm') as KvmModule;
const soft = (): SoftModule => require('./soft') as SoftModule;

/** Whether 'auto' would pick kvm here, and why (or why not). kvmAvailability() already requires an arm host. */
export function backendChoice(device?: string): { backend: 'kvm' | 'soft'; reason: string; loadErrors?: readonly string[] } {
  const a = kvm().kvmAvailability(device);
  if (a.available) return { backend: 'kvm', reason: a.reason };
  return { backend: 'soft', reason: a.reason, ...(a.loadErrors && a.loadErrors.length ? { loadErrors: a.loadErrors } : {}) };
}

export function open(options: OpenOptions = {}): Hypervisor {
  const want = options.backend ?? 'auto';
  if (want !== 'auto' && want !== 'kvm' && want !== 'soft') throw new RangeError(`backend: must be 'auto', 'kvm' or 'soft', got '${String(want)}'`);
  if (want === 'soft') return soft().openSoft({ reason: 'requested: backend soft' });
  if (want === 'kvm') return kvm().openKvm(options.device, 'requested: backend kvm');
  const c = backendChoice(options.device);
  return c.backend === 'kvm' ? kvm().openKvm(options.device, c.reason) : soft().openSoft({ reason: c.reason });
}
