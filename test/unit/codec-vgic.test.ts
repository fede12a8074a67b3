/** VGIC device-attribute encodings and KVM_ARM_SET_DEVICE_ADDR ids (arm-vgic.txt, devices/arm-vgic-v3.rst). */
import fc from 'fast-check';
import {
  AttrError, GICC_REGS, GICD_REGS, KVM_DEV_ARM_VGIC_CPUID_MASK, KVM_DEV_ARM_VGIC_OFFSET_MASK, KVM_DEV_ARM_VGIC_V3_MPIDR_MASK,
  affinityFromMpidr, checkNrIrqs, decodeDeviceAddrId, decodeVgicV2Attr, decodeVgicV3Attr, decodeVgicV3LevelInfoAttr,
  decodeVgicV3SysregAttr, encodeDeviceAddrId, encodeVgicV2Attr, encodeVgicV3Attr, encodeVgicV3LevelInfoAttr,
  encodeVgicV3SysregAttr, gicRegOffset, gicdRegAt, giccRegAt,
} from '../../lib/codec';

const aff = fc.record({ aff3: fc.integer({ min: 0, max: 255 }), aff2: fc.integer({ min: 0, max: 255 }), aff1: fc.integer({ min: 0, max: 255 }), aff0: fc.integer({ min: 0, max: 255 }) });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('KVM_ARM_SET_DEVICE_ADDR ids', () => {
  it('the GICv2 distributor and CPU interface', () => {
    expect(encodeDeviceAddrId('vgic-v2-dist')).toBe(0n);
    expect(encodeDeviceAddrId('vgic-v2-cpu')).toBe(1n);
    expect(decodeDeviceAddrId(1n)).toEqual({ device: 0, type: 1, kind: 'vgic-v2-cpu' });
    expect(decodeDeviceAddrId(0x10002n)).toEqual({ device: 1, type: 2, kind: undefined });
  });
  it('property: decode(encode) over every device id and type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (device, type) => {
        const id = encodeDeviceAddrId({ device, type });
        const d = decodeDeviceAddrId(id);
        return id >= 0n && id <= 0xffffffffn && d.device === device && d.type === type;
      }),
    );
  });
  it('bad ids and arguments', () => {
    expect(() => encodeDeviceAddrId({ device: 0x10000, type: 0 })).toThrow(/^device: /);
    expect(() => encodeDeviceAddrId({ device: 0, type: -1 })).toThrow(/^type: /);
    expect(() => encodeDeviceAddrId('vgic-v3-dist' as never)).toThrow(/^kind: /);
    expect(() => decodeDeviceAddrId(1n << 32n)).toThrow(/reserved/);
    expect(() => decodeDeviceAddrId(-1n)).toThrow(RangeError);
  });
});

describe('GICv2 DIST_REGS / CPU_REGS attrs', () => {
  it('layout: cpu id in 39..32, offset in 31..0', () => {
    expect(encodeVgicV2Attr({ cpu: 3, offset: 0x104 })).toBe(0x0000000300000104n);
    expect(encodeVgicV2Attr({ cpu: 255, offset: 0xffffffff })).toBe(KVM_DEV_ARM_VGIC_CPUID_MASK | KVM_DEV_ARM_VGIC_OFFSET_MASK);
  });
  it('property: decode(encode) over every cpu and offset', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), u32, (cpu, offset) => {
      const d = decodeVgicV2Attr(encodeVgicV2Attr({ cpu, offset }));
      return d.cpu === cpu && d.offset === offset;
    }));
  });
  it('reserved bits 63..40 and bad fields are rejected', () => {
    expect(() => decodeVgicV2Attr(1n << 40n)).toThrow(AttrError);
    expect(() => decodeVgicV2Attr(1n << 40n)).toThrow(/^reserved: /);
    expect(() => decodeVgicV2Attr(-1n)).toThrow(AttrError);
    expect(() => encodeVgicV2Attr({ cpu: 256, offset: 0 })).toThrow(/^cpu: /);
    expect(() => encodeVgicV2Attr({ cpu: 0, offset: 2 ** 32 })).toThrow(/^offset: /);
    expect(new AttrError('cpu', 'x').name).toBe('AttrError');
  });
});

describe('GICv3 attrs', () => {
  it('REDIST_REGS: mpidr in 63..32', () => {
    expect(encodeVgicV3Attr({ mpidr: { aff3: 1, aff2: 2, aff1: 3, aff0: 4 }, offset: 0x10080 })).toBe(0x0102030400010080n);
    expect(KVM_DEV_ARM_VGIC_V3_MPIDR_MASK).toBe(0xffffffff00000000n);
    expect(affinityFromMpidr(0x0000_00ff_8001_0203n)).toEqual({ aff3: 0xff, aff2: 1, aff1: 2, aff0: 3 });
  });
  it('property: decode(encode) for REDIST/DIST, CPU_SYSREGS and LEVEL_INFO', () => {
    fc.assert(fc.property(aff, u32, (mpidr, offset) => {
      const d = decodeVgicV3Attr(encodeVgicV3Attr({ mpidr, offset }));
      return JSON.stringify(d) === JSON.stringify({ mpidr, offset });
    }));
    fc.assert(fc.property(aff, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 7 }), (mpidr, op0, op1, crn, crm, op2) => {
      const a = { mpidr, op0, op1, crn, crm, op2 };
      const v = encodeVgicV3SysregAttr(a);
      return JSON.stringify(decodeVgicV3SysregAttr(v)) === JSON.stringify(a) && (v & 0xffff0000n) === 0n;
    }));
    fc.assert(fc.property(aff, fc.integer({ min: 0, max: 0x3fffff }), fc.integer({ min: 0, max: 31 }), (mpidr, info, k) => {
      const a = { mpidr, info, intid: k * 32 };
      return JSON.stringify(decodeVgicV3LevelInfoAttr(encodeVgicV3LevelInfoAttr(a))) === JSON.stringify(a);
    }));
  });
  it('ICC_PMR_EL1 (3,0,4,6,0) as a CPU_SYSREGS attr', () => {
    expect(encodeVgicV3SysregAttr({ mpidr: { aff3: 0, aff2: 0, aff1: 0, aff0: 1 }, op0: 3, op1: 0, crn: 4, crm: 6, op2: 0 })).toBe(0x000000010000c230n);
  });
  it('bad fields are rejected', () => {
    expect(() => decodeVgicV3SysregAttr(0x10000n)).toThrow(/^reserved: /);
    expect(() => encodeVgicV3LevelInfoAttr({ mpidr: { aff3: 0, aff2: 0, aff1: 0, aff0: 0 }, info: 0, intid: 33 })).toThrow(/^intid: /);
    expect(() => encodeVgicV3Attr({ mpidr: { aff3: 256, aff2: 0, aff1: 0, aff0: 0 }, offset: 0 })).toThrow(/^aff3: /);
    expect(() => decodeVgicV3Attr(-1n)).toThrow(AttrError);
    expect(() => decodeVgicV3Attr(1n << 64n)).toThrow(AttrError);
    expect(() => decodeVgicV3SysregAttr(-1n)).toThrow(AttrError);
    expect(() => decodeVgicV3LevelInfoAttr(1n << 64n)).toThrow(AttrError);
  });
  it('NR_IRQS is 64..1024 in steps of 32', () => {
    expect(checkNrIrqs(64)).toBe(64);
    expect(checkNrIrqs(1024)).toBe(1024);
    for (const bad of [32, 65, 1056, 96.5]) expect(() => checkNrIrqs(bad)).toThrow(/^nr_irqs: /);
  });
});

describe('GICv2 register map', () => {
  it('names ↔ offsets for every word of every register', () => {
    for (const [frame, table, at] of [['dist', GICD_REGS, gicdRegAt], ['cpu', GICC_REGS, giccRegAt]] as const) {
      for (const reg of table) {
        for (let w = 0; w < reg.span / 4; w++) {
          const loc = at(reg.offset + w * 4);
          expect(loc?.reg.name).toBe(reg.name);
          expect(loc?.word).toBe(w);
          expect(gicRegOffset(loc?.label as string)).toEqual({ frame, offset: reg.offset + w * 4 });
        }
      }
    }
    expect(gicRegOffset('GICD_ISENABLER1')).toEqual({ frame: 'dist', offset: 0x104 });
    expect(gicdRegAt(0x104)?.firstIrq).toBe(32);
    expect(gicdRegAt(0x420)?.firstIrq).toBe(32); // IPRIORITYR8: one byte per irq
    expect(gicdRegAt(0xc08)?.firstIrq).toBe(32); // ICFGR2: two bits per irq
    expect(gicRegOffset('gicc_apr2')).toEqual({ frame: 'cpu', offset: 0xd8 });
    expect(() => gicRegOffset('GICD_CTLR1')).toThrow(RangeError);
    expect(() => gicRegOffset('GICD_ISENABLER32')).toThrow(RangeError);
    expect(() => gicRegOffset('GICX_FOO')).toThrow(/^name: /);
    expect(gicdRegAt(0x00c)).toBeUndefined();
  });
  it('the tables do not overlap', () => {
    for (const table of [GICD_REGS, GICC_REGS]) {
      const sorted = [...table].sort((a, b) => a.offset - b.offset);
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1] as (typeof sorted)[number];
        expect(prev.offset + prev.span).toBeLessThanOrEqual((sorted[i] as (typeof sorted)[number]).offset);
      }
    }
  });
});
