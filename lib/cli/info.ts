/** `kvm-arm info [--json] [--backend auto|kvm|soft] [--device PATH]`: what open() picks here and what it offers. */
import type { CliIo } from './io';
import { EXIT_USAGE } from './io';
import { open, backendChoice } from '../open';
import { ARM_CAPS, KVM_CAP, targetName } from '../codec/abi';
import { KvmError } from '../errors';

const HELP = `usage: kvm-arm info [--json] [--backend auto|kvm|soft] [--device PATH]

Shows which backend open() picks on this machine and why, then the KVM API version, the ARM capabilities with
their values (KVM_CHECK_EXTENSION on the system and VM fds) and the preferred vCPU target.`;

export async function infoCommand(argv: string[], io: CliIo): Promise<number> {
  let json = false;
  let backend: 'auto' | 'kvm' | 'soft' = 'auto';
  let device: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      io.stdout(HELP);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--backend') {
      const v = argv[++i];
      if (v !== 'auto' && v !== 'kvm' && v !== 'soft') {
        io.stderr(`kvm-arm info: --backend must be auto, kvm or soft, got '${v ?? ''}'`);
        return EXIT_USAGE;
      }
      backend = v;
    } else if (a === '--device') {
      const v = argv[++i];
      if (v === undefined) {
        io.stderr('kvm-arm info: --device needs a path');
        return EXIT_USAGE;
      }
      device = v;
    } else {
      io.stderr(`kvm-arm info: unknown option '${a}' (try --help)`);
      return EXIT_USAGE;
    }
  }
  const choice = backendChoice(device);
  const report: Record<string, unknown> = {
    host: { platform: process.platform, arch: process.arch, node: process.version },
    auto: { backend: choice.backend, reason: choice.reason, ...(choice.loadErrors && choice.loadErrors.length ? { addonLoadErrors: choice.loadErrors } : {}) },
  };
  let status = 0;
  try {
    const hv = open({ backend, ...(device !== undefined ? { device } : {}) });
    try {
      report['backend'] = hv.backend;
      report['reason'] = hv.reason;
      report['apiVersion'] = hv.apiVersion();
      report['vcpuMmapSize'] = hv.vcpuMmapSize();
      const caps: Record<string, number> = {};
      for (const c of ARM_CAPS) caps[c] = hv.checkExtension(KVM_CAP[c]);
      report['capabilities'] = caps;
      try {
        const vm = hv.createVm();
        try {
          const t = vm.preferredTarget();
          report['preferredTarget'] = { target: t.target, name: targetName(t.target) };
        } catch (e) {
          report['preferredTarget'] = { error: e instanceof KvmError ? e.message : String(e) };
        } finally {
          vm.close();
        }
      } catch (e) {
        report['preferredTarget'] = { error: e instanceof Error ? e.message : String(e) };
      }
    } finally {
      hv.close();
    }
  } catch (e) {
    report['error'] = e instanceof Error ? e.message : String(e);
    status = 1;
  }
  if (json) {
    io.stdout(JSON.stringify(report, null, 2));
    return status;
  }
  const auto = report['auto'] as { backend: string; reason: string; addonLoadErrors?: string[] };
  io.stdout(`auto backend:      ${auto.backend} (${auto.reason})`);
  for (const e of auto.addonLoadErrors ?? []) io.stdout(`  addon: ${e}`);
  if (report['error'] !== undefined) {
    io.stderr(`kvm-arm info: ${String(report['error'])}`);
    return status;
  }
  io.stdout(`backend opened:    ${String(report['backend'])} (${String(report['reason'])})`);
  io.stdout(`KVM API version:   ${String(report['apiVersion'])}`);
  io.stdout(`vCPU mmap size:    ${String(report['vcpuMmapSize'])}`);
  const pt = report['preferredTarget'] as { target?: number; name?: string; error?: string };
  io.stdout(`preferred target:  ${pt.error ?? `${pt.name} (${pt.target})`}`);
  io.stdout('capabilities:');
  for (const [k, v] of Object.entries(report['capabilities'] as Record<string, number>)) io.stdout(`  KVM_CAP_${k.padEnd(26)} ${v}`);
  return status;
}
