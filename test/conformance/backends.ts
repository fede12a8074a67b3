/** The backends a conformance test runs on: soft always; kvm when lib/kvm says it is usable and the host is arm64. */
import type { Hypervisor } from '../../lib/backend';
import { open } from '../../lib/open';
import { KvmError } from '../../lib/errors';

/** The KvmError code `fn` throws ('EINVAL', ...), or 'ok' when it returns; anything else is rethrown. */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof KvmError) return e.code;
    throw e;
  }
  return 'ok';
}

export interface BackendCase {
  name: 'soft' | 'kvm';
  open(): Hypervisor;
}

/**
 * KVM_ARM_CONFORMANCE_BACKENDS=kvm (or soft, or kvm,soft) narrows the set. The arm64 lab tier sets it to kvm: there
 * the soft backend would run inside an emulated arm64 CPU (10–40x slower) and it is already checked on the host by
 * `npm test` with the same expectations.
 */
export function wanted(name: 'soft' | 'kvm'): boolean {
  const env = process.env['KVM_ARM_CONFORMANCE_BACKENDS'];
  if (env === undefined || env.trim() === '') return true;
  const on = env.split(',').map((x) => x.trim()).includes(name);
  if (!on) console.warn(`conformance: ${name} backend left out (KVM_ARM_CONFORMANCE_BACKENDS=${env})`);
  return on;
}

/** The backend names for tests that open backends themselves. */
export function conformanceBackendNames(label: string): Array<'soft' | 'kvm'> {
  return availableBackends(label).map((b) => b.name);
}

export function availableBackends(label = 'conformance'): BackendCase[] {
  const out: BackendCase[] = wanted('soft') ? [{ name: 'soft', open: () => open({ backend: 'soft' }) }] : [];
  if (process.arch === 'arm64') {
    let usable = false;
    let why = '';
    try {
      const k = require('../../lib/kvm') as { kvmAvailability(): { available: boolean; reason: string } };
      const a = k.kvmAvailability();
      usable = a.available;
      why = a.reason;
    } catch (e) {
      why = (e as Error).message;
    }
    if (usable && wanted('kvm')) out.push({ name: 'kvm', open: () => open({ backend: 'kvm' }) });
    else if (!usable) console.warn(`${label}: kvm backend skipped: ${why}`);
  } else console.warn(`${label}: kvm backend skipped: host is ${process.arch}, not arm64`);
  return out;
}
