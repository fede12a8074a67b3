/** The snapshot file format (lib/snapshot/format.ts, docs/snapshot-format.md) and the VGIC save/restore plans. */
import {
  encodeSnapshot,
  decodeSnapshot,
  crc32,
  SnapshotFormatError,
  SNAPSHOT_MAGIC,
  gicSavePlan,
  gicRestorePlan,
  type VmSnapshot,
} from '../../lib/snapshot';
import { arm64CoreId, arm64SysregIdByName, KVM_REG_ARM_PSCI_VERSION, ccsidrId } from '../../lib/codec/regid';

const v0 = new Uint8Array(16).map((_, i) => i + 1);

function sample(): VmSnapshot {
  const ram = new Uint8Array(64 * 1024);
  ram.set([1, 2, 3], 0); // page 0
  ram[5 * 4096 + 100] = 0xaa; // page 5; pages 1..4 and 6..15 stay zero
  return {
    version: { major: 1, minor: 0 },
    source: 'soft',
    ipaSize: undefined,
    machine: { board: 'virt', cmdline: 'console=ttyAMA0', list: [1, 2] },
    vcpus: [
      {
        index: 0,
        init: { target: 5, features: ['psci-0.2'] },
        mpState: 'runnable',
        events: { serrorPending: false, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n },
        regs: [
          { id: arm64CoreId('pc'), value: 0x40000000n },
          { id: arm64CoreId('v0'), value: v0 },
          { id: arm64CoreId('fpsr'), value: 0x8000000n },
          { id: arm64SysregIdByName('SCTLR_EL1'), value: 0xc50078n },
          { id: KVM_REG_ARM_PSCI_VERSION, value: 0x10001n },
          { id: ccsidrId(0), value: 0x700fe01an },
          { id: arm64SysregIdByName('KVM_REG_ARM_TIMER_CNT'), value: 0xffffffffffffff00n },
        ],
      },
      {
        index: 1,
        init: { target: 5, features: ['power-off', 'psci-0.2'] }, // decoded in bit order
        mpState: 'stopped',
        events: { serrorPending: true, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n },
        regs: [{ id: arm64CoreId('x0'), value: 7n }],
      },
    ],
    gic: {
      type: 5,
      nrIrqs: 64,
      distAddr: 0x08000000n,
      cpuAddr: 0x08010000n,
      regs: [
        { group: 'dist', cpu: 0, offset: 0, value: 1 },
        { group: 'dist', cpu: 1, offset: 0x300, value: 0x8000000 },
        { group: 'cpu', cpu: 1, offset: 0xd0, value: 0xffffffff },
      ],
    },
    memory: [{ slot: 0, guestPhysAddr: 0x40000000n, size: ram.length, readonly: false, logDirtyPages: true, bytes: ram }],
    devices: [{ name: 'pl011', data: new Uint8Array([9, 8, 7]) }],
  };
}

/** Offsets of every section's payload: [tag, start, length]. */
function sections(b: Uint8Array): Array<[string, number, number]> {
  const dv = new DataView(b.buffer, b.byteOffset);
  const out: Array<[string, number, number]> = [];
  let p = 32;
  for (let i = 0; i < dv.getUint32(12, true); i++) {
    const len = Number(dv.getBigUint64(p + 8, true));
    out.push([String.fromCharCode(...b.subarray(p, p + 4)), p + 24, len]);
    p += 24 + Math.ceil(len / 8) * 8;
  }
  return out;
}

describe('snapshot format', () => {
  test('crc32 is the IEEE one', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  test('encode → decode gives the snapshot back (wide registers, stopped vCPU, pending SError, GIC, RAM, devices, machine)', () => {
    const s = sample();
    const d = decodeSnapshot(encodeSnapshot(s));
    expect(d).toEqual({ ...s, unknownSections: [] });
  });

  test('the header: magic, version 1.0, section count, file length; sections padded to 8 bytes', () => {
    const b = encodeSnapshot(sample());
    const dv = new DataView(b.buffer);
    expect(String.fromCharCode(...b.subarray(0, 8))).toBe(SNAPSHOT_MAGIC);
    expect([dv.getUint16(8, true), dv.getUint16(10, true)]).toEqual([1, 0]);
    expect(sections(b).map(([t]) => t)).toEqual(['META', 'VCPU', 'VCPU', 'VGIC', 'RAM ', 'DEV ']);
    expect(Number(dv.getBigUint64(16, true))).toBe(b.length);
    expect(b.length % 8).toBe(0);
    for (const [, start] of sections(b)) expect(start % 8).toBe(0);
  });

  test('zero pages of RAM are not stored: 2 non-zero pages of 16 cost about 2 pages', () => {
    const b = encodeSnapshot(sample());
    const ram = sections(b).find(([t]) => t === 'RAM ')!;
    expect(ram[2]).toBeLessThan(2 * 4096 + 128);
    expect(ram[2]).toBeGreaterThanOrEqual(2 * 4096);
  });

  test('any flipped payload byte is caught by that section checksum, naming the section', () => {
    const good = encodeSnapshot(sample());
    for (const [tag, start, len] of sections(good)) {
      for (const at of [start, start + Math.floor(len / 2), start + len - 1]) {
        const b = good.slice();
        b[at] = (b[at] as number) ^ 0x40;
        expect(() => decodeSnapshot(b)).toThrow(new SnapshotFormatError(`bytes: section ${sections(good).findIndex(([, s]) => s === start)} (${tag.trim()}): checksum mismatch`));
      }
    }
  });

  test('bad magic, header corruption, another major version, truncation and trailing bytes are refused', () => {
    const good = encodeSnapshot(sample());
    const bad = (mut: (b: Uint8Array) => Uint8Array): string => {
      try {
        decodeSnapshot(mut(good.slice()));
      } catch (e) {
        expect(e).toBeInstanceOf(SnapshotFormatError);
        expect(e).toBeInstanceOf(RangeError);
        return (e as Error).message;
      }
      throw new Error('decoded');
    };
    expect(bad((b) => ((b[0] = 0x58), b))).toMatch(/not a kvm-arm snapshot/);
    expect(bad((b) => ((b[12] = 9), b))).toMatch(/header checksum/);
    expect(
      bad((b) => {
        const dv = new DataView(b.buffer);
        dv.setUint16(8, 2, true);
        dv.setUint32(28, crc32(b.subarray(0, 28)), true);
        return b;
      }),
    ).toMatch(/version 2\.0 is not supported/);
    expect(bad((b) => b.subarray(0, b.length - 8))).toMatch(/the header says/);
    expect(bad((b) => b.subarray(0, 20))).toMatch(/shorter than/);
    expect(() => decodeSnapshot('x' as unknown as Uint8Array)).toThrow(TypeError);
  });

  test('a section with an unknown tag is skipped and listed', () => {
    const good = encodeSnapshot(sample());
    // append a section 'ZZZZ' (a future version's) and fix the count, length and header checksum
    const payload = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array(good.length + 24 + 8);
    b.set(good);
    const dv = new DataView(b.buffer);
    const p = good.length;
    b.set([0x5a, 0x5a, 0x5a, 0x5a], p);
    dv.setUint32(p + 4, 1, true);
    dv.setBigUint64(p + 8, 3n, true);
    dv.setUint32(p + 16, crc32(payload), true);
    b.set(payload, p + 24);
    dv.setUint32(12, dv.getUint32(12, true) + 1, true);
    dv.setBigUint64(16, BigInt(b.length), true);
    dv.setUint32(28, crc32(b.subarray(0, 28)), true);
    const d = decodeSnapshot(b);
    expect(d.unknownSections).toEqual(['ZZZZ']);
    expect(d.vcpus).toHaveLength(2);
  });

  test('unserialisable snapshots are refused before writing anything', () => {
    const s = sample();
    const withReg = (value: bigint | Uint8Array): VmSnapshot => ({ ...s, vcpus: [{ ...s.vcpus[0]!, regs: [{ id: arm64CoreId('fpsr'), value }] }] });
    expect(() => encodeSnapshot(withReg(1n << 32n))).toThrow(/does not fit the 32-bit register/);
    expect(() => encodeSnapshot(withReg(new Uint8Array(8)))).toThrow(/is 4 bytes, the value has 8/);
    expect(() => encodeSnapshot({ ...s, vcpus: [{ ...s.vcpus[0]!, mpState: 'other' }] })).toThrow(/'other' has no KVM_MP_STATE/);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => encodeSnapshot({ ...s, machine: cyclic })).toThrow(/machine: not serialisable/);
    expect(() => encodeSnapshot({ ...s, memory: [{ ...s.memory[0]!, size: 4096 }] })).toThrow(/has size 4096/);
  });
});

describe('VGIC save and restore plans', () => {
  test('save: per-irq arrays up to nr_irqs, SGI/PPI words per cpu, every CPU interface register', () => {
    const plan = gicSavePlan(64, [0, 1]);
    const dist = plan.filter((a) => a.group === 'dist');
    // CTLR TYPER IIDR 3; IGROUPR/ISENABLER/ISPENDR/ISACTIVER 2 words (word 0 banked) 4 × 3; IPRIORITYR and
    // ITARGETSR 16 words (8 banked) 2 × 24; ICFGR 4 words (2 banked) 6; SPENDSGIR 4 banked words × 2 cpus 8
    expect(dist).toHaveLength(3 + 12 + 48 + 6 + 8);
    expect(dist.filter((a) => a.offset === 0x100)).toEqual([{ group: 'dist', cpu: 0, offset: 0x100 }, { group: 'dist', cpu: 1, offset: 0x100 }]);
    expect(dist.filter((a) => a.offset === 0x104)).toEqual([{ group: 'dist', cpu: 0, offset: 0x104 }]);
    expect(dist.some((a) => a.offset === 0x108)).toBe(false); // beyond nr_irqs = 64
    expect(dist.some((a) => a.offset >= 0x180 && a.offset < 0x200)).toBe(false); // ICENABLER reads like ISENABLER
    const cpu1 = plan.filter((a) => a.group === 'cpu' && a.cpu === 1).map((a) => a.offset);
    expect(cpu1).toEqual([0x00, 0x04, 0x08, 0x1c, 0xd0, 0xd4, 0xd8, 0xdc, 0xfc]);
    expect(gicSavePlan(1024 - 32, [0]).filter((a) => a.offset >= 0x400 && a.offset < 0x800)).toHaveLength(248);
  });

  test('restore: IIDR first, configuration, clears, pending without SGI bits, SGI sources, active, enable, GICD_CTLR, then CPU interfaces', () => {
    const cpus = [0, 1];
    const saved = gicSavePlan(64, cpus).map((a, i) => ({ ...a, value: (i * 0x01010101 + 0xffff) >>> 0 }));
    const plan = gicRestorePlan(saved, 64, cpus);
    const order = plan.map((w) => w.why.replace(/\d+$/, ''));
    const first = (n: string): number => order.indexOf(n);
    const last = (n: string): number => order.lastIndexOf(n);
    expect(order[0]).toBe('GICD_IIDR');
    expect(last('GICD_IGROUPR')).toBeLessThan(first('GICD_ICENABLER (clear)'));
    for (const [a, b] of [
      ['GICD_ITARGETSR', 'GICD_ICENABLER (clear)'],
      ['GICD_CPENDSGIR (clear)', 'GICD_ISPENDR'],
      ['GICD_ISPENDR', 'GICD_SPENDSGIR'],
      ['GICD_SPENDSGIR', 'GICD_ISACTIVER'],
      ['GICD_ISACTIVER', 'GICD_ISENABLER'],
      ['GICD_ISENABLER', 'GICD_CTLR'],
      ['GICD_CTLR', 'GICC_PMR'],
    ] as const) expect(last(a)).toBeLessThan(first(b));
    expect(order.filter((n) => n === 'GICD_CTLR')).toHaveLength(1);
    expect(order.slice(-5)).toEqual(['GICC_PMR', 'GICC_BPR', 'GICC_ABPR', 'GICC_APR', 'GICC_APR', 'GICC_APR', 'GICC_APR', 'GICC_CTLR'].slice(-5));
    // read-only registers are not written
    expect(plan.some((w) => w.group === 'dist' && w.offset === 4)).toBe(false);
    expect(plan.some((w) => w.group === 'cpu' && w.offset === 0xfc)).toBe(false);
    // ISPENDR0: SGI bits off (a userspace ISPENDR write of an SGI would make the writing vCPU its source)
    for (const w of plan.filter((x) => x.why === 'GICD_ISPENDR' && x.offset === 0x200)) expect(w.value & 0xffff).toBe(0);
    // the clears cover the banked words of every cpu
    expect(plan.filter((w) => w.why === 'GICD_ICENABLER (clear)').map((w) => [w.cpu, w.offset, w.value])).toEqual([[0, 0x180, 0xffffffff], [1, 0x180, 0xffffffff], [0, 0x184, 0xffffffff]]);
  });
});
