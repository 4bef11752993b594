/**
 * What the CLI knows of its surroundings, handed down as a value: nothing below the CLI reads
 * process.env or asks whether a stream is a terminal.
 */
export interface Environment {
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  homedir: string;
}
