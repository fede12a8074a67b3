/**
 * Soft backend speed next to qemu-system-aarch64 (TCG) on the same bare-metal image, in the same run: an integer
 * loop of a known instruction count (3 instructions per iteration), run by `runMachine` (the code behind
 * `kvm-arm run --backend soft`) and by `qemu-system-aarch64 -M virt -cpu cortex-a57`. Each tool's start-up is
 * measured on an empty guest (PSCI SYSTEM_OFF at once) and subtracted. Guest MIPS for both and the ratio.
 * Not yet: the memory loop, sieve and CRC32 workloads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMachine } from '../lib/vmm/machine';

const ITER = 20_000_000;

function build(dir: string, name: string, body: string): string {
  const s = join(dir, `${name}.S`);
  writeFileSync(s, `.text\n.global _start\n_start:\n${body}\n  ldr w0, =0x84000008\n  hvc #0\n1: b 1b\n`);
  execFileSync('aarch64-linux-gnu-as', ['-o', join(dir, `${name}.o`), s]);
  execFileSync('aarch64-linux-gnu-ld', ['-Ttext=0x40080000', '-o', join(dir, `${name}.elf`), join(dir, `${name}.o`)]);
  return join(dir, `${name}.elf`);
}

async function softSeconds(elf: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await runMachine({ image: readFileSync(elf), backend: 'soft', output: () => {} });
  if (r.status !== 0) throw new Error(`soft run failed: ${r.diagnostic ?? r.reason}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
function qemuSeconds(elf: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a57', '-nographic', '-nic', 'none', '-kernel', elf], { input: '', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`qemu failed: ${String(r.stderr)}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export async function run(): Promise<{ title: string; rows: { name: string; value: number | string; unit?: string; note?: string }[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-arm-bench-'));
  const empty = build(dir, 'empty', '');
  // x1 counts down: sub, cbnz... 3 instructions per iteration (add, sub, cbnz)
  const loop = build(dir, 'intloop', `  ldr x1, =${ITER}\n  mov x2, #0\n2: add x2, x2, x1\n  sub x1, x1, #1\n  cbnz x1, 2b`);
  const insns = ITER * 3 + 3;
  const softBase = await softSeconds(empty);
  const softT = (await softSeconds(loop)) - softBase;
  const qemuBase = qemuSeconds(empty);
  const qemuT = qemuSeconds(loop) - qemuBase;
  const softMips = insns / softT / 1e6;
  const qemuMips = insns / qemuT / 1e6;
  return {
    title: 'soft backend vs qemu-system-aarch64 TCG (integer loop, start-up subtracted)',
    rows: [
      { name: 'integer loop: kvm-arm soft', value: softMips, unit: 'MIPS', note: `${insns} insns, start-up ${softBase.toFixed(3)} s` },
      { name: 'integer loop: qemu TCG', value: qemuMips, unit: 'MIPS', note: `start-up ${qemuBase.toFixed(3)} s` },
      { name: 'integer loop: soft / qemu', value: softMips / qemuMips, unit: 'x' },
    ],
  };
}
