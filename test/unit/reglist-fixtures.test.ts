/**
 * The register lists captured from real arm64 KVM (scripts/capture-arm64-facts.sh, in the lab) against the codec:
 * every id the kernel lists must decode to a name, its size field must be the one the codec expects, and every
 * captured value must fit in that size. The fixtures name kernel, qemu CPU and vCPU features in their headers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRegId, formatRegId, hex64, parseRegName, type DecodedRegId } from '../../lib/codec';

interface Fixture {
  file: string;
  header: string[];
  rows: { id: bigint; value: bigint | undefined; line: number }[];
}

function load(file: string): Fixture {
  const text = readFileSync(join(__dirname, '..', 'fixtures', file), 'utf8');
  const header: string[] = [];
  const rows: Fixture['rows'] = [];
  text.split('\n').forEach((l, i) => {
    if (l.startsWith('#')) header.push(l);
    else if (l.trim() !== '') {
      const m = /^(0x[0-9a-f]{16}) (0x[0-9a-f]+|-)(?: # \S+)?$/.exec(l);
      if (!m) throw new Error(`${file}:${i + 1}: unparsable line '${l}'`);
      rows.push({ id: BigInt(m[1]!), value: m[2] === '-' ? undefined : BigInt(m[2]!), line: i + 1 });
    }
  });
  return { file, header, rows };
}

const FILES = ['reglist-cortex-a57.txt', 'reglist-max.txt', 'reglist-max-sve.txt'];
const fixtures = FILES.map(load);

describe.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, fx) => {
  test('has a header naming kernel, qemu cpu and target', () => {
    const h = fx.header.join('\n');
    expect(h).toMatch(/# kernel: 6\.\d+/);
    expect(h).toMatch(/-cpu (cortex-a57|max)/);
    expect(h).toMatch(/# target: \d+/);
  });

  test('the register count in the header matches the rows, ids are unique', () => {
    const m = /# (\d+) registers:/.exec(fx.header.join('\n'));
    expect(m).not.toBeNull();
    expect(fx.rows.length).toBe(Number(m![1]));
    expect(new Set(fx.rows.map((r) => r.id)).size).toBe(fx.rows.length);
  });

  test('every id decodes to a name', () => {
    const unnamed: string[] = [];
    for (const r of fx.rows) {
      let d: DecodedRegId;
      try {
        d = decodeRegId(r.id);
      } catch (e) {
        unnamed.push(`${hex64(r.id)} (line ${r.line}): ${(e as Error).message}`);
        continue;
      }
      if (d.name === undefined) unnamed.push(`${hex64(r.id)} (line ${r.line}): ${formatRegId(r.id)}`);
    }
    expect(unnamed).toEqual([]);
  });

  test('every sysreg/core/firmware name parses back to the same id', () => {
    const wrong: string[] = [];
    for (const r of fx.rows) {
      const d = decodeRegId(r.id);
      if (d.name === undefined || (d.kind !== 'sysreg' && d.kind !== 'core' && d.kind !== 'firmware')) continue;
      let back: bigint | string;
      try {
        back = parseRegName(d.name);
      } catch (e) {
        back = (e as Error).message;
      }
      // core registers narrower/wider than u64 keep their own size field; compare whole ids
      if (back !== r.id) wrong.push(`${d.name}: ${hex64(r.id)} -> ${typeof back === 'bigint' ? hex64(back) : back}`);
    }
    expect(wrong).toEqual([]);
  });

  test('every value fits the size the id declares', () => {
    for (const r of fx.rows) {
      if (r.value === undefined) continue;
      const bits = BigInt(decodeRegId(r.id).bytes * 8);
      expect({ id: hex64(r.id), fits: r.value < 1n << bits }).toEqual({ id: hex64(r.id), fits: true });
    }
  });
});

describe('reset values after KVM_ARM_VCPU_INIT (PSCI_0_2) decode to the documented state', () => {
  const byName = (fx: Fixture) => {
    const m = new Map<string, bigint | undefined>();
    for (const r of fx.rows) {
      const n = decodeRegId(r.id).name;
      if (n !== undefined) m.set(n, r.value);
    }
    return m;
  };
  test.each(fixtures.map((f) => [f.file, f] as const))('%s: pstate EL1h+DAIF, MPIDR bit 31, PSCI 1.1, pc 0', (_f, fx) => {
    const m = byName(fx);
    expect(m.get('pstate')).toBe(0x3c5n);
    expect(m.get('pc')).toBe(0n);
    expect((m.get('MPIDR_EL1') ?? 0n) >> 31n).toBe(1n);
    expect(m.get('KVM_REG_ARM_PSCI_VERSION')).toBe(0x10001n);
  });
});
