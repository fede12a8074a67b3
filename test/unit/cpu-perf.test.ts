/**
 * Performance paths of the interpreter that are observable without timing: how often the executor leaves its fast
 * paths (code-page fetch cache, TLB) for the slow ones. Each test counts calls of a slow path with a spy and checks
 * the architectural result too, so a fast path that skips work it must do fails here as well.
 */
import { describeAs, asm, machine, RAM_BASE, type Machine } from './cpu-harness';

const PT = RAM_BASE + 0x100000; // TTBR0 L1 at PT, TTBR1 L1 at PT + 0x1000
const AF = 1n << 10n;
const SH = 3n << 8n;
/** the upper-range VA (TTBR1, T1SZ = 25) whose L1[0] block maps RAM_BASE */
const UPPER = 0xffffff8000000000n;

function put(m: Machine, pa: number, v: bigint): void {
  new DataView(m.ram.buffer).setBigUint64(pa - RAM_BASE, v, true);
}

/** MMU on: TTBR0 L1[1] identity-maps 1 GiB at RAM_BASE, TTBR1 L1[0] maps UPPER to RAM_BASE (1 GiB blocks). */
function setupUpper(src: string): Machine {
  const m = machine(asm(src));
  const c = m.cpu;
  put(m, PT + 8, BigInt(RAM_BASE) | 1n | AF | SH);
  put(m, PT + 0x1000, BigInt(RAM_BASE) | 1n | AF | SH);
  c.setSysreg(3, 0, 10, 2, 0, 0x00ffn); // MAIR: attr0 Normal WB
  c.setSysreg(3, 0, 2, 0, 2, 25n | (25n << 16n) | (2n << 30n)); // T0SZ=T1SZ=25, TG0=TG1=4K
  c.setSysreg(3, 0, 2, 0, 0, BigInt(PT));
  c.setSysreg(3, 0, 2, 0, 1, BigInt(PT + 0x1000));
  c.setSysreg(3, 0, 1, 0, 0, c.getSysreg(3, 0, 1, 0, 0) | 1n); // SCTLR.M
  return m;
}

describeAs('interpreter slow-path counts', () => {
  test('code at an upper (TTBR1, VA[63] set) address is fetched through the code-page cache, not translated per instruction', () => {
    const m = setupUpper(`
      movz x0, #1000
    1:
      subs x0, x0, #1
      b.ne 1b
      hvc #0
    `);
    m.cpu.setPc(UPPER);
    const spy = jest.spyOn(m.cpu, 'fetchSlow');
    expect(m.cpu.run(10_000)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(0)).toBe(0n);
    expect(m.cpu.retired).toBe(1 + 2 * 1000); // the HVC stop is not counted here
    // one page of code: the first fetch fills the cache (the HVC stop may refetch nothing else)
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
  });
});

const L2 = PT + 0x2000; // TTBR0 L1[1] → L2 table here (setupTables)
const L3 = PT + 0x3000; // L2[0] → L3 table here

/** MMU on with TTBR0: L1[1] → L2; L2[0] → L3 (4 KiB pages identity-mapping RAM_BASE..+2 MiB), L2[1] a 2 MiB block. */
function setupTables(src: string): Machine {
  const m = machine(asm(src), 8 << 20);
  const c = m.cpu;
  put(m, PT + 8, BigInt(L2) | 3n);
  put(m, L2, BigInt(L3) | 3n);
  for (let i = 0; i < 512; i++) put(m, L3 + i * 8, BigInt(RAM_BASE + i * 4096) | 3n | AF | SH);
  put(m, L2 + 8, BigInt(RAM_BASE + (2 << 20)) | 1n | AF | SH); // VA RAM_BASE+2M → PA RAM_BASE+2M block
  c.setSysreg(3, 0, 10, 2, 0, 0x00ffn);
  c.setSysreg(3, 0, 2, 0, 2, 25n | (25n << 16n) | (2n << 30n));
  c.setSysreg(3, 0, 2, 0, 0, BigInt(PT));
  c.setSysreg(3, 0, 1, 0, 0, c.getSysreg(3, 0, 1, 0, 0) | 1n);
  return m;
}

describeAs('TLBI by VA (selective invalidation)', () => {
  // x1 = VA read before and after; x5 = new descriptor, x6 = its address; x7 = TLBI operand
  const prog = (tlbi: string): string => `
      ldr x0, [x1]
      ldr x8, [x9]
      str x5, [x6]
      dsb ishst
      ${tlbi}
      dsb ish
      isb
      ldr x2, [x1]
      ldr x3, [x9]
      hvc #0
    `;
  const A = RAM_BASE + 0xa0000;
  const B = RAM_BASE + 0xa1000;

  for (const op of ['vae1', 'vaae1', 'vale1', 'vaale1', 'vae1is', 'vaale1is']) {
    test(`TLBI ${op.toUpperCase()}: the changed page descriptor is used afterwards (ASID bits in the operand ignored)`, () => {
      const m = setupTables(prog(`tlbi ${op}, x7`));
      put(m, A, 0xaaaan);
      put(m, RAM_BASE + 0xb0000, 0xbbbbn);
      m.cpu.setX(1, BigInt(A));
      m.cpu.setX(9, BigInt(B));
      m.cpu.setX(5, BigInt(RAM_BASE + 0xb0000) | 3n | AF | SH);
      m.cpu.setX(6, BigInt(L3 + 0xa0 * 8));
      m.cpu.setX(7, (0x1234n << 48n) | BigInt(A >>> 12));
      expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
      expect(m.cpu.getX(0)).toBe(0xaaaan);
      expect(m.cpu.getX(2)).toBe(0xbbbbn);
    });
  }

  test('TLBI VAALE1IS of one page keeps the other pages cached (a stale entry of another page is still used: allowed)', () => {
    const m = setupTables(prog('tlbi vaale1is, x7'));
    put(m, B, 0x1111n);
    put(m, RAM_BASE + 0xc0000, 0x2222n);
    m.cpu.setX(1, BigInt(A));
    m.cpu.setX(9, BigInt(B));
    m.cpu.setX(5, BigInt(RAM_BASE + 0xc0000) | 3n | AF | SH);
    m.cpu.setX(6, BigInt(L3 + 0xa1 * 8)); // B's descriptor changes, but the TLBI names A
    m.cpu.setX(7, BigInt(A >>> 12));
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(8)).toBe(0x1111n);
    expect(m.cpu.getX(3)).toBe(0x1111n); // not re-walked
  });

  test('TLBI VAE1 of one 4 KiB piece of a 2 MiB block drops every cached piece of the block', () => {
    // x1 and x9 are two pages of the block; the TLBI names a third page of it
    const m = setupTables(prog('tlbi vae1, x7'));
    const blk = RAM_BASE + (2 << 20);
    put(m, blk + 0x5000, 0x5555n);
    put(m, blk + 0x7000, 0x7777n);
    put(m, RAM_BASE + 0x5000, 0x15555n); // the block re-pointed at RAM_BASE
    put(m, RAM_BASE + 0x7000, 0x17777n);
    m.cpu.setX(1, BigInt(blk + 0x5000));
    m.cpu.setX(9, BigInt(blk + 0x7000));
    m.cpu.setX(5, BigInt(RAM_BASE) | 1n | AF | SH);
    m.cpu.setX(6, BigInt(L2 + 8));
    m.cpu.setX(7, BigInt((blk + 0x1ff000) >>> 12));
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect([m.cpu.getX(0), m.cpu.getX(8)]).toEqual([0x5555n, 0x7777n]);
    expect([m.cpu.getX(2), m.cpu.getX(3)]).toEqual([0x15555n, 0x17777n]);
  });

  test('TLBI VAE1 of a code page: the next fetch from it is translated again', () => {
    // the code page (RAM_BASE) is re-pointed at a copy whose next instruction differs
    const m = setupTables(`
      str x5, [x6]
      dsb ishst
      tlbi vae1, x7
      dsb ish
      isb
      movz x0, #1
      hvc #0
    `);
    const copy = RAM_BASE + 0x40000;
    m.ram.copyWithin(0x40000, 0, 0x1000);
    // in the copy, 'movz x0, #1' (word 5) becomes 'movz x0, #2'
    const dv = new DataView(m.ram.buffer);
    dv.setUint32(0x40000 + 5 * 4, 0xd2800040, true);
    m.cpu.setX(5, BigInt(copy) | 3n | AF | SH);
    m.cpu.setX(6, BigInt(L3));
    m.cpu.setX(7, BigInt(RAM_BASE >>> 12));
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(0)).toBe(2n);
  });
});
