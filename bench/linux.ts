/**
 * Linux boot time: Debian's arm64 kernel + the busybox initramfs (scripts/linux-initramfs.js), same files and same
 * command line, under `kvm-arm run --backend soft` and under qemu-system-aarch64 TCG (`-M virt,gic-version=2 -cpu
 * cortex-a57 -smp 1 -m 256`), side by side in one run (rounds alternate soft, qemu). Reported: wall seconds from
 * spawn to the initramfs's "ready" line (kernel boot done, /init running) and to the shell prompt, and the
 * soft/qemu ratio. On an arm64 host with a usable /dev/kvm the kvm backend is timed too.
 *
 * The kernel's own log shows where the time goes: Linux 6.1 runs its crypto self-tests late in boot (RSA bignum
 * work dominates on an interpreter), so a second pair of rows uses `cryptomgr.notests` on both sides.
 * Needs what the linux tier needs ($KVM_ARM_LAB_DIR/guest/Image and the busybox-static .deb that
 * `bash ci/arm64-lab.sh setup` downloads) and qemu-system-aarch64; skipped with the reason otherwise.
 * Rounds: KVM_ARM_BENCH_LINUX_ROUNDS (default 1; a soft boot takes about a minute).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

type Row = { name: string; value: number | string; unit?: string; note?: string };

const ROOT = [join(__dirname, '..', '..'), join(__dirname, '..')].find((d) => existsSync(join(d, 'bin', 'kvm-arm.js'))) ?? join(__dirname, '..', '..');
const LAB = process.env['KVM_ARM_LAB_DIR'] ?? '/var/cache/kvm-arm-lab';
const KERNEL = join(LAB, 'guest', 'Image');
const MARKER = 'kvm-arm-initramfs: ready';
const PROMPT = 'kvm-arm# ';
const APPEND = 'console=ttyAMA0 panic=-1';

interface Boot {
  readyS: number;
  promptS: number;
}

/** Spawns `cmd args`, times the marker and the prompt on stdout, then types `poweroff -f`; rejects on a bad end. */
function boot(label: string, cmd: string, args: string[], timeoutMs: number): Promise<Boot> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let readyS: number | undefined;
    let promptS: number | undefined;
    const kill = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (readyS === undefined && out.includes(MARKER)) readyS = s();
      if (promptS === undefined && out.includes(PROMPT)) {
        promptS = s();
        p.stdin.write('poweroff -f\n');
        p.stdin.end();
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
    p.on('error', reject);
    p.on('close', (status, signal) => {
      clearTimeout(kill);
      if (readyS === undefined || promptS === undefined || status !== 0) {
        reject(new Error(`${label}: status ${String(status)} signal ${String(signal)}, ready ${String(readyS)}, prompt ${String(promptS)}; ${err.slice(-500)} ${out.slice(-800)}`));
      } else resolve({ readyS, promptS });
    });
  });
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function kvmUsable(): boolean {
  if (process.arch !== 'arm64') return false;
  try {
    const k = require(join(__dirname, '..', 'lib', 'kvm', 'index.js')) as { kvmAvailability(): { available: boolean } };
    return k.kvmAvailability().available;
  } catch {
    return false;
  }
}

export async function run(): Promise<{ title: string; rows: Row[] }> {
  const title = 'Linux boot (Debian arm64 6.1 kernel + busybox initramfs, 256 MiB, 1 vCPU): soft backend vs qemu-system-aarch64 TCG, wall s';
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ir = require(join(ROOT, 'scripts', 'linux-initramfs.js')) as { defaultBusybox(): string | undefined; busyboxBytes(f: string): Buffer; buildInitramfs(b: Buffer): Buffer };
  const bb = ir.defaultBusybox();
  const why = !existsSync(KERNEL)
    ? `no kernel at ${KERNEL}`
    : bb === undefined
      ? `no busybox-static arm64 .deb in ${join(LAB, 'dl', 'debs')}`
      : spawnSync('qemu-system-aarch64', ['--version'], { stdio: 'ignore' }).status !== 0
        ? 'qemu-system-aarch64 is not installed (Debian: qemu-system-arm)'
        : !existsSync(join(ROOT, 'dist', 'cjs', 'cli', 'main.js'))
          ? 'no dist/ (npm run compile)'
          : undefined;
  if (why !== undefined) {
    console.warn(`bench linux: skipped: ${why} (bash ci/arm64-lab.sh setup downloads the kernel and busybox)`);
    return { title, rows: [{ name: 'skipped', value: why }] };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kvm-arm-bench-linux-'));
  try {
    const initrd = join(dir, 'initramfs.cpio');
    writeFileSync(initrd, ir.buildInitramfs(ir.busyboxBytes(bb as string)));
    const rounds = Math.max(1, Number(process.env['KVM_ARM_BENCH_LINUX_ROUNDS'] ?? '1') | 0);
    const withKvm = kvmUsable();
    const rows: Row[] = [];
    for (const [tag, append] of [
      ['', APPEND],
      [' (cryptomgr.notests)', `${APPEND} cryptomgr.notests`],
    ] as const) {
      const soft: Boot[] = [];
      const qemu: Boot[] = [];
      const kvm: Boot[] = [];
      for (let i = 0; i < rounds; i++) {
        process.stderr.write(`bench linux: round ${i + 1}/${rounds}${tag}: soft ...\n`);
        soft.push(await boot('soft', process.execPath, [join(ROOT, 'bin', 'kvm-arm.js'), 'run', '--backend', 'soft', '--mem', '256', '--initrd', initrd, '--append', append, KERNEL], 1_800_000));
        process.stderr.write(`bench linux: round ${i + 1}/${rounds}${tag}: qemu ...\n`);
        qemu.push(
          await boot(
            'qemu',
            'qemu-system-aarch64',
            ['-M', 'virt,gic-version=2', '-cpu', 'cortex-a57', '-smp', '1', '-m', '256', '-nographic', '-nic', 'none', '-no-reboot', '-kernel', KERNEL, '-initrd', initrd, '-append', append],
            600_000,
          ),
        );
        if (withKvm) kvm.push(await boot('kvm', process.execPath, [join(ROOT, 'bin', 'kvm-arm.js'), 'run', '--backend', 'kvm', '--mem', '256', '--initrd', initrd, '--append', append, KERNEL], 600_000));
      }
      const note = `median of ${rounds}`;
      const sr = median(soft.map((b) => b.readyS));
      const qr = median(qemu.map((b) => b.readyS));
      const sp = median(soft.map((b) => b.promptS));
      const qp = median(qemu.map((b) => b.promptS));
      rows.push({ name: `to /init${tag}: soft`, value: sr, unit: 's', note });
      rows.push({ name: `to /init${tag}: qemu TCG`, value: qr, unit: 's', note });
      if (withKvm) rows.push({ name: `to /init${tag}: kvm`, value: median(kvm.map((b) => b.readyS)), unit: 's', note });
      rows.push({ name: `to the shell prompt${tag}: soft`, value: sp, unit: 's', note });
      rows.push({ name: `to the shell prompt${tag}: qemu TCG`, value: qp, unit: 's', note });
      if (withKvm) rows.push({ name: `to the shell prompt${tag}: kvm`, value: median(kvm.map((b) => b.promptS)), unit: 's', note });
      rows.push({ name: `boot to prompt${tag}: soft / qemu`, value: sp / qp, unit: 'x', note: 'same kernel, initramfs and command line, same run' });
    }
    return { title, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
