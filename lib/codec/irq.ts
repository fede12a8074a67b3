/**
 * The `irq` field of struct kvm_irq_level for KVM_IRQ_LINE on ARM (api.txt 4.25):
 *
 *   bits:  | 31 ... 28 | 27 ... 24 | 23  ... 16 | 15 ... 0 |
 *   field: | vcpu2_idx | irq_type  | vcpu_idx   |  irq_id  |
 *
 * irq_type 0 (CPU, no in-kernel irqchip): irq_id 0 = IRQ, 1 = FIQ; 1 (SPI): irq_id 32–1019, the vcpu fields
 * are ignored; 2 (PPI): irq_id 16–31 for the given vcpu. With KVM_CAP_ARM_IRQ_LINE_LAYOUT_2 the vcpu index is
 * vcpu2_index * 256 + vcpu_index (more than 256 vCPUs).
 */
export const KVM_ARM_IRQ_VCPU2_SHIFT = 28;
export const KVM_ARM_IRQ_VCPU2_MASK = 0xf;
export const KVM_ARM_IRQ_TYPE_SHIFT = 24;
export const KVM_ARM_IRQ_TYPE_MASK = 0xf;
export const KVM_ARM_IRQ_VCPU_SHIFT = 16;
export const KVM_ARM_IRQ_VCPU_MASK = 0xff;
export const KVM_ARM_IRQ_NUM_SHIFT = 0;
export const KVM_ARM_IRQ_NUM_MASK = 0xffff;
export const KVM_ARM_IRQ_TYPE_CPU = 0;
export const KVM_ARM_IRQ_TYPE_SPI = 1;
export const KVM_ARM_IRQ_TYPE_PPI = 2;
export const KVM_ARM_IRQ_CPU_IRQ = 0;
export const KVM_ARM_IRQ_CPU_FIQ = 1;

export type IrqType = 'cpu' | 'spi' | 'ppi';
const TYPES: readonly IrqType[] = ['cpu', 'spi', 'ppi'];

/** A decoded irq field. `vcpu` is the full index (vcpu2_index * 256 + vcpu_index); 0 for SPIs. */
export interface IrqField {
  readonly type: IrqType;
  readonly vcpu: number;
  readonly irq: number;
}

/** Max vCPU index expressible: 16 * 256 - 1. */
export const IRQ_MAX_VCPU = (KVM_ARM_IRQ_VCPU2_MASK + 1) * (KVM_ARM_IRQ_VCPU_MASK + 1) - 1;

function int(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name}: expected an integer, got ${String(v)}`);
  return v;
}

/** Encodes an irq field, checking each field's range as the seed states. */
export function encodeIrq(f: { type: IrqType; irq: number; vcpu?: number }): number {
  const t = TYPES.indexOf(f.type);
  if (t < 0) throw new RangeError(`type: must be 'cpu', 'spi' or 'ppi', got '${String(f.type)}'`);
  const irq = int('irq', f.irq);
  const vcpu = int('vcpu', f.vcpu ?? 0);
  if (vcpu < 0 || vcpu > IRQ_MAX_VCPU) throw new RangeError(`vcpu: must be 0..${IRQ_MAX_VCPU}, got ${vcpu}`);
  if (f.type === 'spi') {
    if (irq < 32 || irq > 1019) throw new RangeError(`irq: an SPI is 32..1019, got ${irq}`);
    if (vcpu !== 0) throw new RangeError(`vcpu: an SPI has no vcpu (the field is ignored); got ${vcpu}`);
  } else if (f.type === 'ppi') {
    if (irq < 16 || irq > 31) throw new RangeError(`irq: a PPI is 16..31, got ${irq}`);
  } else if (irq !== KVM_ARM_IRQ_CPU_IRQ && irq !== KVM_ARM_IRQ_CPU_FIQ) {
    throw new RangeError(`irq: a CPU-type interrupt is 0 (IRQ) or 1 (FIQ), got ${irq}`);
  }
  const v2 = vcpu >> 8;
  return (((v2 << KVM_ARM_IRQ_VCPU2_SHIFT) | (t << KVM_ARM_IRQ_TYPE_SHIFT) | ((vcpu & 0xff) << KVM_ARM_IRQ_VCPU_SHIFT) | irq) >>> 0);
}

/** Decodes an irq field. Out-of-range fields raise a RangeError naming the field. */
export function decodeIrq(value: number | bigint | string): IrqField {
  let v: number;
  if (typeof value === 'string') {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(value.trim())) throw new TypeError(`value: '${value}' is not a number`);
    v = Number(value.trim());
  } else v = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`value: an irq field is a u32, got ${String(value)}`);
  const t = (v >>> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
  const type = TYPES[t];
  if (type === undefined) throw new RangeError(`irq_type: ${t} is not CPU (0), SPI (1) or PPI (2)`);
  const irq = v & KVM_ARM_IRQ_NUM_MASK;
  const vcpu = ((v >>> KVM_ARM_IRQ_VCPU2_SHIFT) & KVM_ARM_IRQ_VCPU2_MASK) * 256 + ((v >>> KVM_ARM_IRQ_VCPU_SHIFT) & KVM_ARM_IRQ_VCPU_MASK);
  if (type === 'spi') {
    if (irq < 32 || irq > 1019) throw new RangeError(`irq_id: an SPI is 32..1019, got ${irq}`);
    return { type, vcpu: 0, irq }; // the vcpu fields are ignored for SPIs
  }
  if (type === 'ppi' && (irq < 16 || irq > 31)) throw new RangeError(`irq_id: a PPI is 16..31, got ${irq}`);
  if (type === 'cpu' && irq > 1) throw new RangeError(`irq_id: a CPU-type interrupt is 0 (IRQ) or 1 (FIQ), got ${irq}`);
  return { type, vcpu, irq };
}

export function formatIrq(f: IrqField): string {
  if (f.type === 'spi') return `SPI ${f.irq}`;
  if (f.type === 'ppi') return `PPI ${f.irq} vcpu ${f.vcpu}`;
  return `CPU ${f.irq === 0 ? 'IRQ' : 'FIQ'} vcpu ${f.vcpu}`;
}
