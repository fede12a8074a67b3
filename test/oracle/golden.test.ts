/**
 * Oracle tier: regenerates test/fixtures/kvm-abi-golden.txt from the installed arm64 uapi headers
 * (linux-libc-dev-arm64-cross, compiled with aarch64-linux-gnu-gcc and run under qemu-aarch64) and fails on any
 * difference. test/unit/golden.test.ts then ties the fixture to the codec.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const script = path.join(root, 'scripts', 'golden', 'generate.js');
const fixture = path.join(root, 'test', 'fixtures', 'kvm-abi-golden.txt');

function missingTools(): string | undefined {
  if (!fs.existsSync('/usr/aarch64-linux-gnu/include/linux/kvm.h')) return 'linux-libc-dev-arm64-cross is not installed';
  for (const tool of ['aarch64-linux-gnu-gcc', 'qemu-aarch64', 'dpkg-query']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) return `${tool} is not installed`;
  }
  return undefined;
}
const why = missingTools();
const d = why === undefined ? describe : (console.warn(`skipped: golden oracle: ${why}`), describe.skip);

d('golden file oracle (arm64 uapi headers)', () => {
  it('the committed fixture is exactly what the installed headers give', () => {
    const fresh = execFileSync(process.execPath, [script, '--stdout'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const committed = fs.readFileSync(fixture, 'utf8');
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const onlyCommitted = a.filter((l) => !b.includes(l));
    const onlyHeaders = b.filter((l) => !a.includes(l));
    expect({ onlyCommitted, onlyHeaders }).toEqual({ onlyCommitted: [], onlyHeaders: [] });
    expect(fresh).toBe(committed);
  }, 120_000);

  it('--check fails on a tampered copy of the fixture and names the changed line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-oracle-'));
    try {
      const copy = path.join(dir, 'kvm-abi-golden.txt');
      const committed = fs.readFileSync(fixture, 'utf8');
      const tampered = committed.replace(/^KVM_CAP_ONE_REG 70$/m, 'KVM_CAP_ONE_REG 71');
      expect(tampered).not.toBe(committed);
      fs.writeFileSync(copy, tampered);
      const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', env: { ...process.env, GOLDEN_TARGET: copy } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('- KVM_CAP_ONE_REG 71');
      expect(r.stderr).toContain('+ KVM_CAP_ONE_REG 70');
      fs.writeFileSync(copy, committed);
      const ok = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', env: { ...process.env, GOLDEN_TARGET: copy } });
      expect(ok.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
