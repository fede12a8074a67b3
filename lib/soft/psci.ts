/**
 * The hypervisor calls KVM 6.1 answers itself (arch/arm64/kvm/hypercalls.c, psci.c, trng.c): SMCCC version and
 * arch features, the Spectre workaround calls, TRNG, KVM's vendor calls, and PSCI 0.1 / 0.2 / 1.0 / 1.1 by the
 * VM's PSCI_VERSION register. Unknown function ids return SMCCC NOT_SUPPORTED (-1) in x0.
 */
import { randomBytes } from 'node:crypto';
import { PSCI_FN, KVM_PSCI_FN, PSCI_RET, KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_0_2, KVM_ARM_PSCI_1_0, KVM_ARM_PSCI_1_1, SMCCC, PSCI_TOS_NOT_PRESENT_MP } from '../codec/psci';
import { KVM_SYSTEM_EVENT, KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 } from '../codec/abi';

/** What the vCPU layer needs from a vCPU to run a call. */
export interface SmcccVcpu {
  getX(n: number): bigint;
  setX(n: number, v: bigint): void;
  readonly hasPsci02: boolean;
  readonly mpidr: bigint;
  readonly stopped: boolean;
}
/** ... and from its VM. */
export interface SmcccVm<V extends SmcccVcpu> {
  psciVersion: number;
  readonly systemSuspendEnabled: boolean;
  readonly fwBitmaps: { std: bigint; stdHyp: bigint; vendorHyp: bigint };
  /**
   * Every vCPU of the VM, on whichever thread it runs (by vcpu_idx): for CPU_ON and AFFINITY_INFO.
   * cpuOn is atomic (KVM holds kvm->lock): 'already-on' unless the target is stopped.
   */
  readonly vcpuCount: number;
  vcpuMpidr(idx: number): bigint;
  vcpuStopped(idx: number): boolean;
  cpuOn(idx: number, pc: bigint, x0: bigint): 'on' | 'already-on';
  /** phantom: the vCPU type */
  readonly vcpus?: readonly (V | undefined)[];
  /** the clock for KVM's PTP call */
  readonly clock: { physicalCount(): bigint; cntvoff: bigint };
}

export type HvcOutcome =
  /** x0..x3 set; the guest continues */
  | { readonly kind: 'continue' }
  /** exit to userspace with a system event (SYSTEM_OFF / RESET / RESET2 / SUSPEND) */
  | { readonly kind: 'system-event'; readonly type: number; readonly flags: bigint; readonly ndata: number }
  /** the calling vCPU powers off (CPU_OFF): KVM_RUN sleeps until CPU_ON */
  | { readonly kind: 'power-off' }
  /** CPU_SUSPEND: like WFI */
  | { readonly kind: 'wfi' };

/** Spectre states of the host the lab runs (qemu cortex-a57): the fixture values of the firmware registers. */
export const SOFT_WA_LEVELS = {
  /** KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_1: 0 NOT_AVAIL, 1 AVAIL, 2 NOT_REQUIRED */
  wa1: 0n,
  /** KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_2: 0 NOT_AVAIL, 1 UNKNOWN, 2 AVAIL, 3 NOT_REQUIRED */
  wa2: 0n,
  /** KVM_REG_ARM_SMCCC_ARCH_WORKAROUND_3: 0 NOT_AVAIL, 1 AVAIL, 2 NOT_REQUIRED (lab fixture: 0) */
  wa3: 0n,
};

const NOT_SUPPORTED = BigInt.asUintN(64, -1n);
const ret = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));
const CONTINUE: HvcOutcome = { kind: 'continue' };
const MPIDR_HWID_BITMASK = 0xff00ffffffn;

const TRNG = { VERSION: 0x84000050, FEATURES: 0x84000051, GET_UUID: 0x84000052, RND32: 0x84000053, RND64: 0xc4000053 };
const VENDOR = { CALL_UID: 0x8600ff01, KVM_FEATURES: 0x86000000, PTP: 0x86000001 };
const PV_TIME = { FEATURES: 0xc5000020, ST: 0xc5000021 };
const PSCI64 = {
  CPU_SUSPEND: 0xc4000001,
  CPU_ON: 0xc4000003,
  AFFINITY_INFO: 0xc4000004,
  SYSTEM_SUSPEND: 0xc400000e,
  SYSTEM_RESET2: 0xc4000012,
};
/** the KVM vendor hypervisor UUID (ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0..3) */
const KVM_UID = [0xb66fb428n, 0xe911c52en, 0x564bcaa9n, 0x743a004dn];
/** the TRNG UUID KVM reports, as four little-endian words of 0d21e000-4384-11eb-8070-5244554e5a4c */
const TRNG_UUID = [0x00e0210dn, 0xeb118443n, 0x44527080n, 0x4c5a4e55n];

function setRet(v: SmcccVcpu, a0: bigint, a1 = 0n, a2 = 0n, a3 = 0n): void {
  v.setX(0, a0);
  v.setX(1, a1);
  v.setX(2, a2);
  v.setX(3, a3);
}

/** kvm_hvc_call_handler: runs the call in x0 for `vcpu` (PC already past the HVC). */
export function handleHvc<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V): HvcOutcome {
  const fn = Number(vcpu.getX(0) & 0xffffffffn);
  // the hypervisor's vector answers ARCH_WORKAROUND_1/3 itself (hyp-entry.S): x0 = 0, nothing else changes
  if (fn === SMCCC.ARCH_WORKAROUND_1 || fn === SMCCC.ARCH_WORKAROUND_3) {
    vcpu.setX(0, 0n);
    return CONTINUE;
  }
  if (!callAllowed(vm, fn)) {
    setRet(vcpu, NOT_SUPPORTED);
    return CONTINUE;
  }
  switch (fn) {
    case SMCCC.VERSION:
      setRet(vcpu, 0x10001n);
      return CONTINUE;
    case SMCCC.ARCH_FEATURES: {
      const f = Number(vcpu.getX(1) & 0xffffffffn);
      let v = NOT_SUPPORTED;
      if (f === SMCCC.ARCH_WORKAROUND_1) v = SOFT_WA_LEVELS.wa1 === 1n ? 0n : SOFT_WA_LEVELS.wa1 === 2n ? 1n : NOT_SUPPORTED;
      else if (f === SMCCC.ARCH_WORKAROUND_2) v = SOFT_WA_LEVELS.wa2 === 3n ? ret(-2) : NOT_SUPPORTED;
      else if (f === SMCCC.ARCH_WORKAROUND_3) v = SOFT_WA_LEVELS.wa3 === 1n ? 0n : SOFT_WA_LEVELS.wa3 === 2n ? 1n : NOT_SUPPORTED;
      else if (f === PV_TIME.FEATURES && vm.fwBitmaps.stdHyp & 1n) v = 0n;
      setRet(vcpu, v);
      return CONTINUE;
    }
    case PV_TIME.FEATURES:
    case PV_TIME.ST:
      // stolen time is not configured (no KVM_ARM_VCPU_PVTIME_IPA): NOT_SUPPORTED, as KVM answers then
      setRet(vcpu, NOT_SUPPORTED);
      return CONTINUE;
    case VENDOR.CALL_UID:
      setRet(vcpu, KVM_UID[0] as bigint, KVM_UID[1] as bigint, KVM_UID[2] as bigint, KVM_UID[3] as bigint);
      return CONTINUE;
    case VENDOR.KVM_FEATURES:
      setRet(vcpu, vm.fwBitmaps.vendorHyp);
      return CONTINUE;
    case VENDOR.PTP: {
      const feature = Number(vcpu.getX(1) & 0xffffffffn);
      if (feature !== 0 && feature !== 1) {
        setRet(vcpu, NOT_SUPPORTED);
        return CONTINUE;
      }
      const realNs = BigInt(Date.now()) * 1_000_000n;
      const phys = vm.clock.physicalCount();
      const cycles = feature === 0 ? phys - vm.clock.cntvoff : phys;
      setRet(vcpu, realNs >> 32n, realNs & 0xffffffffn, BigInt.asUintN(64, cycles) >> 32n, cycles & 0xffffffffn);
      return CONTINUE;
    }
    case TRNG.VERSION:
      setRet(vcpu, 0x10000n);
      return CONTINUE;
    case TRNG.FEATURES: {
      const f = Number(vcpu.getX(1) & 0xffffffffn);
      setRet(vcpu, Object.values(TRNG).includes(f) ? 0n : NOT_SUPPORTED);
      return CONTINUE;
    }
    case TRNG.GET_UUID:
      setRet(vcpu, TRNG_UUID[0] as bigint, TRNG_UUID[1] as bigint, TRNG_UUID[2] as bigint, TRNG_UUID[3] as bigint);
      return CONTINUE;
    case TRNG.RND32:
    case TRNG.RND64: {
      const size = fn === TRNG.RND32 ? 32 : 64;
      const n = Number(vcpu.getX(1) & 0xffffffffn);
      if (n > 3 * size) {
        setRet(vcpu, ret(-2));
        return CONTINUE;
      }
      const r = randomBytes(24);
      let bits = 0n;
      for (let i = 0; i < 24; i++) bits |= BigInt(r[i] as number) << BigInt(8 * i);
      bits &= (1n << BigInt(n)) - 1n;
      const w = (i: number): bigint => (bits >> BigInt(64 * i)) & 0xffffffffffffffffn;
      if (size === 32) setRet(vcpu, 0n, w(1) & 0xffffffffn, w(0) >> 32n, w(0) & 0xffffffffn);
      else setRet(vcpu, 0n, w(2), w(1), w(0));
      return CONTINUE;
    }
    default:
      return psciCall(vm, vcpu, fn);
  }
}

function callAllowed<V extends SmcccVcpu>(vm: SmcccVm<V>, fn: number): boolean {
  switch (fn) {
    case TRNG.VERSION:
    case TRNG.FEATURES:
    case TRNG.GET_UUID:
    case TRNG.RND32:
    case TRNG.RND64:
      return (vm.fwBitmaps.std & 1n) !== 0n;
    case PV_TIME.FEATURES:
    case PV_TIME.ST:
      return (vm.fwBitmaps.stdHyp & 1n) !== 0n;
    case VENDOR.KVM_FEATURES:
    case VENDOR.CALL_UID:
      return (vm.fwBitmaps.vendorHyp & 1n) !== 0n;
    case VENDOR.PTP:
      return (vm.fwBitmaps.vendorHyp & 2n) !== 0n;
    case SMCCC.VERSION:
    case SMCCC.ARCH_FEATURES:
      return true;
    default: {
      const owner = (fn >>> 24) & 0x3f;
      if (owner === 4 && (fn & 0xffff) <= 0x1f) return true;
      return fn >= KVM_PSCI_FN.CPU_SUSPEND && fn <= KVM_PSCI_FN.MIGRATE;
    }
  }
}

/** The PSCI version a vCPU sees (kvm_psci_version). */
export function psciVersionOf<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V): number {
  return vcpu.hasPsci02 ? vm.psciVersion : KVM_ARM_PSCI_0_1;
}

function psciCall<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V, fn: number): HvcOutcome {
  const ver = psciVersionOf(vm, vcpu);
  if (ver === KVM_ARM_PSCI_0_1) return psci01(vm, vcpu, fn);
  const minor = ver === KVM_ARM_PSCI_1_1 ? 1 : ver === KVM_ARM_PSCI_1_0 ? 0 : -1;
  if (minor >= 0) {
    switch (fn) {
      case PSCI_FN.PSCI_VERSION:
        setRet(vcpu, BigInt(minor === 0 ? KVM_ARM_PSCI_1_0 : KVM_ARM_PSCI_1_1));
        return CONTINUE;
      case PSCI_FN.PSCI_FEATURES: {
        const arg = Number(vcpu.getX(1) & 0xffffffffn);
        let v = NOT_SUPPORTED;
        switch (arg) {
          case PSCI_FN.PSCI_VERSION:
          case PSCI_FN.CPU_SUSPEND:
          case PSCI64.CPU_SUSPEND:
          case PSCI_FN.CPU_OFF:
          case PSCI_FN.CPU_ON:
          case PSCI64.CPU_ON:
          case PSCI_FN.AFFINITY_INFO:
          case PSCI64.AFFINITY_INFO:
          case PSCI_FN.MIGRATE_INFO_TYPE:
          case PSCI_FN.SYSTEM_OFF:
          case PSCI_FN.SYSTEM_RESET:
          case PSCI_FN.PSCI_FEATURES:
          case SMCCC.VERSION:
            v = 0n;
            break;
          case PSCI_FN.SYSTEM_SUSPEND:
          case PSCI64.SYSTEM_SUSPEND:
            if (vm.systemSuspendEnabled) v = 0n;
            break;
          case PSCI_FN.SYSTEM_RESET2:
          case PSCI64.SYSTEM_RESET2:
            if (minor >= 1) v = 0n;
            break;
        }
        setRet(vcpu, v);
        return CONTINUE;
      }
      case PSCI_FN.SYSTEM_SUSPEND:
      case PSCI64.SYSTEM_SUSPEND:
        if (vm.systemSuspendEnabled) return { kind: 'system-event', type: KVM_SYSTEM_EVENT.SUSPEND, flags: 0n, ndata: 0 };
        setRet(vcpu, NOT_SUPPORTED);
        return CONTINUE;
      case PSCI_FN.SYSTEM_RESET2:
      case PSCI64.SYSTEM_RESET2:
        if (minor >= 1) {
          const t = Number(vcpu.getX(1) & 0xffffffffn);
          if (t <= 0 || t >= 0x80000000) {
            vcpu.setX(0, ret(PSCI_RET.INTERNAL_FAILURE));
            return { kind: 'system-event', type: KVM_SYSTEM_EVENT.RESET, flags: KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2, ndata: 1 };
          }
          setRet(vcpu, ret(PSCI_RET.INVALID_PARAMS));
          return CONTINUE;
        }
        setRet(vcpu, NOT_SUPPORTED);
        return CONTINUE;
    }
  }
  return psci02(vm, vcpu, fn);
}

function psci02<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V, fn: number): HvcOutcome {
  switch (fn) {
    case PSCI_FN.PSCI_VERSION:
      setRet(vcpu, BigInt(KVM_ARM_PSCI_0_2));
      return CONTINUE;
    case PSCI_FN.CPU_SUSPEND:
    case PSCI64.CPU_SUSPEND:
      setRet(vcpu, 0n);
      return { kind: 'wfi' };
    case PSCI_FN.CPU_OFF:
      setRet(vcpu, 0n);
      return { kind: 'power-off' };
    case PSCI_FN.CPU_ON:
      narrow(vcpu);
      return cpuOn(vm, vcpu, true);
    case PSCI64.CPU_ON:
      return cpuOn(vm, vcpu, true);
    case PSCI_FN.AFFINITY_INFO:
      narrow(vcpu);
      return affinityInfo(vm, vcpu);
    case PSCI64.AFFINITY_INFO:
      return affinityInfo(vm, vcpu);
    case PSCI_FN.MIGRATE_INFO_TYPE:
      setRet(vcpu, BigInt(PSCI_TOS_NOT_PRESENT_MP));
      return CONTINUE;
    case PSCI_FN.SYSTEM_OFF:
      setRet(vcpu, ret(PSCI_RET.INTERNAL_FAILURE));
      return { kind: 'system-event', type: KVM_SYSTEM_EVENT.SHUTDOWN, flags: 0n, ndata: 1 };
    case PSCI_FN.SYSTEM_RESET:
      setRet(vcpu, ret(PSCI_RET.INTERNAL_FAILURE));
      return { kind: 'system-event', type: KVM_SYSTEM_EVENT.RESET, flags: 0n, ndata: 1 };
    default:
      setRet(vcpu, NOT_SUPPORTED);
      return CONTINUE;
  }
}

function psci01<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V, fn: number): HvcOutcome {
  switch (fn) {
    case KVM_PSCI_FN.CPU_OFF:
      setRet(vcpu, 0n);
      return { kind: 'power-off' };
    case KVM_PSCI_FN.CPU_ON:
      return cpuOn(vm, vcpu, false);
    default:
      setRet(vcpu, NOT_SUPPORTED);
      return CONTINUE;
  }
}

/** kvm_psci_narrow_to_32bit: SMC32 arguments are 32-bit */
function narrow(v: SmcccVcpu): void {
  for (let i = 1; i < 4; i++) v.setX(i, v.getX(i) & 0xffffffffn);
}

function cpuOn<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V, v02: boolean): HvcOutcome {
  const id = vcpu.getX(1);
  if (id & ~MPIDR_HWID_BITMASK) {
    setRet(vcpu, ret(PSCI_RET.INVALID_PARAMS));
    return CONTINUE;
  }
  // kvm_mpidr_to_vcpu
  let target = -1;
  for (let i = 0; i < vm.vcpuCount; i++) {
    if ((vm.vcpuMpidr(i) & MPIDR_HWID_BITMASK) === id) {
      target = i;
      break;
    }
  }
  if (target < 0) {
    setRet(vcpu, ret(PSCI_RET.INVALID_PARAMS));
    return CONTINUE;
  }
  // KVM 6.1 (kvm_psci_vcpu_on, under kvm->lock): a target that is not stopped gives ALREADY_ON (0.2+) or
  // INVALID_PARAMS (0.1); a CPU_ON makes the target runnable at once, so ON_PENDING is never returned.
  const pc = vcpu.getX(2);
  const x0 = vcpu.getX(3);
  if (vm.cpuOn(target, pc, x0) === 'already-on') {
    setRet(vcpu, ret(v02 ? PSCI_RET.ALREADY_ON : PSCI_RET.INVALID_PARAMS));
    return CONTINUE;
  }
  setRet(vcpu, 0n);
  return CONTINUE;
}

function affinityInfo<V extends SmcccVcpu>(vm: SmcccVm<V>, vcpu: V): HvcOutcome {
  let target = vcpu.getX(1);
  const level = vcpu.getX(2);
  if (target & ~MPIDR_HWID_BITMASK) {
    setRet(vcpu, ret(PSCI_RET.INVALID_PARAMS));
    return CONTINUE;
  }
  const masks = [0xff00ffffffn, 0xff00ffff00n, 0xff00ff0000n, 0xff00000000n];
  const mask = level <= 3n ? (masks[Number(level)] as bigint) : 0n;
  if (mask === 0n) {
    setRet(vcpu, ret(PSCI_RET.INVALID_PARAMS));
    return CONTINUE;
  }
  target &= mask;
  let matching = 0;
  for (let i = 0; i < vm.vcpuCount; i++) {
    if ((vm.vcpuMpidr(i) & mask) === target) {
      matching++;
      if (!vm.vcpuStopped(i)) {
        setRet(vcpu, 0n);
        return CONTINUE;
      }
    }
  }
  setRet(vcpu, matching === 0 ? ret(PSCI_RET.INVALID_PARAMS) : 1n);
  return CONTINUE;
}

export { KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_0_2, KVM_ARM_PSCI_1_0, KVM_ARM_PSCI_1_1 };
