/**
 * The reference side: builds test/oracle/harness/harness.c with the arm64 cross compiler (once per source
 * version, cached under the OS temp dir) and runs record batches through qemu-aarch64 (-cpu cortex-a57, the
 * interpreter's model) or natively on an arm64 Linux host.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const HARNESS_SRC = path.join(__dirname, 'harness', 'harness.c');
const CC = process.env['ORACLE_CC'] ?? 'aarch64-linux-gnu-gcc';
const QEMU = process.env['ORACLE_QEMU'] ?? 'qemu-aarch64';
const OBJDUMP = process.env['ORACLE_OBJDUMP'] ?? 'aarch64-linux-gnu-objdump';
const nativeArm64 = process.platform === 'linux' && process.arch === 'arm64';

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

/** Why the oracle cannot run here, or undefined when it can. */
export function oracleUnavailable(): string | undefined {
  const cc = nativeArm64 && !has(CC, ['--version']) ? 'gcc' : CC;
  if (!has(cc, ['--version'])) return `${CC} not found (apt-get install gcc-aarch64-linux-gnu)`;
  if (!nativeArm64 && !has(QEMU, ['--version'])) return `${QEMU} not found (apt-get install qemu-user)`;
  return undefined;
}

let built: string | undefined;
/** Path of the harness binary, compiled if needed. */
export function buildHarness(): string {
  if (built) return built;
  const src = fs.readFileSync(HARNESS_SRC);
  const tag = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `kvm-arm-oracle-${process.getuid?.() ?? 0}`);
  fs.mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, `harness-${tag}`);
  if (!fs.existsSync(bin)) {
    const tmp = `${bin}.${process.pid}.tmp`;
    const cc = nativeArm64 && !has(CC, ['--version']) ? 'gcc' : CC;
    execFileSync(cc, ['-O2', '-static', '-Wall', '-Werror', '-o', tmp, HARNESS_SRC], { stdio: ['ignore', 'inherit', 'inherit'] });
    fs.renameSync(tmp, bin);
  }
  built = bin;
  return bin;
}

/** Runs one batch (encoded input records) and resolves with the output records. */
export function runHarness(input: Buffer): Promise<Buffer> {
  const bin = buildHarness();
  const [cmd, args] = nativeArm64 ? [bin, ['-', '-']] : [QEMU, ['-cpu', 'cortex-a57', bin, '-', '-']];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args as string[], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`harness exited with ${code ?? signal}: ${Buffer.concat(err).toString()}`));
      else resolve(Buffer.concat(out));
    });
    child.stdin.on('error', reject);
    child.stdin.end(input);
  });
}

/** objdump's disassembly of instruction words, one line per word. */
export function disassemble(words: readonly number[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvm-arm-dis-'));
  try {
    const f = path.join(dir, 'code.bin');
    const b = Buffer.alloc(words.length * 4);
    words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
    fs.writeFileSync(f, b);
    const txt = execFileSync(OBJDUMP, ['-D', '-b', 'binary', '-m', 'aarch64', f], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const lines = txt.split('\n').filter((l) => /^\s+[0-9a-f]+:\t/.test(l));
    return lines.map((l) => l.replace(/^\s+[0-9a-f]+:\t[0-9a-f]{8}\s+/, '').trim());
  } catch {
    return words.map(() => '(objdump unavailable)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
