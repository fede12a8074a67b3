/**
 * Codec throughput: operations per second for register ids (decodeRegId, formatRegId, parseRegName), irq fields,
 * VGIC attrs and kvm_run exit decoding, each over a realistic mix of inputs. The operations run interleaved in
 * rounds and each figure is the median over the rounds, so the ratios between them are side by side in one run;
 * absolute numbers on a shared machine are noise.
 *
 * `runCodecBench()` returns { name: ops/s }; `run()` is the scripts/bench.js suite interface.
 */
import {
  ARM64_CORE_FIELDS, SYSREG_ROWS, arm64CoreId, arm64SysregId, ccsidrId, decodeIrq, decodeRegId, decodeRunExit,
  decodeVgicV2Attr, encodeIrq, encodeRunExit, encodeVgicV2Attr, firmwareId, formatRegId, parseRegName, sveZId,
  type IrqField, type VcpuExit,
} from '../lib/codec';

interface Op {
  readonly name: string;
  /** runs the operation over all its inputs once; returns how many operations that was */
  readonly pass: () => number;
}

let sink = 0;

function inputs() {
  // a KVM_GET_REG_LIST-like mix: every core register, named system registers, CCSIDRs, firmware, SVE
  const ids: bigint[] = [
    ...ARM64_CORE_FIELDS.map((f) => arm64CoreId(f.name)),
    ...SYSREG_ROWS.filter((_, i) => i % 4 === 0).map(([, op0, op1, crn, crm, op2]) => arm64SysregId(op0, op1, crn, crm, op2)),
    ...Array.from({ length: 14 }, (_, i) => ccsidrId(i)),
    ...[0, 1, 2, 3].map((i) => firmwareId(i)),
    ...Array.from({ length: 32 }, (_, i) => sveZId(i)),
  ];
  const names = ids.map((id) => {
    const d = decodeRegId(id);
    return d.kind === 'demux' ? `ccsidr:${d.csselr}` : (d.name as string);
  });
  const irqFields: IrqField[] = [];
  for (let i = 32; i < 288; i++) irqFields.push({ type: 'spi', vcpu: 0, irq: i });
  for (let v = 0; v < 16; v++) for (let i = 16; i < 32; i++) irqFields.push({ type: 'ppi', vcpu: v * 37, irq: i });
  const irqValues = irqFields.map((f) => encodeIrq(f));
  const attrs = Array.from({ length: 256 }, (_, i) => ({ cpu: i & 7, offset: (i * 4) & 0xffc }));
  const attrValues = attrs.map((a) => encodeVgicV2Attr(a));
  const exits: VcpuExit[] = [
    { reason: 'mmio', physAddr: 0x9000000n, len: 4, isWrite: true, data: new Uint8Array([0x41, 0, 0, 0]) },
    { reason: 'mmio', physAddr: 0x8010000n, len: 4, isWrite: false, data: new Uint8Array(4) },
    { reason: 'system-event', type: 'shutdown', rawType: 1, flags: 0n, data: [0n] },
    { reason: 'hypercall', nr: 0x84000008n, args: [0n, 0n, 0n, 0n, 0n, 0n], flags: 0n },
  ];
  const runs = exits.map((e) => {
    const b = new Uint8Array(4096);
    encodeRunExit(b, e);
    return b;
  });
  return { ids, names, irqFields, irqValues, attrs, attrValues, runs };
}

function ops(): Op[] {
  const x = inputs();
  return [
    { name: 'decodeRegId', pass: () => { for (const id of x.ids) sink ^= decodeRegId(id).bytes; return x.ids.length; } },
    { name: 'formatRegId', pass: () => { for (const id of x.ids) sink ^= formatRegId(id).length; return x.ids.length; } },
    { name: 'parseRegName', pass: () => { for (const n of x.names) sink ^= Number(parseRegName(n) & 0xffn); return x.names.length; } },
    { name: 'encodeIrq', pass: () => { for (const f of x.irqFields) sink ^= encodeIrq(f); return x.irqFields.length; } },
    { name: 'decodeIrq', pass: () => { for (const v of x.irqValues) sink ^= decodeIrq(v).irq; return x.irqValues.length; } },
    { name: 'encodeVgicV2Attr', pass: () => { for (const a of x.attrs) sink ^= Number(encodeVgicV2Attr(a) & 0xffn); return x.attrs.length; } },
    { name: 'decodeVgicV2Attr', pass: () => { for (const v of x.attrValues) sink ^= decodeVgicV2Attr(v).offset; return x.attrValues.length; } },
    { name: 'decodeRunExit', pass: () => { for (const r of x.runs) sink ^= decodeRunExit(r).reason.length; return x.runs.length; } },
  ];
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
};

/** Ops per second of each codec operation (median of interleaved rounds). */
export async function runCodecBench(opts: { rounds?: number; minMsPerSample?: number } = {}): Promise<Record<string, number>> {
  const rounds = opts.rounds ?? 7;
  const minNs = BigInt(Math.round((opts.minMsPerSample ?? 40) * 1e6));
  const list = ops();
  for (const op of list) for (let i = 0; i < 50; i++) op.pass(); // warm up every path before measuring
  const samples = new Map<string, number[]>(list.map((o) => [o.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const op of list) {
      let n = 0;
      const t0 = process.hrtime.bigint();
      let t = t0;
      while (t - t0 < minNs) {
        n += op.pass();
        t = process.hrtime.bigint();
      }
      (samples.get(op.name) as number[]).push((n * 1e9) / Number(t - t0));
    }
    await new Promise((res) => setImmediate(res)); // let the event loop breathe between rounds
  }
  const out: Record<string, number> = {};
  for (const op of list) out[op.name] = median(samples.get(op.name) as number[]);
  if (sink === 0x7fffffff) out['sink'] = sink; // keeps the work observable
  return out;
}

/** scripts/bench.js suite interface. */
export async function run(): Promise<{ title: string; rows: { name: string; value: number; unit: string; note?: string }[] }> {
  const r = await runCodecBench();
  const base = r['decodeRegId'] as number;
  const rows: { name: string; value: number; unit: string; note?: string }[] = [];
  for (const [name, v] of Object.entries(r)) {
    if (name === 'sink') continue;
    rows.push({ name, value: v, unit: 'ops/s', note: `${(v / base).toFixed(2)}x decodeRegId` });
  }
  return { title: 'codec throughput (median of 7 interleaved rounds; ratios are to decodeRegId in the same run)', rows };
}
