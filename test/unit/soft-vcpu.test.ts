/** Soft vCPU behaviours beyond the conformance set: kick, immediate_exit, single-step, NISV, instruction budget, dirty log, SError. */
import { openSoft } from '../../lib/soft';
import { arm64CoreId, arm64SysregIdByName } from '../../lib/codec/regid';
import { Worker } from 'node:worker_threads';

function machine(words: number[]) {
  const hv = openSoft();
  const vm = hv.createVm();
  const mem = hv.allocateMemory(0x10000);
  const dv = new DataView(mem.bytes.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  vm.setUserMemoryRegion({ slot: 0, guestPhysAddr: 0x10000n, memory: mem, logDirtyPages: true });
  const vcpu = vm.createVcpu(0);
  vcpu.init({ target: 2, features: ['psci-0.2'] });
  vcpu.setOneReg(arm64CoreId('pc'), 0x10000n);
  return { hv, vm, mem, vcpu };
}
const LOOP = [0x14000000]; // b .

test('a guest spinning forever returns intr after the instruction budget, and on kick() from another thread', async () => {
  const { vcpu } = machine(LOOP);
  vcpu.setInstructionBudget(1000);
  expect(vcpu.run()).toEqual({ reason: 'intr' });
  expect(vcpu.instructionsRetired).toBe(1000);
  vcpu.setInstructionBudget(undefined);
  const w = new Worker(`const { workerData } = require('node:worker_threads'); setTimeout(() => { const a = new Int32Array(workerData.buffer); Atomics.store(a, 0, 1); Atomics.add(a, 1, 1); Atomics.notify(a, 1); }, 50);`, { eval: true, workerData: vcpu.kickHandle() });
  expect(vcpu.run()).toEqual({ reason: 'intr' });
  await w.terminate();
});

test('immediateExit and a kick before run() give intr without running', () => {
  const { vcpu } = machine(LOOP);
  vcpu.immediateExit = true;
  expect(vcpu.run()).toEqual({ reason: 'intr' });
  vcpu.immediateExit = false;
  vcpu.kick();
  const before = vcpu.instructionsRetired;
  expect(vcpu.run()).toEqual({ reason: 'intr' });
  expect(vcpu.instructionsRetired).toBe(before);
});

test('single-step: one instruction per run, debug exit with the software-step syndrome', () => {
  const { vcpu } = machine([0xd2800021, 0xd2800042, 0x14000000]); // mov x1,#1; mov x2,#2; b .
  vcpu.setGuestDebug({ control: 1 | 2 });
  expect(vcpu.run()).toEqual({ reason: 'debug', hsr: 0xcb000022, hsrHigh: 0, far: 0n });
  expect(vcpu.getReg(arm64CoreId('pc'))).toBe(0x10004n);
  vcpu.run();
  expect(vcpu.getReg(arm64CoreId('x2'))).toBe(2n);
  expect(() => vcpu.setGuestDebug({ control: 4 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
});

test('a store pair to MMIO: ENOSYS without KVM_CAP_ARM_NISV_TO_USER, an arm-nisv exit with it', () => {
  const { vm, vcpu } = machine([0xd2820001, 0xa9000c22, 0x14000000]); // mov x1,#0x1000; stp x2,x3,[x1]; b .
  expect(() => vcpu.run()).toThrow(expect.objectContaining({ code: 'ENOSYS', ioctl: 'KVM_RUN' }));
  vm.enableCap('ARM_NISV_TO_USER');
  const e = vcpu.run();
  expect(e).toMatchObject({ reason: 'arm-nisv', faultIpa: 0x1000n });
});

test('dirty log: pages the guest wrote', () => {
  const { vm, vcpu } = machine([0xd29e0001, 0xf2a00021, 0xf9000021, 0x14000000]); // mov x1,#0x1f000; str x1,[x1]; b .
  expect(Array.from(vm.getDirtyLog(0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  vcpu.setInstructionBudget(10);
  vcpu.run();
  const log = vm.getDirtyLog(0);
  expect(log[0]).toBe(0); // 0x1f000 is page 15 of the slot at 0x10000
  expect(log[1]).toBe(0x80);
  expect(Array.from(vm.getDirtyLog(0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
});

test('SError injection through KVM_SET_VCPU_EVENTS is taken at VBAR_EL1 + 0x380 once PSTATE.A is clear', () => {
  const { vcpu } = machine([0xd50344ff, 0x14000000]); // msr daifclr, #4 (clear A); b .
  vcpu.setOneReg(arm64SysregIdByName('VBAR_EL1'), 0x18000n);
  vcpu.setVcpuEvents({ serrorPending: true, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n });
  expect(vcpu.getVcpuEvents().serrorPending).toBe(true);
  vcpu.setInstructionBudget(50);
  vcpu.run();
  expect(vcpu.getVcpuEvents().serrorPending).toBe(false);
  expect(vcpu.getReg(arm64SysregIdByName('ESR_EL1'))).toBe(0xbe000000n);
  expect(() => vcpu.setVcpuEvents({ serrorPending: true, serrorHasEsr: true, extDabtPending: false, serrorEsr: 1n })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
});
