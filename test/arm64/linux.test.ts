/**
 * arm64 tier: the same Debian arm64 kernel + busybox initramfs that test/linux booted on the soft backend boots
 * on real arm64 KVM (`node bin/kvm-arm.js run --backend kvm`, the same VMM code) inside the lab guest, runs the same
 * piped commands, powers off with status 0, and the shell prints what it printed on soft.
 *
 * The host side is the linux tier (npm run test:linux, before `npm run test:arm64` in .ci/run): it stages the
 * kernel, the initramfs and the soft shell output in ci/.out/linux (the shared folder). Without them (the linux
 * tier did not run on this checkout) this test says so and skips.
 *
 * Compared: `uname -m`, $((6*7)), and /proc/cpuinfo's head. The cpuinfo lines must be equal on the lab's
 * cortex-a57 (the soft model is a cortex-a57 r1p0); on -cpu max only the lines that do not describe the CPU
 * model (processor, BogoMIPS: the same 62.5 MHz counter) are compared, and the implementer is ARM's.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeArm64 } from './helpers';
import { bootLinux, shellOutput, stageDir, projectRoot, APPEND } from '../linux/shell';

const ROOT = projectRoot();
const STAGE = stageDir(ROOT);
const need = ['Image', 'initramfs.cpio', 'soft-shell.txt'].map((f) => join(STAGE, f));
const absent = need.filter((f) => !existsSync(f));
const cpu = process.env['KVM_ARM_LAB_CPU'] ?? '';

if (absent.length > 0 && process.env['CI'] !== undefined) {
  // in CI the linux tier ran on the host just before (.ci/run): a missing record is a failure, not a skip
  test('arm64 KVM: Linux boots to a shell (the host recorded the soft run)', () => {
    throw new Error(`${absent.join(', ')} missing: \`npm run test:linux\` on the host records the soft run first`);
  });
} else if (absent.length > 0) {
  console.warn(`skipped arm64 linux boot: ${absent.join(', ')} missing: run \`npm run test:linux\` on the host first (it records the soft run there)`);
  describe.skip('arm64 KVM: Linux boots to a shell', () => undefined);
} else {
  describeArm64('arm64 KVM: Linux boots to a shell, the shell prints what it printed on the soft backend', () => {
    test('kernel + busybox initramfs on --backend kvm: prompt, the same command output, poweroff -f → status 0', async () => {
      // quiet: every console byte is an MMIO exit to node, and nested under TCG one kernel log line took ~1-2 s (the
      // first lab run printed 288 s of log and hit soft lockups inside printk before reaching the shell)
      const r = await bootLinux({ backend: 'kvm', image: need[0] as string, initrd: need[1] as string, append: `${APPEND} quiet`, timeoutMs: 15 * 60_000, root: ROOT });
      const tag = cpu.replace(/[^a-z0-9]+/gi, '_') || 'kvm';
      writeFileSync(join(STAGE, `kvm-console-${tag}.txt`), r.stdout);
      const log = `status ${r.status} signal ${r.signal}; stderr: ${r.stderr.trim()}; console tail:\n${r.stdout.slice(-3000)}`;
      expect({ status: r.status, log }).toEqual({ status: 0, log });
      const kvm = shellOutput(r.stdout);
      expect(kvm).toBeDefined();
      const soft = readFileSync(need[2] as string, 'utf8');
      writeFileSync(join(STAGE, `kvm-shell-${tag}.txt`), kvm as string);
      const k = (kvm as string).split('\n');
      const s = soft.split('\n');
      expect(k[0]).toBe('aarch64');
      expect(k[0]).toBe(s[0]);
      expect(k[k.length - 2]).toBe('42');
      expect(k[k.length - 2]).toBe(s[s.length - 2]);
      if (cpu === '' || cpu.startsWith('cortex-a57')) {
        expect(kvm).toBe(soft);
      } else {
        // another CPU model (-cpu max: implementer 0x00, more features): the machine-independent lines must match the
        // soft run, and the guest's CPU identification lines must be the lab host's own (KVM passes MIDR through)
        const pick = (ls: string[]) => ls.filter((l) => /^(processor|BogoMIPS|CPU architecture)\t?:/.test(l));
        expect(pick(k)).toEqual(pick(s));
        const host = readFileSync('/proc/cpuinfo', 'utf8').split('\n');
        const ident = (ls: string[]) => ls.filter((l) => /^(CPU implementer|CPU variant|CPU part|CPU revision)\t?:/.test(l)).slice(0, 4);
        expect(ident(k)).toEqual(ident(host));
        expect(ident(k)).toHaveLength(4);
      }
      console.log(`arm64 linux boot (kvm, ${cpu || 'default cpu'}): prompt after ${((r.promptMs ?? NaN) / 1000).toFixed(1)} s, power-off after ${(r.totalMs / 1000).toFixed(1)} s`);
    }, 20 * 60_000);
  });
}
