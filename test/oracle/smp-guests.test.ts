/**
 * SMP guest oracle: test/guests/smp.S (PSCI CPU_ON, LDXR/STXR counter, spinlock with WFE/SEV, SGI between vCPUs,
 * virtual timer PPI through the GICv2) under `kvm-arm run --backend soft --smp 2` — each vCPU in its own worker
 * thread — prints exactly what `qemu-system-aarch64 -M virt,gic-version=2 -cpu cortex-a57 -smp 2` prints.
 * The guest orders its output with flags, so it is the same whatever the interleaving.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildGuests, haveCross, haveTool, kvmArmRun } from '../guests/harness';

const ok = haveCross && haveTool('qemu-system-aarch64');
const d = ok ? describe : (console.warn('skipped: SMP guest oracle needs aarch64-linux-gnu-as/ld and qemu-system-aarch64'), describe.skip);

function qemu(elf: string): string {
  const r = spawnSync('qemu-system-aarch64', ['-M', 'virt,gic-version=2', '-cpu', 'cortex-a57', '-smp', '2', '-nographic', '-nic', 'none', '-no-reboot', '-kernel', elf], {
    encoding: 'latin1',
    timeout: 60_000,
    input: '',
  });
  if (r.status !== 0) throw new Error(`qemu failed (${r.status}): ${r.stderr}`);
  return r.stdout.replace(/\r\n/g, '\n');
}

d('SMP guest: kvm-arm run --backend soft --smp 2 vs qemu-system-aarch64 -smp 2', () => {
  test('smp: same UART output, exit 0 on SYSTEM_OFF', async () => {
    const elf = join(buildGuests(), 'smp.elf');
    const want = qemu(elf);
    expect(want).toContain('ldxr/stxr counter: 0000000000004e20\n');
    expect(want).toContain('bye\n');
    const got = await kvmArmRun(['--backend', 'soft', '--smp', '2', '--timeout', '120', elf]);
    expect(got.stderr).toBe('');
    expect(got.stdout).toBe(want);
    expect(got.status).toBe(0);
  }, 240_000);
});
