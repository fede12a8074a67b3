/** The KVM_IRQ_LINE irq field: | vcpu2_idx:4 | irq_type:4 | vcpu_idx:8 | irq_id:16 | (api.txt 4.25). */
import fc from 'fast-check';
import { IRQ_MAX_VCPU, decodeIrq, encodeIrq, formatIrq, type IrqField } from '../../lib/codec';

describe('irq field', () => {
  it('0x01000028 is SPI 40', () => {
    expect(decodeIrq(0x01000028)).toEqual({ type: 'spi', vcpu: 0, irq: 40 });
    expect(decodeIrq('0x01000028')).toEqual({ type: 'spi', vcpu: 0, irq: 40 });
    expect(encodeIrq({ type: 'spi', irq: 40 })).toBe(0x01000028);
    expect(formatIrq(decodeIrq(0x01000028))).toBe('SPI 40');
  });

  it('SPI 1020 is a RangeError naming irq', () => {
    expect(() => encodeIrq({ type: 'spi', irq: 1020 })).toThrow(RangeError);
    expect(() => encodeIrq({ type: 'spi', irq: 1020 })).toThrow(/^irq: /);
    expect(() => decodeIrq(0x010003fc)).toThrow(/irq_id: an SPI is 32..1019, got 1020/);
  });

  it('vcpu up to 4095 uses vcpu2_index (KVM_CAP_ARM_IRQ_LINE_LAYOUT_2)', () => {
    expect(IRQ_MAX_VCPU).toBe(4095);
    expect(encodeIrq({ type: 'ppi', irq: 27, vcpu: 4095 })).toBe(0xf2ff001b);
    expect(decodeIrq(0xf2ff001b)).toEqual({ type: 'ppi', vcpu: 4095, irq: 27 });
    expect(encodeIrq({ type: 'cpu', irq: 1, vcpu: 256 })).toBe(0x10000001);
    expect(() => encodeIrq({ type: 'ppi', irq: 27, vcpu: 4096 })).toThrow(/^vcpu: /);
  });

  it('decode(encode(x)) = x over every type, irq and vcpu (exhaustive for PPI and CPU)', () => {
    let n = 0;
    for (let vcpu = 0; vcpu <= IRQ_MAX_VCPU; vcpu++) {
      for (let irq = 16; irq <= 31; irq++) {
        const f: IrqField = { type: 'ppi', vcpu, irq };
        const v = encodeIrq(f);
        const d = decodeIrq(v);
        if (d.type !== 'ppi' || d.vcpu !== vcpu || d.irq !== irq || v >>> 0 !== v) throw new Error(`ppi ${vcpu}/${irq}`);
        n++;
      }
      for (const irq of [0, 1]) {
        const d = decodeIrq(encodeIrq({ type: 'cpu', vcpu, irq }));
        if (d.type !== 'cpu' || d.vcpu !== vcpu || d.irq !== irq) throw new Error(`cpu ${vcpu}/${irq}`);
        n++;
      }
    }
    for (let irq = 32; irq <= 1019; irq++) {
      expect(decodeIrq(encodeIrq({ type: 'spi', irq }))).toEqual({ type: 'spi', vcpu: 0, irq });
      n++;
    }
    expect(n).toBe(4096 * 18 + 988);
  });

  it('property: every u32 either decodes and re-encodes, or is a RangeError naming the field', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        let d: IrqField;
        try {
          d = decodeIrq(v);
        } catch (e) {
          return e instanceof RangeError && /^(irq_type|irq_id): /.test((e as Error).message);
        }
        const back = encodeIrq(d);
        // SPIs ignore the vcpu fields, so only the type and irq bits are guaranteed to survive
        return d.type === 'spi' ? back === (v & 0x0f00ffff) >>> 0 : back === v;
      }),
      { numRuns: 20000 },
    );
  });

  it('field layout: each field lands in its bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: IRQ_MAX_VCPU }), fc.integer({ min: 16, max: 31 }), (vcpu, irq) => {
        const v = encodeIrq({ type: 'ppi', vcpu, irq });
        return v >>> 28 === vcpu >> 8 && ((v >>> 24) & 0xf) === 2 && ((v >>> 16) & 0xff) === (vcpu & 0xff) && (v & 0xffff) === irq;
      }),
    );
  });

  it('bad arguments', () => {
    expect(() => encodeIrq({ type: 'sgi' as never, irq: 1 })).toThrow(/^type: /);
    expect(() => encodeIrq({ type: 'ppi', irq: 15 })).toThrow(/^irq: a PPI is 16..31/);
    expect(() => encodeIrq({ type: 'cpu', irq: 2 })).toThrow(/^irq: /);
    expect(() => encodeIrq({ type: 'spi', irq: 40, vcpu: 1 })).toThrow(/^vcpu: /);
    expect(() => encodeIrq({ type: 'spi', irq: 40.5 })).toThrow(TypeError);
    expect(() => decodeIrq(0x03000020)).toThrow(/^irq_type: 3/);
    expect(() => decodeIrq(-1)).toThrow(RangeError);
    expect(() => decodeIrq(2 ** 32)).toThrow(RangeError);
    expect(() => decodeIrq('spi')).toThrow(TypeError);
  });
});
