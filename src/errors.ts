/**
 * Exit codes are part of the user-facing contract (SPEC.md "Exit codes"): scripts branch on them.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  gaveUp: 4,
  output: 5,
  /** What the shell sees when the process ends by SIGHUP / SIGINT / SIGTERM (128 + signal number). */
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The signals that get a clean stop (the terminal or the ssh session went away, ^C, kill), and
 * the status of ending by each. */
export const STOP_SIGNALS = { SIGHUP: ExitCode.sighup, SIGINT: ExitCode.sigint, SIGTERM: ExitCode.sigterm } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * An error the user can cause and fix: it carries its exit code and a one-line message that names
 * the flag or variable to change. Only cli.ts turns it into stderr text and an exit status.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export const usageError = (message: string): UserError => new UserError(message, ExitCode.usage);
export const authError = (message: string): UserError => new UserError(message, ExitCode.auth);
export const gaveUpError = (message: string): UserError => new UserError(message, ExitCode.gaveUp);
export const outputError = (message: string): UserError => new UserError(message, ExitCode.output);
