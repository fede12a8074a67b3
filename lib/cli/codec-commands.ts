/**
 * Codec subcommands of `kvm-arm`: pure decoding/encoding, no /dev/kvm needed.
 *
 *   kvm-arm reg <ID|NAME> [--arch arm64|arm] [--json]
 *   kvm-arm irq <VALUE> | --type spi|ppi|cpu --irq N [--vcpu N]  [--json]
 *   kvm-arm vgic-attr <VALUE> | --cpu N (--offset X | --reg NAME) [--group dist|cpu] [--json]
 *   kvm-arm reglist FILE|- [--json]
 *
 * Each returns the exit status: 0 ok, 2 bad usage or bad input (exactly one line on stderr naming what is wrong).
 */
import * as fs from 'node:fs';
import {
  decodeRegId, formatRegId, hex64, parseRegName, toU64, type DecodedRegId,
} from '../codec/regid';
import { decodeIrq, encodeIrq, formatIrq, type IrqField, type IrqType } from '../codec/irq';
import { decodeVgicV2Attr, encodeVgicV2Attr, gicRegOffset, gicdRegAt, giccRegAt } from '../codec/vgic';
import { EXIT_USAGE, type CliIo } from './io';

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

/** A small strict parser: `--name value` / `--name=value` for options, bare `--flag`s, positionals. */
function parseArgs(cmd: string, argv: readonly string[], optionNames: readonly string[], flagNames: readonly string[]): Parsed {
  const p: Parsed = { positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h') {
      p.flags.add('help');
      continue;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      if (flagNames.includes(name)) {
        if (eq >= 0) throw new UsageError(`${cmd}: --${name} takes no value`);
        p.flags.add(name);
      } else if (optionNames.includes(name)) {
        const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined || value === '') throw new UsageError(`${cmd}: --${name} needs a value`);
        if (p.options.has(name)) throw new UsageError(`${cmd}: --${name} given twice`);
        p.options.set(name, value);
      } else {
        throw new UsageError(`${cmd}: unknown option --${name} (see kvm-arm ${cmd} --help)`);
      }
      continue;
    }
    p.positional.push(a);
  }
  return p;
}

function int(cmd: string, what: string, text: string): number {
  const s = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(s)) throw new UsageError(`${cmd}: ${what}: '${text}' is not a number`);
  const v = Number(s);
  if (!Number.isSafeInteger(v)) throw new UsageError(`${cmd}: ${what}: ${text} is too large`);
  return v;
}

const isNumberText = (s: string): boolean => /^(0x[0-9a-f_]+|\d[\d_]*)$/i.test(s.trim());
const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/** Runs a command body: usage errors and codec RangeError/TypeError become one stderr line and status 2. */
function guard(cmd: string, io: CliIo, body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(e.message);
      return EXIT_USAGE;
    }
    if (e instanceof RangeError || e instanceof TypeError) {
      io.stderr(`${cmd}: ${e.message.split('\n')[0]}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------- reg

const REG_HELP = [
  'usage: kvm-arm reg <ID|NAME> [--arch arm64|arm] [--json]',
  '',
  'Decodes a KVM ONE_REG register id (hex or decimal) or encodes a register name.',
  '  kvm-arm reg 0x6030000000100040        arm64 core pc',
  '  kvm-arm reg SCTLR_EL1                 0x603000000013c080',
  '  kvm-arm reg --arch arm SCTLR          0x40200000000f0800 (32-bit ARM CP15 c1/c0/0/0)',
  'Names: x0-x30 sp pc pstate v0-v31 fpsr fpcr ..., system registers (SCTLR_EL1, S3_0_C1_C0_0), KVM_REG_ARM_TIMER_*,',
  'PSCI_VERSION and the firmware registers, ccsidr:N, z0-z31 p0-p15 ffr [slice], vls; with --arch arm: r0-r15 and',
  'the banked registers, CP15 names or p15:cN/cM/opc1/opc2, p15:64:cM/opc1, d0-d31, FPSCR ...',
  '  --arch   the architecture for a name (default arm64); with an id, checks the id is of that architecture',
  '  --json   one JSON object: id, name, arch, kind, size, bytes, fields, text',
];

/** The fields of a decoded id, for --json. */
function regFields(d: DecodedRegId): Record<string, number | string | boolean> {
  switch (d.kind) {
    case 'core':
      return { index: d.index };
    case 'sysreg':
      return { ...d.encoding, ...(d.holds !== undefined ? { holds: d.holds } : {}) };
    case 'demux':
      return { demuxId: d.demuxId, csselr: d.csselr };
    case 'firmware':
    case 'firmware-bitmap':
      return { index: d.index };
    case 'sve':
      return { sve: d.sve, n: d.n, slice: d.slice };
    case 'cp':
      return d.is64 ? { coproc: d.coproc, crm: d.crm, opc1: d.opc1, is64: true } : { coproc: d.coproc, crn: d.crn, crm: d.crm, opc1: d.opc1, opc2: d.opc2, is64: false };
    case 'vfp':
      return { regno: d.regno };
  }
}

/** A display name for any id: its name, or for a system register without one the generic S<op0>_... form. */
function displayName(d: DecodedRegId): string | null {
  if (d.name !== undefined) return d.name;
  if (d.kind === 'sysreg') {
    const e = d.encoding;
    return `S${e.op0}_${e.op1}_C${e.crn}_C${e.crm}_${e.op2}`;
  }
  return null;
}

function regJson(d: DecodedRegId): Record<string, unknown> {
  return { id: hex64(d.id), name: displayName(d), arch: d.arch, kind: d.kind, size: d.sizeName, bytes: d.bytes, fields: regFields(d), text: formatRegId(d.id) };
}

function archOption(cmd: string, p: Parsed): 'arm64' | 'arm' | undefined {
  const a = p.options.get('arch');
  if (a === undefined) return undefined;
  if (a !== 'arm64' && a !== 'arm') throw new UsageError(`${cmd}: --arch must be arm64 or arm, got '${a}'`);
  return a;
}

export function regCommand(argv: string[], io: CliIo): number {
  return guard('reg', io, () => {
    const p = parseArgs('reg', argv, ['arch'], ['json', 'help']);
    if (p.flags.has('help')) {
      REG_HELP.forEach((l) => io.stdout(l));
      return 0;
    }
    if (p.positional.length !== 1) throw new UsageError(`reg: expected one register id or name, got ${p.positional.length} (see kvm-arm reg --help)`);
    const arg = p.positional[0] as string;
    const arch = archOption('reg', p);
    const id = isNumberText(arg) ? toU64(arg, 'id') : parseRegName(arg, arch ?? 'arm64');
    const d = decodeRegId(id);
    if (arch !== undefined && d.arch !== arch) throw new UsageError(`reg: ${hex64(id)} is an ${d.arch} id, not ${arch}`);
    if (p.flags.has('json')) io.stdout(JSON.stringify(regJson(d)));
    else io.stdout(`${hex64(d.id)}  ${formatRegId(d.id)}`);
    return 0;
  });
}

// ------------------------------------------------------------------------------------------------- irq

const IRQ_HELP = [
  'usage: kvm-arm irq <VALUE> [--json]',
  '       kvm-arm irq --type spi|ppi|cpu --irq N [--vcpu N] [--json]',
  '',
  'Decodes or encodes the irq field of KVM_IRQ_LINE (struct kvm_irq_level):',
  '  bits 31-28 vcpu2_index, 27-24 irq_type (0 cpu, 1 spi, 2 ppi), 23-16 vcpu_index, 15-0 irq_id',
  '  spi: irq 32-1019, no vcpu; ppi: irq 16-31 for --vcpu (0-4095); cpu: irq 0 (IRQ) or 1 (FIQ) for --vcpu',
  '  kvm-arm irq 0x01000028                 SPI 40',
  '  kvm-arm irq --type ppi --irq 27 --vcpu 1',
  '  --json   one JSON object: value (hex), type, vcpu, irq',
];

function irqOut(io: CliIo, json: boolean, value: number, f: IrqField): void {
  if (json) io.stdout(JSON.stringify({ value: hex32(value), type: f.type, vcpu: f.vcpu, irq: f.irq }));
  else io.stdout(`${hex32(value)}  ${formatIrq(f)}`);
}

export function irqCommand(argv: string[], io: CliIo): number {
  return guard('irq', io, () => {
    const p = parseArgs('irq', argv, ['type', 'irq', 'vcpu'], ['json', 'help']);
    if (p.flags.has('help')) {
      IRQ_HELP.forEach((l) => io.stdout(l));
      return 0;
    }
    const json = p.flags.has('json');
    const encoding = p.options.has('type') || p.options.has('irq') || p.options.has('vcpu');
    if (!encoding) {
      if (p.positional.length !== 1) throw new UsageError('irq: expected one irq field value, or --type/--irq[/--vcpu] (see kvm-arm irq --help)');
      const text = p.positional[0] as string;
      if (!isNumberText(text)) throw new UsageError(`irq: '${text}' is not a number`);
      const value = int('irq', 'value', text);
      const f = decodeIrq(value);
      irqOut(io, json, value, f);
      return 0;
    }
    if (p.positional.length !== 0) throw new UsageError('irq: give either a value to decode or --type/--irq, not both');
    const type = p.options.get('type');
    if (type === undefined) throw new UsageError('irq: --type is required to encode (spi, ppi or cpu)');
    if (type !== 'spi' && type !== 'ppi' && type !== 'cpu') throw new UsageError(`irq: --type must be spi, ppi or cpu, got '${type}'`);
    const irqText = p.options.get('irq');
    if (irqText === undefined) throw new UsageError('irq: --irq is required to encode');
    const irq = type === 'cpu' && /^(irq|fiq)$/i.test(irqText) ? (irqText.toLowerCase() === 'irq' ? 0 : 1) : int('irq', '--irq', irqText);
    const vcpuText = p.options.get('vcpu');
    const f: { type: IrqType; irq: number; vcpu?: number } = { type, irq };
    if (vcpuText !== undefined) f.vcpu = int('irq', '--vcpu', vcpuText);
    const value = encodeIrq(f);
    irqOut(io, json, value, decodeIrq(value));
    return 0;
  });
}

// ------------------------------------------------------------------------------------------------- vgic-attr

const VGIC_HELP = [
  'usage: kvm-arm vgic-attr <VALUE> [--group dist|cpu] [--json]',
  '       kvm-arm vgic-attr --cpu N --offset X [--group dist|cpu] [--json]',
  '       kvm-arm vgic-attr --cpu N --reg NAME [--json]',
  '',
  'Decodes or encodes the attr of a GICv2 KVM_DEV_ARM_VGIC_GRP_DIST_REGS / CPU_REGS device attribute:',
  '  bits 63-40 reserved (zero), 39-32 the vCPU index, 31-0 the register offset in its frame',
  '  kvm-arm vgic-attr --cpu 0 --reg GICD_ISENABLER1      0x0000000000000104',
  '  kvm-arm vgic-attr 0x100000004 --group cpu              cpu 1, GICC_PMR',
  '  --group  which frame the offset is in, to name the register: dist (GICD, default) or cpu (GICC);',
  '           with --reg the name decides',
  '  --json   one JSON object: value (hex), cpu, offset, group, register (null when the offset names none)',
];

export function vgicAttrCommand(argv: string[], io: CliIo): number {
  return guard('vgic-attr', io, () => {
    const p = parseArgs('vgic-attr', argv, ['cpu', 'offset', 'reg', 'group'], ['json', 'help']);
    if (p.flags.has('help')) {
      VGIC_HELP.forEach((l) => io.stdout(l));
      return 0;
    }
    const groupOpt = p.options.get('group');
    if (groupOpt !== undefined && groupOpt !== 'dist' && groupOpt !== 'cpu') throw new UsageError(`vgic-attr: --group must be dist or cpu, got '${groupOpt}'`);
    let group: 'dist' | 'cpu' = groupOpt ?? 'dist';
    let attr: bigint;
    const encoding = p.options.has('cpu') || p.options.has('offset') || p.options.has('reg');
    if (!encoding) {
      if (p.positional.length !== 1) throw new UsageError('vgic-attr: expected one attr value, or --cpu with --offset/--reg (see kvm-arm vgic-attr --help)');
      const text = p.positional[0] as string;
      if (!isNumberText(text)) throw new UsageError(`vgic-attr: '${text}' is not a number`);
      attr = toU64(text, 'value');
    } else {
      if (p.positional.length !== 0) throw new UsageError('vgic-attr: give either a value to decode or --cpu/--offset/--reg, not both');
      const cpuText = p.options.get('cpu');
      if (cpuText === undefined) throw new UsageError('vgic-attr: --cpu is required to encode');
      const cpu = int('vgic-attr', '--cpu', cpuText);
      const offText = p.options.get('offset');
      const regText = p.options.get('reg');
      if ((offText === undefined) === (regText === undefined)) throw new UsageError('vgic-attr: give exactly one of --offset and --reg');
      let offset: number;
      if (regText !== undefined) {
        const r = gicRegOffset(regText);
        if (groupOpt !== undefined && groupOpt !== r.frame) throw new UsageError(`vgic-attr: ${regText} is in the ${r.frame} frame, not ${groupOpt}`);
        group = r.frame;
        offset = r.offset;
      } else offset = int('vgic-attr', '--offset', offText as string);
      attr = encodeVgicV2Attr({ cpu, offset });
    }
    const d = decodeVgicV2Attr(attr);
    const loc = group === 'dist' ? gicdRegAt(d.offset) : giccRegAt(d.offset);
    const register = loc?.label ?? null;
    if (p.flags.has('json')) {
      io.stdout(JSON.stringify({ value: hex64(attr), cpu: d.cpu, offset: '0x' + d.offset.toString(16), group, register }));
    } else {
      io.stdout(`${hex64(attr)}  cpu ${d.cpu} offset 0x${d.offset.toString(16)} ${register ?? `(no ${group === 'dist' ? 'GICD' : 'GICC'} register)`}`);
    }
    return 0;
  });
}

// ------------------------------------------------------------------------------------------------- reglist

const REGLIST_HELP = [
  'usage: kvm-arm reglist FILE|- [--json]',
  '',
  'Reads register ids (one per line, hex or decimal; blank lines and lines starting with # are ignored) — e.g. the',
  'output of KVM_GET_REG_LIST — from FILE or, with -, standard input, and prints a table: id, kind, name, size.',
  '  --json   a JSON array of {id, kind, name, size}',
];

/** Reads all of standard input. */
function readStdin(): string {
  return fs.readFileSync(0, 'utf8');
}

export function reglistCommand(argv: string[], io: CliIo, stdin: () => string = readStdin): number {
  return guard('reglist', io, () => {
    const p = parseArgs('reglist', argv, [], ['json', 'help']);
    if (p.flags.has('help')) {
      REGLIST_HELP.forEach((l) => io.stdout(l));
      return 0;
    }
    if (p.positional.length !== 1) throw new UsageError('reglist: expected one FILE (or - for standard input)');
    const file = p.positional[0] as string;
    let text: string;
    try {
      text = file === '-' ? stdin() : fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`reglist: cannot read ${file === '-' ? 'standard input' : file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const rows: { id: string; kind: string; name: string; size: string }[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!isNumberText(line)) throw new UsageError(`reglist: line ${i + 1}: '${line}' is not a register id`);
      let d: DecodedRegId;
      try {
        d = decodeRegId(line);
      } catch (e) {
        throw new UsageError(`reglist: line ${i + 1}: ${(e as Error).message}`);
      }
      rows.push({ id: hex64(d.id), kind: d.kind, name: displayName(d) ?? '-', size: d.sizeName });
    });
    if (p.flags.has('json')) {
      io.stdout(JSON.stringify(rows));
      return 0;
    }
    const w = { id: 18, kind: Math.max(4, ...rows.map((r) => r.kind.length)), name: Math.max(4, ...rows.map((r) => r.name.length)) };
    io.stdout(`${'id'.padEnd(w.id)}  ${'kind'.padEnd(w.kind)}  ${'name'.padEnd(w.name)}  size`);
    for (const r of rows) io.stdout(`${r.id}  ${r.kind.padEnd(w.kind)}  ${r.name.padEnd(w.name)}  ${r.size}`);
    return 0;
  });
}
