/**
 * The bundled demo guest (guests/hello.elf, source guests/hello.S) on the soft backend: through the reference VMM
 * (lib/vmm runMachine) and through the `kvm-arm run` command, with the exact UART output it must print.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMachine } from '../../lib/vmm/machine';
import { main } from '../../lib/cli/main';

const ELF = join(__dirname, '..', '..', 'guests', 'hello.elf');

function fib(n: number): bigint {
  let a = 0n;
  let b = 1n;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

// vCPU 0 of a KVM VM reads MPIDR_EL1 = 0x80000000 (bit 31 RES1, affinity 0.0.0.0); the guest prints it in hex
const EXPECTED = [
  'Hello from a kvm-arm guest!',
  'Running at EL1 on the CPU with MPIDR_EL1 0x0000000080000000.',
  `fib(90) computed in the guest: ${fib(90).toString()}`,
  'PSCI SYSTEM_OFF: bye.',
  '',
].join('\n');

describe('guests/hello.elf on the soft backend', () => {
  test('is a small AArch64 ELF entered at 0x40080000', () => {
    const b = readFileSync(ELF);
    expect(b.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(b.readUInt16LE(18)).toBe(183); // EM_AARCH64
    expect(b.readBigUInt64LE(24)).toBe(0x40080000n);
    expect(b.length).toBeLessThan(4096);
  });

  test('runMachine: greeting with EL and MPIDR, fib(90), then SYSTEM_OFF (status 0)', async () => {
    const bytes: number[] = [];
    const r = await runMachine({ image: readFileSync(ELF), backend: 'soft', output: (b) => bytes.push(b) });
    expect(Buffer.from(bytes).toString('latin1')).toBe(EXPECTED);
    expect(r).toMatchObject({ status: 0, reason: 'shutdown', backend: 'soft' });
    // a few thousand instructions: the UART polling loop, the hex and decimal conversions
    expect(r.instructions).toBeGreaterThan(500);
    expect(r.instructions).toBeLessThan(10_000);
  });

  test('an instruction limit below what it needs stops it with a diagnostic, not a shutdown', async () => {
    const bytes: number[] = [];
    const r = await runMachine({ image: readFileSync(ELF), backend: 'soft', maxInsns: 100, output: (b) => bytes.push(b) });
    expect(r).toMatchObject({ status: 1, reason: 'max-insns' });
    expect(EXPECTED.startsWith(Buffer.from(bytes).toString('latin1'))).toBe(true);
    expect(bytes.length).toBeLessThan(EXPECTED.length);
  });

  test('kvm-arm run --backend soft guests/hello.elf prints the same lines and exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await main(['run', '--backend', 'soft', ELF], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    expect(err).toEqual([]);
    expect(out.join('\n') + '\n').toBe(EXPECTED);
    expect(status).toBe(0);
  });
});
