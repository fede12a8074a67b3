/**
 * Oracle: each bare-metal guest's UART output under `kvm-arm run --backend soft` equals its output under
 * `qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -kernel guest.elf` (PSCI conduit hvc: qemu has no EL2
 * here, so PSCI SYSTEM_OFF through hvc powers it off).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { haveCross, haveTool, buildGuests, kvmArmRun } from '../guests/harness';

const ok = haveCross && haveTool('qemu-system-aarch64');
const d = ok ? describe : (console.warn('skipped: guests oracle needs aarch64-linux-gnu-as/ld and qemu-system-aarch64'), describe.skip);

function qemu(elf: string): string {
  const r = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a57', '-nographic', '-nic', 'none', '-no-reboot', '-kernel', elf], {
    encoding: 'latin1',
    timeout: 60_000,
    input: '',
  });
  if (r.status !== 0) throw new Error(`qemu failed (${r.status}): ${r.stderr}`);
  return r.stdout.replace(/\r\n/g, '\n');
}

d('guests: kvm-arm run --backend soft vs qemu-system-aarch64 -M virt', () => {
  let dir = '';
  beforeAll(() => {
    dir = buildGuests();
  });
  for (const g of ['hello', 'excmmu']) {
    test(`${g}: same UART output, exit 0 on SYSTEM_OFF`, async () => {
      const elf = join(dir, `${g}.elf`);
      const want = qemu(elf);
      expect(want.length).toBeGreaterThan(0);
      const got = await kvmArmRun(['--backend', 'soft', '--timeout', '60', elf]);
      expect(got.stderr).toBe('');
      expect(got.stdout).toBe(want);
      expect(got.status).toBe(0);
    }, 120_000);
  }
  test('fault: output up to the fault; kvm-arm reports the MMIO write to nothing with PC and the instruction', async () => {
    const elf = join(dir, 'fault.elf');
    const got = await kvmArmRun(['--backend', 'soft', elf]);
    expect(got.stdout).toBe('about to write to unmapped memory\n');
    expect(got.status).toBe(1);
    expect(got.stderr).toMatch(/mmio-unmapped: guest write to 0xa100000 \(4 bytes\).*PC=0x4008[0-9a-f]+ .*insn@PC=b9000085/);
  }, 120_000);
});
