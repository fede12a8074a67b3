/**
 * Shared by the native tests: whether /dev/kvm and the addon are usable (with the reason printed when not),
 * and tiny x86 real-mode guests (this CI host is x86; KVM_EXIT_MMIO and KVM_RUN are generic).
 */
import { kvmAvailability, openKvm, type KvmHypervisor, type KvmVm, type KvmVcpu, type KvmGuestMemory } from '../../lib/kvm';
import { loadBinding, type NativeBinding } from '../../lib/kvm/binding';

const avail = kvmAvailability();
export const kvmUsable = avail.addonLoaded && avail.deviceOpens;
export const skipReason = !avail.addonLoaded
  ? `native addon not loaded: ${avail.reason} ${avail.loadErrors.join('; ')}`
  : !avail.deviceOpens
    ? `/dev/kvm not usable: ${avail.reason}`
    : '';
export const isX86 = process.arch === 'x64';

/** describe, or describe.skip with the reason printed. */
export function describeKvm(name: string, fn: () => void): void {
  if (kvmUsable) describe(name, fn);
  else {
    console.warn(`skipped native tests '${name}': ${skipReason}`);
    describe.skip(name, fn);
  }
}
/** describe on an x86 host with KVM (the guests below are x86 real-mode code). */
export function describeX86Kvm(name: string, fn: () => void): void {
  if (kvmUsable && isX86) describe(name, fn);
  else {
    console.warn(`skipped x86 guest tests '${name}': ${kvmUsable ? `host is ${process.arch}, the guests are x86 code` : skipReason}`);
    describe.skip(name, fn);
  }
}

export function binding(): NativeBinding {
  const b = loadBinding();
  if (!b.available) throw new Error(b.reason);
  return b.binding;
}
export function bindingPath(): string {
  const b = loadBinding();
  if (!b.available) throw new Error(b.reason);
  return b.path;
}

export { openKvm };

/**
 * An x86 VM whose vCPU starts at the reset vector: CS.base = 0xffff0000, IP = 0xfff0, real mode, DS.base = 0.
 * Slot 0: 64 KiB of "ROM" at 0xffff0000 holding `code` at offset 0xff00 and, at the reset vector 0xfff0,
 *   E9 0D FF      jmp near 0xff00          ; 0xfff3 + 0xff0d = 0xff00 (mod 64K)
 * Slot 1: 32 KiB of RAM at guest physical 0 (with dirty logging), so data accesses to 0x0000-0x7fff hit RAM
 * and accesses to 0x8000-0xffff are MMIO exits. No x86-specific ioctl is needed.
 */
export interface X86Guest {
  hv: KvmHypervisor;
  vm: KvmVm;
  vcpu: KvmVcpu;
  rom: KvmGuestMemory;
  ram: KvmGuestMemory;
  close(): void;
}
export function x86Guest(code: readonly number[]): X86Guest {
  const hv = openKvm();
  const vm = hv.createVm();
  const rom = hv.allocateMemory(0x10000);
  rom.bytes.set(code, 0xff00);
  rom.bytes.set([0xe9, 0x0d, 0xff], 0xfff0);
  const ram = hv.allocateMemory(0x8000);
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0xffff0000n, memory: rom });
  vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0n, memory: ram, logDirtyPages: true });
  const vcpu = vm.createVcpu(0);
  return {
    hv,
    vm,
    vcpu,
    rom,
    ram,
    close() {
      vcpu.close();
      vm.close();
      rom.close();
      ram.close();
      hv.close();
    },
  };
}

/** The MMIO guest: a RAM write, an MMIO write, an MMIO read, the value read written back, hlt. */
export const MMIO_GUEST = [
  0xc6, 0x06, 0x00, 0x20, 0x11, //  mov byte [0x2000], 0x11   ; RAM, page 2 (dirty log)
  0xc6, 0x06, 0x00, 0x90, 0x42, //  mov byte [0x9000], 0x42   ; MMIO write of 1 byte
  0xa0, 0x00, 0x90, //              mov al, [0x9000]          ; MMIO read of 1 byte
  0xa2, 0x04, 0x90, //              mov [0x9004], al          ; MMIO write of what was read
  0xf4, //                          hlt                       ; KVM_EXIT_HLT (no in-kernel irqchip)
];

/** The spin guest: counts in RAM forever, never exits on its own. */
export const SPIN_GUEST = [
  0xff, 0x06, 0x00, 0x20, //        inc word [0x2000]
  0xeb, 0xfa, //                    jmp short -6              ; back to the inc
];
