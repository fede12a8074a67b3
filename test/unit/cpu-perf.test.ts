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
