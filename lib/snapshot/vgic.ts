/**
 * The VGICv2 part of a snapshot: which GRP_DIST_REGS / GRP_CPU_REGS attributes are saved, and the order in which
 * they are written back. Driven by the GICv2 register table of lib/codec/vgic.ts (the one the soft GIC uses).
 *
 * Facts from Linux 6.1 (arch/arm64/kvm/vgic/vgic-mmio-v2.c, vgic-mmio.c, vgic-kvm-device.c) behind the order:
 * - GICD_IIDR first: a userspace IIDR write (same value except the revision field, revision 2 or 3) is what sets
 *   v2_groups_user_writable; before it, userspace writes to GICD_IGROUPR are ignored.
 * - A userspace ISPENDR write of an SGI bit makes the SGI pending *from the accessing vCPU* (the source cannot be
 *   given), so SGI pending state is restored only through GICD_SPENDSGIR (per source CPU), with ISPENDR's SGI bits
 *   masked off.
 * - A fresh VGIC has the SGIs enabled: the enable, pending and active state are first cleared (ICENABLER,
 *   ICPENDR, ICACTIVER, CPENDSGIR with all ones), then set.
 * - Configuration (group, ICFGR, priority, targets) before pending/active/enable state, the enables after
 *   pending and active, and GICD_CTLR last, so no interrupt is forwarded in a half-restored state
 *   (the order QEMU's hw/intc/arm_gic_kvm.c and Firecracker's gicv2 use, with CTLR moved to the end).
 * - GICD_TYPER, GICD_IIDR (besides the revision) and GICC_IIDR are read-only and only compared.
 * - Per-interrupt arrays exist up to nr_irqs (vgic-mmio.c check_region); their first word(s) — SGIs and PPIs —
 *   are banked per vCPU (attr cpu id = the vCPU id).
 * - GICC_APR0..3 are in the fixed "one bit per preemption level" format (arm-vgic.txt); on a GICv2 host only
 *   APR0 holds state, the others read 0 and ignore writes.
 */
import { GICD_REGS, GICC_REGS, type GicRegDef } from '../codec/vgic';
import type { SnapshotGicReg } from './format';

function reg(table: readonly GicRegDef[], name: string): GicRegDef {
  const r = table.find((x) => x.name === name);
  if (r === undefined) throw new Error(`GIC register table has no ${name}`);
  return r;
}
const D = (n: string): GicRegDef => reg(GICD_REGS, n);
const C = (n: string): GicRegDef => reg(GICC_REGS, n);

/** Attributes (cpu, offset) of one distributor register for `nrIrqs` interrupts and `cpus` vCPU ids. */
function distWords(r: GicRegDef, nrIrqs: number, cpus: readonly number[]): Array<{ cpu: number; offset: number }> {
  const out: Array<{ cpu: number; offset: number }> = [];
  const words = r.bitsPerIrq !== undefined ? Math.ceil((nrIrqs * r.bitsPerIrq) / 32) : r.span / 4;
  const banked = r.bankedBytes ?? 0;
  const first = cpus[0] ?? 0;
  for (let w = 0; w < words; w++) {
    const offset = r.offset + w * 4;
    if (w * 4 < banked) for (const cpu of cpus) out.push({ cpu, offset });
    else out.push({ cpu: first, offset });
  }
  return out;
}

/** The distributor registers a snapshot saves (those whose reads give the state: the "set" halves). */
export const SAVED_DIST_REGS = ['GICD_CTLR', 'GICD_TYPER', 'GICD_IIDR', 'GICD_IGROUPR', 'GICD_ISENABLER', 'GICD_ISPENDR', 'GICD_ISACTIVER', 'GICD_IPRIORITYR', 'GICD_ITARGETSR', 'GICD_ICFGR', 'GICD_SPENDSGIR'] as const;
/** The CPU interface registers KVM exposes through GRP_CPU_REGS (all saved). */
export const SAVED_CPU_REGS = ['GICC_CTLR', 'GICC_PMR', 'GICC_BPR', 'GICC_ABPR', 'GICC_APR', 'GICC_IIDR'] as const;

/** Every attribute to read when saving: dist (per-irq arrays up to nrIrqs, banked parts per cpu), then cpu. */
export function gicSavePlan(nrIrqs: number, cpus: readonly number[]): Array<{ group: 'dist' | 'cpu'; cpu: number; offset: number }> {
  const out: Array<{ group: 'dist' | 'cpu'; cpu: number; offset: number }> = [];
  for (const n of SAVED_DIST_REGS) for (const a of distWords(D(n), nrIrqs, cpus)) out.push({ group: 'dist', ...a });
  for (const cpu of cpus) for (const n of SAVED_CPU_REGS) {
    const r = C(n);
    for (let w = 0; w < r.span / 4; w++) out.push({ group: 'cpu', cpu, offset: r.offset + w * 4 });
  }
  return out;
}

export type GicWrite = { readonly group: 'dist' | 'cpu'; readonly cpu: number; readonly offset: number; readonly value: number; readonly why: string };

const READ_ONLY = new Set([D('GICD_TYPER').offset]);
const GICC_IIDR = C('GICC_IIDR').offset;

/**
 * The writes that restore saved registers into a freshly initialised VGIC, in order (see the file comment).
 * `regs` are the saved attributes; registers missing from them are not written.
 */
export function gicRestorePlan(regs: readonly SnapshotGicReg[], nrIrqs: number, cpus: readonly number[]): GicWrite[] {
  const key = (g: string, cpu: number, off: number): string => `${g}:${cpu}:${off}`;
  const saved = new Map<string, number>();
  for (const r of regs) saved.set(key(r.group, r.cpu, r.offset), r.value);
  const out: GicWrite[] = [];
  const restore = (name: string, mask?: (offset: number, value: number) => number): void => {
    const r = D(name);
    for (const a of distWords(r, nrIrqs, cpus)) {
      const v = saved.get(key('dist', a.cpu, a.offset));
      if (v === undefined) continue;
      out.push({ group: 'dist', ...a, value: mask ? mask(a.offset, v) >>> 0 : v, why: name });
    }
  };
  const clear = (name: string): void => {
    for (const a of distWords(D(name), nrIrqs, cpus)) out.push({ group: 'dist', ...a, value: 0xffffffff, why: `${name} (clear)` });
  };
  restore('GICD_IIDR');
  restore('GICD_IGROUPR');
  restore('GICD_ICFGR');
  restore('GICD_IPRIORITYR');
  restore('GICD_ITARGETSR');
  clear('GICD_ICENABLER');
  clear('GICD_ICPENDR');
  clear('GICD_ICACTIVER');
  clear('GICD_CPENDSGIR');
  const ispendr0 = D('GICD_ISPENDR').offset;
  restore('GICD_ISPENDR', (off, v) => (off === ispendr0 ? v & ~0xffff : v));
  restore('GICD_SPENDSGIR');
  restore('GICD_ISACTIVER');
  restore('GICD_ISENABLER');
  restore('GICD_CTLR');
  for (const cpu of cpus) {
    for (const n of ['GICC_PMR', 'GICC_BPR', 'GICC_ABPR', 'GICC_APR', 'GICC_CTLR']) {
      const r = C(n);
      for (let w = 0; w < r.span / 4; w++) {
        const v = saved.get(key('cpu', cpu, r.offset + w * 4));
        if (v !== undefined) out.push({ group: 'cpu', cpu, offset: r.offset + w * 4, value: v, why: r.span > 4 ? `${n}${w}` : n });
      }
    }
  }
  return out;
}

/** True for attributes that are only compared, never written (TYPER, GICC_IIDR). */
export function gicReadOnly(group: 'dist' | 'cpu', offset: number): boolean {
  return group === 'dist' ? READ_ONLY.has(offset) : offset === GICC_IIDR;
}
