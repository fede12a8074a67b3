/**
 * The kvm backend on a real arm64 /dev/kvm (the arm64 tier runs this inside the nested arm64 KVM lab; on x86
 * it is skipped with the reason). A guest at 0x4000_0000, each instruction word with its mnemonic:
 *   b9400022   ldr w2, [x1]          ; MMIO read of 4 bytes at x1 = 0x1000_0000
 *   b9000422   str w2, [x1, #4]      ; MMIO write of what was read, at 0x1000_0004
 *   d4000002   hvc #0                ; x0 = 0x8400_0008 PSCI SYSTEM_OFF → system-event shutdown
 */
import { KvmError } from '../../lib/errors';
import { KVM_DEV_TYPE } from '../../lib/codec/vgic';
import { arm64CoreId, decodeRegId } from '../../lib/codec/regid';
import { kvmUsable, skipReason, openKvm } from './helpers';

const d = kvmUsable && process.arch === 'arm64' ? describe : (console.warn(`skipped arm64 guest tests: ${kvmUsable ? `host is ${process.arch}, not arm64` : skipReason}`), describe.skip);

d('arm64 KVM: vCPU init, registers, MMIO exits, PSCI, VGIC', () => {
  test('test_run_code: MMIO read completed from JS, MMIO write, SYSTEM_OFF', () => {
    const hv = openKvm();
    expect(hv.checkExtension('ONE_REG')).toBe(1);
    const vm = hv.createVm();
    const mem = hv.allocateMemory(0x10000);
    const dv = new DataView(mem.bytes.buffer, mem.bytes.byteOffset);
    [0xb9400022, 0xb9000422, 0xd4000002].forEach((w, i) => dv.setUint32(i * 4, w, true));
    vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x40000000n, memory: mem });
    const vcpu = vm.createVcpu(0);
    const t = vm.preferredTarget();
    vcpu.init({ target: t.target, features: ['psci-0.2'] });
    const regs = vcpu.getRegList();
    expect(regs.length).toBeGreaterThan(100);
    expect(regs).toContain(arm64CoreId('pc'));
    for (const id of regs.slice(0, 40)) decodeRegId(id); // every id the kernel lists decodes
    vcpu.setOneReg(arm64CoreId('pc'), 0x40000000n);
    vcpu.setOneReg(arm64CoreId('x1'), 0x10000000n);
    vcpu.setOneReg(arm64CoreId('x0'), 0x84000008n);
    expect(vcpu.getReg(arm64CoreId('pc'))).toBe(0x40000000n);
    expect((vcpu.getOneReg(arm64CoreId('v0')) as Uint8Array).byteLength).toBe(16);
    expect(() => vcpu.getOneReg(0x6030000000100fffn)).toThrow(KvmError);
    const r = vcpu.run();
    expect(r).toMatchObject({ reason: 'mmio', physAddr: 0x10000000n, isWrite: false, len: 4 });
    if (r.reason !== 'mmio') throw new Error('expected mmio');
    r.data.set([0x78, 0x56, 0x34, 0x12]);
    // the write carries what the read returned: the read completion through exit.data reached w2
    expect(vcpu.run()).toEqual({ reason: 'mmio', physAddr: 0x10000004n, isWrite: true, len: 4, data: new Uint8Array([0x78, 0x56, 0x34, 0x12]) });
    expect(vcpu.run()).toMatchObject({ reason: 'system-event', type: 'shutdown' });
    vcpu.close();
    vm.close();
    mem.close();
    hv.close();
  });

  test('VGICv2 device: KVM_CREATE_DEVICE_TEST, create, HAS_DEVICE_ATTR', () => {
    const hv = openKvm();
    const vm = hv.createVm();
    expect(vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2, { test: true })).toBeNull();
    const gic = vm.createDevice(KVM_DEV_TYPE.ARM_VGIC_V2);
    expect(gic.hasAttr(0, 0n)).toBe(true); // KVM_DEV_ARM_VGIC_GRP_ADDR / KVM_VGIC_V2_ADDR_TYPE_DIST
    expect(gic.hasAttr(0xffff, 0n)).toBe(false);
    gic.close();
    vm.close();
    hv.close();
  });
});
