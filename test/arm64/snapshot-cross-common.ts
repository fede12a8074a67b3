/**
 * Shared by the split cross-backend snapshot test (issue 5):
 *  - scripts/snapshot-cross.js on the x86 host (the soft parts: run soft → soft-N.snap before the guest run,
 *    `--after`: restore the guest's kvm-M.snap on soft and finish the run),
 *  - test/arm64/snapshot-cross.test.ts inside the lab guest (the kvm parts).
 * The soft backend runs only on the host: inside the emulated guest node is 10-40x slower and the soft run timed out.
 * Snapshots travel through the shared folder (ci/.out/snapshots, or KVM_ARM_SNAPSHOT_DIR).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hypervisor } from '../../lib/backend';
import { captureVm, restoreVm, encodeSnapshot, decodeSnapshot, type RestoreWarning } from '../../lib/snapshot';
import { KVM_REG_ARM_CORE, KVM_REG_ARM_COPROC_MASK, KVM_REG_ARM_PSCI_VERSION, arm64SysregIdByName } from '../../lib/codec/regid';
import { createGuestVm, guestParts, runGuest, closeGuestVm, EXPECTED_OUTPUT } from '../conformance/snapshot-guest';

/** UART exits after which the soft run (host) is captured: 5 lines + "tick " (inside tick 06's line, in the interrupt handler) */
export const SOFT_STOP = 45;
/** UART exits after which the kvm run (guest) is captured: 9 lines + "t" (the first byte of tick 10's line) */
export const KVM_STOP = 73;

export { EXPECTED_OUTPUT };

export function snapshotDir(): string {
  return process.env['KVM_ARM_SNAPSHOT_DIR'] ?? join(process.cwd(), 'ci', '.out', 'snapshots');
}
export const snapPath = (from: 'soft' | 'kvm', n: number, dir = snapshotDir()): string => join(dir, `${from}-${n}.snap`);
export const outPath = (from: 'soft' | 'kvm', n: number, dir = snapshotDir()): string => join(dir, `${from}-${n}.out`);

export const text = (b: readonly number[]): string => String.fromCharCode(...b);

/** Runs the guest from the start on `hv`, stops after `stopAfter` UART exits; returns the snapshot bytes and the UART output so far. */
export function captureAfter(hv: Hypervisor, stopAfter: number): { bytes: Uint8Array; output: string } {
  const g = createGuestVm(hv);
  try {
    const out: number[] = [];
    const r = runGuest(g.vcpus[0]!, out, stopAfter, () => g.uartBytes++);
    if (r !== 'limit') throw new Error(`the guest stopped (${r}) before ${stopAfter} UART exits`);
    return { bytes: encodeSnapshot(captureVm(guestParts(g))), output: text(out) };
  } finally {
    closeGuestVm(g);
  }
}

/** Writes <from>-<n>.snap and <from>-<n>.out into `dir`. */
export function writeCapture(from: 'soft' | 'kvm', n: number, c: { bytes: Uint8Array; output: string }, dir = snapshotDir()): void {
  mkdirSync(dir, { recursive: true });
  // via a temporary name and rename: another lab run (the folder is shared) never reads a half-written file
  const put = (f: string, data: Uint8Array): void => {
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, f);
  };
  put(snapPath(from, n, dir), c.bytes);
  put(outPath(from, n, dir), Buffer.from(c.output, 'latin1'));
}

/** Reads <from>-<n>.snap/.out; a missing file is an error that says which step should have made it. */
export function readCapture(from: 'soft' | 'kvm', n: number, dir = snapshotDir()): { bytes: Uint8Array; output: string } {
  const s = snapPath(from, n, dir);
  const o = outPath(from, n, dir);
  const maker = from === 'soft' ? 'node scripts/snapshot-cross.js (on the host, before the guest run)' : 'test/arm64/snapshot-cross.test.ts (in the lab guest)';
  for (const f of [s, o]) if (!existsSync(f)) throw new Error(`no ${f}: it is written by ${maker}`);
  return { bytes: new Uint8Array(readFileSync(s)), output: readFileSync(o).toString('latin1') };
}

/** Restores snapshot bytes on `hv` (with verify), runs the guest to SYSTEM_OFF; returns the continuation output and the warnings. */
export function resumeOn(hv: Hypervisor, bytes: Uint8Array): { output: string; warnings: readonly RestoreWarning[]; uartBytes: number } {
  const snap = decodeSnapshot(bytes);
  const r = restoreVm(hv, snap, { verify: true });
  try {
    const dev = r.devices.find((d) => d.name === 'pl011');
    const uartBytes = dev !== undefined && dev.data.length >= 4 ? new DataView(dev.data.buffer, dev.data.byteOffset, dev.data.byteLength).getUint32(0, true) : -1;
    const out: number[] = [];
    const how = runGuest(r.vcpus[0]!, out);
    if (how !== 'shutdown') throw new Error(`the restored guest stopped with ${how}`);
    return { output: text(out), warnings: r.warnings, uartBytes };
  } finally {
    r.close();
  }
}

export const warningText = (ws: readonly RestoreWarning[]): string => ws.map((w) => `  ${w.kind}: ${w.message}`).join('\n');

const TIMER = new Set<bigint>(['KVM_REG_ARM_TIMER_CTL', 'KVM_REG_ARM_TIMER_CNT', 'KVM_REG_ARM_TIMER_CVAL'].map((n) => arm64SysregIdByName(n) as bigint));
const HARMLESS_KINDS = new Set(['reg-not-listed', 'reg-not-saved', 'reg-rejected', 'reg-differs', 'target']);

/**
 * The warnings that concern what the guest depends on: a kind other than the per-register / target differences,
 * or a register that is core (incl. FP/SIMD), PSCI_VERSION or the timer. Empty = harmless.
 */
export function harmfulWarnings(warnings: readonly RestoreWarning[]): string[] {
  const bad: string[] = [];
  for (const w of warnings) {
    if (!HARMLESS_KINDS.has(w.kind)) bad.push(`${w.kind}: ${w.message}`);
    else if (w.id !== undefined) {
      const core = (w.id & KVM_REG_ARM_COPROC_MASK) === KVM_REG_ARM_CORE;
      const psci = w.id === (KVM_REG_ARM_PSCI_VERSION as bigint);
      const timer = TIMER.has(w.id);
      if (core || psci || timer) bad.push(`${w.kind} (${core ? 'core' : psci ? 'PSCI' : 'timer'} register): ${w.message}`);
    }
  }
  return bad;
}
