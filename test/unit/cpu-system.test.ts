/**
 * Exceptions, interrupts, stops, system registers, MMIO and the MMU of the interpreter, with programs assembled at
 * test time (aarch64-linux-gnu-as). Vector tables hold `hvc #(0x100 + offset/0x80)` so a taken exception shows up as
 * an 'hvc' stop naming the vector slot.
 */
import { describeAs, asm, machine, RAM_BASE, type Machine } from './cpu-harness';

const VBAR = RAM_BASE + 0x10000;
const SCTLR: [number, number, number, number, number] = [3, 0, 1, 0, 0];
const ESR: [number, number, number, number, number] = [3, 0, 5, 2, 0];
const ELR: [number, number, number, number, number] = [3, 0, 4, 0, 1];
const SPSR: [number, number, number, number, number] = [3, 0, 4, 0, 0];
const FAR: [number, number, number, number, number] = [3, 0, 6, 0, 0];

const get = (m: Machine, e: [number, number, number, number, number]): bigint => m.cpu.getSysreg(...e);
const set = (m: Machine, e: [number, number, number, number, number], v: bigint): void => m.cpu.setSysreg(...e, v);

function withVectors(src: string, more?: (m: Machine) => void): Machine {
  const m = machine(asm(src));
  const dv = new DataView(m.ram.buffer);
  for (let slot = 0; slot < 16; slot++) dv.setUint32(VBAR - RAM_BASE + slot * 0x80, (0xd4000002 | ((0x100 + slot) << 5)) >>> 0, true);
  m.cpu.setSysreg(3, 0, 12, 0, 0, BigInt(VBAR));
  if (more) more(m);
  return m;
}

const ec = (esr: bigint): number => Number(esr >> 26n) & 0x3f;

describeAs('exceptions', () => {
  test('SVC at EL1h: current-EL SPx sync vector, ESR, ELR = next insn, SPSR, DAIF masked', () => {
    const m = withVectors(`
      msr daifclr, #0xf
      mov x0, #1
      svc #0x1234
      nop
    `);
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x104 }); // 0x200 / 0x80 = 4
    expect(get(m, ESR)).toBe(0x56001234n); // EC 0x15, IL
    expect(get(m, ELR)).toBe(BigInt(RAM_BASE + 12));
    expect(get(m, SPSR)).toBe(0x5n); // EL1h, DAIF clear
    expect(m.cpu.getPstate() & 0x3cfn).toBe(0x3c5n);
  });

  test('ERET to EL0, then SVC from EL0 uses the lower-EL vector; EL0 sees its own SP', () => {
    const m = withVectors(`
      adr x1, el0
      msr elr_el1, x1
      mov x2, #0
      msr spsr_el1, x2
      eret
    el0:
      mov x3, sp
      svc #7
    `);
    m.cpu.setSp(0, 0x1230n);
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x108 }); // 0x400
    expect(m.cpu.getX(3)).toBe(0x1230n);
    expect(get(m, ESR)).toBe(0x56000007n);
    expect(get(m, SPSR) & 0xfn).toBe(0n);
  });

  test('BRK: EC 0x3c, ELR at the BRK; UDF: EC 0 with IL', () => {
    let m = withVectors('nop\nbrk #0x55');
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x104 });
    expect(get(m, ESR)).toBe(((0x3cn << 26n) | (1n << 25n) | 0x55n));
    expect(get(m, ELR)).toBe(BigInt(RAM_BASE + 4));
    m = withVectors('udf #1');
    m.cpu.run(10);
    expect(get(m, ESR)).toBe(1n << 25n);
    m = withVectors('hlt #0');
    m.cpu.run(10);
    expect(get(m, ESR)).toBe(1n << 25n);
  });

  test('EL0: MRS of an EL1 register and HVC are UNDEFINED; DAIF access without SCTLR.UMA traps (EC 0x18)', () => {
    const prog = (insn: string): Machine =>
      withVectors(`
      adr x1, el0
      msr elr_el1, x1
      msr spsr_el1, xzr
      eret
    el0:
      ${insn}
    `);
    for (const insn of ['mrs x0, sctlr_el1', 'hvc #0', 'smc #0', 'eret', 'msr sctlr_el1, x0', 'tlbi vmalle1']) {
      const m = prog(insn);
      expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x108 });
      expect(ec(get(m, ESR))).toBe(0);
    }
    const m = prog('msr daifset, #2');
    m.cpu.run(100);
    expect(ec(get(m, ESR))).toBe(0x18);
    const t = prog('mrs x0, tpidr_el0\nmrs x1, nzcv\nsvc #0');
    expect(t.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x108 });
    expect(ec(get(t, ESR))).toBe(0x15);
  });

  test('illegal exception return sets PSTATE.IL and the next instruction takes EC 0x0e', () => {
    const m = withVectors(`
      adr x1, next
      msr elr_el1, x1
      mov x2, #0x10        // AArch32 user mode: not supported → illegal return
      msr spsr_el1, x2
      eret
    next:
      nop
    `);
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x104 });
    expect(ec(get(m, ESR))).toBe(0x0e);
    expect((get(m, SPSR) >> 20n) & 1n).toBe(1n);
  });

  test('SP alignment fault (SCTLR.SA) and PC alignment fault', () => {
    let m = withVectors('mov x0, #8\nmov sp, x0\nldr x1, [sp]');
    m.cpu.run(10);
    expect(ec(get(m, ESR))).toBe(0x26);
    m = withVectors('adr x0, t\nadd x0, x0, #2\nbr x0\nt: nop');
    m.cpu.run(10);
    expect(ec(get(m, ESR))).toBe(0x22);
    expect(get(m, FAR)).toBe(BigInt(RAM_BASE + 14));
  });

  test('CPACR_EL1.FPEN=0 traps FP instructions with EC 0x07', () => {
    const m = withVectors('fmov d0, x1');
    m.cpu.run(10);
    expect(ec(get(m, ESR))).toBe(0x07);
    const ok = withVectors('mov x1, #3 << 20\nmsr cpacr_el1, x1\nisb\nfmov d0, x1\nhvc #1');
    expect(ok.cpu.run(10)).toEqual({ kind: 'hvc', imm: 1 });
  });
});

describeAs('interrupts and WFI', () => {
  test('IRQ is taken at an instruction boundary when unmasked, not when masked', () => {
    const m = withVectors(`
      mov x0, #1
      mov x0, #2
      msr daifclr, #2
      mov x0, #3
      hvc #0
    `);
    m.cpu.irqLine = true;
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x105 }); // 0x280
    expect(m.cpu.getX(0)).toBe(2n);
    expect(get(m, ELR)).toBe(BigInt(RAM_BASE + 12)); // the preferred return: the next instruction
    expect(get(m, SPSR)).toBe(0x345n); // I clear in the saved state
  });

  test('FIQ uses the FIQ vector', () => {
    const m = withVectors('msr daifclr, #1\nnop\nnop');
    m.cpu.fiqLine = true;
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0x106 }); // 0x300
  });

  test('WFI stops with PC advanced; with a pending (even masked) interrupt it completes at once', () => {
    let m = withVectors('wfi\nhvc #9');
    expect(m.cpu.run(10)).toEqual({ kind: 'wfi' });
    expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE + 4));
    m = withVectors('wfi\nhvc #9');
    m.cpu.irqLine = true; // masked by PSTATE.I at reset
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 9 });
  });

  test('HVC stops with PC advanced, SMC with PC at the SMC', () => {
    let m = withVectors('nop\nhvc #3');
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 3 });
    expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE + 8));
    m = withVectors('nop\nsmc #4');
    expect(m.cpu.run(10)).toEqual({ kind: 'smc', imm: 4 });
    expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE + 4));
  });

  test('budget and requestStop', () => {
    const m = withVectors('b .');
    expect(m.cpu.run(1000)).toEqual({ kind: 'budget' });
    expect(m.cpu.retired).toBe(1000);
    expect(() => m.cpu.run(-1)).toThrow(RangeError);
  });
});

describeAs('MMIO', () => {
  const DEV = 0x09000000;
  test('a load outside RAM stops with mmio and a valid syndrome; completeMmio sign-extends and retires', () => {
    const m = withVectors(`
      ldrsh x2, [x1, #2]
      hvc #0
    `);
    m.cpu.setX(1, BigInt(DEV));
    const s = m.cpu.run(10);
    expect(s.kind).toBe('mmio');
    if (s.kind !== 'mmio') return;
    expect(s).toMatchObject({ pa: DEV + 2, size: 2, isWrite: false });
    // ISV, SAS=1 (halfword), SSE, SRT=2, SF
    expect((s.esrIss >>> 24) & 1).toBe(1);
    expect((s.esrIss >>> 22) & 3).toBe(1);
    expect((s.esrIss >>> 21) & 1).toBe(1);
    expect((s.esrIss >>> 16) & 31).toBe(2);
    expect((s.esrIss >>> 15) & 1).toBe(1);
    expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE));
    m.cpu.completeMmio(0x8001n);
    expect(m.cpu.getX(2)).toBe(0xffffffffffff8001n);
    expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE + 4));
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
  });

  test('a store outside RAM carries the value; STLR has AR set; handled accesses do not stop', () => {
    const m = withVectors(`
      str w3, [x1]
      stlr x3, [x1]
      ldr w4, [x5]
      hvc #0
    `);
    m.cpu.setX(1, BigInt(DEV));
    m.cpu.setX(3, 0x1122334455667788n);
    m.cpu.setX(5, 0x08000000n);
    m.bus.handled.set(0x08000000, 0xabcdn);
    let s = m.cpu.run(10);
    expect(s).toMatchObject({ kind: 'mmio', pa: DEV, size: 4, isWrite: true, value: 0x55667788n });
    m.cpu.completeMmio(0n);
    s = m.cpu.run(10);
    expect(s).toMatchObject({ kind: 'mmio', size: 8, isWrite: true, value: 0x1122334455667788n });
    if (s.kind === 'mmio') expect((s.esrIss >>> 14) & 1).toBe(1);
    m.cpu.completeMmio(0n);
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(4)).toBe(0xabcdn);
  });

  test('pairs and writeback forms stop with nisv, PC at the instruction', () => {
    for (const insn of ['ldp x2, x3, [x1]', 'ldr x2, [x1], #8', 'str x2, [x1, #8]!']) {
      const m = withVectors(insn);
      m.cpu.setX(1, BigInt(DEV));
      const s = m.cpu.run(10);
      expect(s.kind).toBe('nisv');
      expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE));
      expect(m.cpu.getX(1)).toBe(BigInt(DEV));
    }
  });

  test('instruction fetch outside RAM stops with fetch-abort', () => {
    const m = withVectors('br x1');
    m.cpu.setX(1, 0x100000n);
    expect(m.cpu.run(10)).toEqual({ kind: 'fetch-abort', pa: 0x100000 });
  });

  test('MMU off: data accesses are Device memory: unaligned loads take an alignment fault', () => {
    const m = withVectors('ldr x0, [x1]');
    m.cpu.setX(1, BigInt(RAM_BASE + 0x8001));
    m.cpu.run(10);
    expect(ec(get(m, ESR))).toBe(0x25);
    expect(Number(get(m, ESR) & 0x3fn)).toBe(0x21);
    expect(get(m, FAR)).toBe(BigInt(RAM_BASE + 0x8001));
  });
});

describeAs('exclusives, DC ZVA, counters', () => {
  test('LDXR/STXR succeed with the monitor, fail without or after CLREX', () => {
    const m = withVectors(`
      ldxr x2, [x1]
      add x2, x2, #1
      stxr w3, x2, [x1]
      stxr w4, x2, [x1]
      ldaxr w5, [x1]
      clrex
      stlxr w6, w5, [x1]
      ldxp x7, x8, [x1]
      stxp w9, x8, x7, [x1]
      hvc #0
    `);
    m.cpu.setX(1, BigInt(RAM_BASE + 0x8000));
    new DataView(m.ram.buffer).setBigUint64(0x8000, 41n, true);
    new DataView(m.ram.buffer).setBigUint64(0x8008, 7n, true);
    expect(m.cpu.run(100)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(3)).toBe(0n);
    expect(m.cpu.getX(4)).toBe(1n);
    expect(m.cpu.getX(6)).toBe(1n);
    expect(m.cpu.getX(9)).toBe(0n);
    expect(new DataView(m.ram.buffer).getBigUint64(0x8000, true)).toBe(7n);
    expect(new DataView(m.ram.buffer).getBigUint64(0x8008, true)).toBe(42n);
  });

  test('unaligned exclusive: alignment fault', () => {
    const m = withVectors('ldxr x2, [x1]');
    m.cpu.setX(1, BigInt(RAM_BASE + 0x8004));
    m.cpu.run(10);
    expect(Number(get(m, ESR) & 0x3fn)).toBe(0x21);
  });

  test('DC ZVA zeroes one 64-byte block', () => {
    const m = withVectors('dc zva, x1\nhvc #0');
    m.ram.fill(0xee, 0x8000, 0x8100);
    m.cpu.setX(1, BigInt(RAM_BASE + 0x8047));
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.ram.subarray(0x8040, 0x8080).every((b) => b === 0)).toBe(true);
    expect(m.ram[0x803f]).toBe(0xee);
    expect(m.ram[0x8080]).toBe(0xee);
  });

  test('CNTVCT = physical count - CNTVOFF; CNTFRQ from the clock; MIDR/MPIDR', () => {
    const m = withVectors('mrs x0, cntvct_el0\nmrs x1, cntfrq_el0\nmrs x2, midr_el1\nmrs x3, mpidr_el1\nmrs x4, currentel\nhvc #0');
    m.clock.now = 5000n;
    m.clock.cntvoff = 1000n;
    m.cpu.reset({ mpidr: 0x80000003n });
    m.cpu.setPc(BigInt(RAM_BASE));
    m.cpu.setSysreg(3, 0, 12, 0, 0, BigInt(VBAR));
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(0)).toBe(4000n);
    expect(m.cpu.getX(1)).toBe(62500000n);
    expect(m.cpu.getX(2)).toBe(0x411fd070n);
    expect(m.cpu.getX(3)).toBe(0x80000003n);
    expect(m.cpu.getX(4)).toBe(4n);
  });
});

describeAs('API edge', () => {
  test('bad arguments are RangeError/TypeError, unknown sysregs RangeError', () => {
    const m = machine();
    expect(() => m.cpu.getX(31)).toThrow(RangeError);
    expect(() => m.cpu.setX(0, -1n)).toThrow(RangeError);
    expect(() => m.cpu.setX(0, 1n << 64n)).toThrow(RangeError);
    expect(() => m.cpu.getSysreg(3, 0, 15, 15, 7)).toThrow(RangeError);
    expect(() => m.cpu.setV(0, new Uint8Array(15))).toThrow(RangeError);
    expect(() => m.cpu.completeMmio(0n)).toThrow();
    expect(() => m.cpu.setPstate(0x3c7n)).toThrow(RangeError);
    expect(m.cpu.getPstate()).toBe(0x3c5n);
    expect(get(m, SCTLR)).toBe(0x00c50078n);
  });
  test('sysregList covers the KVM-visible registers and every listed one reads', () => {
    const m = machine();
    const list = m.cpu.sysregList();
    expect(list.length).toBeGreaterThan(100);
    for (const e of list) expect(typeof m.cpu.getSysreg(...e)).toBe('bigint');
    expect(list).toContainEqual([3, 0, 1, 0, 0]); // SCTLR_EL1
    expect(list).toContainEqual([3, 0, 0, 4, 0]); // ID_AA64PFR0_EL1
  });
});

describeAs('FP control registers', () => {
  test('MRS FPCR traps with EC 0x07 while CPACR_EL1.FPEN = 0, works when enabled', () => {
    let m = withVectors('mrs x0, fpcr');
    m.cpu.run(10);
    expect(ec(get(m, ESR))).toBe(0x07);
    m = withVectors('mov x1, #3 << 20\nmsr cpacr_el1, x1\nmov x2, #0x00400000\nmsr fpcr, x2\nmrs x0, fpcr\nhvc #0');
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    expect(m.cpu.getX(0)).toBe(0x00400000n);
    expect(m.cpu.getFpcr()).toBe(0x00400000);
  });
});

describeAs('WFE/SEV, IRQ from EL0, trace and requestStop', () => {
  test('SEVL sets the event register so the next WFE completes; a second WFE stops', () => {
    const m = withVectors('sevl\nwfe\nwfe\nhvc #0');
    expect(m.cpu.run(10)).toEqual({ kind: 'wfe' });
    expect(m.cpu.getPc()).toBe(BigInt(RAM_BASE + 12));
  });

  test('an IRQ taken from EL0 uses the lower-EL IRQ vector (0x480) and saves EL0 state', () => {
    const m = withVectors(`
      adr x1, el0
      msr elr_el1, x1
      msr spsr_el1, xzr     // EL0t, interrupts unmasked
      eret
    el0:
      b el0
    `);
    m.cpu.run(20);
    m.cpu.irqLine = true;
    expect(m.cpu.run(20)).toEqual({ kind: 'hvc', imm: 0x109 });
    expect(get(m, SPSR)).toBe(0n);
    expect(get(m, ELR)).toBe(BigInt(RAM_BASE + 16));
  });

  test('the trace hook sees each instruction; requestStop ends run() at the next boundary', () => {
    const bus = machine(asm('nop\nnop\nnop\nnop\nhvc #0'));
    const seen: Array<[bigint, number]> = [];
    const { createCpu } = require('../../lib/soft/cpu') as typeof import('../../lib/soft/cpu');
    const cpu = createCpu({
      bus: bus.bus,
      clock: bus.clock,
      trace: (pc, insn) => {
        seen.push([pc, insn]);
        if (seen.length === 2) cpu.requestStop();
      },
    });
    cpu.setPc(BigInt(RAM_BASE));
    expect(cpu.run(100)).toEqual({ kind: 'budget' });
    expect(seen).toEqual([
      [BigInt(RAM_BASE), 0xd503201f],
      [BigInt(RAM_BASE + 4), 0xd503201f],
    ]);
    expect(cpu.retired).toBe(2);
  });
});

describeAs('top byte ignore', () => {
  test('BR to a tagged address drops the tag when TCR_EL1.TBI0 is set, keeps it otherwise', () => {
    const prog = 'adr x0, t\nmov x1, #0x5a00000000000000\norr x0, x0, x1\nbr x0\nt: hvc #0';
    let m = withVectors(prog);
    m.cpu.setSysreg(3, 0, 2, 0, 2, 1n << 37n);
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0 });
    m = withVectors(prog);
    // without TBI the tagged PC is out of the (flat) PA range: an instruction abort, address size fault L0
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x104 });
    expect(ec(get(m, ESR))).toBe(0x21);
  });
});

describeAs('EL1t', () => {
  test('with SPSel = 0 EL1 uses SP_EL0 and exceptions use the current-EL SP0 vector (0x000); SPSR says EL1t', () => {
    const m = withVectors('msr spsel, #0\nmov x0, sp\nsvc #1');
    m.cpu.setSp(0, 0x4000n);
    expect(m.cpu.run(10)).toEqual({ kind: 'hvc', imm: 0x100 });
    expect(m.cpu.getX(0)).toBe(0x4000n);
    expect(get(m, SPSR) & 0xfn).toBe(4n);
    expect(m.cpu.getPstate() & 0xfn).toBe(5n);
  });
});
