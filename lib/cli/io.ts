/** Output sinks for CLI commands, so commands unit-test without spawning a process. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /** input for commands that take it (`run`: the guest's UART); absent = no input */
  readonly stdin?: CliInput;
}
/** The part of a Node readable stream (process.stdin) the CLI uses. */
export interface CliInput {
  on(event: 'data', fn: (chunk: Buffer | string) => void): unknown;
  on(event: 'end', fn: () => void): unknown;
  removeListener(event: 'data' | 'end', fn: (...a: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}
export const processIo: CliIo = {
  stdout: (line) => void process.stdout.write(line + '\n'),
  stderr: (line) => void process.stderr.write(line + '\n'),
  // a getter: process.stdin opens its handle on first access
  get stdin(): CliInput {
    return process.stdin;
  },
};
/** Exit status for bad usage / bad input (one line on stderr names what is wrong). */
export const EXIT_USAGE = 2;
export type Command = (argv: string[], io: CliIo) => Promise<number> | number;
