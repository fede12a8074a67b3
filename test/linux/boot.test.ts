/**
 * linux tier: Debian's arm64 kernel (the arm64 lab's, $KVM_ARM_LAB_DIR/guest/Image) + a busybox initramfs
 * (scripts/linux-initramfs.js) boot to a shell on the SOFT backend through `node bin/kvm-arm.js run`; piped
 * commands run in the shell; `poweroff -f` ends the run with status 0.
 *
 * Needs the kernel and busybox-static that `bash ci/arm64-lab.sh setup` downloads (KVM_ARM_LAB_DIR, default
 * /var/cache/kvm-arm-lab) and the compiled dist/ (npm run compile). Skips, saying why, only when the kernel or
 * busybox is missing. Leaves the kernel, the initramfs and the shell output in ci/.out/linux for
 * test/arm64/linux.test.ts, which boots the same pair with --backend kvm in the lab and compares.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bootLinux, shellOutput, projectRoot, stageDir, MARKER, PROMPT } from './shell';

const ROOT = projectRoot();
const LAB = process.env['KVM_ARM_LAB_DIR'] ?? '/var/cache/kvm-arm-lab';
const KERNEL = join(LAB, 'guest', 'Image');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const initramfs = require(join(ROOT, 'scripts', 'linux-initramfs.js')) as {
  defaultBusybox(): string | undefined;
  busyboxBytes(file: string): Buffer;
  buildInitramfs(busybox: Buffer): Buffer;
};

const missing: string[] = [];
if (!existsSync(KERNEL)) missing.push(`no arm64 kernel at ${KERNEL}`);
const busybox = initramfs.defaultBusybox();
if (busybox === undefined) missing.push(`no busybox-static_*_arm64.deb in ${join(LAB, 'dl', 'debs')}`);
const d = missing.length === 0 ? describe : (console.warn(`skipped linux tier: ${missing.join('; ')} (run \`bash ci/arm64-lab.sh setup\`, or set KVM_ARM_LAB_DIR)`), describe.skip);

d('Linux on the soft backend', () => {
  test('boots to the busybox shell, runs piped commands, powers off with status 0', async () => {
    if (!existsSync(join(ROOT, 'dist', 'cjs', 'cli', 'main.js'))) throw new Error('no dist/: run `npm run compile` first (bin/kvm-arm.js runs dist/)');
    const stage = stageDir(ROOT);
    mkdirSync(stage, { recursive: true });
    const initrd = join(stage, 'initramfs.cpio');
    writeFileSync(initrd, initramfs.buildInitramfs(initramfs.busyboxBytes(busybox as string)));
    // the lab guest boots the same kernel: stage a copy in the shared folder
    const image = join(stage, 'Image');
    if (!existsSync(image) || statSync(image).size !== statSync(KERNEL).size || statSync(image).mtimeMs < statSync(KERNEL).mtimeMs) copyFileSync(KERNEL, image);

    const r = await bootLinux({ backend: 'soft', image, initrd, timeoutMs: 25 * 60_000, root: ROOT });
    const log = `status ${r.status} signal ${r.signal}; stderr: ${r.stderr.trim()}; console tail:\n${r.stdout.slice(-3000)}`;
    writeFileSync(join(stage, 'soft-console.txt'), r.stdout);
    expect({ status: r.status, log }).toEqual({ status: 0, log });
    expect(r.stdout).toContain('Linux version 6.');
    expect(r.stdout).toContain(`${MARKER} (Linux `);
    expect(r.stdout).toContain(PROMPT);
    // the kernel's crypto self-tests ran on the soft CPU (AES/PMULL/SHA/CRC32 instructions): none failed
    expect(r.stdout.split('\n').filter((l) => /alg: .*(fail|error)/i.test(l))).toEqual([]);
    expect(r.stdout).toMatch(/reboot: Power down/);
    const sh = shellOutput(r.stdout);
    expect(sh).toBeDefined();
    const lines = (sh as string).split('\n');
    expect(lines[0]).toBe('aarch64');
    expect(lines).toContain('processor\t: 0');
    expect(lines).toContain('CPU implementer\t: 0x41');
    expect(lines).toContain('CPU part\t: 0xd07'); // the soft model is a cortex-a57
    expect(lines.find((l) => l.startsWith('Features'))).toMatch(/^Features\t: fp asimd /);
    expect(lines[lines.length - 2]).toBe('42');
    writeFileSync(join(stage, 'soft-shell.txt'), sh as string);
    console.log(`linux tier (soft): prompt after ${((r.promptMs ?? NaN) / 1000).toFixed(1)} s, power-off after ${(r.totalMs / 1000).toFixed(1)} s wall`);
  }, 30 * 60_000);
});
