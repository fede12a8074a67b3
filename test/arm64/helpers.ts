/**
 * Shared by the arm64 tier (test/arm64): these tests run inside a real arm64 KVM (the lab: ci/arm64-lab.sh test,
 * a nested arm64 KVM under qemu-system-aarch64) through lib/kvm. Anywhere else they skip and say why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kvmAvailability, openKvm, type KvmHypervisor, type KvmVm, type KvmVcpu, type KvmGuestMemory } from '../../lib/kvm';
import { KvmError } from '../../lib/errors';
import { arm64CoreId } from '../../lib/codec/regid';

const avail = kvmAvailability();
export const onArm64Kvm = process.arch === 'arm64' && avail.addonLoaded && avail.deviceOpens;
export const skipReason =
  process.arch !== 'arm64'
    ? `host is ${process.arch}, not arm64 (run: npm run test:arm64)`
    : !avail.addonLoaded
      ? `native addon not loaded: ${avail.reason} ${avail.loadErrors.join('; ')}`
      : `/dev/kvm not usable: ${avail.reason}`;

/**
 * describe on a real arm64 KVM, else describe.skip with the reason printed. Inside the lab (KVM_ARM_LAB_CPU set by
 * ci/arm64-lab.sh) KVM must be usable: there the reason becomes a failing test instead of a skip.
 */
export function describeArm64(name: string, fn: () => void): void {
  if (onArm64Kvm) describe(name, fn);
  else if (process.env['KVM_ARM_LAB_CPU'] !== undefined) {
    describe(name, () => {
      test('real arm64 KVM is usable in the lab', () => {
        throw new Error(`in the arm64 lab but: ${skipReason}`);
      });
    });
  } else {
    console.warn(`skipped arm64 tier '${name}': ${skipReason}`);
    describe.skip(name, fn);
  }
}

/** The emulated CPU of the lab run (ci/arm64-lab.sh sets KVM_ARM_LAB_CPU), or undefined on other arm64 hosts. */
export const labCpu: string | undefined = process.env['KVM_ARM_LAB_CPU'];

export const RAM_GPA = 0x4000_0000n;
export const MMIO_GPA = 0x1000_0000n;
export const PC = arm64CoreId('pc');
export const PSTATE = arm64CoreId('pstate');
export const X = (n: number) => arm64CoreId(`x${n}`);

/** Calls fn and returns the KvmError's code; fails if fn does not throw a KvmError. */
export function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof KvmError) return e.code;
    throw e;
  }
  throw new Error('expected a KvmError, the call succeeded');
}

export interface Guest {
  hv: KvmHypervisor;
  vm: KvmVm;
  vcpu: KvmVcpu;
  mem: KvmGuestMemory;
  close(): void;
}

/**
 * A VM with 64 KiB of RAM at RAM_GPA holding `words` (instruction words, little-endian), one vCPU initialised
 * with the preferred target and `features`, PC at RAM_GPA. MMIO_GPA has no memslot: accesses exit to us.
 */
export function guest(words: readonly number[], features: Parameters<KvmVcpu['init']>[0]['features'] = ['psci-0.2']): Guest {
  const hv = openKvm();
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset, mem.bytes.byteLength);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: RAM_GPA, memory: mem });
  const vcpu = vm.createVcpu(0);
  vcpu.init({ target: vm.preferredTarget().target, features });
  vcpu.setOneReg(PC, RAM_GPA);
  return {
    hv, vm, vcpu, mem,
    close() {
      vcpu.close();
      vm.close();
      mem.close();
      hv.close();
    },
  };
}

/** A register-list fixture captured by scripts/capture-arm64-facts.sh: id → value after init (undefined: '-'). */
export function loadRegListFixture(name: string): Map<bigint, bigint | undefined> {
  const text = readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
  const m = new Map<bigint, bigint | undefined>();
  for (const l of text.split('\n')) {
    const r = /^(0x[0-9a-f]{16}) (0x[0-9a-f]+|-)/.exec(l);
    if (r) m.set(BigInt(r[1]!), r[2] === '-' ? undefined : BigInt(r[2]!));
  }
  return m;
}

/** Bytes of a wide register value as one little-endian bigint. */
export function leBytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}
