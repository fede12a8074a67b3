/**
 * The KVM side of the soft backend's GICv2: one {@link SoftVgic} per VM implements, with Linux 6.1's errno
 * behaviour (arch/arm64/kvm/arm.c, vgic/vgic-init.c, vgic/vgic-kvm-device.c, vgic/vgic-mmio*.c):
 *   KVM_CREATE_IRQCHIP, KVM_CREATE_DEVICE(ARM_VGIC_V2 / V3 / ITS), KVM_ARM_SET_DEVICE_ADDR, KVM_IRQ_LINE,
 *   the device attributes (GRP_ADDR, GRP_DIST_REGS, GRP_CPU_REGS, GRP_NR_IRQS, GRP_CTRL) through
 *   {@link SoftVgicDevice}, and what KVM does on a vCPU's first KVM_RUN (map the VGIC, implicit init).
 *
 * Integration (the soft VM, lib/soft/vm.ts / vcpu.ts):
 *   const chip = new SoftVgic(host)          // host: VgicHost, implemented by the VM
 *   vm.createIrqchip()        → chip.createIrqchip()
 *   vm.createDevice(t, o)     → chip.handlesDeviceType(t) ? chip.createDevice(t, o?.test === true) : (VM's own types)
 *   vm.setDeviceAddr(id, a)   → chip.setDeviceAddr(id, a)
 *   vm.irqLine(irq, level)    → chip.irqLine(rawIrqField, level)   (encode an IrqField with codec encodeIrq first)
 *   vm.createVcpu(i)          → chip.checkCreateVcpu(createdSoFar) before creating it
 *   vcpu.run(), first time    → chip.vcpuFirstRun(index)  (throws the KVM_RUN errno: ENXIO / EINVAL)
 *   PhysBus.mmio(pa, …)       → chip.handleMmio(vcpuIndex, pa, size, isWrite, value)
 *   GIC outputs               → host.gicOutput(cpu, irq, fiq) → Cpu.irqLine / Cpu.fiqLine (and wake a WFI)
 *   timer PPIs                → chip.timerLine(cpu, intid, level) (lib/soft/timer.ts GenericTimer.onLevel)
 * The VM keeps `vcpuCount`, `anyVcpuRunning` and `anyVcpuHasRun` current. The state (this object's and the
 * model's) lives in one SharedArrayBuffer (`buffer`): a SoftVgic built over the same buffer on another thread is
 * the same GIC. Every entry point takes the GIC lock (word 0), so vCPU threads and the VMM thread act on it in turn. lib/soft/gic/index.ts also offers createSoftIrqchip(), an
 * adapter to the hook interface of lib/soft/hooks.ts.
 *
 * Where Linux 6.1 differs from the older docs (and this model follows the kernel): NR_IRQS 1024 → EINVAL
 * (val > VGIC_MAX_RESERVED); get/set of an unknown register offset reads 0 / ignores the write (only has_attr
 * says ENXIO); overlapping DIST/CPU frames are accepted by GRP_ADDR and fail the first KVM_RUN with EINVAL;
 * bits 63..40 of a register attr are ignored; GICD_IIDR is 0x4B00343B.
 */
import { KvmError, closedError, type ErrnoCode } from '../../errors';
import type { BackendName, Device } from '../../backend';
import type { MmioResult } from '../cpu/api';
import {
  KVM_DEV_TYPE,
  KVM_DEV_ARM_VGIC_GRP,
  KVM_DEV_ARM_VGIC_CTRL_INIT,
  KVM_VGIC_V2_ADDR_TYPE_DIST,
  KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_DIST_SIZE,
  KVM_VGIC_V2_CPU_SIZE,
} from '../../codec/vgic';
import {
  KVM_ARM_IRQ_TYPE_SHIFT,
  KVM_ARM_IRQ_TYPE_MASK,
  KVM_ARM_IRQ_VCPU_SHIFT,
  KVM_ARM_IRQ_VCPU_MASK,
  KVM_ARM_IRQ_VCPU2_SHIFT,
  KVM_ARM_IRQ_VCPU2_MASK,
  KVM_ARM_IRQ_NUM_MASK,
  KVM_ARM_IRQ_TYPE_CPU,
  KVM_ARM_IRQ_TYPE_SPI,
  KVM_ARM_IRQ_TYPE_PPI,
  KVM_ARM_IRQ_CPU_FIQ,
} from '../../codec/irq';
import { GicV2, GIC_V2_MAX_CPUS, distAttrExists, cpuAttrExists, gicStateWords, TIMER_OWNER_TOKEN } from './gicv2';
import { lock, unlock } from '../shared';

/** VGIC_ADDR_UNDEF: what GRP_ADDR reads before an address is set. */
export const VGIC_ADDR_UNDEF = 0xffffffffffffffffn;
/** VGIC_NR_IRQS_LEGACY: nr_irqs when userspace never set GRP_NR_IRQS. */
export const VGIC_NR_IRQS_DEFAULT = 256;
/** The owner token of the timer PPIs once a vCPU has run (KVM ignores KVM_IRQ_LINE on them from then on). */
export const TIMER_LINE_OWNER: object = TIMER_OWNER_TOKEN;
/** The timer PPIs: virtual 27, physical 30 (KVM's defaults). */
export const VTIMER_PPI = 27;
export const PTIMER_PPI = 30;

/** What the VM tells its irqchip. */
export interface VgicHost {
  /** vCPUs created so far (KVM's online_vcpus); indexes 0..n-1 */
  vcpuCount(): number;
  /** true while any vCPU is inside KVM_RUN: register accesses and irqchip creation fail with EBUSY */
  anyVcpuRunning(): boolean;
  /** true once any vCPU has entered KVM_RUN */
  anyVcpuHasRun(): boolean;
  /** the VM's IPA size in bits (KVM default 40): addresses beyond → E2BIG */
  readonly ipaBits: number;
  /** no in-kernel irqchip: KVM_IRQ_LINE type CPU drives the vCPU's IRQ / FIQ input */
  setCpuLine(vcpu: number, line: 'irq' | 'fiq', level: boolean): void;
  /** the GIC's outputs towards a vCPU changed */
  gicOutput(cpu: number, irq: boolean, fiq: boolean): void;
}

function fail(code: ErrnoCode, ioctl: string, context?: string): never {
  throw new KvmError(code, { syscall: 'ioctl', ioctl, ...(context !== undefined ? { context } : {}), backend: 'soft' });
}

function u64(name: string, v: bigint): bigint {
  if (typeof v !== 'bigint') throw new TypeError(`${name}: expected a bigint, got ${typeof v}`);
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${name}: must be a u64, got ${v}`);
  return v;
}
function u32(name: string, v: bigint | number): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name}: must be a u32, got ${v}`);
    return v;
  }
  if (typeof v !== 'bigint') throw new TypeError(`${name}: expected a number or bigint, got ${typeof v}`);
  if (v < 0n || v > 0xffffffffn) throw new RangeError(`${name}: must be a u32, got ${v}`);
  return Number(v);
}

const GRP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(KVM_DEV_ARM_VGIC_GRP).map(([k, v]) => [v, k]));

/** One VGIC per VM, created by KVM_CREATE_IRQCHIP or KVM_CREATE_DEVICE(ARM_VGIC_V2). */
// words of the SoftVgic header in the shared buffer (the model's state follows at G_MODEL)
const G_LOCK = 0;
const G_CREATED = 1;
const G_READY = 2;
const G_DEAD = 3;
const G_NR_SPIS = 4;
const G_DIST_SET = 5;
const G_DIST_LO = 6;
const G_DIST_HI = 7;
const G_CPU_SET = 8;
const G_CPU_LO = 9;
const G_CPU_HI = 10;
const G_INIT = 11;
const G_MODEL_CPUS = 12;
const G_MODEL_IRQS = 13;
const G_TIMER = 14;
const G_MODEL = 32;
/** Bytes of a VGIC's shared state (8 CPU interfaces, 1024 interrupts at most). */
export const VGIC_STATE_BYTES = (G_MODEL + gicStateWords(GIC_V2_MAX_CPUS, 1024)) * 4;

/** One VGIC per VM, created by KVM_CREATE_IRQCHIP or KVM_CREATE_DEVICE(ARM_VGIC_V2). */
export class SoftVgic {
  /** the shared state: post it with the VM's share() handle */
  readonly buffer: SharedArrayBuffer;
  private readonly w: Int32Array;
  private modelView: GicV2 | undefined;

  constructor(
    private readonly host: VgicHost,
    shared?: SharedArrayBuffer,
  ) {
    this.buffer = shared ?? new SharedArrayBuffer(VGIC_STATE_BYTES);
    if (this.buffer.byteLength < VGIC_STATE_BYTES) throw new RangeError(`shared: a VGIC state buffer has ${VGIC_STATE_BYTES} bytes`);
    this.w = new Int32Array(this.buffer);
  }

  /** Runs fn holding the GIC lock (re-entrant). */
  locked<T>(fn: () => T): T {
    lock(this.w, G_LOCK);
    try {
      return fn();
    } finally {
      unlock(this.w, G_LOCK);
    }
  }

  /** irqchip_in_kernel(): a VGIC was created */
  private get created(): boolean {
    return Atomics.load(this.w, G_CREATED) !== 0;
  }
  private set created(v: boolean) {
    Atomics.store(this.w, G_CREATED, v ? 1 : 0);
  }
  /** vgic_ready(): the first KVM_RUN mapped the VGIC */
  private get ready(): boolean {
    return Atomics.load(this.w, G_READY) !== 0;
  }
  private set ready(v: boolean) {
    Atomics.store(this.w, G_READY, v ? 1 : 0);
  }
  /** nr_spis: 0 until GRP_NR_IRQS or init */
  private get nrSpis(): number {
    return this.w[G_NR_SPIS] as number;
  }
  private set nrSpis(v: number) {
    this.w[G_NR_SPIS] = v;
  }
  private get distBase(): bigint | undefined {
    return this.addr(G_DIST_SET);
  }
  private set distBase(v: bigint | undefined) {
    this.setAddrWords(G_DIST_SET, v);
  }
  private get cpuBase(): bigint | undefined {
    return this.addr(G_CPU_SET);
  }
  private set cpuBase(v: bigint | undefined) {
    this.setAddrWords(G_CPU_SET, v);
  }
  private addr(at: number): bigint | undefined {
    if (this.w[at] === 0) return undefined;
    return (BigInt((this.w[at + 2] as number) >>> 0) << 32n) | BigInt((this.w[at + 1] as number) >>> 0);
  }
  private setAddrWords(at: number, v: bigint | undefined): void {
    this.w[at] = v === undefined ? 0 : 1;
    this.w[at + 1] = Number(BigInt.asUintN(32, v ?? 0n)) | 0;
    this.w[at + 2] = Number(BigInt.asUintN(32, (v ?? 0n) >> 32n)) | 0;
  }
  private timerEnabled(cpu: number): boolean {
    return ((this.w[G_TIMER] as number) & (1 << cpu)) !== 0;
  }
  /**
   * Called (GIC lock held, on the thread whose vCPU deactivated it) when the guest deactivates a level-sensitive
   * SPI: KVM's ack notifier, which irqfd resampling hangs on (vgic_v2_fold_lr_state → kvm_notify_acked_irq).
   */
  onSpiDeactivate: ((intid: number) => void) | undefined;
  /** The model (vgic_initialized): built here, or attached to the one another thread built. */
  private get model(): GicV2 | undefined {
    if (this.modelView !== undefined) return this.modelView;
    if (Atomics.load(this.w, G_INIT) === 0) return undefined;
    this.modelView = new GicV2({
      nrCpus: this.w[G_MODEL_CPUS] as number,
      nrIrqs: this.w[G_MODEL_IRQS] as number,
      onOutput: (cpu, irq, fiq) => this.host.gicOutput(cpu, irq, fiq),
      state: new Int32Array(this.buffer, G_MODEL * 4),
      attach: true,
    });
    this.modelView.onDeactivate = (intid) => this.onSpiDeactivate?.(intid);
    return this.modelView;
  }
  /** KVM marks the VM dead when mapping the VGIC fails at the first KVM_RUN (then every ioctl gives EIO). */
  get dead(): boolean {
    return Atomics.load(this.w, G_DEAD) !== 0;
  }
  set dead(v: boolean) {
    Atomics.store(this.w, G_DEAD, v ? 1 : 0);
  }

  /** irqchip_in_kernel(kvm). */
  get inKernel(): boolean {
    return this.created;
  }
  /** The GIC model once initialised (vgic_initialized), else undefined. */
  get gic(): GicV2 | undefined {
    return this.model;
  }
  /** vgic_initialized(). */
  get initialized(): boolean {
    return this.model !== undefined;
  }
  /** The guest-physical bases (undefined until set). */
  get addresses(): { dist: bigint | undefined; cpu: bigint | undefined } {
    return { dist: this.distBase, cpu: this.cpuBase };
  }

  // ------------------------------------------------------------------ VM ioctls

  /** KVM_CREATE_IRQCHIP: a GICv2 (kvm_vgic_create). EEXIST when one exists, EBUSY after a vCPU ran, E2BIG above 8 vCPUs. */
  createIrqchip(): void {
    this.locked(() => this.create('KVM_CREATE_IRQCHIP'));
  }

  /** True for the device types this module answers KVM_CREATE_DEVICE for (VGIC v2, v3, ITS). */
  handlesDeviceType(type: number): boolean {
    return type === KVM_DEV_TYPE.ARM_VGIC_V2 || type === KVM_DEV_TYPE.ARM_VGIC_V3 || type === KVM_DEV_TYPE.ARM_VGIC_ITS;
  }

  /**
   * KVM_CREATE_DEVICE for the VGIC types: ARM_VGIC_V2 creates (or, with `test`, only probes → null); the host
   * GIC being a GICv2, ARM_VGIC_V3 and ARM_VGIC_ITS are not registered → ENODEV (also with `test`).
   */
  createDevice(type: number, test: boolean): SoftVgicDevice | null {
    if (type !== KVM_DEV_TYPE.ARM_VGIC_V2) fail('ENODEV', 'KVM_CREATE_DEVICE', `device type ${type}`);
    if (test) return null;
    this.locked(() => this.create('KVM_CREATE_DEVICE'));
    return new SoftVgicDevice(this);
  }

  private create(ioctl: string): void {
    if (this.host.anyVcpuRunning()) fail('EBUSY', ioctl, 'a vCPU is running');
    if (this.created) fail('EEXIST', ioctl, 'the VM already has a VGIC');
    if (this.host.anyVcpuHasRun()) fail('EBUSY', ioctl, 'a vCPU has already run');
    if (this.host.vcpuCount() > GIC_V2_MAX_CPUS) fail('E2BIG', ioctl, `a GICv2 serves at most ${GIC_V2_MAX_CPUS} vCPUs`);
    this.created = true;
  }

  /**
   * KVM_ARM_SET_DEVICE_ADDR (legacy): device id VGIC_V2 (0) with type DIST (0) / CPU (1). Unknown device or
   * type → ENODEV; no VGIC yet → ENODEV; set twice → EEXIST; not 4 KiB aligned → EINVAL; beyond the IPA → E2BIG.
   */
  setDeviceAddr(id: bigint, addr: bigint): void {
    u64('id', id);
    u64('addr', addr);
    const ioctl = 'KVM_ARM_SET_DEVICE_ADDR';
    // KVM_ARM_DEVICE_ID_MASK is a sign-extended int: bits 63..16 all select the device
    if (id >> 16n !== 0n) fail('ENODEV', ioctl, `device id 0x${(id >> 16n).toString(16)}`);
    const type = Number(id & 0xffffn);
    if (type !== KVM_VGIC_V2_ADDR_TYPE_DIST && type !== KVM_VGIC_V2_ADDR_TYPE_CPU) fail('ENODEV', ioctl, `address type ${type}`);
    if (!this.created) fail('ENODEV', ioctl, 'no VGIC (KVM_CREATE_IRQCHIP first)');
    const r = this.locked(() => this.setAddr(type, addr));
    if (r !== undefined) fail(r, ioctl, type === 0 ? 'dist' : 'cpu');
  }

  private setAddr(type: number, addr: bigint): ErrnoCode | undefined {
    const cur = type === KVM_VGIC_V2_ADDR_TYPE_DIST ? this.distBase : this.cpuBase;
    const size = BigInt(type === KVM_VGIC_V2_ADDR_TYPE_DIST ? KVM_VGIC_V2_DIST_SIZE : KVM_VGIC_V2_CPU_SIZE);
    if (cur !== undefined) return 'EEXIST';
    if ((addr & 0xfffn) !== 0n) return 'EINVAL';
    if (addr + size > 0xffffffffffffffffn) return 'EINVAL';
    const physSize = 1n << BigInt(this.host.ipaBits);
    if ((addr & ~(physSize - 1n)) !== 0n || addr + size > physSize) return 'E2BIG';
    if (type === KVM_VGIC_V2_ADDR_TYPE_DIST) this.distBase = addr;
    else this.cpuBase = addr;
    return undefined;
  }

  /**
   * KVM_IRQ_LINE with a raw irq field (kvm_vm_ioctl_irq_line). CPU type: only without a VGIC (else ENXIO),
   * vcpu < count and irq 0/1 (else EINVAL). PPI: VGIC needed (ENXIO), vcpu < count, 16 ≤ irq < 32 (EINVAL).
   * SPI: VGIC needed (ENXIO), 32 ≤ irq < nr_irqs (EINVAL). SPI/PPI initialise the VGIC if needed.
   */
  irqLine(irq: number, level: boolean | number): void {
    const field = u32('irq', irq);
    const lvl = typeof level === 'boolean' ? level : u32('level', level) !== 0;
    const type = (field >>> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
    const vcpu =
      ((field >>> KVM_ARM_IRQ_VCPU_SHIFT) & KVM_ARM_IRQ_VCPU_MASK) + ((field >>> KVM_ARM_IRQ_VCPU2_SHIFT) & KVM_ARM_IRQ_VCPU2_MASK) * (KVM_ARM_IRQ_VCPU_MASK + 1);
    this.locked(() => this.inject(type, vcpu, field & KVM_ARM_IRQ_NUM_MASK, lvl));
  }

  /** KVM_IRQ_LINE with the irq field's parts: type 0 CPU / 1 SPI / 2 PPI, vcpu index, irq number. */
  inject(type: number, vcpu: number, num: number, lvl: boolean): void {
    lock(this.w, G_LOCK);
    try {
      this.injectLocked(type, vcpu, num, lvl);
    } finally {
      unlock(this.w, G_LOCK);
    }
  }

  private injectLocked(type: number, vcpu: number, num: number, lvl: boolean): void {
    const ioctl = 'KVM_IRQ_LINE';
    const nrcpus = this.host.vcpuCount();
    switch (type) {
      case KVM_ARM_IRQ_TYPE_CPU:
        if (this.created) fail('ENXIO', ioctl, 'type CPU with an in-kernel VGIC');
        if (vcpu >= nrcpus) fail('EINVAL', ioctl, `vcpu ${vcpu}`);
        if (num > KVM_ARM_IRQ_CPU_FIQ) fail('EINVAL', ioctl, `CPU irq ${num}`);
        this.host.setCpuLine(vcpu, num === 0 ? 'irq' : 'fiq', lvl);
        return;
      case KVM_ARM_IRQ_TYPE_PPI: {
        if (!this.created) fail('ENXIO', ioctl, 'PPI without an in-kernel VGIC');
        if (vcpu >= nrcpus) fail('EINVAL', ioctl, `vcpu ${vcpu}`);
        if (num < 16 || num >= 32) fail('EINVAL', ioctl, `PPI ${num}`);
        const gic = this.init(ioctl);
        if (vcpu >= gic.nrCpus || !gic.setLevel(vcpu, num, lvl)) fail('EINVAL', ioctl, `PPI ${num} vcpu ${vcpu}`);
        return;
      }
      case KVM_ARM_IRQ_TYPE_SPI: {
        if (!this.created) fail('ENXIO', ioctl, 'SPI without an in-kernel VGIC');
        if (num < 32) fail('EINVAL', ioctl, `SPI ${num}`);
        const gic = this.init(ioctl);
        if (!gic.setLevel(0, num, lvl)) fail('EINVAL', ioctl, `SPI ${num} (nr_irqs ${gic.nrIrqs})`);
        return;
      }
      default:
        fail('EINVAL', ioctl, `irq type ${type}`);
    }
  }

  /**
   * Checks before KVM_CREATE_VCPU (kvm_vm_ioctl_create_vcpu / kvm_arch_vcpu_precreate): with a GICv2 at most 8
   * vCPUs (EINVAL); none once the VGIC is initialised (EBUSY). `created` is the number of vCPUs created so far.
   */
  checkCreateVcpu(created: number): void {
    if (!this.created) return;
    void this.model;
    if (created >= GIC_V2_MAX_CPUS) fail('EINVAL', 'KVM_CREATE_VCPU', `a GICv2 VM has at most ${GIC_V2_MAX_CPUS} vCPUs`);
    if (this.model !== undefined) fail('EBUSY', 'KVM_CREATE_VCPU', 'the VGIC is initialised');
  }

  /**
   * What KVM does before a vCPU's first KVM_RUN (kvm_arch_vcpu_run_pid_change): with a VGIC, map it once per
   * VM — both addresses set (else ENXIO), frames not overlapping (else EINVAL), implicit init — then give the
   * vCPU's timer PPIs to the timer. A failure marks the VM dead, as KVM does.
   */
  vcpuFirstRun(index: number): void {
    if (!this.created) return;
    this.locked(() => this.firstRunLocked(index));
  }

  private firstRunLocked(index: number): void {
    if (!this.ready) {
      const d = this.distBase;
      const c = this.cpuBase;
      if (d === undefined || c === undefined) {
        this.dead = true;
        fail('ENXIO', 'KVM_RUN', 'VGIC addresses not set');
      }
      const overlap = !(d + BigInt(KVM_VGIC_V2_DIST_SIZE) <= c || c + BigInt(KVM_VGIC_V2_CPU_SIZE) <= d);
      if (overlap) {
        this.dead = true;
        fail('EINVAL', 'KVM_RUN', 'VGIC distributor and CPU interface frames overlap');
      }
      this.init('KVM_RUN');
      this.ready = true;
    }
    const gic = this.model as GicV2;
    if (!this.timerEnabled(index) && index < gic.nrCpus) {
      gic.setOwner(index, VTIMER_PPI, TIMER_LINE_OWNER);
      gic.setOwner(index, PTIMER_PPI, TIMER_LINE_OWNER);
      this.w[G_TIMER] = (this.w[G_TIMER] as number) | (1 << index);
    }
  }

  /** A timer output (level) into the GIC: ignored until the vCPU's first run gave the PPI to the timer, or without a VGIC. */
  timerLine(cpu: number, intid: number, level: boolean): void {
    const gic = this.model;
    if (gic === undefined || !this.timerEnabled(cpu)) return;
    this.locked(() => gic.setLevel(cpu, intid, level, TIMER_LINE_OWNER));
  }

  /**
   * A guest access outside RAM: handled when it hits the distributor (4 KiB) or CPU interface (8 KiB) frame
   * of a mapped VGIC (after the first KVM_RUN). Values are little-endian data of `size` bytes.
   */
  handleMmio(cpuIndex: number, pa: number, size: number, isWrite: boolean, value: bigint): MmioResult {
    const gic = this.model;
    if (!this.ready || gic === undefined) return { handled: false };
    const p = BigInt(pa);
    const d = this.distBase as bigint;
    const c = this.cpuBase as bigint;
    let frame: 'dist' | 'cpu' | undefined;
    let off = 0;
    if (p >= d && p < d + BigInt(KVM_VGIC_V2_DIST_SIZE)) {
      frame = 'dist';
      off = Number(p - d);
    } else if (p >= c && p < c + BigInt(KVM_VGIC_V2_CPU_SIZE)) {
      frame = 'cpu';
      off = Number(p - c);
    }
    if (frame === undefined) return { handled: false };
    if (cpuIndex < 0 || cpuIndex >= gic.nrCpus || (size !== 1 && size !== 2 && size !== 4 && size !== 8)) return { handled: true, value: 0n };
    const v = Number(value & 0xffffffffn);
    lock(this.w, G_LOCK);
    let r: number;
    try {
      r = frame === 'dist' ? gic.distAccess(cpuIndex, off, size, isWrite, v) : gic.cpuAccess(cpuIndex, off, size, isWrite, v);
    } finally {
      unlock(this.w, G_LOCK);
    }
    return { handled: true, value: isWrite ? 0n : BigInt(r >>> 0) };
  }

  // ------------------------------------------------------------------ device attributes (used by SoftVgicDevice)

  /** vgic_init(): freeze nr_irqs and the vCPU count, build the model. */
  private init(ioctl: string): GicV2 {
    void ioctl;
    return this.locked(() => {
      const m = this.model;
      if (m !== undefined) return m;
      if (this.nrSpis === 0) this.nrSpis = VGIC_NR_IRQS_DEFAULT - 32;
      const nrCpus = this.host.vcpuCount();
      const nrIrqs = this.nrSpis + 32;
      this.modelView = new GicV2({ nrCpus, nrIrqs, onOutput: (cpu, irq, fiq) => this.host.gicOutput(cpu, irq, fiq), state: new Int32Array(this.buffer, G_MODEL * 4) });
      this.modelView.onDeactivate = (intid) => this.onSpiDeactivate?.(intid);
      this.w[G_MODEL_CPUS] = nrCpus;
      this.w[G_MODEL_IRQS] = nrIrqs;
      Atomics.store(this.w, G_INIT, 1);
      return this.modelView;
    });
  }

  /** KVM_SET_DEVICE_ATTR on the VGIC device. */
  setAttr(group: number, attr: bigint, value: bigint | number): void {
    this.locked(() => this.setAttrLocked(group, attr, value));
  }

  private setAttrLocked(group: number, attr: bigint, value: bigint | number): void {
    const ioctl = 'KVM_SET_DEVICE_ATTR';
    u32('group', group);
    u64('attr', attr);
    switch (group) {
      case KVM_DEV_ARM_VGIC_GRP.ADDR: {
        const addr = typeof value === 'number' ? BigInt(u32('value', value)) : u64('value', value);
        if (attr !== BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST) && attr !== BigInt(KVM_VGIC_V2_ADDR_TYPE_CPU)) fail('ENXIO', ioctl, `GRP_ADDR attr ${attr}`);
        const r = this.setAddr(Number(attr), addr);
        if (r !== undefined) fail(r, ioctl, `GRP_ADDR ${attr === 0n ? 'dist' : 'cpu'}`);
        return;
      }
      case KVM_DEV_ARM_VGIC_GRP.DIST_REGS:
      case KVM_DEV_ARM_VGIC_GRP.CPU_REGS:
        this.regsAccess(ioctl, group, attr, true, u32('value', value));
        return;
      case KVM_DEV_ARM_VGIC_GRP.NR_IRQS: {
        const n = u32('value', value);
        if (n < 64 || n > 1023 || (n & 31) !== 0) fail('EINVAL', ioctl, `GRP_NR_IRQS ${n}`);
        if (this.ready || this.nrSpis !== 0) fail('EBUSY', ioctl, 'GRP_NR_IRQS already set or the VGIC is initialised');
        this.nrSpis = n - 32;
        return;
      }
      case KVM_DEV_ARM_VGIC_GRP.CTRL:
        if (attr === BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT)) {
          this.init(ioctl);
          return;
        }
        fail('ENXIO', ioctl, `GRP_CTRL attr ${attr}`);
        break;
      default:
        fail('ENXIO', ioctl, `group ${GRP_NAMES[group] ?? group}`);
    }
  }

  /** KVM_GET_DEVICE_ATTR on the VGIC device (the full u64; GRP_NR_IRQS and the registers are u32). */
  getAttr(group: number, attr: bigint): bigint {
    return this.locked(() => this.getAttrLocked(group, attr));
  }

  private getAttrLocked(group: number, attr: bigint): bigint {
    const ioctl = 'KVM_GET_DEVICE_ATTR';
    u32('group', group);
    u64('attr', attr);
    switch (group) {
      case KVM_DEV_ARM_VGIC_GRP.ADDR:
        if (attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST)) return this.distBase ?? VGIC_ADDR_UNDEF;
        if (attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_CPU)) return this.cpuBase ?? VGIC_ADDR_UNDEF;
        return fail('ENXIO', ioctl, `GRP_ADDR attr ${attr}`);
      case KVM_DEV_ARM_VGIC_GRP.DIST_REGS:
      case KVM_DEV_ARM_VGIC_GRP.CPU_REGS:
        return BigInt(this.regsAccess(ioctl, group, attr, false, 0));
      case KVM_DEV_ARM_VGIC_GRP.NR_IRQS:
        return BigInt(this.nrSpis + 32);
      default:
        return fail('ENXIO', ioctl, `group ${GRP_NAMES[group] ?? group}`);
    }
  }

  /** KVM_HAS_DEVICE_ATTR: true, false (ENXIO), or throws (EINVAL for a register of a vCPU that does not exist). */
  hasAttr(group: number, attr: bigint): boolean {
    u32('group', group);
    u64('attr', attr);
    switch (group) {
      case KVM_DEV_ARM_VGIC_GRP.ADDR:
        return attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST) || attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_CPU);
      case KVM_DEV_ARM_VGIC_GRP.DIST_REGS:
      case KVM_DEV_ARM_VGIC_GRP.CPU_REGS: {
        const { offset } = this.parseRegAttr('KVM_HAS_DEVICE_ATTR', attr);
        return group === KVM_DEV_ARM_VGIC_GRP.DIST_REGS ? distAttrExists(offset, this.model?.nrIrqs ?? this.nrSpis + 32) : cpuAttrExists(offset);
      }
      case KVM_DEV_ARM_VGIC_GRP.NR_IRQS:
        return true;
      case KVM_DEV_ARM_VGIC_GRP.CTRL:
        return attr === BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT);
      default:
        return false;
    }
  }

  /** vgic_v2_parse_attr: cpu id bits 39..32 must name an existing vCPU (EINVAL); bits 63..40 are ignored. */
  private parseRegAttr(ioctl: string, attr: bigint): { cpu: number; offset: number } {
    u64('attr', attr);
    const cpu = Number((attr >> 32n) & 0xffn);
    if (cpu >= this.host.vcpuCount()) fail('EINVAL', ioctl, `cpu id ${cpu}: no such vCPU`);
    return { cpu, offset: Number(attr & 0xffffffffn) };
  }

  private regsAccess(ioctl: string, group: number, attr: bigint, isWrite: boolean, value: number): number {
    const { cpu, offset } = this.parseRegAttr(ioctl, attr);
    if (this.host.anyVcpuRunning()) fail('EBUSY', ioctl, 'a vCPU is running');
    const gic = this.init(ioctl);
    if (cpu >= gic.nrCpus) fail('EINVAL', ioctl, `cpu id ${cpu}: created after the VGIC was initialised`);
    const r = group === KVM_DEV_ARM_VGIC_GRP.DIST_REGS ? gic.distUaccess(cpu, offset, isWrite, value) : gic.cpuUaccess(cpu, offset, isWrite, value);
    if (!r.ok) fail(r.errno, ioctl, `${group === KVM_DEV_ARM_VGIC_GRP.DIST_REGS ? 'dist' : 'cpu'} offset 0x${offset.toString(16)}`);
    return r.value;
  }
}

/** The Device object KVM_CREATE_DEVICE(ARM_VGIC_V2) returns. Closing it leaves the VGIC in place (as closing the fd does). */
export class SoftVgicDevice implements Device {
  readonly backend: BackendName = 'soft';
  readonly type = KVM_DEV_TYPE.ARM_VGIC_V2;
  private closed = false;

  constructor(private readonly chip: SoftVgic) {}

  private check(ioctl: string): void {
    if (this.closed) throw closedError('VGIC device', ioctl);
    if (this.chip.dead) fail('EIO', ioctl, 'the VM is dead');
  }

  setAttr(group: number, attr: bigint, value: bigint | number): void {
    this.check('KVM_SET_DEVICE_ATTR');
    this.chip.setAttr(u32('group', group), u64('attr', attr), value);
  }

  getAttr(group: number, attr: bigint, bytes?: 4 | 8): bigint {
    this.check('KVM_GET_DEVICE_ATTR');
    if (bytes !== undefined && bytes !== 4 && bytes !== 8) throw new RangeError(`bytes: must be 4 or 8, got ${String(bytes)}`);
    const v = this.chip.getAttr(u32('group', group), u64('attr', attr));
    return bytes === 4 ? v & 0xffffffffn : v;
  }

  hasAttr(group: number, attr: bigint): boolean {
    this.check('KVM_HAS_DEVICE_ATTR');
    return this.chip.hasAttr(u32('group', group), u64('attr', attr));
  }

  close(): void {
    this.closed = true;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
