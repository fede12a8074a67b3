/**
 * The kvm-ioctls aarch64 `test_run_code` shape, on every available backend: a guest that writes and reads MMIO
 * (the read completed by the VMM) and powers off with PSCI SYSTEM_OFF through hvc; then the vCPU state KVM
 * leaves: reset values after init, the register list, the PSCI version register, errnos.
 */
import { readFileSync } from 'node:fs';
import { availableBackends } from './backends';
import { arm64CoreId, arm64SysregIdByName, KVM_REG_ARM_PSCI_VERSION, KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1, regId } from '../../lib/codec/regid';
import { KvmError } from '../../lib/errors';
import type { Hypervisor, Vm, Vcpu } from '../../lib/backend';

const CODE = [
  0xd2820001, // mov  x1, #0x1000        MMIO address (no memory slot there)
  0xd2800cc2, // mov  x2, #0x66
  0x39000022, // strb w2, [x1]           MMIO write, 1 byte
  0x39400023, // ldrb w3, [x1]           MMIO read, 1 byte: the VMM answers 0x5a
  0x91000463, // add  x3, x3, #1
  0x39002023, // strb w3, [x1, #8]       MMIO write of 0x5b at 0x1008
  0x52800100, // mov  w0, #0x8
  0x72b08000, // movk w0, #0x8400, lsl #16   x0 = PSCI SYSTEM_OFF (0x84000008)
  0xd4000002, // hvc  #0
  0x14000000, // b    .
];
const GUEST = 0x10000n;

/** MIDR_EL1 of the host's first CPU, assembled from the fields Linux prints in /proc/cpuinfo. */
function hostMidr(): bigint {
  const text = readFileSync('/proc/cpuinfo', 'utf8');
  const field = (name: string): bigint => {
    const m = new RegExp(`^${name}\\s*:\\s*(\\S+)`, 'm').exec(text);
    if (m === null || m[1] === undefined) throw new Error(`/proc/cpuinfo has no "${name}"`);
    return BigInt(m[1]);
  };
  return (
    (field('CPU implementer') << 24n) |
    (field('CPU variant') << 20n) |
    (0xfn << 16n) | // arm64 Linux prints "CPU architecture: 8"; the MIDR field is always 0xf (CPUID scheme)
    (field('CPU part') << 4n) |
    field('CPU revision')
  );
}

function setup(hv: Hypervisor): { vm: Vm; vcpu: Vcpu } {
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset);
  CODE.forEach((w, i) => dv.setUint32(i * 4, w, true));
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: GUEST, memory: mem });
  const vcpu = vm.createVcpu(0);
  vcpu.init({ target: vm.preferredTarget().target, features: ['psci-0.2'] });
  vcpu.setOneReg(arm64CoreId('pc'), GUEST);
  return { vm, vcpu };
}

for (const b of availableBackends()) {
  describe(`conformance [${b.name}]`, () => {
    let hv: Hypervisor;
    beforeEach(() => {
      hv = b.open();
    });
    afterEach(() => hv.close());

    test('test_run_code: MMIO write, MMIO read completed by the VMM, SYSTEM_OFF through hvc', () => {
      const { vcpu } = setup(hv);
      const e1 = vcpu.run();
      expect(e1.reason).toBe('mmio');
      if (e1.reason !== 'mmio') return;
      expect([e1.physAddr, e1.len, e1.isWrite, e1.data[0]]).toEqual([0x1000n, 1, true, 0x66]);
      const e2 = vcpu.run();
      expect(e2.reason).toBe('mmio');
      if (e2.reason !== 'mmio') return;
      expect([e2.physAddr, e2.len, e2.isWrite]).toEqual([0x1000n, 1, false]);
      e2.data[0] = 0x5a;
      const e3 = vcpu.run();
      expect(e3.reason).toBe('mmio');
      if (e3.reason !== 'mmio') return;
      expect([e3.physAddr, e3.len, e3.isWrite, e3.data[0]]).toEqual([0x1008n, 1, true, 0x5b]);
      const e4 = vcpu.run();
      expect(e4).toMatchObject({ reason: 'system-event', type: 'shutdown', rawType: 1 });
      // SMCCC return: x0 = PSCI INTERNAL_FAILURE (-6) (KVM sets it for SYSTEM_OFF), x1..x3 cleared
      expect(vcpu.getReg(arm64CoreId('x0'))).toBe(0xfffffffffffffffan);
      expect(vcpu.getReg(arm64CoreId('x3'))).toBe(0n);
      expect(vcpu.getReg(arm64CoreId('x2'))).toBe(0n);
      expect(vcpu.getReg(arm64CoreId('pc'))).toBe(GUEST + 0x24n); // past the hvc
      expect(vcpu.getMpState()).toBe('stopped');
    });

    test('reset values after KVM_ARM_VCPU_INIT', () => {
      const vm = hv.createVm();
      const v0 = vm.createVcpu(0);
      const v1 = vm.createVcpu(1);
      // the soft model is a cortex-a57 (KVM_ARM_TARGET_CORTEX_A57 = 2); real KVM answers per host CPU (2 on the lab's
      // cortex-a57, 5 = GENERIC_V8 on -cpu max)
      const target = vm.preferredTarget().target;
      if (b.name === 'soft' || process.env['KVM_ARM_LAB_CPU'] === 'cortex-a57') expect(target).toBe(2);
      v0.init({ target, features: ['psci-0.2'] });
      v1.init({ target, features: ['psci-0.2', 'power-off'] });
      expect(v0.getReg(arm64CoreId('pstate'))).toBe(0x3c5n);
      expect(v0.getReg(arm64CoreId('pc'))).toBe(0n);
      expect(v0.getReg(arm64CoreId('x0'))).toBe(0n);
      expect(v0.getReg(arm64SysregIdByName('MPIDR_EL1'))).toBe(0x80000000n);
      expect(v1.getReg(arm64SysregIdByName('MPIDR_EL1'))).toBe(0x80000001n);
      expect(v0.getMpState()).toBe('runnable');
      expect(v1.getMpState()).toBe('stopped');
      // KVM shows the guest the host's MIDR: check it against /proc/cpuinfo; the soft model is a cortex-a57 r1p0
      expect(v0.getReg(arm64SysregIdByName('MIDR_EL1'))).toBe(b.name === 'soft' ? 0x411fd070n : hostMidr());
    });

    test('register list: 75 core ids, the 7 firmware ids, CCSIDR demux; every listed id of 64 bits or less reads', () => {
      const { vcpu } = setup(hv);
      const list = vcpu.getRegList();
      expect(new Set(list).size).toBe(list.length);
      const core = list.filter((id) => ((id >> 16n) & 0xfffn) === 0x10n);
      expect(core).toHaveLength(75);
      expect(list.filter((id) => ((id >> 16n) & 0xfffn) === 0x14n || ((id >> 16n) & 0xfffn) === 0x16n)).toHaveLength(7);
      expect(list.filter((id) => ((id >> 16n) & 0xfffn) === 0x11n)).toHaveLength(3);
      expect(list).toContain(regId(0x6030000000100040n)); // pc, as api.txt spells it
      for (const id of list) expect(() => vcpu.getOneReg(id)).not.toThrow();
    });

    test('PSCI_VERSION register: 1.1 by default; 0.2/1.0/1.1 accepted with psci-0.2, 0.1 refused (EINVAL)', () => {
      const { vcpu } = setup(hv);
      expect(vcpu.getReg(KVM_REG_ARM_PSCI_VERSION)).toBe(0x10001n);
      for (const v of [0x2n, 0x10000n, 0x10001n]) {
        vcpu.setOneReg(KVM_REG_ARM_PSCI_VERSION, v);
        expect(vcpu.getReg(KVM_REG_ARM_PSCI_VERSION)).toBe(v);
      }
      expect(() => vcpu.setOneReg(KVM_REG_ARM_PSCI_VERSION, 0x1n)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => vcpu.setOneReg(KVM_REG_ARM_PSCI_VERSION, 0x30000n)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(typeof vcpu.getReg(KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1)).toBe('bigint');
    });

    test('errnos: ONE_REG/RUN before init ENOEXEC, unknown ids ENOENT, bad core size EINVAL, duplicate vCPU EEXIST, bad target EINVAL, unknown feature ENOENT, slots', () => {
      const vm = hv.createVm();
      const v = vm.createVcpu(0);
      const code = (f: () => unknown): string | undefined => {
        try {
          f();
        } catch (e) {
          if (e instanceof KvmError || (e as { code?: string }).code !== undefined) return (e as { code: string }).code;
          throw e;
        }
        return undefined;
      };
      expect(code(() => v.getReg(arm64CoreId('pc')))).toBe('ENOEXEC');
      expect(code(() => v.run())).toBe('ENOEXEC');
      expect(code(() => vm.createVcpu(0))).toBe('EEXIST');
      expect(code(() => vm.createVcpu(8))).toBe('EINVAL');
      expect(code(() => v.init({ target: 0, features: [] }))).toBe('EINVAL');
      const target = vm.preferredTarget().target;
      expect(code(() => v.init({ target, features: [7 as never] }))).toBe('ENOENT');
      v.init({ target, features: [] });
      expect(code(() => v.getOneReg(arm64SysregIdByName('SCTLR_EL1')))).toBe(undefined);
      expect(code(() => v.getOneReg(0x603000000013ffffn))).toBe('ENOENT'); // no such sysreg
      expect(code(() => v.getOneReg(0x6020000000100040n))).toBe('EINVAL'); // pc with a u32 size
      expect(code(() => v.getOneReg(0x6030000000140009n))).toBe('ENOENT'); // unknown firmware register
      expect(code(() => v.getOneReg(0x7030000000100040n))).toBe('EINVAL'); // not an arm64 id
      const mem = hv.allocateMemory(0x4000);
      expect(code(() => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100n, memory: mem }))).toBe('EINVAL');
      vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: mem });
      const mem2 = hv.allocateMemory(0x4000);
      expect(code(() => vm.setUserMemoryRegion({ slot: 1, guestPhysAddr: 0x102000n, memory: mem2 }))).toBe('EEXIST');
      expect(code(() => vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x100000n, memory: mem, size: 0x2000 }))).toBe('EINVAL');
      expect(code(() => vm.setUserMemoryRegion({ slot: 5, guestPhysAddr: 0n, memory: null }))).toBe('EINVAL');
      expect(code(() => vm.getDirtyLog(0))).toBe('ENOENT');
      expect(code(() => vm.irqLine({ type: 'spi', vcpu: 0, irq: 40 }, true))).toBe('ENXIO');
    });
  });
}
