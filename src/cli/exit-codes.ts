import type { RexiErrorCode } from '../errors.js';

/** Exit codes are part of the user-facing contract: scripts branch on them. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  gaveUp: 4,
  output: 5,
} as const;

const BY_ERROR_CODE: Record<RexiErrorCode, number> = {
  REXI_BAD_OPTION: ExitCode.usage,
  REXI_AUTH_REJECTED: ExitCode.auth,
  REXI_GAVE_UP: ExitCode.gaveUp,
  REXI_OUTPUT: ExitCode.output,
};

export function exitCodeOf(code: RexiErrorCode): number {
  return BY_ERROR_CODE[code];
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** What the shell sees when a process ends by `signal`: 128 + its number (129, 130, 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 0);
}
