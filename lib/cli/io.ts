/** Output sinks for CLI commands, so commands unit-test without spawning a process. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}
export const processIo: CliIo = {
  stdout: (line) => void process.stdout.write(line + '\n'),
  stderr: (line) => void process.stderr.write(line + '\n'),
};
/** Exit status for bad usage / bad input (one line on stderr names what is wrong). */
export const EXIT_USAGE = 2;
export type Command = (argv: string[], io: CliIo) => Promise<number> | number;
