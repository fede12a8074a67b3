/**
 * The soft GICv2 model (lib/soft/gic/gicv2.ts) driven through guest MMIO (distAccess / cpuAccess) and lines.
 * Expected values come from the GICv2 architecture and Linux 6.1's vgic (vgic-mmio-v2.c, vgic-init.c).
 */
import { GicV2, GIC_SPURIOUS, GIC_SPURIOUS_GROUP1, distAttrExists, cpuAttrExists } from '../../lib/soft/gic/gicv2';
import { gicRegOffset, aprLevelActive } from '../../lib/codec/vgic';

const D = (name: string): number => {
  const r = gicRegOffset(name);
  if (r.frame !== 'dist') throw new Error(name);
  return r.offset;
};
const C = (name: string): number => {
  const r = gicRegOffset(name);
  if (r.frame !== 'cpu') throw new Error(name);
  return r.offset;
};

function gic(nrCpus = 2, nrIrqs = 128): { g: GicV2; out: Array<[number, boolean, boolean]> } {
  const out: Array<[number, boolean, boolean]> = [];
  const g = new GicV2({ nrCpus, nrIrqs, onOutput: (c, i, f) => out.push([c, i, f]) });
  return { g, out };
}
const dr = (g: GicV2, cpu: number, name: string, size = 4): number => g.distAccess(cpu, D(name), size, false, 0);
const dw = (g: GicV2, cpu: number, name: string, v: number, size = 4): void => void g.distAccess(cpu, D(name), size, true, v);
const cr = (g: GicV2, cpu: number, name: string): number => g.cpuAccess(cpu, C(name), 4, false, 0);
const cw = (g: GicV2, cpu: number, name: string, v: number): void => void g.cpuAccess(cpu, C(name), 4, true, v);

/** Distributor on, CPU interface on for both groups' group 0, PMR open. */
function enable(g: GicV2, cpus: number[] = [0, 1]): void {
  dw(g, 0, 'GICD_CTLR', 1);
  for (const c of cpus) {
    cw(g, c, 'GICC_CTLR', 1);
    cw(g, c, 'GICC_PMR', 0xff);
  }
}
function enableIrq(g: GicV2, cpu: number, irq: number): void {
  g.distAccess(cpu, D('GICD_ISENABLER0') + 4 * (irq >> 5), 4, true, 1 << (irq & 31));
}
function setPrio(g: GicV2, cpu: number, irq: number, p: number): void {
  g.distAccess(cpu, D('GICD_IPRIORITYR0') + irq, 1, true, p);
}

describe('GICv2 identification registers (KVM values)', () => {
  test('GICD_TYPER = nr_irqs/32 - 1 | (cpus - 1) << 5', () => {
    expect(dr(gic(2, 128).g, 0, 'GICD_TYPER')).toBe(0x23);
    expect(dr(gic(1, 256).g, 0, 'GICD_TYPER')).toBe(0x7);
    expect(dr(gic(8, 992).g, 0, 'GICD_TYPER')).toBe((992 / 32 - 1) | (7 << 5));
  });
  test('GICD_IIDR is KVM 6.1 revision 3: 0x4B00343B; GICC_IIDR 0x04B2043B', () => {
    const { g } = gic();
    expect(dr(g, 0, 'GICD_IIDR')).toBe(0x4b00343b);
    expect(cr(g, 0, 'GICC_IIDR')).toBe(0x04b2043b);
  });
  test('GICD_CTLR has a single Enable bit', () => {
    const { g } = gic();
    dw(g, 0, 'GICD_CTLR', 0xffffffff);
    expect(dr(g, 0, 'GICD_CTLR')).toBe(1);
    dw(g, 1, 'GICD_CTLR', 2);
    expect(dr(g, 0, 'GICD_CTLR')).toBe(0);
  });
  test('ICPIDR2 and NSACR have no KVM region: RAZ/WI', () => {
    const { g } = gic();
    expect(dr(g, 0, 'GICD_ICPIDR2')).toBe(0);
    dw(g, 0, 'GICD_NSACR0', 0xffffffff);
    expect(dr(g, 0, 'GICD_NSACR0')).toBe(0);
  });
});

describe('reset state after init', () => {
  test('SGIs enabled + edge, PPIs level, SPIs edge; targets of private irqs = own cpu', () => {
    const { g } = gic();
    expect(dr(g, 0, 'GICD_ISENABLER0')).toBe(0xffff);
    expect(dr(g, 0, 'GICD_ISENABLER1')).toBe(0);
    expect(dr(g, 0, 'GICD_ICFGR0')).toBe(0xaaaaaaaa); // SGIs edge
    expect(dr(g, 0, 'GICD_ICFGR1')).toBe(0); // PPIs level
    expect(dr(g, 0, 'GICD_ICFGR2')).toBe(0xaaaaaaaa); // SPIs edge by default
    expect(dr(g, 0, 'GICD_ITARGETSR0')).toBe(0x01010101);
    expect(dr(g, 1, 'GICD_ITARGETSR7')).toBe(0x02020202);
    expect(dr(g, 0, 'GICD_ITARGETSR8')).toBe(0);
    expect(dr(g, 0, 'GICD_IGROUPR0')).toBe(0);
  });
});

describe('distributor register semantics', () => {
  test('IPRIORITYR keeps 5 bits (7..3); byte and word access', () => {
    const { g } = gic();
    dw(g, 0, 'GICD_IPRIORITYR10', 0xffffffff);
    expect(dr(g, 0, 'GICD_IPRIORITYR10')).toBe(0xf8f8f8f8);
    g.distAccess(0, D('GICD_IPRIORITYR10') + 1, 1, true, 0x47);
    expect(g.distAccess(0, D('GICD_IPRIORITYR10') + 1, 1, false, 0)).toBe(0x40);
    expect(dr(g, 0, 'GICD_IPRIORITYR10')).toBe(0xf8f840f8);
  });
  test('byte access to a word-only register is RAZ/WI; 16-bit access RAZ/WI everywhere', () => {
    const { g } = gic();
    g.distAccess(0, D('GICD_ISENABLER1'), 1, true, 0xff);
    expect(dr(g, 0, 'GICD_ISENABLER1')).toBe(0);
    expect(g.distAccess(0, D('GICD_ISENABLER0'), 1, false, 0)).toBe(0);
    g.distAccess(0, D('GICD_IPRIORITYR8'), 2, true, 0xffff);
    expect(dr(g, 0, 'GICD_IPRIORITYR8')).toBe(0);
  });
  test('per-irq words beyond nr_irqs are RAZ/WI', () => {
    const { g } = gic(1, 64);
    dw(g, 0, 'GICD_ISENABLER2', 0xffffffff);
    expect(dr(g, 0, 'GICD_ISENABLER2')).toBe(0);
    dw(g, 0, 'GICD_ISENABLER1', 0xffffffff);
    expect(dr(g, 0, 'GICD_ISENABLER1')).toBe(0xffffffff);
  });
  test('ISENABLER/ICENABLER set and clear; banked for SGI/PPI, shared for SPI', () => {
    const { g } = gic();
    dw(g, 0, 'GICD_ISENABLER0', 0x08000000);
    expect(dr(g, 0, 'GICD_ISENABLER0')).toBe(0x0800ffff);
    expect(dr(g, 1, 'GICD_ISENABLER0')).toBe(0x0000ffff);
    dw(g, 1, 'GICD_ISENABLER1', 0x5);
    expect(dr(g, 0, 'GICD_ICENABLER1')).toBe(0x5);
    dw(g, 0, 'GICD_ICENABLER1', 0x1);
    expect(dr(g, 1, 'GICD_ISENABLER1')).toBe(0x4);
  });
  test('ITARGETSR: SGI/PPI bytes read-only, SPI bytes masked to existing cpus', () => {
    const { g } = gic(2);
    dw(g, 0, 'GICD_ITARGETSR0', 0xffffffff);
    expect(dr(g, 0, 'GICD_ITARGETSR0')).toBe(0x01010101);
    dw(g, 0, 'GICD_ITARGETSR8', 0xffffffff);
    expect(dr(g, 0, 'GICD_ITARGETSR8')).toBe(0x03030303);
  });
  test('ICFGR: SGI/PPI configuration read-only, SPIs edge/level', () => {
    const { g } = gic();
    dw(g, 0, 'GICD_ICFGR1', 0xaaaaaaaa);
    expect(dr(g, 0, 'GICD_ICFGR1')).toBe(0);
    dw(g, 0, 'GICD_ICFGR2', 0x00000002 | 0x8);
    expect(dr(g, 0, 'GICD_ICFGR2')).toBe(0xa);
  });
  test('guest ISPENDR0/ICPENDR0 SGI bits are WI', () => {
    const { g } = gic();
    dw(g, 0, 'GICD_ISPENDR0', 0xffff);
    expect(dr(g, 0, 'GICD_ISPENDR0')).toBe(0);
  });
});

describe('acknowledge, EOI, priority', () => {
  test('spurious 1023 when nothing is pending; IAR acks an SPI, sets active, EOI deactivates', () => {
    const { g, out } = gic();
    enable(g);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS);
    enableIrq(g, 0, 40);
    expect(g.setLevel(0, 40, true)).toBe(true);
    expect(g.irqLevel(0)).toBe(true);
    expect(out).toContainEqual([0, true, false]);
    expect(cr(g, 0, 'GICC_HPPIR')).toBe(40);
    expect(cr(g, 0, 'GICC_IAR')).toBe(40);
    expect(g.irqLevel(0)).toBe(false);
    expect(dr(g, 0, 'GICD_ISACTIVER1')).toBe(1 << 8);
    expect(dr(g, 0, 'GICD_ISPENDR1')).toBe(0);
    expect(cr(g, 0, 'GICC_RPR')).toBe(0);
    cw(g, 0, 'GICC_EOIR', 40);
    expect(dr(g, 0, 'GICD_ISACTIVER1')).toBe(0);
    expect(cr(g, 0, 'GICC_RPR')).toBe(0xff);
  });
  test('the distributor disabled, the irq disabled or the group disabled: not signalled', () => {
    const { g } = gic();
    enable(g);
    g.setLevel(0, 33, true);
    expect(g.irqLevel(0)).toBe(false); // SPI 33 not enabled
    enableIrq(g, 0, 33);
    expect(g.irqLevel(0)).toBe(true);
    dw(g, 0, 'GICD_CTLR', 0);
    expect(g.irqLevel(0)).toBe(false);
    dw(g, 0, 'GICD_CTLR', 1);
    cw(g, 0, 'GICC_CTLR', 0);
    expect(g.irqLevel(0)).toBe(false);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS);
  });
  test('PMR masks priorities ≥ PMR; PMR keeps 5 bits', () => {
    const { g } = gic();
    enable(g);
    enableIrq(g, 0, 34);
    setPrio(g, 0, 34, 0x80);
    cw(g, 0, 'GICC_PMR', 0x80);
    expect(cr(g, 0, 'GICC_PMR')).toBe(0x80);
    g.setLevel(0, 34, true);
    expect(g.irqLevel(0)).toBe(false);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS);
    cw(g, 0, 'GICC_PMR', 0x87);
    expect(cr(g, 0, 'GICC_PMR')).toBe(0x80);
    cw(g, 0, 'GICC_PMR', 0x88);
    expect(g.irqLevel(0)).toBe(true);
  });
  test('highest priority first; equal priority → lowest id', () => {
    const { g } = gic();
    enable(g);
    for (const i of [35, 36, 37]) enableIrq(g, 0, i);
    setPrio(g, 0, 35, 0x40);
    setPrio(g, 0, 36, 0x20);
    setPrio(g, 0, 37, 0x20);
    for (const i of [37, 36, 35]) g.setLevel(0, i, true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(36);
  });
  test('preemption: only a higher group priority preempts the running one; APR0 bit = priority >> 3', () => {
    const { g } = gic();
    enable(g);
    for (const i of [40, 41, 42]) enableIrq(g, 0, i);
    setPrio(g, 0, 40, 0x80);
    setPrio(g, 0, 41, 0x80);
    setPrio(g, 0, 42, 0x40);
    g.setLevel(0, 40, true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(40);
    expect(cr(g, 0, 'GICC_APR0') >>> 0).toBe(1 << (0x80 >> 3));
    expect(aprLevelActive([cr(g, 0, 'GICC_APR0'), 0, 0, 0], 0x80 >> 3)).toBe(true);
    expect(cr(g, 0, 'GICC_RPR')).toBe(0x80);
    g.setLevel(0, 41, true); // same priority: no preemption
    expect(g.irqLevel(0)).toBe(false);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS);
    g.setLevel(0, 42, true); // higher priority preempts
    expect(g.irqLevel(0)).toBe(true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(42);
    expect(cr(g, 0, 'GICC_APR0') >>> 0).toBe((1 << 16) | (1 << 8));
    expect(cr(g, 0, 'GICC_RPR')).toBe(0x40);
    cw(g, 0, 'GICC_EOIR', 42);
    expect(cr(g, 0, 'GICC_RPR')).toBe(0x80);
    cw(g, 0, 'GICC_EOIR', 40);
    expect(cr(g, 0, 'GICC_IAR')).toBe(41);
    expect(cr(g, 0, 'GICC_APR1')).toBe(0); // APR1..3 RAZ with 32 preemption levels
  });
  test('binary point: BPR 4 groups priorities 0x00..0x1f, so 0x08 does not preempt 0x10', () => {
    const { g } = gic();
    enable(g);
    cw(g, 0, 'GICC_BPR', 4); // group priority = bits 7..5
    expect(cr(g, 0, 'GICC_BPR')).toBe(4);
    for (const i of [50, 51]) enableIrq(g, 0, i);
    setPrio(g, 0, 50, 0x10);
    setPrio(g, 0, 51, 0x08);
    g.setLevel(0, 50, true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(50);
    g.setLevel(0, 51, true);
    expect(g.irqLevel(0)).toBe(false);
    cw(g, 0, 'GICC_BPR', 0); // below the minimum: 2
    expect(cr(g, 0, 'GICC_BPR')).toBe(2);
  });
  test('EOImode 1: EOIR drops priority only, DIR deactivates', () => {
    const { g } = gic();
    enable(g);
    cw(g, 0, 'GICC_CTLR', 1 | (1 << 9));
    enableIrq(g, 0, 44);
    g.setLevel(0, 44, true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(44);
    cw(g, 0, 'GICC_EOIR', 44);
    expect(cr(g, 0, 'GICC_RPR')).toBe(0xff);
    expect(dr(g, 0, 'GICD_ISACTIVER1')).toBe(1 << 12);
    g.cpuAccess(0, 0x1000, 4, true, 44); // GICC_DIR
    expect(dr(g, 0, 'GICD_ISACTIVER1')).toBe(0);
  });
});

describe('level vs edge', () => {
  test('edge SPI: one latch per rising edge, re-signalled only after deactivation', () => {
    const { g } = gic();
    enable(g);
    enableIrq(g, 0, 45);
    g.setLevel(0, 45, true);
    g.setLevel(0, 45, false);
    expect(cr(g, 0, 'GICC_IAR')).toBe(45);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS);
    g.setLevel(0, 45, true); // new edge while active: active and pending
    expect(dr(g, 0, 'GICD_ISPENDR1') & (1 << 13)).not.toBe(0);
    expect(g.irqLevel(0)).toBe(false);
    cw(g, 0, 'GICC_EOIR', 45);
    expect(g.irqLevel(0)).toBe(true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(45);
  });
  test('level SPI: pending while asserted, pending again after EOI if still high; ICPENDR cannot clear a high line', () => {
    const { g } = gic();
    enable(g);
    dw(g, 0, 'GICD_ICFGR2', 0); // SPIs 32..47 level
    enableIrq(g, 0, 46);
    g.setLevel(0, 46, true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(46);
    cw(g, 0, 'GICC_EOIR', 46);
    expect(g.irqLevel(0)).toBe(true);
    dw(g, 0, 'GICD_ICPENDR1', 1 << 14);
    expect(dr(g, 0, 'GICD_ISPENDR1') & (1 << 14)).not.toBe(0);
    g.setLevel(0, 46, false);
    expect(g.irqLevel(0)).toBe(false);
    expect(dr(g, 0, 'GICD_ISPENDR1')).toBe(0);
  });
  test('PPI lines are level and banked per CPU', () => {
    const { g } = gic();
    enable(g);
    enableIrq(g, 1, 27);
    g.setLevel(1, 27, true);
    expect(g.irqLevel(1)).toBe(true);
    expect(g.irqLevel(0)).toBe(false);
    expect(cr(g, 1, 'GICC_IAR')).toBe(27);
    cw(g, 1, 'GICC_EOIR', 27);
    expect(g.irqLevel(1)).toBe(true);
    g.setLevel(1, 27, false);
    expect(g.irqLevel(1)).toBe(false);
  });
  test('setLevel refuses SGIs and ids ≥ nr_irqs; an owned line ignores other drivers', () => {
    const { g } = gic(1, 64);
    expect(g.setLevel(0, 3, true)).toBe(false);
    expect(g.setLevel(0, 64, true)).toBe(false);
    const owner = {};
    g.setOwner(0, 27, owner);
    enable(g, [0]);
    enableIrq(g, 0, 27);
    expect(g.setLevel(0, 27, true)).toBe(true);
    expect(g.irqLevel(0)).toBe(false);
    g.setLevel(0, 27, true, owner);
    expect(g.irqLevel(0)).toBe(true);
  });
});

describe('SGIs', () => {
  test('GICD_SGIR target list: source cpu in IAR bits 12..10, one instance per source', () => {
    const { g } = gic(3);
    enable(g, [0, 1, 2]);
    dw(g, 0, 'GICD_SGIR', (0b110 << 16) | 5); // cpu0 → cpus 1, 2, SGI 5
    dw(g, 2, 'GICD_SGIR', (0b010 << 16) | 5); // cpu2 → cpu 1
    expect(g.irqLevel(0)).toBe(false);
    expect(g.irqLevel(2)).toBe(true);
    expect(g.distAccess(1, D('GICD_SPENDSGIR1') + 1, 1, false, 0)).toBe(0b101); // SGI 5 byte: sources 0 and 2
    expect(cr(g, 1, 'GICC_IAR')).toBe(5 | (0 << 10));
    cw(g, 1, 'GICC_EOIR', 5);
    expect(cr(g, 1, 'GICC_IAR')).toBe(5 | (2 << 10));
    cw(g, 1, 'GICC_EOIR', 5 | (2 << 10));
    expect(cr(g, 1, 'GICC_IAR')).toBe(GIC_SPURIOUS);
    expect(cr(g, 2, 'GICC_IAR')).toBe(5);
  });
  test('filter 1 = all but self, 2 = self, 3 = reserved', () => {
    const { g } = gic(3);
    dw(g, 1, 'GICD_SGIR', (1 << 24) | 2);
    expect([0, 1, 2].map((c) => dr(g, c, 'GICD_SPENDSGIR0'))).toEqual([0x020000, 0, 0x020000]);
    dw(g, 1, 'GICD_SGIR', (2 << 24) | 0);
    expect(dr(g, 1, 'GICD_SPENDSGIR0') & 0xff).toBe(0x02);
    dw(g, 0, 'GICD_SGIR', (3 << 24) | 1);
    expect([0, 1, 2].map((c) => (dr(g, c, 'GICD_SPENDSGIR0') >> 8) & 0xff)).toEqual([0, 0, 0]);
  });
  test('CPENDSGIR clears sources; the SGI stops being pending when no source is left', () => {
    const { g } = gic(2);
    g.distAccess(0, D('GICD_SPENDSGIR0'), 1, true, 0x3);
    expect(dr(g, 0, 'GICD_ISPENDR0') & 1).toBe(1);
    g.distAccess(0, D('GICD_CPENDSGIR0'), 1, true, 0x1);
    expect(dr(g, 0, 'GICD_SPENDSGIR0') & 0xff).toBe(0x2);
    g.distAccess(0, D('GICD_CPENDSGIR0'), 1, true, 0x2);
    expect(dr(g, 0, 'GICD_ISPENDR0') & 1).toBe(0);
  });
});

describe('groups and FIQ', () => {
  test('group 1 with AckCtl=0: IAR gives 1022, AIAR acknowledges it; group 0 with FIQEn goes to FIQ', () => {
    const { g } = gic(1);
    dw(g, 0, 'GICD_CTLR', 1);
    cw(g, 0, 'GICC_PMR', 0xff);
    cw(g, 0, 'GICC_CTLR', 0b11); // both groups
    dw(g, 0, 'GICD_IGROUPR1', 1 << 1); // SPI 33 group 1
    enableIrq(g, 0, 33);
    g.setLevel(0, 33, true);
    expect(g.irqLevel(0)).toBe(true);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS_GROUP1);
    expect(cr(g, 0, 'GICC_AHPPIR')).toBe(33);
    expect(cr(g, 0, 'GICC_AIAR')).toBe(33);
    cw(g, 0, 'GICC_AEOIR', 33);
    cw(g, 0, 'GICC_CTLR', 0b11 | (1 << 3)); // FIQEn
    enableIrq(g, 0, 34);
    g.setLevel(0, 34, true); // group 0
    expect(g.fiqLevel(0)).toBe(true);
    expect(g.irqLevel(0)).toBe(false);
  });
});

describe('SPI routing', () => {
  test('an SPI goes to the lowest cpu in ITARGETSR, to cpu 0 when the byte is 0', () => {
    const { g } = gic(2);
    enable(g);
    enableIrq(g, 0, 60);
    g.setLevel(0, 60, true);
    expect([g.irqLevel(0), g.irqLevel(1)]).toEqual([true, false]);
    g.distAccess(0, D('GICD_ITARGETSR0') + 60, 1, true, 0x2);
    expect([g.irqLevel(0), g.irqLevel(1)]).toEqual([false, true]);
    expect(cr(g, 0, 'GICC_IAR')).toBe(GIC_SPURIOUS);
    expect(cr(g, 1, 'GICC_IAR')).toBe(60);
  });
});

describe('userspace views (device attributes)', () => {
  test('CPU interface PMR is exported as the 5-bit VMPriMask; BPR raw', () => {
    const { g } = gic(1);
    cw(g, 0, 'GICC_PMR', 0xf0);
    expect(g.cpuUaccess(0, C('GICC_PMR'), false, 0)).toEqual({ ok: true, value: 0x1e });
    g.cpuUaccess(0, C('GICC_PMR'), true, 0x1f);
    expect(cr(g, 0, 'GICC_PMR')).toBe(0xf8);
    g.cpuUaccess(0, C('GICC_BPR'), true, 0xff);
    expect(g.cpuUaccess(0, C('GICC_BPR'), false, 0)).toEqual({ ok: true, value: 7 });
  });
  test('IIDR write: only the revision may change (2 or 3); then IGROUPR becomes user-writable', () => {
    const { g } = gic(1);
    g.distUaccess(0, D('GICD_IGROUPR1'), true, 0xffffffff);
    expect(dr(g, 0, 'GICD_IGROUPR1')).toBe(0);
    expect(g.distUaccess(0, D('GICD_IIDR'), true, 0x4b00443b)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(g.distUaccess(0, D('GICD_IIDR'), true, 0x4c00343b)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(g.distUaccess(0, D('GICD_IIDR'), true, 0x4b00243b)).toEqual({ ok: true, value: 0 });
    expect(dr(g, 0, 'GICD_IIDR')).toBe(0x4b00243b);
    g.distUaccess(0, D('GICD_IGROUPR1'), true, 0xffffffff);
    expect(dr(g, 0, 'GICD_IGROUPR1')).toBe(0xffffffff);
  });
  test('userspace ISPENDR0 on an SGI sets it pending from the accessing CPU; ICPENDR0 clears every source', () => {
    const { g } = gic(2);
    g.distUaccess(1, D('GICD_ISPENDR0'), true, 1 << 3);
    expect((dr(g, 1, 'GICD_SPENDSGIR0') >>> 24) & 0xff).toBe(0x2);
    g.distAccess(0, D('GICD_SGIR'), 4, true, (0b10 << 16) | 3);
    expect((dr(g, 1, 'GICD_SPENDSGIR0') >>> 24) & 0xff).toBe(0x3);
    g.distUaccess(1, D('GICD_ICPENDR0'), true, 1 << 3);
    expect(dr(g, 1, 'GICD_SPENDSGIR0')).toBe(0);
  });
  test('has_attr: KVM regions only; per-irq words within nr_irqs; CPU regs CTLR PMR BPR ABPR APR0-3 IIDR', () => {
    expect(distAttrExists(D('GICD_CTLR'), 64)).toBe(true);
    expect(distAttrExists(0x00c, 64)).toBe(false);
    expect(distAttrExists(D('GICD_ISENABLER1'), 32)).toBe(false);
    expect(distAttrExists(D('GICD_ISENABLER1'), 64)).toBe(true);
    expect(distAttrExists(D('GICD_ISENABLER2'), 64)).toBe(false);
    expect(distAttrExists(D('GICD_ICPIDR2'), 1024)).toBe(false);
    expect(distAttrExists(D('GICD_SGIR'), 64)).toBe(true);
    expect(distAttrExists(D('GICD_IPRIORITYR0') + 1, 64)).toBe(false);
    const cpuOk = ['GICC_CTLR', 'GICC_PMR', 'GICC_BPR', 'GICC_ABPR', 'GICC_APR0', 'GICC_APR3', 'GICC_IIDR'].map((n) => cpuAttrExists(C(n)));
    expect(cpuOk.every(Boolean)).toBe(true);
    const cpuNo = ['GICC_IAR', 'GICC_EOIR', 'GICC_RPR', 'GICC_HPPIR', 'GICC_NSAPR0', 'GICC_DIR'].map((n) => cpuAttrExists(C(n)));
    expect(cpuNo.some(Boolean)).toBe(false);
  });
});
