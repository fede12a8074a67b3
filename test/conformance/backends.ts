/** The backends a conformance test runs on: soft always; kvm when lib/kvm says it is usable and the host is arm64. */
import type { Hypervisor } from '../../lib/backend';
import { open } from '../../lib/open';

export interface BackendCase {
  name: 'soft' | 'kvm';
  open(): Hypervisor;
}

export function availableBackends(): BackendCase[] {
  const out: BackendCase[] = [{ name: 'soft', open: () => open({ backend: 'soft' }) }];
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
    if (usable) out.push({ name: 'kvm', open: () => open({ backend: 'kvm' }) });
    else console.warn(`conformance: kvm backend skipped: ${why}`);
  } else console.warn(`conformance: kvm backend skipped: host is ${process.arch}, not arm64`);
  return out;
}
