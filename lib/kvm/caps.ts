import { KVM_CAP, type KvmCapName } from '../codec/abi';

/** A capability by name (KVM_CAP_* without the prefix) or number → its number. TypeError for unknown names. */
export function capNumber(cap: KvmCapName | number): number {
  if (typeof cap === 'number') {
    if (!Number.isInteger(cap) || cap < 0 || cap > 0x7fffffff) throw new RangeError(`cap: must be a non-negative integer, got ${cap}`);
    return cap;
  }
  const n = (KVM_CAP as Record<string, number>)[cap];
  if (n === undefined) throw new TypeError(`cap: unknown capability '${String(cap)}'`);
  return n;
}

