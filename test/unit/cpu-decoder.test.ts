import fc from 'fast-check';
import { compilePattern, row, type Row } from '../../lib/soft/cpu/decoder';
import { getDecoder, describe as describeInsn } from '../../lib/soft/cpu';

const dec = getDecoder();

function carvesOut(s: Row, r: Row): boolean {
  // s is a sub-encoding of r: s fixes every bit r fixes, to the same values, and more
  return ((s.mask & r.mask) >>> 0) === r.mask && ((s.match & r.mask) >>> 0) === r.match && s.mask !== r.mask;
}

describe('decoder patterns', () => {
  test('compilePattern builds mask/match/fields', () => {
    const p = compilePattern('sf:1 0 0 100010 sh:1 imm12:12 rn:5 rd:5');
    expect(p.mask >>> 0).toBe(0x7f800000);
    expect(p.match >>> 0).toBe(0x11000000);
    expect(p.fields).toEqual([
      ['sf', 31, 1],
      ['sh', 22, 1],
      ['imm12', 10, 12],
      ['rn', 5, 5],
      ['rd', 0, 5],
    ]);
  });
  test('constrained fields and don\'t-care bits', () => {
    const p = compilePattern('op:2=1x xx 0000 rest:24');
    expect(p.mask >>> 0).toBe(0x8f000000);
    expect(p.match >>> 0).toBe(0x80000000);
  });
  test('malformed patterns are rejected at load', () => {
    expect(() => compilePattern('0 1 rd:5')).toThrow(/not 32/);
    expect(() => compilePattern('x'.repeat(33))).toThrow(/longer/);
    expect(() => compilePattern('q:2 '.repeat(16).trim().replace('q:2', 'q?2'))).toThrow(/bad token/);
  });
  test('field records are typed and extracted', () => {
    const r = row('T', 'a:4 b:12 c:16', () => undefined);
    expect(r.make(0x12345678)).toEqual({ a: 1, b: 0x234, c: 0x5678 });
  });
});

describe('decoder table order (every row decodes to itself over its don\'t-care bits)', () => {
  const rows = dec.rows;
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    let self = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (rnd) => {
        const w = (r.match | (rnd & ~r.mask)) >>> 0;
        const got = dec.lookup(w);
        if (got === r) {
          self++;
          return true;
        }
        // only a strictly more specific (carved-out) row may take the word
        return carvesOut(got, r) || got.prio > r.prio;
      }),
      { numRuns: 300 },
    );
    // and the row is reachable
    expect(self).toBeGreaterThan(0);
  });
});

describe('known encodings', () => {
  // words from aarch64-linux-gnu-objdump
  const cases: Array<[number, string]> = [
    [0x91001020, 'ADDSUB_imm'], // add x0, x1, #4
    [0xd503201f, 'HINT'], // nop
    [0xd503207f, 'HINT'], // wfi
    [0xd4000002, 'HVC'], // hvc #0
    [0xd4000001, 'SVC'], // svc #0
    [0xd65f03c0, 'RET'], // ret
    [0xd69f03e0, 'ERET'], // eret
    [0xf9400020, 'LDST_uimm'], // ldr x0, [x1]
    [0xa9bf7bfd, 'LDSTP'], // stp x29, x30, [sp, #-16]!
    [0xc85f7c20, 'LDSTX'], // ldxr x0, [x1]
    [0xc8dffc20, 'LDAR_STLR'], // ldar x0, [x1]
    [0xd5381000, 'MRS'], // mrs x0, sctlr_el1
    [0xd5181000, 'MSR_reg'], // msr sctlr_el1, x0
    [0xd50342ff, 'MSR_imm'], // msr daifclr, #2
    [0xd508871f, 'SYS'], // tlbi vmalle1
    [0x9ac20c20, 'DP2'], // sdiv x0, x1, x2
    [0x1ac24c20, 'DP2'], // crc32x? (crc32w w0, w1, w2)
    [0x9b027c20, 'DP3'], // mul x0, x1, x2
    [0xd3441c20, 'BITFIELD'], // ubfx x0, x1, #4, #4
    [0x00000000, 'UDF'], // udf #0
  ];
  test.each(cases)('0x%s → %s', (w, name) => {
    expect(dec.lookup(w >>> 0).name).toBe(name);
  });
  test('describe() names the row and fields', () => {
    expect(describeInsn(0x91001020)).toBe('ADDSUB_imm sf=1 op=0 s=0 sh=0 imm12=4 rn=1 rd=0');
    expect(() => describeInsn(-1)).toThrow(RangeError);
  });
  test('unallocated words decode to UNALLOCATED', () => {
    expect(dec.lookup(0xffffffff).name).toBe('UNALLOCATED');
  });
});
