/**
 * arm64 tier, issue 5: the bare-metal guests print the same under `kvm-arm run --backend kvm` (real arm64 KVM, here
 * in the lab guest) as under `--backend soft` (which test/oracle/guests + smp-guests check against qemu).
 *
 * The soft side runs on the host before the lab guest boots (test/guests/record-soft.js, called by
 * `ci/arm64-lab.sh test`: it builds test/guests/*.S into ci/.out/guests and records each case of
 * test/guests/lab-cases.json in ci/.out/guests/soft-record.json). Here every case runs again with --backend kvm and
 * the same flags through the same `node bin/kvm-arm.js`, and must give the same exit status, the same UART output
 * byte for byte, and the same diagnostic (minus the ESR/FAR/ELR_EL1 values a guest that never set them sees as
 * each backend's reset values). A missing record, a failed guest build or an image that changed since the record
 * fails the test: it never skips inside the lab.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeArm64 } from './helpers';

/** The project root: the nearest folder up with bin/kvm-arm.js (this file runs from test/arm64 or ci/.out/js/test/arm64). */
function projectRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'bin', 'kvm-arm.js')) && existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error(`no bin/kvm-arm.js above ${__dirname}`);
  }
}
const ROOT = projectRoot();
const RECORD = process.env['KVM_ARM_GUEST_RECORD'] ?? join(ROOT, 'ci', '.out', 'guests', 'soft-record.json');

interface Case {
  image: string;
  sha256?: string;
  args: string[];
  status?: number | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  error?: string;
}
interface SoftRecord {
  buildError: string | null;
  host: string;
  cases: Record<string, Case>;
}
/** What each case must do on both backends: a check that the equal outputs are not equally broken. */
const EXPECT: Record<string, { status: number; lastLine: string }> = {
  hello: { status: 0, lastLine: 'Hello from a bare-metal guest' },
  excmmu: { status: 0, lastLine: 'done' },
  fault: { status: 1, lastLine: 'about to write to unmapped memory' },
  smp: { status: 0, lastLine: 'bye' },
  demo: { status: 0, lastLine: 'PSCI SYSTEM_OFF: bye.' },
};

/** A diagnostic line without the host- or backend-specific parts: the ESR/FAR/ELR_EL1 values of a guest that never wrote them. */
function comparableDiagnostic(stderr: string): string {
  return stderr.replace(/ (ESR|FAR|ELR)_EL1=0x[0-9a-f]+/g, '').trimEnd();
}

function readRecord(): SoftRecord {
  if (!existsSync(RECORD)) {
    throw new Error(
      `no soft record ${RECORD}: the host step of ci/arm64-lab.sh test (node test/guests/record-soft.js) did not run or could not write it`,
    );
  }
  return JSON.parse(readFileSync(RECORD, 'utf8')) as SoftRecord;
}

describeArm64('arm64 KVM: the guests under kvm-arm run --backend kvm print what --backend soft printed (issue 5)', () => {
  let record: SoftRecord;
  beforeAll(() => {
    record = readRecord();
  });

  test('the host built the guests and recorded every case on soft', () => {
    // the cross binutils are on every host that runs the tier (.ci/run installs them): a failed build is a failure
    expect(record.buildError).toBeNull();
    expect(Object.keys(record.cases).sort()).toEqual(Object.keys(EXPECT).sort());
    for (const [name, c] of Object.entries(record.cases)) {
      expect({ name, error: c.error }).toEqual({ name, error: undefined });
      expect({ name, status: c.status }).toEqual({ name, status: EXPECT[name]?.status });
    }
  });

  for (const [name, want] of Object.entries(EXPECT)) {
    test(`${name}: same exit status, UART output and diagnostic on kvm as on soft`, () => {
      const soft = record.cases[name];
      if (soft === undefined) throw new Error(`the soft record has no case ${name}`);
      if (soft.error !== undefined || soft.stdout === undefined || soft.stderr === undefined) {
        throw new Error(`the soft side of ${name} did not run: ${soft.error ?? 'no output recorded'}`);
      }
      const image = join(ROOT, soft.image);
      expect(existsSync(image)).toBe(true);
      // the image is the one the soft side ran (ci/.out is shared: a later host build must not pair other images)
      expect(createHash('sha256').update(readFileSync(image)).digest('hex')).toBe(soft.sha256);
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'kvm-arm.js'), 'run', '--backend', 'kvm', ...soft.args, image], {
        cwd: ROOT,
        encoding: 'latin1',
        timeout: 280_000,
        maxBuffer: 16 << 20,
      });
      if (r.error) throw r.error;
      const kvm = { status: r.status, signal: r.signal, stdout: r.stdout, diagnostic: comparableDiagnostic(r.stderr) };
      expect(kvm).toEqual({ status: soft.status, signal: soft.signal ?? null, stdout: soft.stdout, diagnostic: comparableDiagnostic(soft.stderr) });
      // and what the guest is meant to do (equal but equally broken outputs would not pass)
      expect(kvm.status).toBe(want.status);
      expect(kvm.stdout.trimEnd().split('\n').pop()).toBe(want.lastLine);
      if (want.status !== 0) expect(kvm.diagnostic).toMatch(/^kvm-arm run: \S+: .*PC=0x[0-9a-f]+.*insn@PC=[0-9a-f]{8}/);
      else expect(kvm.diagnostic).toBe('');
    });
  }
});
