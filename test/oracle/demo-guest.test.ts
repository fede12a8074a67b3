/**
 * Oracle for the bundled demo guest: guests/hello.elf is exactly what guests/build.sh makes from guests/hello.S
 * with the installed aarch64 cross binutils (a reproducible build), and qemu-system-aarch64 -M virt prints the
 * same lines as the soft backend for it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMachine } from '../../lib/vmm/machine';

const GUESTS = join(__dirname, '..', '..', 'guests');
const have = (t: string): boolean => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0;
const cross = have('aarch64-linux-gnu-as') && have('aarch64-linux-gnu-ld');
const qemu = have('qemu-system-aarch64');
const dCross = cross ? describe : (console.warn('skipped: the demo-guest rebuild needs aarch64-linux-gnu-as/ld (binutils-aarch64-linux-gnu)'), describe.skip);
const dQemu = qemu ? describe : (console.warn('skipped: the demo-guest output oracle needs qemu-system-aarch64 (qemu-system-arm)'), describe.skip);

dCross('guests/hello.elf rebuilds from source byte for byte', () => {
  test('guests/build.sh OUT gives the committed bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-arm-hello-'));
    try {
      const out = join(dir, 'hello.elf');
      const r = spawnSync('sh', [join(GUESTS, 'build.sh'), out], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const built = readFileSync(out);
      const committed = readFileSync(join(GUESTS, 'hello.elf'));
      expect(built.length).toBe(committed.length);
      expect(built.equals(committed)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

dQemu('guests/hello.elf: qemu-system-aarch64 -M virt vs the soft backend', () => {
  test('same UART output; both power off', async () => {
    const elf = join(GUESTS, 'hello.elf');
    const q = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a57', '-nographic', '-nic', 'none', '-no-reboot', '-kernel', elf], {
      encoding: 'latin1',
      input: '',
      timeout: 60_000,
    });
    expect(q.status).toBe(0);
    const want = q.stdout.replace(/\r\n/g, '\n');
    expect(want).toContain('Hello from a kvm-arm guest!');
    const bytes: number[] = [];
    const r = await runMachine({ image: readFileSync(elf), backend: 'soft', output: (b) => bytes.push(b) });
    expect(Buffer.from(bytes).toString('latin1')).toBe(want);
    expect(r.status).toBe(0);
  }, 120_000);
});
