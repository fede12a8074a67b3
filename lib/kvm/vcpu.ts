/**
 * KvmVcpu: a vCPU fd and its mmapped kvm_run area (api.txt §4 "vcpu ioctls", §5 "The kvm_run structure").
 *
 *   const vcpu = vm.createVcpu(0);
 *   vcpu.init(vm.preferredTarget());
 *   vcpu.setOneReg(arm64CoreId('pc'), 0x4000_0000n);
 *   for (;;) {
 *     const exit = vcpu.run();
 *     if (exit.reason === 'mmio' && !exit.isWrite) exit.data.fill(0);   // complete an MMIO read
 *     ...
 *   }
 */
import type { Vcpu, VcpuInit } from '../backend';
import { KVM_ARM_VCPU_FINALIZE_FEATURE, KVM_EXIT, KVM_IOCTL, KVM_MP_STATE, featureWords, type MpState } from '../codec/abi';
import { hex64, regName, regSizeBytes, type RegId } from '../codec/regid';
import {
  OFFSETS,
  decodeMpState,
  decodeRegList,
  decodeRunExit,
  decodeVcpuEvents,
  encodeGuestDebug,
  encodeMpState,
  encodeRegList,
  encodeVcpuEvents,
  encodeVcpuInit,
  type GuestDebug,
  type VcpuEvents,
  type VcpuExit,
} from '../codec/structs';
import { ERRNO, KvmError } from '../errors';
import { BLK, callBlockViews, requireBinding, type NativeBinding, type NativeFd, type NativeVcpuRun } from './binding';
import { call, closed, ioctlFailed, toKvmError } from './errors';

/** A structured-cloneable handle that lets any thread kick a vCPU (see kickVcpu). */
export interface KvmKickHandle {
  readonly backend: 'kvm';
  readonly id: number;
  readonly token: number;
}

/**
 * Kicks the vCPU a handle names, from any thread (worker_threads included): sets immediate_exit and signals
 * the thread blocked in KVM_RUN, which returns { reason: 'intr' }. Returns false when that vCPU is closed.
 */
export function kickVcpu(handle: KvmKickHandle, binding: NativeBinding = requireBinding()): boolean {
  return binding.kick(handle.id, handle.token);
}

const MP_NAMES: Record<number, MpState> = {
  [KVM_MP_STATE.RUNNABLE]: 'runnable',
  [KVM_MP_STATE.UNINITIALIZED]: 'uninitialized',
  [KVM_MP_STATE.HALTED]: 'halted',
  [KVM_MP_STATE.STOPPED]: 'stopped',
  [KVM_MP_STATE.SUSPENDED]: 'suspended',
};
const MP_VALUES: Partial<Record<MpState, number>> = {
  runnable: KVM_MP_STATE.RUNNABLE,
  uninitialized: KVM_MP_STATE.UNINITIALIZED,
  halted: KVM_MP_STATE.HALTED,
  stopped: KVM_MP_STATE.STOPPED,
  suspended: KVM_MP_STATE.SUSPENDED,
};

function regLabel(id: bigint): string {
  try {
    return regName(id);
  } catch {
    return hex64(id);
  }
}
function toId(id: RegId | bigint): bigint {
  if (typeof id !== 'bigint') throw new TypeError('id: expected a register id (bigint)');
  if (id < 0n || id > 0xffffffffffffffffn) throw new RangeError(`id: must be a u64, got ${id}`);
  return id;
}
/** Byte size an id encodes: the codec's table, or the raw 1 << size-field for sizes it does not name. */
function idBytes(id: bigint): number {
  try {
    return regSizeBytes(id);
  } catch {
    return 1 << Number((id >> 52n) & 0xfn);
  }
}

const REQ_GET_ONE_REG = KVM_IOCTL.KVM_GET_ONE_REG;
const REQ_SET_ONE_REG = KVM_IOCTL.KVM_SET_ONE_REG;
const EXIT_MMIO = KVM_EXIT.MMIO;
const EXIT_INTR = KVM_EXIT.INTR;
const RUN_EXIT_REASON = OFFSETS.kvm_run.exit_reason;
const MMIO_PHYS_ADDR = OFFSETS.mmio.phys_addr;
const MMIO_DATA = OFFSETS.mmio.data;
const MMIO_LEN = OFFSETS.mmio.len;
const MMIO_IS_WRITE = OFFSETS.mmio.is_write;
const IMMEDIATE_EXIT = OFFSETS.kvm_run.immediate_exit;

export class KvmVcpu implements Vcpu {
  readonly backend = 'kvm' as const;
  readonly index: number;
  #fd: NativeFd | null;
  #run: NativeVcpuRun | null;
  #runBytes: Uint8Array;
  readonly #binding: NativeBinding;
  /** handles for the fast calls (read once: the accessors go through the addon) */
  readonly #fdHandle: number;
  readonly #runHandle: number;
  readonly #blk: Uint32Array;
  readonly #blkI32: Int32Array;
  /** the last MMIO physAddr as u32 halves and as the bigint made for it: repeated addresses reuse the bigint */
  #paLo = -1;
  #paHi = -1;
  #pa = 0n;
  /** over the mmapped kvm_run, made once: decoding an exit allocates only the exit object (and its bigints) */
  #runView: DataView;
  /** kvm_run.mmio.data[0, n) for n = 0..8, made once: an MMIO exit's `data` (a live view) is one of these */
  #mmioData: Uint8Array[];
  readonly #ctx: string;
  readonly #owner: { childClosed(c: { close(): void }): void };

  /** @internal use KvmVm.createVcpu() */
  constructor(binding: NativeBinding, fd: NativeFd, index: number, mmapSize: number, owner: { childClosed(c: { close(): void }): void }) {
    this.index = index;
    this.#fd = fd;
    this.#owner = owner;
    this.#run = call(undefined, `kvm_run of vcpu ${index}`, () => fd.mapRun(mmapSize, KVM_IOCTL.KVM_RUN, OFFSETS.kvm_run.immediate_exit));
    this.#runBytes = new Uint8Array(this.#run.buffer);
    this.#binding = binding;
    this.#fdHandle = fd.handle;
    this.#runHandle = this.#run.handle;
    const v = callBlockViews(binding);
    this.#blk = v.u32;
    this.#blkI32 = v.i32;
    this.#runView = new DataView(this.#run.buffer);
    this.#mmioData = Array.from({ length: 9 }, (_, n) => this.#runBytes.subarray(MMIO_DATA, MMIO_DATA + n));
    this.#ctx = `vcpu ${index}`;
  }

  #vcpu(ioctl: string): NativeFd {
    if (!this.#fd) throw closed(`vcpu ${this.index}`, ioctl);
    return this.#fd;
  }

  /** The vCPU fd number. */
  get fd(): number {
    return this.#vcpu('fd').fd;
  }

  /** The mmapped kvm_run area (live; for advanced use, e.g. the coalesced MMIO ring past the first page). */
  get runArea(): Uint8Array {
    this.#vcpu('mmap');
    return this.#runBytes;
  }

  /**
   * KVM_ARM_VCPU_INIT (api.txt 4.77; arm/arm64): resets the vCPU to `target` with the named features
   * ('power-off', 'psci-0.2', 'pmu-v3', 'sve', 'ptrauth-address', 'ptrauth-generic', 'el1-32bit').
   *
   *   vcpu.init({ target: vm.preferredTarget().target, features: ['psci-0.2'] });
   */
  init(init: VcpuInit): void {
    const b = encodeVcpuInit({ target: init.target, features: featureWords(init.features) });
    const fd = this.#vcpu('KVM_ARM_VCPU_INIT');
    call('KVM_ARM_VCPU_INIT', this.#ctx, () => fd.ioctlBuf(KVM_IOCTL.KVM_ARM_VCPU_INIT, b));
  }

  /**
   * KVM_ARM_VCPU_FINALIZE (api.txt 4.116; needs ARM_SVE): freezes the SVE configuration after init with 'sve'.
   *
   *   vcpu.finalize('sve');
   */
  finalize(feature: 'sve'): void {
    const f = KVM_ARM_VCPU_FINALIZE_FEATURE[feature];
    if (f === undefined) throw new RangeError(`feature: only 'sve' can be finalized, got '${String(feature)}'`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, f, true);
    const fd = this.#vcpu('KVM_ARM_VCPU_FINALIZE');
    call('KVM_ARM_VCPU_FINALIZE', `${this.#ctx} ${feature}`, () => fd.ioctlBuf(KVM_IOCTL.KVM_ARM_VCPU_FINALIZE, b));
  }

  /**
   * KVM_GET_REG_LIST (api.txt 4.84; arm/arm64, after init): every register id GET/SET_ONE_REG accepts. The
   * E2BIG "buffer too small" round trip is done here.
   *
   *   for (const id of vcpu.getRegList()) console.log(formatRegId(id));
   */
  getRegList(): RegId[] {
    const fd = this.#vcpu('KVM_GET_REG_LIST');
    let capacity = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const b = encodeRegList(capacity);
      try {
        fd.regList(KVM_IOCTL.KVM_GET_REG_LIST, b);
        return decodeRegList(b) as RegId[];
      } catch (e) {
        const err = toKvmError(e, 'KVM_GET_REG_LIST', this.#ctx);
        if (err instanceof KvmError && err.errno === ERRNO.E2BIG) {
          const n = Number(new DataView(b.buffer).getBigUint64(0, true));
          if (n <= capacity) throw err;
          capacity = n;
          continue;
        }
        throw err;
      }
    }
    throw new KvmError('E2BIG', { syscall: 'ioctl', ioctl: 'KVM_GET_REG_LIST', context: `${this.#ctx}: the list kept growing`, backend: 'kvm' });
  }

  /**
   * KVM_GET_ONE_REG (api.txt 4.69; needs ONE_REG): a bigint for ids of ≤ 64 bits, bytes for wider ones.
   *
   *   const pc = vcpu.getOneReg(arm64CoreId('pc'));
   */
  getOneReg(id: RegId | bigint): bigint | Uint8Array {
    const rid = toId(id);
    if (this.#fd !== null) {
      // ids of ≤ 8 bytes: the value comes back as a bigint, no buffer (1: a wider id, take the general path)
      const r = this.#binding.getReg64(this.#fdHandle, REQ_GET_ONE_REG, rid);
      if (typeof r === 'bigint') return r;
      if (r < 0) throw ioctlFailed(-r, 'KVM_GET_ONE_REG', regLabel(rid));
    }
    const size = idBytes(rid);
    const v = new Uint8Array(Math.max(size, 8));
    const fd = this.#vcpu('KVM_GET_ONE_REG');
    call('KVM_GET_ONE_REG', regLabel(rid), () => fd.oneReg(KVM_IOCTL.KVM_GET_ONE_REG, rid, v.subarray(0, size)));
    if (size > 8) return v;
    return new DataView(v.buffer).getBigUint64(0, true);
  }

  /** KVM_GET_ONE_REG of a register of ≤ 64 bits (TypeError for wider ids). */
  getReg(id: RegId | bigint): bigint {
    const rid = toId(id);
    if (this.#fd !== null) {
      const r = this.#binding.getReg64(this.#fdHandle, REQ_GET_ONE_REG, rid);
      if (typeof r === 'bigint') return r;
      if (r < 0) throw ioctlFailed(-r, 'KVM_GET_ONE_REG', regLabel(rid));
    }
    if (idBytes(rid) > 8) throw new TypeError(`id: ${regLabel(rid)} is ${idBytes(rid) * 8} bits wide; use getOneReg()`);
    return this.getOneReg(rid) as bigint;
  }

  /**
   * KVM_SET_ONE_REG (api.txt 4.68; needs ONE_REG): a bigint that fits the id's size (RangeError otherwise) for
   * ids of ≤ 64 bits; exactly that many bytes for wider ids.
   *
   *   vcpu.setOneReg(arm64CoreId('pc'), 0x4008_0000n);
   */
  setOneReg(id: RegId | bigint, value: bigint | Uint8Array): void {
    const rid = toId(id);
    if (this.#fd !== null && typeof value === 'bigint') {
      // ids of ≤ 8 bytes with a value that fits: no buffer. 1 (wider id) and 2 (value does not fit) make no
      // syscall; the general path below then throws the TypeError / RangeError it always has.
      const r = this.#binding.setReg64(this.#fdHandle, REQ_SET_ONE_REG, rid, value);
      if (r === 0) return;
      if (r < 0) throw ioctlFailed(-r, 'KVM_SET_ONE_REG', regLabel(rid));
    }
    const size = idBytes(rid);
    let v: Uint8Array;
    if (typeof value === 'bigint') {
      if (size > 8) throw new TypeError(`value: ${regLabel(rid)} is ${size * 8} bits wide; pass ${size} bytes`);
      if (value < 0n || value >= 1n << BigInt(size * 8)) throw new RangeError(`value: ${value} does not fit the ${size * 8}-bit register ${regLabel(rid)}`);
      v = new Uint8Array(8);
      new DataView(v.buffer).setBigUint64(0, value, true);
      v = v.subarray(0, size);
    } else if (value instanceof Uint8Array) {
      if (value.byteLength !== size) throw new RangeError(`value: ${regLabel(rid)} takes ${size} bytes, got ${value.byteLength}`);
      v = value;
    } else {
      throw new TypeError('value: expected a bigint or a Uint8Array');
    }
    const fd = this.#vcpu('KVM_SET_ONE_REG');
    call('KVM_SET_ONE_REG', regLabel(rid), () => fd.oneReg(KVM_IOCTL.KVM_SET_ONE_REG, rid, v));
  }

  /** KVM_GET_MP_STATE (api.txt 4.38; needs MP_STATE): 'runnable', 'stopped' (powered off), 'suspended'… */
  getMpState(): MpState {
    const b = new Uint8Array(4);
    const fd = this.#vcpu('KVM_GET_MP_STATE');
    call('KVM_GET_MP_STATE', this.#ctx, () => fd.ioctlBuf(KVM_IOCTL.KVM_GET_MP_STATE, b));
    return MP_NAMES[decodeMpState(b)] ?? 'other';
  }

  /**
   * KVM_SET_MP_STATE (api.txt 4.39; needs MP_STATE).
   *
   *   vcpu.setMpState('stopped');
   */
  setMpState(state: MpState): void {
    const n = MP_VALUES[state];
    if (n === undefined) throw new RangeError(`state: cannot set '${String(state)}'`);
    const fd = this.#vcpu('KVM_SET_MP_STATE');
    call('KVM_SET_MP_STATE', `${this.#ctx} ${state}`, () => fd.ioctlBuf(KVM_IOCTL.KVM_SET_MP_STATE, encodeMpState(n)));
  }

  /** KVM_GET_VCPU_EVENTS (api.txt 4.31; needs VCPU_EVENTS): pending SError / external abort. */
  getVcpuEvents(): VcpuEvents {
    const b = new Uint8Array(64);
    const fd = this.#vcpu('KVM_GET_VCPU_EVENTS');
    call('KVM_GET_VCPU_EVENTS', this.#ctx, () => fd.ioctlBuf(KVM_IOCTL.KVM_GET_VCPU_EVENTS, b));
    return decodeVcpuEvents(b);
  }

  /**
   * KVM_SET_VCPU_EVENTS (api.txt 4.32; needs VCPU_EVENTS; an ESR needs ARM_INJECT_SERROR_ESR).
   *
   *   vcpu.setVcpuEvents({ serrorPending: true, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n });
   */
  setVcpuEvents(events: VcpuEvents): void {
    const b = encodeVcpuEvents(events);
    const fd = this.#vcpu('KVM_SET_VCPU_EVENTS');
    call('KVM_SET_VCPU_EVENTS', this.#ctx, () => fd.ioctlBuf(KVM_IOCTL.KVM_SET_VCPU_EVENTS, b));
  }

  /**
   * KVM_SET_GUEST_DEBUG (api.txt 4.44; needs SET_GUEST_DEBUG): single-step / breakpoints → 'debug' exits.
   *
   *   vcpu.setGuestDebug({ control: KVM_GUESTDBG.ENABLE | KVM_GUESTDBG.SINGLESTEP });
   */
  setGuestDebug(debug: GuestDebug): void {
    const b = encodeGuestDebug(debug);
    const fd = this.#vcpu('KVM_SET_GUEST_DEBUG');
    call('KVM_SET_GUEST_DEBUG', this.#ctx, () => fd.ioctlBuf(KVM_IOCTL.KVM_SET_GUEST_DEBUG, b));
  }

  #runner(): NativeVcpuRun {
    if (!this.#run) throw closed(`vcpu ${this.index}`, 'KVM_RUN');
    return this.#run;
  }

  #afterRun(e: unknown): VcpuExit {
    if (e === undefined) {
      if (!this.#run) throw closed(`vcpu ${this.index}`, 'KVM_RUN');
      return this.#decodeExit();
    }
    const err = toKvmError(e, 'KVM_RUN', this.#ctx);
    if (err instanceof KvmError && err.errno === ERRNO.EINTR) return this.#interrupted();
    throw err;
  }

  /** A kick (or another signal) interrupted KVM_RUN; the kick is consumed. */
  #interrupted(): VcpuExit {
    if (this.#run) this.#runBytes[IMMEDIATE_EXIT] = 0;
    return { reason: 'intr' };
  }

  /**
   * The exit in kvm_run, as the codec's decodeRunExit gives it. MMIO and INTR (the frequent ones) are read here
   * through the cached view, with `data` one of the cached live views; the rest go to the codec.
   */
  #decodeExit(): VcpuExit {
    const d = this.#runView;
    const reason = d.getUint32(RUN_EXIT_REASON, true);
    if (reason === EXIT_MMIO) {
      const len = d.getUint32(MMIO_LEN, true);
      const lo = d.getUint32(MMIO_PHYS_ADDR, true);
      const hi = d.getUint32(MMIO_PHYS_ADDR + 4, true);
      if (lo !== this.#paLo || hi !== this.#paHi) {
        this.#pa = d.getBigUint64(MMIO_PHYS_ADDR, true);
        this.#paLo = lo;
        this.#paHi = hi;
      }
      return {
        reason: 'mmio',
        physAddr: this.#pa,
        len,
        isWrite: d.getUint8(MMIO_IS_WRITE) !== 0,
        data: this.#mmioData[len < 8 ? len : 8] as Uint8Array,
      };
    }
    if (reason === EXIT_INTR) return { reason: 'intr' };
    return decodeRunExit(this.#runBytes);
  }

  /**
   * KVM_RUN (api.txt 4.10) on this thread: runs until an exit and returns it (the codec's VcpuExit). For an
   * MMIO read, write the bytes into `exit.data` (a live view of kvm_run) before the next run(). A kick()
   * from another thread, immediateExit, or a signal gives { reason: 'intr' }.
   *
   *   const exit = vcpu.run();
   *   if (exit.reason === 'mmio' && !exit.isWrite) exit.data.set([0x2a]);
   */
  run(): VcpuExit {
    if (this.#run === null) throw closed(`vcpu ${this.index}`, 'KVM_RUN');
    this.#blk[BLK.handle] = this.#runHandle;
    this.#binding.runVcpu();
    const r = this.#blkI32[BLK.result] as number;
    if (r === 0) return this.#decodeExit();
    if (r === -ERRNO.EINTR) return this.#interrupted();
    throw ioctlFailed(-r, 'KVM_RUN', this.#ctx);
  }

  /**
   * The fast exit path: KVM_RUN on this thread like run(), but no VcpuExit is built. Returns kvm_run's exit
   * reason as a number (KVM_EXIT.MMIO, KVM_EXIT.SYSTEM_EVENT, ...; KVM_EXIT.INTR after a kick / immediateExit /
   * signal, the kick consumed as run() does). The exit stays in kvm_run, borrowed like kvm-ioctls' VcpuExit:
   * read it through mmioPhysAddr / mmioLen / mmioIsWrite / mmioData (live, valid until the next run) or
   * decode it with lastExit(). Failures throw the KvmError run() throws.
   *
   *   while (vcpu.runReason() === KVM_EXIT.MMIO) {
   *     if (vcpu.mmioIsWrite) uart.write(vcpu.mmioPhysAddr, vcpu.mmioData);
   *     else vcpu.mmioData.set(uart.read(vcpu.mmioPhysAddr, vcpu.mmioLen));
   *   }
   */
  runReason(): number {
    if (this.#run === null) throw closed(`vcpu ${this.index}`, 'KVM_RUN');
    this.#blk[BLK.handle] = this.#runHandle;
    this.#binding.runVcpu();
    const r = this.#blkI32[BLK.result] as number;
    if (r === 0) return this.#runView.getUint32(RUN_EXIT_REASON, true);
    if (r === -ERRNO.EINTR) {
      this.#runBytes[IMMEDIATE_EXIT] = 0;
      return EXIT_INTR;
    }
    throw ioctlFailed(-r, 'KVM_RUN', this.#ctx);
  }

  /**
   * kvm_run.mmio.phys_addr of the last exit (meaningful after KVM_EXIT.MMIO), as a number: guest physical
   * addresses are at most 52 bits (arm64 IPA, x86 MAXPHYADDR), so exact; a wider value is a RangeError, never
   * a rounded number (lastExit() gives it as a bigint).
   */
  get mmioPhysAddr(): number {
    this.#runner();
    const d = this.#runView;
    const hi = d.getUint32(MMIO_PHYS_ADDR + 4, true);
    if (hi > 0x1fffff) throw new RangeError(`mmioPhysAddr: 0x${d.getBigUint64(MMIO_PHYS_ADDR, true).toString(16)} is not a safe integer; use lastExit()`);
    return hi * 0x1_0000_0000 + d.getUint32(MMIO_PHYS_ADDR, true);
  }
  /** kvm_run.mmio.len of the last exit (1, 2, 4 or 8 for an MMIO exit). */
  get mmioLen(): number {
    this.#runner();
    return this.#runView.getUint32(MMIO_LEN, true);
  }
  /** kvm_run.mmio.is_write of the last exit. */
  get mmioIsWrite(): boolean {
    this.#runner();
    return this.#runView.getUint8(MMIO_IS_WRITE) !== 0;
  }
  /** kvm_run.mmio.data[0, len): a live view; for an MMIO read, write the value here before the next run. */
  get mmioData(): Uint8Array {
    this.#runner();
    const len = this.#runView.getUint32(MMIO_LEN, true);
    return this.#mmioData[len < 8 ? len : 8] as Uint8Array;
  }
  /** The exit now in kvm_run, decoded as run() would have returned it (after runReason(); not for INTR). */
  lastExit(): VcpuExit {
    this.#runner();
    return this.#decodeExit();
  }

  /**
   * KVM_RUN on a libuv worker thread: the JS thread stays free (kick() it from here to stop it). Uses one
   * thread of the libuv pool per running vCPU (UV_THREADPOOL_SIZE, default 4); for many vCPUs run each one
   * with run() in its own worker_thread.
   *
   *   const exit = await vcpu.runAsync();
   */
  async runAsync(): Promise<VcpuExit> {
    const r = this.#runner();
    try {
      await r.runAsync();
    } catch (e) {
      return this.#afterRun(e);
    }
    return this.#afterRun(undefined);
  }

  /** From this thread: a running runAsync() (or the next run) returns { reason: 'intr' }. */
  kick(): void {
    this.#runner().kick();
  }

  /** A handle another thread passes to kickVcpu() (post it to the worker). */
  kickHandle(): KvmKickHandle {
    const r = this.#runner();
    return { backend: 'kvm', id: r.id, token: r.token };
  }

  /** kvm_run.immediate_exit: when set, the next run() returns 'intr' at once (and clears it). */
  get immediateExit(): boolean {
    this.#runner();
    return this.#runBytes[OFFSETS.kvm_run.immediate_exit] !== 0;
  }
  set immediateExit(v: boolean) {
    this.#runner();
    this.#runBytes[OFFSETS.kvm_run.immediate_exit] = v ? 1 : 0;
  }

  get closed(): boolean {
    return this.#fd === null;
  }

  /** Closes the vCPU fd and unmaps kvm_run (a KVM_RUN in progress is kicked and finishes first). */
  close(): void {
    if (!this.#fd) return;
    this.#run?.close();
    this.#run = null;
    this.#runBytes = new Uint8Array(0);
    this.#runView = new DataView(this.#runBytes.buffer);
    this.#mmioData = [];
    this.#fd.close();
    this.#fd = null;
    this.#owner.childClosed(this);
  }
  [Symbol.dispose](): void {
    this.close();
  }
}
