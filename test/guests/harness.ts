/** Shared by the guest tests: builds test/guests/*.S with the cross tools and runs images with `kvm-arm run`. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function haveTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}
export const haveCross = haveTool('aarch64-linux-gnu-as') && haveTool('aarch64-linux-gnu-ld');

/** Builds every guest into a fresh temporary folder; returns it. */
export function buildGuests(): string {
  const out = mkdtempSync(join(tmpdir(), 'kvm-arm-guests-'));
  execFileSync('sh', [join(__dirname, 'build.sh'), out], { stdio: 'pipe' });
  return out;
}

/** Runs `kvm-arm run` in-process through the CLI entry (lib/cli/main.ts) and collects its output. */
export async function kvmArmRun(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { main } = require('../../lib/cli/main') as typeof import('../../lib/cli/main');
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(['run', ...args], { stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { status, stdout: out.map((l) => l + '\n').join(''), stderr: err.join('\n') };
}
