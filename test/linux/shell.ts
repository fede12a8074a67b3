/**
 * Shared by test/linux (soft, on the host) and test/arm64/linux.test.ts (kvm, in the arm64 lab): boot Debian's
 * arm64 kernel with the busybox initramfs through `node bin/kvm-arm.js run`, pipe shell commands once the prompt
 * is up, and cut the commands' output out of the console transcript.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root: the nearest folder up with bin/kvm-arm.js (runs from test/… or ci/.out/js/test/…). */
export function projectRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'bin', 'kvm-arm.js')) && existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error(`no bin/kvm-arm.js above ${__dirname}`);
  }
}

/** Where the host stages the kernel, the initramfs and the soft transcript for the lab (shared folder). */
export const stageDir = (root = projectRoot()): string => process.env['KVM_ARM_LINUX_DIR'] ?? join(root, 'ci', '.out', 'linux');

export const PROMPT = 'kvm-arm# ';
export const MARKER = 'kvm-arm-initramfs: ready';
/** The commands (the brief's), between two markers the echoed command line cannot contain ("be""gin" is split). */
export const COMMANDS = 'echo ==be""gin==; uname -m; cat /proc/cpuinfo | head; echo $((6*7)); echo ==e""nd==; poweroff -f';
export const APPEND = 'console=ttyAMA0 panic=-1';

export interface BootResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** the whole console output (stdout) and stderr */
  stdout: string;
  stderr: string;
  /** ms from spawn to the first prompt (undefined: never) */
  promptMs?: number;
  totalMs: number;
}

/**
 * Boots `image` + `initrd` with `node bin/kvm-arm.js run --backend B`; once the prompt appears, writes the
 * commands and closes stdin (the end of the pipe must not stop the guest: `poweroff -f` does). `timeoutMs`: kill.
 */
export function bootLinux(o: { backend: 'soft' | 'kvm'; image: string; initrd: string; mem?: number; append?: string; timeoutMs: number; root?: string }): Promise<BootResult> {
  const root = o.root ?? projectRoot();
  const args = [join(root, 'bin', 'kvm-arm.js'), 'run', '--backend', o.backend, '--mem', String(o.mem ?? 256), '--initrd', o.initrd, '--append', o.append ?? APPEND, o.image];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let promptMs: number | undefined;
    const kill = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs);
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
      if (promptMs === undefined && stdout.includes(PROMPT)) {
        promptMs = Date.now() - t0;
        p.stdin.write(COMMANDS + '\n');
        p.stdin.end();
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    p.on('error', reject);
    p.on('close', (status, signal) => {
      clearTimeout(kill);
      resolve({ status, signal, stdout, stderr, ...(promptMs !== undefined ? { promptMs } : {}), totalMs: Date.now() - t0 });
    });
  });
}

/** The commands' output: the lines between ==begin== and ==end== (CR LF → LF, kernel log lines dropped), or undefined. */
export function shellOutput(stdout: string): string | undefined {
  const s = stdout.replace(/\r/g, '');
  const a = s.indexOf('\n==begin==\n');
  const b = s.indexOf('\n==end==\n');
  if (a < 0 || b < a) return undefined;
  // a kernel message that lands in the middle (printk on the console) is not the shell's
  return s
    .slice(a + '\n==begin==\n'.length, b + 1)
    .split('\n')
    .filter((l) => !/^\[ *\d+\.\d+\] /.test(l))
    .join('\n');
}
