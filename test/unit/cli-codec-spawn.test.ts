/**
 * The built `kvm-arm` bin, spawned: the codec commands through bin/kvm-arm.js → dist/cjs/cli/main.js.
 * Needs `npm run compile` first (skips, saying so, when dist/ has no build of the codec commands).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'kvm-arm.js');
const built = fs.existsSync(path.join(root, 'dist', 'cjs', 'cli', 'codec-commands.js')) && fs.existsSync(path.join(root, 'dist', 'cjs', 'cli', 'main.js'));
const d = built ? describe : (console.warn('skipped: kvm-arm spawn tests: dist/cjs/cli is not built (run npm run compile)'), describe.skip);

const kvmArm = (args: string[], input?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, cwd: root });

d('kvm-arm bin: codec commands', () => {
  it('reg decodes and encodes; --json is one JSON line', () => {
    const r = kvmArm(['reg', '0x6030000000100040']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '0x6030000000100040  arm64 core pc u64\n', '']);
    const j = kvmArm(['reg', 'SCTLR_EL1', '--json']);
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ id: '0x603000000013c080', name: 'SCTLR_EL1', arch: 'arm64', kind: 'sysreg' });
  });
  it('bad input exits 2 with one stderr line', () => {
    const r = kvmArm(['irq', '--type', 'spi', '--irq', '1020']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual(['irq: irq: an SPI is 32..1019, got 1020']);
  });
  it('reglist - reads standard input', () => {
    const r = kvmArm(['reglist', '-'], '# ids\n0x6030000000100040\n0x603000000013c080\n');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'id                  kind    name       size',
      '0x6030000000100040  core    pc         u64',
      '0x603000000013c080  sysreg  SCTLR_EL1  u64',
    ]);
  });
  it('the top-level help lists the codec commands', () => {
    const r = kvmArm(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['reg', 'irq', 'vgic-attr', 'reglist']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(kvmArm(['vgic-attr', '--help']).stdout).toMatch(/^usage: kvm-arm vgic-attr/);
  });
});
