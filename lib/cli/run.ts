/**
 * `kvm-arm run IMAGE`: boots a bare-metal AArch64 image or an arm64 Linux Image on a qemu-virt-compatible machine
 * (lib/vmm/machine.ts). The PL011 is the console: its output goes to stdout, stdin goes to its receiver (raw mode
 * on a terminal, restored on exit; Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A; the end of a piped stdin leaves the
 * guest running).
 * Exit status: 0 after PSCI SYSTEM_OFF (or Ctrl-A x); 1 for a guest fault / MMIO to no device / unhandled exit /
 * instruction limit, 124 on timeout, 2 for bad usage. One diagnostic line on stderr (PC, ESR, FAR, the instruction).
 */
import { readFileSync } from 'node:fs';
import type { CliIo } from './io';
import { EXIT_USAGE, processIo, type CliInput } from './io';
import { runMachine, type MachineInput } from '../vmm/machine';
import { runSmpMachine } from '../vmm/smp';

const HELP = `usage: kvm-arm run [options] IMAGE
  IMAGE                 an AArch64 ELF (loaded by its program headers, entry from the header), an arm64 Linux
                        Image (detected by its header; placed per Documentation/arm64/booting: 2 MiB-aligned
                        base + text_offset, x0 = DTB) or a raw binary
  --backend soft|kvm|auto   (default auto)
  --mem MiB             guest RAM at 0x40000000 (default 128)
  --load ADDR           load address of a raw image (default 0x40080000); entry = load address
                        (given for a Linux Image, loads it raw there)
  --append ARGS         /chosen/bootargs (Linux: the kernel command line, e.g. console=ttyAMA0)
  --initrd FILE         initramfs / initrd, /chosen/linux,initrd-start/end
  --no-stdin            do not connect stdin to the UART
  --smp N               vCPUs 1..8 (default 1); N > 1: one worker thread per vCPU (lib/vmm/smp.ts)
  --trace               print every instruction (soft backend)
  --max-insns N         stop with a diagnostic after N instructions (soft backend)
  --timeout S           stop with a diagnostic after S seconds`;

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const opts: Record<string, string | true> = {};
  const pos: string[] = [];
  const valued = new Set(['--backend', '--mem', '--load', '--append', '--initrd', '--smp', '--max-insns', '--timeout']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      io.stdout(HELP);
      return 0;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const k = eq > 0 ? a.slice(0, eq) : a;
      if (valued.has(k)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) return usage(io, `${k} needs a value`);
        opts[k] = v;
      } else if (k === '--trace' || k === '--no-stdin') opts[k] = true;
      else return usage(io, `unknown option ${a}`);
    } else pos.push(a);
  }
  if (pos.length !== 1) return usage(io, 'expected one IMAGE');
  const num = (k: string, min: number, max: number): number | undefined | null => {
    const v = opts[k];
    if (v === undefined) return undefined;
    const n = Number(v);
    return typeof v === 'string' && Number.isFinite(n) && n >= min && n <= max && (k === '--timeout' || Number.isInteger(n)) ? n : null;
  };
  const backend = opts['--backend'] ?? 'auto';
  if (backend !== 'auto' && backend !== 'soft' && backend !== 'kvm') return usage(io, `--backend must be soft, kvm or auto`);
  const mem = num('--mem', 1, 4096);
  const smp = num('--smp', 1, 8);
  const maxInsns = num('--max-insns', 1, Number.MAX_SAFE_INTEGER);
  const timeout = num('--timeout', 0.001, 1e6);
  for (const [k, v] of [['--mem', mem], ['--smp', smp], ['--max-insns', maxInsns], ['--timeout', timeout]] as const) if (v === null) return usage(io, `bad value for ${k}: ${String(opts[k])}`);
  let load: bigint | undefined;
  if (typeof opts['--load'] === 'string') {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(opts['--load'])) return usage(io, `bad --load address ${opts['--load']}`);
    load = BigInt(opts['--load']);
  }
  let image: Uint8Array;
  let initrd: Uint8Array | undefined;
  try {
    image = readFileSync(pos[0] as string);
    if (typeof opts['--initrd'] === 'string') initrd = readFileSync(opts['--initrd']);
  } catch (e) {
    io.stderr(`kvm-arm run: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  // UART bytes: raw to the process's stdout; through io.stdout line by line otherwise (tests)
  const out: number[] = [];
  let flushQueued = false;
  const flush = (final = false): void => {
    if (io === processIo) {
      if (out.length) process.stdout.write(Buffer.from(out.splice(0)));
      return;
    }
    let nl: number;
    while ((nl = out.indexOf(10)) >= 0) io.stdout(Buffer.from(out.splice(0, nl + 1).slice(0, -1)).toString('latin1'));
    if (final && out.length) io.stdout(Buffer.from(out.splice(0)).toString('latin1'));
  };
  const stdin = opts['--no-stdin'] === true || (smp != null && smp > 1) ? undefined : io.stdin;
  const abort = new AbortController();
  const input = stdin !== undefined ? stdinInput(stdin, () => {
    flush(true);
    io.stderr('kvm-arm run: quit (Ctrl-A x)');
    abort.abort();
  }) : undefined;
  try {
    const r = await (smp != null && smp > 1 ? runSmpMachine : runMachine)({
      image,
      output: (b) => {
        out.push(b);
        if (b === 10 || out.length > 256) flush();
        else if (!flushQueued) {
          // a prompt has no newline: flush what is left on the next turn of the event loop
          flushQueued = true;
          setImmediate(() => {
            flushQueued = false;
            if (io === processIo) flush();
          });
        }
      },
      backend,
      ...(load !== undefined ? { loadAddr: load } : {}),
      ...(mem != null ? { memMiB: mem } : {}),
      ...(smp != null ? { smp } : {}),
      ...(maxInsns != null ? { maxInsns } : {}),
      ...(timeout != null ? { timeoutSec: timeout } : {}),
      ...(typeof opts['--append'] === 'string' ? { append: opts['--append'] } : {}),
      ...(initrd !== undefined ? { initrd } : {}),
      ...(input !== undefined ? { input, signal: abort.signal } : {}),
      ...(opts['--trace'] === true ? { trace: (l: string) => io.stderr(l) } : {}),
    });
    flush(true);
    if (r.diagnostic !== undefined) io.stderr(`kvm-arm run: ${r.reason}: ${r.diagnostic}`);
    return r.status;
  } catch (e) {
    flush(true);
    if (e instanceof RangeError || e instanceof TypeError) {
      io.stderr(`kvm-arm run: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

/**
 * stdin as the UART's input. On a terminal: raw mode while subscribed (restored on unsubscribe), Ctrl-A x calls
 * `quit`, Ctrl-A Ctrl-A sends one Ctrl-A. A pipe: bytes as they are; its end only stops the input.
 */
export function stdinInput(stdin: CliInput, quit: () => void): MachineInput {
  return {
    subscribe(onData) {
      const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
      if (tty) stdin.setRawMode?.(true);
      let escape = false;
      const data = (chunk: Buffer | string): void => {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
        if (!tty) return onData(new Uint8Array(b));
        const out: number[] = [];
        for (const c of b) {
          if (escape) {
            escape = false;
            if (c === 0x78 /* x */ || c === 0x58) {
              if (out.length) onData(Uint8Array.from(out));
              return quit();
            }
            if (c === 0x01) out.push(1);
            else out.push(1, c);
          } else if (c === 0x01) escape = true;
          else out.push(c);
        }
        if (out.length) onData(Uint8Array.from(out));
      };
      const end = (): void => undefined;
      stdin.on('data', data);
      stdin.on('end', end);
      stdin.resume();
      return () => {
        stdin.removeListener('data', data);
        stdin.removeListener('end', end);
        stdin.pause();
        if (tty) stdin.setRawMode?.(false);
      };
    },
  };
}

function usage(io: CliIo, msg: string): number {
  io.stderr(`kvm-arm run: ${msg} (kvm-arm run --help)`);
  return EXIT_USAGE;
}
