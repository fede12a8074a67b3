/**
 * The emulated GICv2 of the soft backend: a distributor and one CPU interface per vCPU, behaving as the GICv2
 * that arm64 KVM (Linux 6.1, arch/arm64/kvm/vgic/) presents to a guest on GICv2 hardware — "a GICv2 without the
 * security extensions": the distributor of vgic-mmio-v2.c and the virtual CPU interface (GICV_*) of the hardware.
 *
 * Facts taken from the kernel (not from the architecture's defaults), each pinned by a unit test:
 * - GICD_CTLR has one Enable bit (bit 0) for both groups; GICD_IIDR = 0x4B00343B (product 'K', revision 3,
 *   implementer ARM 0x43B); GICD_TYPER = (nr_irqs / 32 - 1) | (nr_cpus - 1) << 5.
 * - 5 priority bits: IPRIORITYR bytes and GICC_PMR keep bits 7..3; 32 preemption levels, so GICC_APR0 holds
 *   them all (bit n = preemption level n = group priority >> 3) and APR1..3 are RAZ/WI.
 * - At init: SGIs are enabled and edge-triggered, PPIs level-triggered, SPIs edge-triggered; everything is
 *   group 0 with priority 0; ICFGR is read-only for SGIs and PPIs; SGI/PPI ITARGETSR read as the own CPU.
 * - An SPI goes to the lowest-numbered CPU of its ITARGETSR byte, to CPU 0 when the byte is 0 (KVM's target_vcpu).
 * - A pending interrupt that is also active is not signalled again before it is deactivated.
 * - Guest writes to ISPENDR0/ICPENDR0 bits of SGIs are ignored (use SPENDSGIR/CPENDSGIR); userspace writes set
 *   the SGI pending from the accessing CPU / clear every source.
 * - Unknown offsets, offsets beyond nr_irqs and accesses of a width the register does not allow read as zero
 *   and ignore writes (guest and userspace alike); only has_attr reports them (ENXIO).
 *
 * Outputs: `irqLevel(cpu)` / `fiqLevel(cpu)` and the `onOutput` listener, called whenever a CPU's levels change.
 * FIQ is raised for a group 0 interrupt when GICC_CTLR.FIQEn is set, IRQ otherwise.
 */
import { gicdRegAt, giccRegAt, type GicRegLocation } from '../../codec/vgic';

/** KVM's distributor IIDR: product id 'K' (0x4B) << 24 | revision << 12 | implementer ARM (0x43B). */
export const KVM_GICD_IIDR_BASE = 0x4b00043b;
/** KVM_VGIC_IMP_REV_LATEST in 6.1. */
export const KVM_VGIC_IMP_REV_LATEST = 3;
/** The CPU interface IIDR KVM reports to userspace: 0x4B << 20 | arch version 2 << 16 | 0x43B. */
export const KVM_GICC_IIDR = 0x04b2043b;
/** Priority bits the virtual CPU interface implements (VGIC_PRI_BITS). */
export const GIC_PRI_BITS = 5;
const PRI_MASK = (0xff << (8 - GIC_PRI_BITS)) & 0xff; // 0xf8
/** Spurious interrupt ids. */
export const GIC_SPURIOUS = 1023;
export const GIC_SPURIOUS_GROUP1 = 1022;
/** Maximum CPUs of a GICv2 (VGIC_V2_MAX_CPUS). */
export const GIC_V2_MAX_CPUS = 8;

// GICC_CTLR bits of the (virtual) CPU interface
export const GICC_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICC_CTLR_ENABLE_GRP1 = 1 << 1;
export const GICC_CTLR_ACKCTL = 1 << 2;
export const GICC_CTLR_FIQEN = 1 << 3;
export const GICC_CTLR_CBPR = 1 << 4;
export const GICC_CTLR_EOIMODE = 1 << 9;
const GICC_CTLR_MASK = GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL | GICC_CTLR_FIQEN | GICC_CTLR_CBPR | GICC_CTLR_EOIMODE;
/** Minimum binary points with 5 priority bits: GICC_BPR 2, GICC_ABPR 3. */
const MIN_BPR = 7 - GIC_PRI_BITS;
const MIN_ABPR = MIN_BPR + 1;

/** Whoever drives a line (KVM's irq->owner): undefined = userspace (KVM_IRQ_LINE). */
export type LineOwner = object | undefined;

/** Whoever drives a line, as stored in the (possibly shared) state: 0 = userspace, else a registered owner. */
const ownerIds = new Map<object, number>();
const ownerObjs: object[] = [];
/** The arch timer's owner token: id 1 on every thread (the only owner shared across threads). */
export const TIMER_OWNER_TOKEN: object = Object.freeze({ owner: 'arch-timer' });
function ownerId(o: LineOwner): number {
  if (o === undefined) return 0;
  let id = ownerIds.get(o);
  if (id === undefined) {
    ownerObjs.push(o);
    id = ownerObjs.length;
    ownerIds.set(o, id);
  }
  return id;
}
ownerId(TIMER_OWNER_TOKEN);

// per-interrupt words in the state array
const F_ENABLED = 0;
const F_GROUP = 1;
const F_PRIORITY = 2;
const F_EDGE = 3;
const F_LATCH = 4;
const F_LEVEL = 5;
const F_ACTIVE = 6;
const F_TARGETS = 7;
const F_SOURCE = 8;
const F_ASOURCE = 9;
const F_OWNER = 10;
const IRQ_WORDS = 12;
// per-CPU-interface words
const C_CTLR = 0;
const C_PMR = 1;
const C_BPR = 2;
const C_ABPR = 3;
const C_APR = 4;
const C_IRQ = 5;
const C_FIQ = 6;
const CPU_WORDS = 8;
// distributor words
const D_ENABLED = 0;
const D_REV = 1;
const D_GROUPS_USER = 2;
const CPUS_AT = 8;
const IRQS_AT = CPUS_AT + GIC_V2_MAX_CPUS * CPU_WORDS;

/**
 * One interrupt's state: a view of IRQ_WORDS words of the GIC's state array (which lives in a SharedArrayBuffer
 * when the VM is shared between threads; the lock is the caller's, see SoftVgic).
 */
class IrqState {
  constructor(
    private readonly a: Int32Array,
    private readonly o: number,
    readonly intid: number,
  ) {}
  get enabled(): boolean {
    return this.a[this.o + F_ENABLED] !== 0;
  }
  set enabled(v: boolean) {
    this.a[this.o + F_ENABLED] = v ? 1 : 0;
  }
  get group(): 0 | 1 {
    return this.a[this.o + F_GROUP] as 0 | 1;
  }
  set group(v: 0 | 1) {
    this.a[this.o + F_GROUP] = v;
  }
  get priority(): number {
    return this.a[this.o + F_PRIORITY] as number;
  }
  set priority(v: number) {
    this.a[this.o + F_PRIORITY] = v;
  }
  get edge(): boolean {
    return this.a[this.o + F_EDGE] !== 0;
  }
  set edge(v: boolean) {
    this.a[this.o + F_EDGE] = v ? 1 : 0;
  }
  get pendingLatch(): boolean {
    return this.a[this.o + F_LATCH] !== 0;
  }
  set pendingLatch(v: boolean) {
    this.a[this.o + F_LATCH] = v ? 1 : 0;
  }
  get lineLevel(): boolean {
    return this.a[this.o + F_LEVEL] !== 0;
  }
  set lineLevel(v: boolean) {
    this.a[this.o + F_LEVEL] = v ? 1 : 0;
  }
  get active(): boolean {
    return this.a[this.o + F_ACTIVE] !== 0;
  }
  set active(v: boolean) {
    this.a[this.o + F_ACTIVE] = v ? 1 : 0;
  }
  /** ITARGETSR byte (SPIs); the own CPU bit for private interrupts */
  get targets(): number {
    return this.a[this.o + F_TARGETS] as number;
  }
  set targets(v: number) {
    this.a[this.o + F_TARGETS] = v;
  }
  /** SGIs: one bit per source CPU that made it pending */
  get source(): number {
    return this.a[this.o + F_SOURCE] as number;
  }
  set source(v: number) {
    this.a[this.o + F_SOURCE] = v;
  }
  /** SGIs: the source of the active instance */
  get activeSource(): number {
    return this.a[this.o + F_ASOURCE] as number;
  }
  set activeSource(v: number) {
    this.a[this.o + F_ASOURCE] = v;
  }
  get ownerId(): number {
    return this.a[this.o + F_OWNER] as number;
  }
  set owner(v: LineOwner) {
    this.a[this.o + F_OWNER] = ownerId(v);
  }
}

function isPending(s: IrqState): boolean {
  if (s.intid < 16) return s.source !== 0;
  return s.pendingLatch || (!s.edge && s.lineLevel);
}

/** One CPU interface: a view of CPU_WORDS words of the state array. */
class CpuIf {
  constructor(
    private readonly a: Int32Array,
    private readonly o: number,
  ) {}
  /** GICC_CTLR bits (EnableGrp0/1, AckCtl, FIQEn, CBPR, EOImode) */
  get ctlr(): number {
    return this.a[this.o + C_CTLR] as number;
  }
  set ctlr(v: number) {
    this.a[this.o + C_CTLR] = v;
  }
  /** priority mask, bits 7..3 */
  get pmr(): number {
    return this.a[this.o + C_PMR] as number;
  }
  set pmr(v: number) {
    this.a[this.o + C_PMR] = v;
  }
  /** binary points as stored (3 bits); the effective value is at least the minimum */
  get bpr(): number {
    return this.a[this.o + C_BPR] as number;
  }
  set bpr(v: number) {
    this.a[this.o + C_BPR] = v;
  }
  get abpr(): number {
    return this.a[this.o + C_ABPR] as number;
  }
  set abpr(v: number) {
    this.a[this.o + C_ABPR] = v;
  }
  /** active priorities: bit n = preemption level n (group priority >> 3) has an active interrupt */
  get apr(): number {
    return this.a[this.o + C_APR] as number;
  }
  set apr(v: number) {
    this.a[this.o + C_APR] = v;
  }
  get irq(): boolean {
    return Atomics.load(this.a, this.o + C_IRQ) !== 0;
  }
  set irq(v: boolean) {
    Atomics.store(this.a, this.o + C_IRQ, v ? 1 : 0);
  }
  get fiq(): boolean {
    return Atomics.load(this.a, this.o + C_FIQ) !== 0;
  }
  set fiq(v: boolean) {
    Atomics.store(this.a, this.o + C_FIQ, v ? 1 : 0);
  }
}

export type GicOutputListener = (cpu: number, irq: boolean, fiq: boolean) => void;

export interface GicV2Options {
  /** number of CPU interfaces (vCPUs), 0..8 (KVM can initialise a VGIC before any vCPU exists) */
  nrCpus: number;
  /** interrupts including the 32 private ones: 64..1024 in steps of 32 (KVM default 256) */
  nrIrqs?: number;
  onOutput?: GicOutputListener;
  /**
   * Where the state lives (at least {@link gicStateWords}(nrCpus, nrIrqs) words, e.g. over a SharedArrayBuffer so
   * every vCPU thread acts on one GIC); default a private array. `attach: true` takes the state as it is (another
   * thread built it); otherwise it is initialised to the reset values.
   */
  state?: Int32Array;
  attach?: boolean;
}

/** Words of state a GIC with `nrCpus` CPU interfaces and `nrIrqs` interrupts needs. */
export function gicStateWords(nrCpus: number, nrIrqs: number): number {
  return IRQS_AT + (nrCpus * 32 + (nrIrqs - 32)) * IRQ_WORDS;
}

/** Outcome of a userspace register write that KVM refuses (only a bad GICD_IIDR write): the errno. */
export type UaccessResult = { ok: true; value: number } | { ok: false; errno: 'EINVAL' };

function checkCpu(cpu: number, n: number): void {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= n) throw new RangeError(`cpu: must be 0..${n - 1}, got ${cpu}`);
}

/**
 * The distributor register an access of `size` bytes at `offset` reaches in KVM's region table, or undefined
 * (RAZ/WI): unknown offsets, registers KVM has no region for, widths the register does not allow, misaligned
 * accesses, and per-irq array words whose first interrupt is ≥ nrIrqs (vgic-mmio.c check_region).
 */
export function distRegion(offset: number, size: number, nrIrqs: number): GicRegLocation | undefined {
  if (!Number.isInteger(offset) || offset < 0 || offset >= 0x1000) return undefined;
  const loc = gicdRegAt(offset);
  if (loc === undefined || loc.reg.uaccess === false) return undefined;
  const reg = loc.reg;
  const widthOk = size === 4 || (size === 1 && reg.byteAccess === true);
  if (!widthOk || offset % size !== 0) return undefined;
  if (reg.bitsPerIrq !== undefined) {
    const firstIrq = Math.floor(((offset - reg.offset) * 8) / reg.bitsPerIrq);
    if (firstIrq >= nrIrqs) return undefined;
  }
  return loc;
}

/** KVM_HAS_DEVICE_ATTR for GRP_DIST_REGS with `nrIrqs` interrupts (32 before GRP_NR_IRQS or init, as in KVM). */
export function distAttrExists(offset: number, nrIrqs: number): boolean {
  return (offset & 3) === 0 && distRegion(offset, 4, nrIrqs) !== undefined;
}

/** KVM_HAS_DEVICE_ATTR for GRP_CPU_REGS: CTLR, PMR, BPR, ABPR, APR0..3, IIDR. */
export function cpuAttrExists(offset: number): boolean {
  if (!Number.isInteger(offset) || offset < 0 || (offset & 3) !== 0) return false;
  const loc = giccRegAt(offset);
  return loc !== undefined && loc.reg.uaccess !== false;
}

export class GicV2 {
  readonly nrCpus: number;
  readonly nrIrqs: number;
  onOutput: GicOutputListener | undefined;
  /** a level-sensitive SPI was deactivated (EOI, or DIR with EOImode): the hook of KVM's ack notifiers */
  onDeactivate: ((intid: number) => void) | undefined;
  private readonly st: Int32Array;
  /** GICD_CTLR.Enable */
  private get enabled(): boolean {
    return this.st[D_ENABLED] !== 0;
  }
  private set enabled(v: boolean) {
    this.st[D_ENABLED] = v ? 1 : 0;
  }
  /** IIDR revision (2 or 3); userspace can write 2 */
  private get implementationRev(): number {
    return this.st[D_REV] as number;
  }
  private set implementationRev(v: number) {
    this.st[D_REV] = v;
  }
  /** KVM: IGROUPR is writable from userspace only once userspace wrote GICD_IIDR */
  private get groupsUserWritable(): boolean {
    return this.st[D_GROUPS_USER] !== 0;
  }
  private set groupsUserWritable(v: boolean) {
    this.st[D_GROUPS_USER] = v ? 1 : 0;
  }
  private readonly priv: IrqState[];
  private readonly spis: IrqState[];
  private readonly cpus: CpuIf[];

  constructor(options: GicV2Options) {
    const { nrCpus } = options;
    const nrIrqs = options.nrIrqs ?? 256;
    if (!Number.isInteger(nrCpus) || nrCpus < 0 || nrCpus > GIC_V2_MAX_CPUS) throw new RangeError(`nrCpus: must be 0..${GIC_V2_MAX_CPUS}, got ${nrCpus}`);
    if (!Number.isInteger(nrIrqs) || nrIrqs < 64 || nrIrqs > 1024 || nrIrqs % 32 !== 0) throw new RangeError(`nrIrqs: must be 64..1024 in steps of 32, got ${nrIrqs}`);
    this.nrCpus = nrCpus;
    this.nrIrqs = nrIrqs;
    this.onOutput = options.onOutput;
    const words = gicStateWords(nrCpus, nrIrqs);
    const st = options.state ?? new Int32Array(words);
    if (!(st instanceof Int32Array) || st.length < words) throw new RangeError(`state: needs an Int32Array of at least ${words} words`);
    this.st = st;
    const fresh = options.attach !== true;
    let at = IRQS_AT;
    const mk = (intid: number, targets: number): IrqState => {
      const s = new IrqState(st, at, intid);
      if (fresh) {
        st.fill(0, at, at + IRQ_WORDS);
        s.enabled = intid < 16;
        s.edge = intid < 16 || intid >= 32;
        s.targets = targets;
      }
      at += IRQ_WORDS;
      return s;
    };
    if (fresh) {
      st.fill(0, 0, IRQS_AT);
      this.implementationRev = KVM_VGIC_IMP_REV_LATEST;
    }
    this.priv = [];
    for (let c = 0; c < nrCpus; c++) for (let i = 0; i < 32; i++) this.priv.push(mk(i, 1 << c));
    this.spis = [];
    for (let i = 32; i < nrIrqs; i++) this.spis.push(mk(i, 0));
    this.cpus = [];
    for (let c = 0; c < nrCpus; c++) this.cpus.push(new CpuIf(st, CPUS_AT + c * CPU_WORDS));
  }

  // ------------------------------------------------------------------ outputs

  /** The IRQ output towards CPU `cpu`. */
  irqLevel(cpu: number): boolean {
    checkCpu(cpu, this.nrCpus);
    return (this.cpus[cpu] as CpuIf).irq;
  }
  /** The FIQ output towards CPU `cpu` (group 0 with GICC_CTLR.FIQEn). */
  fiqLevel(cpu: number): boolean {
    checkCpu(cpu, this.nrCpus);
    return (this.cpus[cpu] as CpuIf).fiq;
  }

  // ------------------------------------------------------------------ lines (KVM_IRQ_LINE, timers)

  /**
   * Drives an interrupt line as kvm_vgic_inject_irq does: `cpu` selects the bank of a PPI (ignored for SPIs).
   * Level-sensitive: the line level is kept (pending while high); edge: a rising level latches pending.
   * Returns false when the interrupt does not exist (KVM: EINVAL) — SGIs, ids ≥ nr_irqs. A line owned by
   * someone else (the timer's PPIs after the first run) ignores the call and returns true, as KVM does.
   */
  setLevel(cpu: number, intid: number, level: boolean, owner?: LineOwner): boolean {
    if (!Number.isInteger(intid) || intid < 16 || intid >= this.nrIrqs) return false;
    if (intid < 32) checkCpu(cpu, this.nrCpus);
    const s = this.irq(intid < 32 ? cpu : 0, intid);
    if (s.ownerId !== ownerId(owner)) return true;
    if (s.edge) {
      if (!level) return true;
      s.pendingLatch = true;
    } else {
      if (s.lineLevel === level) return true;
      s.lineLevel = level;
    }
    this.update();
    return true;
  }

  /** Claims a private interrupt for an in-kernel device (KVM's kvm_vgic_set_owner): userspace injection then does nothing. */
  setOwner(cpu: number, intid: number, owner: LineOwner): void {
    checkCpu(cpu, this.nrCpus);
    if (!Number.isInteger(intid) || intid < 16 || intid >= 32) throw new RangeError(`intid: an owned line is a PPI 16..31, got ${intid}`);
    this.irq(cpu, intid).owner = owner;
  }

  // ------------------------------------------------------------------ guest MMIO

  /**
   * A guest access to the distributor frame (4 KiB) from CPU `cpu`. size 1, 2, 4 or 8; widths the register
   * does not allow (and unknown offsets) read as 0 and ignore writes. Returns the data for reads.
   */
  distAccess(cpu: number, offset: number, size: number, isWrite: boolean, value: number): number {
    checkCpu(cpu, this.nrCpus);
    const loc = this.distRegion(offset, size);
    if (loc === undefined) return 0;
    if (isWrite) {
      this.distWrite(cpu, loc, offset, size, value >>> 0, false);
      return 0;
    }
    return this.distRead(cpu, loc, offset, size);
  }

  /**
   * A guest access to the CPU interface frame (8 KiB; GICC_DIR at 0x1000) from CPU `cpu`: 32-bit accesses only,
   * anything else reads 0 / is ignored.
   */
  cpuAccess(cpu: number, offset: number, size: number, isWrite: boolean, value: number): number {
    checkCpu(cpu, this.nrCpus);
    if (size !== 4 || (offset & 3) !== 0) return 0;
    const loc = giccRegAt(offset);
    if (loc === undefined) return 0;
    const c = this.cpus[cpu] as CpuIf;
    const name = loc.reg.name;
    if (isWrite) {
      const v = value >>> 0;
      switch (name) {
        case 'GICC_CTLR':
          c.ctlr = v & GICC_CTLR_MASK;
          break;
        case 'GICC_PMR':
          c.pmr = v & PRI_MASK;
          break;
        case 'GICC_BPR':
          c.bpr = Math.max(v & 7, MIN_BPR);
          break;
        case 'GICC_ABPR':
          c.abpr = Math.max(v & 7, MIN_ABPR);
          break;
        case 'GICC_EOIR':
          this.eoi(cpu, v, false);
          break;
        case 'GICC_AEOIR':
          this.eoi(cpu, v, true);
          break;
        case 'GICC_DIR':
          if ((c.ctlr & GICC_CTLR_EOIMODE) !== 0) this.deactivate(cpu, v & 0x3ff);
          break;
        case 'GICC_APR':
          if (loc.word === 0) c.apr = v;
          break;
        default:
          return 0; // read-only registers, NSAPR: WI
      }
      this.update();
      return 0;
    }
    switch (name) {
      case 'GICC_CTLR':
        return c.ctlr;
      case 'GICC_PMR':
        return c.pmr;
      case 'GICC_BPR':
        return Math.max(c.bpr, MIN_BPR);
      case 'GICC_ABPR':
        return Math.max(c.abpr, MIN_ABPR);
      case 'GICC_IAR':
        return this.acknowledge(cpu, false);
      case 'GICC_AIAR':
        return this.acknowledge(cpu, true);
      case 'GICC_RPR':
        return this.runningPriority(c);
      case 'GICC_HPPIR':
        return this.hppir(cpu, false);
      case 'GICC_AHPPIR':
        return this.hppir(cpu, true);
      case 'GICC_APR':
        return loc.word === 0 ? c.apr >>> 0 : 0;
      case 'GICC_IIDR':
        return KVM_GICC_IIDR;
      default:
        return 0; // write-only registers, NSAPR: RAZ
    }
  }

  // ------------------------------------------------------------------ userspace (KVM_DEV_ARM_VGIC_GRP_*_REGS)

  /** has_attr for GRP_DIST_REGS: an aligned 32-bit register KVM exposes, within nr_irqs for per-irq arrays. */
  hasDistAttr(offset: number): boolean {
    return distAttrExists(offset, this.nrIrqs);
  }
  /** has_attr for GRP_CPU_REGS: CTLR, PMR, BPR, ABPR, APR0..3, IIDR. */
  hasCpuAttr(offset: number): boolean {
    return cpuAttrExists(offset);
  }

  /** A userspace 32-bit distributor register access as CPU `cpu` (vgic_v2_dist_uaccess). */
  distUaccess(cpu: number, offset: number, isWrite: boolean, value: number): UaccessResult {
    checkCpu(cpu, this.nrCpus);
    const loc = (offset & 3) === 0 ? this.distRegion(offset, 4) : undefined;
    if (loc === undefined) return { ok: true, value: 0 };
    if (!isWrite) return { ok: true, value: this.distRead(cpu, loc, offset, 4) };
    const v = value >>> 0;
    if (loc.reg.name === 'GICD_IIDR') {
      const cur = this.distRead(cpu, loc, offset, 4);
      if (((cur ^ v) & ~0xf000) !== 0) return { ok: false, errno: 'EINVAL' };
      const rev = (v >>> 12) & 0xf;
      if (rev !== 2 && rev !== 3) return { ok: false, errno: 'EINVAL' };
      this.groupsUserWritable = true;
      this.implementationRev = rev;
      return { ok: true, value: 0 };
    }
    this.distWrite(cpu, loc, offset, 4, v, true);
    return { ok: true, value: 0 };
  }

  /** A userspace 32-bit CPU interface register access for CPU `cpu` (vgic_v2_cpuif_uaccess: the GICH_VMCR view). */
  cpuUaccess(cpu: number, offset: number, isWrite: boolean, value: number): UaccessResult {
    checkCpu(cpu, this.nrCpus);
    const loc = (offset & 3) === 0 ? giccRegAt(offset) : undefined;
    if (loc === undefined || loc.reg.uaccess === false) return { ok: true, value: 0 };
    const c = this.cpus[cpu] as CpuIf;
    const v = value >>> 0;
    switch (loc.reg.name) {
      case 'GICC_CTLR':
        if (isWrite) c.ctlr = v & GICC_CTLR_MASK;
        return { ok: true, value: isWrite ? 0 : c.ctlr };
      case 'GICC_PMR': // the upper five bits of the priority mask, in bits 4..0 (GICH_VMCR.VMPriMask)
        if (isWrite) c.pmr = (v << 3) & PRI_MASK;
        return { ok: true, value: isWrite ? 0 : c.pmr >>> 3 };
      case 'GICC_BPR':
        if (isWrite) c.bpr = v & 7;
        return { ok: true, value: isWrite ? 0 : c.bpr };
      case 'GICC_ABPR':
        if (isWrite) c.abpr = v & 7;
        return { ok: true, value: isWrite ? 0 : c.abpr };
      case 'GICC_APR':
        if (loc.word !== 0) return { ok: true, value: 0 };
        if (isWrite) c.apr = v;
        return { ok: true, value: isWrite ? 0 : c.apr >>> 0 };
      case 'GICC_IIDR':
        return { ok: true, value: isWrite ? 0 : KVM_GICC_IIDR };
      default:
        return { ok: true, value: 0 };
    }
  }

  /** Re-evaluates every CPU's outputs (called after each change; public for callers that batch changes). */
  update(): void {
    for (let c = 0; c < this.nrCpus; c++) {
      const cpu = this.cpus[c] as CpuIf;
      let irq = false;
      let fiq = false;
      const best = this.highestPending(c);
      if (best !== undefined && best.priority < cpu.pmr && this.groupPriority(cpu, best) < this.runningPriority(cpu)) {
        if (best.group === 0 && (cpu.ctlr & GICC_CTLR_FIQEN) !== 0) fiq = true;
        else irq = true;
      }
      if (irq !== cpu.irq || fiq !== cpu.fiq) {
        cpu.irq = irq;
        cpu.fiq = fiq;
        this.onOutput?.(c, irq, fiq);
      }
    }
  }

  // ------------------------------------------------------------------ internals

  private irq(cpu: number, intid: number): IrqState {
    const s = intid < 32 ? this.priv[cpu * 32 + intid] : this.spis[intid - 32];
    if (s === undefined) throw new RangeError(`intid: ${intid} does not exist (nr_irqs ${this.nrIrqs})`);
    return s;
  }

  /** The CPU an SPI is delivered to (KVM: lowest set bit of ITARGETSR, CPU 0 when none). */
  private spiTarget(s: IrqState): number {
    if (s.targets === 0) return 0;
    return 31 - Math.clz32(s.targets & -s.targets);
  }

  private distRegion(offset: number, size: number): GicRegLocation | undefined {
    return distRegion(offset, size, this.nrIrqs);
  }

  private distRead(cpu: number, loc: GicRegLocation, offset: number, size: number): number {
    const reg = loc.reg;
    switch (reg.name) {
      case 'GICD_CTLR':
        return this.enabled ? 1 : 0;
      case 'GICD_TYPER':
        return (((this.nrIrqs >> 5) - 1) | (((this.nrCpus - 1) & 7) << 5)) >>> 0;
      case 'GICD_IIDR':
        return (KVM_GICD_IIDR_BASE | (this.implementationRev << 12)) >>> 0;
      case 'GICD_SGIR':
        return 0;
      case 'GICD_CPENDSGIR':
      case 'GICD_SPENDSGIR': {
        const first = offset - reg.offset;
        let v = 0;
        for (let i = 0; i < size; i++) v |= (this.irq(cpu, first + i).source & 0xff) << (8 * i);
        return v >>> 0;
      }
      default:
        break;
    }
    const bits = reg.bitsPerIrq;
    if (bits === undefined) return 0;
    const first = ((offset - reg.offset) * 8) / bits;
    const count = (size * 8) / bits;
    let v = 0;
    for (let i = 0; i < count; i++) {
      const intid = first + i;
      if (intid >= this.nrIrqs) break;
      const s = this.irq(cpu, intid);
      let field: number;
      switch (reg.name) {
        case 'GICD_IGROUPR':
          field = s.group;
          break;
        case 'GICD_ISENABLER':
        case 'GICD_ICENABLER':
          field = s.enabled ? 1 : 0;
          break;
        case 'GICD_ISPENDR':
        case 'GICD_ICPENDR':
          field = isPending(s) ? 1 : 0;
          break;
        case 'GICD_ISACTIVER':
        case 'GICD_ICACTIVER':
          field = s.active ? 1 : 0;
          break;
        case 'GICD_IPRIORITYR':
          field = s.priority;
          break;
        case 'GICD_ITARGETSR':
          field = s.targets;
          break;
        case 'GICD_ICFGR':
          field = s.edge ? 2 : 0;
          break;
        default:
          field = 0;
      }
      v |= field << (i * bits);
    }
    return v >>> 0;
  }

  private distWrite(cpu: number, loc: GicRegLocation, offset: number, size: number, v: number, user: boolean): void {
    const reg = loc.reg;
    switch (reg.name) {
      case 'GICD_CTLR':
        this.enabled = (v & 1) !== 0;
        this.update();
        return;
      case 'GICD_TYPER':
      case 'GICD_IIDR':
        return;
      case 'GICD_SGIR':
        this.sgir(cpu, v);
        return;
      case 'GICD_CPENDSGIR':
      case 'GICD_SPENDSGIR': {
        const first = offset - reg.offset;
        for (let i = 0; i < size; i++) {
          const s = this.irq(cpu, first + i);
          const bits = (v >>> (8 * i)) & 0xff;
          if (reg.name === 'GICD_SPENDSGIR') s.source |= bits;
          else s.source &= ~bits;
          s.pendingLatch = s.source !== 0;
        }
        this.update();
        return;
      }
      default:
        break;
    }
    const bits = reg.bitsPerIrq;
    if (bits === undefined) return;
    const first = ((offset - reg.offset) * 8) / bits;
    const count = (size * 8) / bits;
    const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    for (let i = 0; i < count; i++) {
      const intid = first + i;
      if (intid >= this.nrIrqs) break;
      const field = (v >>> (i * bits)) & mask;
      const s = this.irq(cpu, intid);
      switch (reg.name) {
        case 'GICD_IGROUPR':
          if (!user || this.groupsUserWritable) s.group = field as 0 | 1;
          break;
        case 'GICD_ISENABLER':
          if (field) s.enabled = true;
          break;
        case 'GICD_ICENABLER':
          if (field) s.enabled = false;
          break;
        case 'GICD_ISPENDR':
          if (!field) break;
          if (intid < 16) {
            if (user) {
              s.source |= 1 << cpu;
              s.pendingLatch = true;
            }
          } else s.pendingLatch = true;
          break;
        case 'GICD_ICPENDR':
          if (!field) break;
          if (intid < 16) {
            if (user) {
              s.source = 0;
              s.pendingLatch = false;
            }
          } else s.pendingLatch = false;
          break;
        case 'GICD_ISACTIVER':
          if (field) {
            s.active = true;
            if (intid < 16) s.activeSource = user ? 0 : cpu;
          }
          break;
        case 'GICD_ICACTIVER':
          if (field) s.active = false;
          break;
        case 'GICD_IPRIORITYR':
          s.priority = field & PRI_MASK;
          break;
        case 'GICD_ITARGETSR':
          if (intid >= 32) s.targets = field & ((1 << this.nrCpus) - 1);
          break;
        case 'GICD_ICFGR':
          if (intid >= 32) s.edge = (field & 2) !== 0;
          break;
        default:
          break;
      }
    }
    this.update();
  }

  /** GICD_SGIR written by `src`. */
  private sgir(src: number, v: number): void {
    const intid = v & 0xf;
    const filter = (v >>> 24) & 3;
    let targets: number;
    if (filter === 0) targets = (v >>> 16) & 0xff;
    else if (filter === 1) targets = ((1 << this.nrCpus) - 1) & ~(1 << src);
    else if (filter === 2) targets = 1 << src;
    else return;
    for (let c = 0; c < this.nrCpus; c++) {
      if ((targets & (1 << c)) === 0) continue;
      const s = this.irq(c, intid);
      s.source |= 1 << src;
      s.pendingLatch = true;
    }
    this.update();
  }

  /** Whether group `g` is enabled in CPU interface `c`. */
  private groupEnabled(c: CpuIf, g: 0 | 1): boolean {
    return (c.ctlr & (g === 0 ? GICC_CTLR_ENABLE_GRP0 : GICC_CTLR_ENABLE_GRP1)) !== 0;
  }

  /** The highest-priority interrupt pending, enabled, not active and forwarded to CPU `cpu` (lowest id wins ties). */
  private highestPending(cpu: number): IrqState | undefined {
    if (!this.enabled) return undefined;
    const c = this.cpus[cpu] as CpuIf;
    let best: IrqState | undefined;
    const consider = (s: IrqState): void => {
      if (!s.enabled || s.active || !isPending(s) || !this.groupEnabled(c, s.group)) return;
      if (best === undefined || s.priority < best.priority) best = s;
    };
    for (let i = 0; i < 32; i++) consider(this.priv[cpu * 32 + i] as IrqState);
    for (const s of this.spis) if (this.spiTarget(s) === cpu) consider(s);
    return best;
  }

  /** Group priority: the priority with the subpriority bits (chosen by the binary point) cleared. */
  private groupPriority(c: CpuIf, s: IrqState): number {
    const useBpr = s.group === 0 || (c.ctlr & GICC_CTLR_CBPR) !== 0;
    const shift = useBpr ? Math.max(c.bpr, MIN_BPR) + 1 : Math.max(c.abpr, MIN_ABPR);
    return (s.priority >> shift) << shift;
  }

  /** Running priority: the highest active preemption level, 0xFF when idle. */
  private runningPriority(c: CpuIf): number {
    if (c.apr === 0) return 0xff;
    const level = 31 - Math.clz32(c.apr & -c.apr);
    return level << (8 - GIC_PRI_BITS);
  }

  /** The id (with the SGI source in bits 12..10) of the lowest set source bit. */
  private static sgiSource(s: IrqState): number {
    return 31 - Math.clz32(s.source & -s.source);
  }

  private hppir(cpu: number, alias: boolean): number {
    const c = this.cpus[cpu] as CpuIf;
    const s = this.highestPending(cpu);
    if (s === undefined) return GIC_SPURIOUS;
    if (alias) {
      if (s.group !== 1) return GIC_SPURIOUS;
    } else if (s.group === 1 && (c.ctlr & GICC_CTLR_ACKCTL) === 0) return GIC_SPURIOUS_GROUP1;
    return s.intid < 16 ? s.intid | (GicV2.sgiSource(s) << 10) : s.intid;
  }

  /** GICC_IAR / GICC_AIAR read. */
  private acknowledge(cpu: number, alias: boolean): number {
    const c = this.cpus[cpu] as CpuIf;
    const s = this.highestPending(cpu);
    if (s === undefined) return GIC_SPURIOUS;
    if (s.priority >= c.pmr || this.groupPriority(c, s) >= this.runningPriority(c)) return GIC_SPURIOUS;
    if (alias) {
      if (s.group !== 1) return GIC_SPURIOUS;
    } else if (s.group === 1 && (c.ctlr & GICC_CTLR_ACKCTL) === 0) return GIC_SPURIOUS_GROUP1;
    let id = s.intid;
    if (s.intid < 16) {
      const src = GicV2.sgiSource(s);
      s.source &= ~(1 << src);
      s.pendingLatch = s.source !== 0;
      s.activeSource = src;
      id |= src << 10;
    } else {
      s.pendingLatch = false;
    }
    s.active = true;
    c.apr |= 1 << (this.groupPriority(c, s) >> (8 - GIC_PRI_BITS));
    this.update();
    return id;
  }

  /** GICC_EOIR / GICC_AEOIR write: priority drop, and deactivation unless EOImode is set. */
  private eoi(cpu: number, v: number, alias: boolean): void {
    const c = this.cpus[cpu] as CpuIf;
    const intid = v & 0x3ff;
    if (intid >= 1020) return;
    void alias;
    if (c.apr !== 0) c.apr &= c.apr - 1; // clear the highest active priority (lowest set bit)
    if ((c.ctlr & GICC_CTLR_EOIMODE) === 0) this.deactivate(cpu, intid);
  }

  private deactivate(cpu: number, intid: number): void {
    if (intid >= this.nrIrqs) return;
    const s = this.irq(cpu, intid);
    const was = s.active;
    s.active = false;
    if (was && intid >= 32 && !s.edge) this.onDeactivate?.(intid);
  }
}
