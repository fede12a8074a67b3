/**
 * Oracle tier: lib/codec/sysreg-names.ts must be exactly what scripts/gen-sysreg-table.js derives from binutils'
 * AArch64 disassembler (aarch64-linux-gnu-objdump).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sysregEncoding, sysregName } from '../../lib/codec';

const root = path.join(__dirname, '..', '..');
const objdump = process.env.OBJDUMP || 'aarch64-linux-gnu-objdump';
const have = !spawnSync(objdump, ['--version'], { stdio: 'ignore' }).error;
const d = have ? describe : (console.warn(`skipped: sysreg-names oracle: ${objdump} (binutils-aarch64-linux-gnu) is not installed`), describe.skip);

d('sysreg-names.ts against binutils', () => {
  it('gen-sysreg-table.js --check passes', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'gen-sysreg-table.js'), '--check'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/matches binutils \(\d+ registers\)/);
  }, 300_000);

  it('binutils names the sample encodings as the table does', () => {
    // MRS x0, SCTLR_EL1 = 0xd5381000; the table and the disassembler must agree on a few anchors
    expect(sysregName({ op0: 3, op1: 0, crn: 1, crm: 0, op2: 0 })).toBe('SCTLR_EL1');
    expect(sysregEncoding('MPIDR_EL1')).toEqual({ op0: 3, op1: 0, crn: 0, crm: 0, op2: 5 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sysreg-probe-'));
    const bin = path.join(dir, 'probe.bin');
    const word = Buffer.alloc(4);
    word.writeUInt32LE(0xd5381000); // MRS x0, (3,0,1,0,0)
    fs.writeFileSync(bin, word);
    const r = spawnSync(objdump, ['-D', '-b', 'binary', '-m', 'aarch64', bin], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stdout.toLowerCase()).toMatch(/mrs\s+x0, sctlr_el1/);
  });
});
