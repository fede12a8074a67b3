/**
 * The `kvm-arm` command: dispatches to subcommands. Each subcommand takes its argv and a CliIo and returns the
 * exit status (0 ok, 2 bad usage / bad input with one line on stderr, other non-zero: the operation failed).
 */
import { type CliIo, type Command, processIo, EXIT_USAGE } from './io';

interface Entry {
  summary: string;
  load: () => Command;
}

// Subcommands are loaded on first use, so `kvm-arm reg` does not pay for the interpreter.
const COMMANDS: Record<string, Entry> = {
  run: { summary: 'boot a bare-metal AArch64 image on a qemu-virt-compatible machine (PL011 → stdout, PSCI SYSTEM_OFF ends it)', load: () => require('./run').runCommand },
  info: { summary: 'which backend open() picks and why; KVM API version, ARM capabilities, preferred target', load: () => require('./info').infoCommand },
  reg: { summary: 'decode a KVM ONE_REG register id, or encode a register name', load: () => require('./codec-commands').regCommand },
  irq: { summary: 'decode or encode the irq field of KVM_IRQ_LINE', load: () => require('./codec-commands').irqCommand },
  'vgic-attr': { summary: 'decode or encode a GICv2 VGIC DIST_REGS/CPU_REGS device attribute', load: () => require('./codec-commands').vgicAttrCommand },
  reglist: { summary: 'tabulate a list of register ids (e.g. from KVM_GET_REG_LIST)', load: () => require('./codec-commands').reglistCommand },
};

function usage(io: CliIo): void {
  io.stdout('usage: kvm-arm <command> [options]   (kvm-arm <command> --help for details)');
  io.stdout('');
  io.stdout('commands:');
  for (const [name, e] of Object.entries(COMMANDS)) io.stdout(`  ${name.padEnd(10)} ${e.summary}`);
}

/** Registers a subcommand (used by the command modules' index). */
export function registerCommand(name: string, summary: string, load: () => Command): void {
  COMMANDS[name] = { summary, load };
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    usage(io);
    return cmd === undefined ? EXIT_USAGE : 0;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout(require('../../../package.json').version as string);
    return 0;
  }
  const entry = COMMANDS[cmd];
  if (entry === undefined) {
    io.stderr(`kvm-arm: unknown command '${cmd}' (try kvm-arm --help)`);
    return EXIT_USAGE;
  }
  return await entry.load()(rest, io);
}
