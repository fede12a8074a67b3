/**
 * arm64 tier: vCPU creation and init, the register list and ONE_REG on a real arm64 KVM (through lib/kvm).
 * Expected errno values are the ones kvmprobe recorded (test/fixtures/kvm-errno-arm64.txt).
 */
import { openKvm } from '../../lib/kvm';
import { arm64CoreId, arm64SysregIdByName, decodeRegId, firmwareId, hex64 } from '../../lib/codec/regid';
import { describeArm64, errnoOf, guest, labCpu, loadRegListFixture, leBytesToBigInt, PC, PSTATE, X } from './helpers';

const PSCI_VERSION = firmwareId(0);

describeArm64('arm64 KVM: preferred target and KVM_ARM_VCPU_INIT', () => {
  test('KVM_ARM_PREFERRED_TARGET names a known target; PSCI_0_2 init gives the documented reset state', () => {
    const hv = openKvm();
    expect(hv.apiVersion()).toBe(12);
    const vm = hv.createVm();
    const t = vm.preferredTarget();
    // 2 = CORTEX_A57 (qemu -cpu cortex-a57), 5 = GENERIC_V8 (-cpu max and most other hosts)
    expect([2, 5]).toContain(t.target);
    if (labCpu === 'cortex-a57') expect(t.target).toBe(2);
    if (labCpu?.startsWith('max') === true) expect(t.target).toBe(5);
    const vcpu = vm.createVcpu(0);
    expect(errnoOf(() => vcpu.run())).toBe('ENOEXEC'); // KVM_RUN before VCPU_INIT
    expect(errnoOf(() => vcpu.getReg(PC))).toBe('ENOEXEC');
    vcpu.init({ target: t.target, features: ['psci-0.2'] });
    vcpu.init({ target: t.target, features: ['psci-0.2'] }); // the same init again is accepted
    expect(errnoOf(() => vcpu.init({ target: t.target, features: ['psci-0.2', 'power-off'] }))).toBe('EINVAL');
    expect(errnoOf(() => vcpu.init({ target: t.target, features: [] }))).toBe('EINVAL');
    expect(vcpu.getReg(PSTATE)).toBe(0x3c5n); // EL1h, D A I F masked
    expect(vcpu.getReg(PC)).toBe(0n);
    expect(vcpu.getReg(arm64SysregIdByName('MPIDR_EL1'))).toBe(0x80000000n);
    expect(vcpu.getReg(PSCI_VERSION)).toBe(0x10001n); // PSCI 1.1 on 6.1
    expect(vcpu.getMpState()).toBe('runnable');
    vcpu.close();
    vm.close();
    hv.close();
  });

  test('a secondary vCPU initialised with POWER_OFF starts stopped; its MPIDR carries its index', () => {
    const hv = openKvm();
    const vm = hv.createVm();
    const t = vm.preferredTarget().target;
    const v0 = vm.createVcpu(0);
    const v1 = vm.createVcpu(1);
    v0.init({ target: t, features: ['psci-0.2'] });
    v1.init({ target: t, features: ['psci-0.2', 'power-off'] });
    expect(v0.getMpState()).toBe('runnable');
    expect(v1.getMpState()).toBe('stopped');
    expect(v1.getReg(arm64SysregIdByName('MPIDR_EL1'))).toBe(0x80000001n);
    expect(errnoOf(() => vm.createVcpu(1))).toBe('EEXIST');
    const max = hv.checkExtension('MAX_VCPUS');
    expect(max).toBeGreaterThan(1);
    expect(errnoOf(() => vm.createVcpu(max))).toBe('EINVAL');
    v1.close();
    v0.close();
    vm.close();
    hv.close();
  });

  test('EL1_32BIT: a VM of its own takes it (CPSR SVC, A32); mixing widths in one VM is EINVAL', () => {
    const hv = openKvm();
    expect(hv.checkExtension('ARM_EL1_32BIT')).toBe(1);
    const vm32 = hv.createVm();
    const t = vm32.preferredTarget().target;
    const a = vm32.createVcpu(0);
    a.init({ target: t, features: ['el1-32bit', 'psci-0.2'] });
    expect(a.getReg(PSTATE)).toBe(0x1d3n); // AArch32 SVC mode, A I F masked
    const b = vm32.createVcpu(1);
    expect(errnoOf(() => b.init({ target: t, features: ['psci-0.2'] }))).toBe('EINVAL');
    const vm64 = hv.createVm();
    const c = vm64.createVcpu(0);
    const d = vm64.createVcpu(1);
    c.init({ target: t, features: ['psci-0.2'] });
    expect(errnoOf(() => d.init({ target: t, features: ['el1-32bit', 'psci-0.2'] }))).toBe('EINVAL');
    for (const o of [a, b, c, d, vm32, vm64, hv]) o.close();
  });
});

describeArm64('arm64 KVM: KVM_GET_REG_LIST and ONE_REG', () => {
  test('every listed id is named by the codec; the list and values after init match the lab fixture', () => {
    const g = guest([]);
    const ids = g.vcpu.getRegList();
    expect(ids.length).toBeGreaterThan(200);
    const unnamed = ids.filter((id) => decodeRegId(id).name === undefined).map(hex64);
    expect(unnamed).toEqual([]);
    expect(ids).toContain(arm64CoreId('v31'));
    if (labCpu === 'cortex-a57' || labCpu === 'max') {
      // the same kernel and CPU as the fixture: the same ids, and the same reset values for the registers that do
      // not move (core, ID registers, firmware; the counters and PC = RAM_GPA set by guest() do)
      const fx = loadRegListFixture(`reglist-${labCpu}.txt`);
      expect([...ids].sort()).toEqual([...fx.keys()].sort());
      const diffs: string[] = [];
      for (const id of ids) {
        const d = decodeRegId(id);
        const stable = (d.kind === 'core' && d.name !== 'pc') || d.kind === 'firmware' ||
          (d.kind === 'sysreg' && d.encoding.op0 === 3 && d.encoding.op1 === 0 && d.encoding.crn === 0);
        if (!stable) continue;
        const v = g.vcpu.getOneReg(id);
        const n = typeof v === 'bigint' ? v : leBytesToBigInt(v);
        if (n !== fx.get(id)) diffs.push(`${d.name}: ${n.toString(16)} vs fixture ${fx.get(id)?.toString(16)}`);
      }
      expect(diffs).toEqual([]);
    }
    g.close();
  });

  test('round trips: core x0..x30 / sp / pc, a system register, v0 (128 bits), PSCI_VERSION', () => {
    const g = guest([]);
    const v = g.vcpu;
    for (let i = 0; i < 31; i++) v.setOneReg(X(i), 0x0101_0101_0101_0101n * BigInt(i + 1));
    for (let i = 0; i < 31; i++) expect(v.getReg(X(i))).toBe(0x0101_0101_0101_0101n * BigInt(i + 1));
    v.setOneReg(arm64CoreId('sp'), 0x4000_8000n);
    expect(v.getReg(arm64CoreId('sp'))).toBe(0x4000_8000n);
    const tpidr = arm64SysregIdByName('TPIDR_EL1');
    v.setOneReg(tpidr, 0xfeed_face_cafe_beefn);
    expect(v.getReg(tpidr)).toBe(0xfeed_face_cafe_beefn);
    const v0 = arm64CoreId('v0');
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    v.setOneReg(v0, bytes);
    expect(v.getOneReg(v0)).toEqual(bytes);
    expect(() => v.getReg(v0)).toThrow(TypeError); // wider than 64 bits
    // PSCI_VERSION: 1.1 after init, 0.2 can be set (the VM then offers PSCI 0.2), 0x10002 / 0x3 cannot
    expect(v.getReg(firmwareId(0))).toBe(0x10001n);
    v.setOneReg(firmwareId(0), 0x2n);
    expect(v.getReg(firmwareId(0))).toBe(0x2n);
    expect(errnoOf(() => v.setOneReg(firmwareId(0), 0x10002n))).toBe('EINVAL');
    expect(errnoOf(() => v.setOneReg(firmwareId(0), 0x3n))).toBe('EINVAL');
    v.setOneReg(firmwareId(0), 0x10000n);
    expect(v.getReg(firmwareId(0))).toBe(0x10000n);
    g.close();
  });

  test('ONE_REG failures carry the kernel errno', () => {
    const g = guest([]);
    const v = g.vcpu;
    expect(errnoOf(() => v.getOneReg(0x603000000013fffen))).toBe('ENOENT'); // sysreg (3,7,15,15,6): none
    expect(errnoOf(() => v.setOneReg(PSTATE, 0x3c9n))).toBe('EINVAL'); // EL2h is not a guest mode
    expect(errnoOf(() => v.setOneReg(arm64SysregIdByName('MIDR_EL1'), 0n))).toBe('EINVAL'); // ID regs are fixed
    g.close();
  });
});
