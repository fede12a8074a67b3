/** kvm-arm reg / irq / vgic-attr / reglist, called as functions (no process spawned). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { irqCommand, regCommand, reglistCommand, vgicAttrCommand } from '../../lib/cli/codec-commands';
import type { CliIo } from '../../lib/cli/io';

function run(cmd: (argv: string[], io: CliIo) => number, argv: string[]): { status: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const status = cmd(argv, { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { status, out, err };
}
const json = (r: { out: string[] }): Record<string, unknown> => {
  expect(r.out).toHaveLength(1);
  return JSON.parse(r.out[0] as string) as Record<string, unknown>;
};
/** A bad-input run: status 2, nothing on stdout, exactly one stderr line matching `re`. */
function expectUsage(r: { status: number; out: string[]; err: string[] }, re: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.out).toEqual([]);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(re);
}

describe('kvm-arm reg', () => {
  it('decodes an id', () => {
    const r = run(regCommand, ['0x6030000000100040']);
    expect(r).toEqual({ status: 0, out: ['0x6030000000100040  arm64 core pc u64'], err: [] });
  });
  it('encodes a name', () => {
    expect(run(regCommand, ['SCTLR_EL1']).out).toEqual(['0x603000000013c080  arm64 sysreg SCTLR_EL1 (3,0,1,0,0) u64']);
    expect(run(regCommand, ['--arch', 'arm', 'SCTLR']).out).toEqual(['0x40200000000f0800  arm cp15 SCTLR c1/c0/0/0 u32']);
    expect(run(regCommand, ['--arch=arm', 'pc']).out[0]).toMatch(/^0x402000000010000f  arm core pc u32$/);
  });
  it('--json: id, name, arch, kind, size, fields', () => {
    expect(json(run(regCommand, ['SCTLR_EL1', '--json']))).toEqual({
      id: '0x603000000013c080', name: 'SCTLR_EL1', arch: 'arm64', kind: 'sysreg', size: 'u64', bytes: 8,
      fields: { op0: 3, op1: 0, crn: 1, crm: 0, op2: 0 }, text: 'arm64 sysreg SCTLR_EL1 (3,0,1,0,0) u64',
    });
    expect(json(run(regCommand, ['0x40200000000f0800', '--json']))).toMatchObject({ id: '0x40200000000f0800', name: 'SCTLR', arch: 'arm', kind: 'cp', fields: { coproc: 15, crn: 1, crm: 0, opc1: 0, opc2: 0, is64: false } });
    expect(json(run(regCommand, ['KVM_REG_ARM_TIMER_CNT', '--json']))).toMatchObject({ id: '0x603000000013df1a', fields: { crm: 3, op2: 2, holds: 'CNTVCT_EL0' } });
    expect(json(run(regCommand, ['0x603000000013ff3f', '--json']))).toMatchObject({ name: 'S3_7_C14_C7_7' });
    expect(json(run(regCommand, ['z3[2]', '--json']))).toMatchObject({ kind: 'sve', size: 'u2048', fields: { sve: 'z', n: 3, slice: 2 } });
  });
  it('bad input: status 2 and one line naming the problem', () => {
    expectUsage(run(regCommand, ['0x5030000000100040']), /^reg: malformed register id 0x5030000000100040: bad architecture/);
    expectUsage(run(regCommand, ['0x6030000000100001']), /bad core index/);
    expectUsage(run(regCommand, ['0x40020000000f0800']), /did you mean 0x40200000000f0800\?/);
    expectUsage(run(regCommand, ['NOT_A_REG']), /^reg: name: 'NOT_A_REG' is not a known arm64 system register$/);
    expectUsage(run(regCommand, ['--arch', 'arm', '0x6030000000100040']), /is an arm64 id, not arm/);
    expectUsage(run(regCommand, ['--arch', 'x86', 'pc']), /--arch must be arm64 or arm/);
    expectUsage(run(regCommand, []), /expected one register id or name, got 0/);
    expectUsage(run(regCommand, ['pc', 'sp']), /got 2/);
    expectUsage(run(regCommand, ['pc', '--bogus']), /unknown option --bogus/);
    expectUsage(run(regCommand, ['pc', '--arch']), /--arch needs a value/);
    expectUsage(run(regCommand, ['0x10000000000000000']), /outside 0 \.\. 2\^64-1/);
  });
  it('--help', () => {
    const r = run(regCommand, ['--help']);
    expect(r.status).toBe(0);
    expect(r.out[0]).toMatch(/^usage: kvm-arm reg /);
    expect(run(regCommand, ['-h']).out[0]).toMatch(/^usage: kvm-arm reg /);
  });
});

describe('kvm-arm irq', () => {
  it('decodes', () => {
    expect(run(irqCommand, ['0x01000028'])).toEqual({ status: 0, out: ['0x01000028  SPI 40'], err: [] });
    expect(json(run(irqCommand, ['0x01000028', '--json']))).toEqual({ value: '0x01000028', type: 'spi', vcpu: 0, irq: 40 });
    expect(json(run(irqCommand, [String(0xf201001b), '--json']))).toEqual({ value: '0xf201001b', type: 'ppi', vcpu: 3841, irq: 27 });
  });
  it('encodes', () => {
    expect(run(irqCommand, ['--type', 'spi', '--irq', '40']).out).toEqual(['0x01000028  SPI 40']);
    expect(json(run(irqCommand, ['--type', 'ppi', '--irq', '27', '--vcpu', '4095', '--json']))).toEqual({ value: '0xf2ff001b', type: 'ppi', vcpu: 4095, irq: 27 });
    expect(json(run(irqCommand, ['--type=cpu', '--irq=fiq', '--vcpu=2', '--json']))).toEqual({ value: '0x00020001', type: 'cpu', vcpu: 2, irq: 1 });
  });
  it('bad input', () => {
    expectUsage(run(irqCommand, ['--type', 'spi', '--irq', '1020']), /^irq: irq: an SPI is 32\.\.1019, got 1020$/);
    expectUsage(run(irqCommand, ['0x030003fc']), /irq_type: 3/);
    expectUsage(run(irqCommand, ['--type', 'sgi', '--irq', '1']), /--type must be spi, ppi or cpu/);
    expectUsage(run(irqCommand, ['--irq', '40']), /--type is required/);
    expectUsage(run(irqCommand, ['--type', 'spi']), /--irq is required/);
    expectUsage(run(irqCommand, ['--type', 'ppi', '--irq', '27', '--vcpu', 'x']), /--vcpu: 'x' is not a number/);
    expectUsage(run(irqCommand, ['--type', 'ppi', '--irq', '27', '--vcpu', '4096']), /vcpu: must be 0\.\.4095/);
    expectUsage(run(irqCommand, ['0x01000028', '--type', 'spi', '--irq', '40']), /not both/);
    expectUsage(run(irqCommand, ['spi40']), /'spi40' is not a number/);
    expectUsage(run(irqCommand, ['0x100000000']), /u32/);
  });
  it('--help', () => {
    expect(run(irqCommand, ['--help']).out[0]).toMatch(/^usage: kvm-arm irq /);
  });
});

describe('kvm-arm vgic-attr', () => {
  it('encodes by register name and by offset', () => {
    expect(run(vgicAttrCommand, ['--cpu', '0', '--reg', 'GICD_ISENABLER1']).out).toEqual(['0x0000000000000104  cpu 0 offset 0x104 GICD_ISENABLER1']);
    expect(json(run(vgicAttrCommand, ['--cpu', '2', '--reg', 'GICC_PMR', '--json']))).toEqual({ value: '0x0000000200000004', cpu: 2, offset: '0x4', group: 'cpu', register: 'GICC_PMR' });
    expect(json(run(vgicAttrCommand, ['--cpu', '1', '--offset', '0x420', '--json']))).toEqual({ value: '0x0000000100000420', cpu: 1, offset: '0x420', group: 'dist', register: 'GICD_IPRIORITYR8' });
  });
  it('decodes, naming the register in the chosen frame', () => {
    expect(json(run(vgicAttrCommand, ['0x100000004', '--group', 'cpu', '--json']))).toEqual({ value: '0x0000000100000004', cpu: 1, offset: '0x4', group: 'cpu', register: 'GICC_PMR' });
    expect(json(run(vgicAttrCommand, ['0x100000004', '--json']))).toMatchObject({ group: 'dist', register: 'GICD_TYPER' });
    expect(json(run(vgicAttrCommand, ['0xc', '--json']))).toMatchObject({ register: null });
    expect(run(vgicAttrCommand, ['0xc']).out).toEqual(['0x000000000000000c  cpu 0 offset 0xc (no GICD register)']);
  });
  it('bad input', () => {
    expectUsage(run(vgicAttrCommand, ['0x10000000000']), /^vgic-attr: reserved: bits 63\.\.40 must be zero/);
    expectUsage(run(vgicAttrCommand, ['--cpu', '256', '--offset', '0']), /cpu: must be an integer 0\.\.0xff, got 256/);
    expectUsage(run(vgicAttrCommand, ['--cpu', '0', '--reg', 'GICD_NOPE']), /'GICD_NOPE' is not a GICv2/);
    expectUsage(run(vgicAttrCommand, ['--cpu', '0', '--reg', 'GICC_PMR', '--group', 'dist']), /GICC_PMR is in the cpu frame, not dist/);
    expectUsage(run(vgicAttrCommand, ['--cpu', '0']), /exactly one of --offset and --reg/);
    expectUsage(run(vgicAttrCommand, ['--offset', '4']), /--cpu is required/);
    expectUsage(run(vgicAttrCommand, ['0x4', '--group', 'redist']), /--group must be dist or cpu/);
  });
  it('--help', () => {
    expect(run(vgicAttrCommand, ['--help']).out[0]).toMatch(/^usage: kvm-arm vgic-attr /);
  });
});

describe('kvm-arm reglist', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-reglist-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const list = ['# from KVM_GET_REG_LIST', '0x6030000000100040', '', '0x603000000013c080', '  0x6020000000110000  ', '0x6030000000140000', '0x60400000001000d0'].join('\n');

  it('prints a table: id / kind / name / size', () => {
    const f = path.join(dir, 'regs.txt');
    fs.writeFileSync(f, list);
    const r = run(reglistCommand, [f]);
    expect(r.status).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      'id                  kind      name                      size',
      '0x6030000000100040  core      pc                        u64',
      '0x603000000013c080  sysreg    SCTLR_EL1                 u64',
      '0x6020000000110000  demux     CCSIDR[csselr=0 L1D/U]    u32',
      '0x6030000000140000  firmware  KVM_REG_ARM_PSCI_VERSION  u64',
      '0x60400000001000d0  core      v31                       u128',
    ]);
  });
  it('- reads standard input; --json', () => {
    const out: string[] = [];
    const status = reglistCommand(['-', '--json'], { stdout: (l) => out.push(l), stderr: () => undefined }, () => list);
    expect(status).toBe(0);
    const rows = JSON.parse(out[0] as string) as { id: string; kind: string; name: string; size: string }[];
    expect(rows).toHaveLength(5);
    expect(rows[1]).toEqual({ id: '0x603000000013c080', kind: 'sysreg', name: 'SCTLR_EL1', size: 'u64' });
  });
  it('bad input names the line', () => {
    const f = path.join(dir, 'bad.txt');
    fs.writeFileSync(f, '0x6030000000100040\n\n0x6030000000170000\n');
    expectUsage(run(reglistCommand, [f]), /^reglist: line 3: malformed register id 0x6030000000170000: bad coprocessor group/);
    fs.writeFileSync(f, 'pc\n');
    expectUsage(run(reglistCommand, [f]), /^reglist: line 1: 'pc' is not a register id$/);
    expectUsage(run(reglistCommand, [path.join(dir, 'missing.txt')]), /cannot read .*missing\.txt: ENOENT/);
    expectUsage(run(reglistCommand, []), /expected one FILE/);
  });
  it('--help', () => {
    expect(run(reglistCommand, ['--help']).out[0]).toMatch(/^usage: kvm-arm reglist /);
  });
});
