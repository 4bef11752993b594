/**
 * Errors a user can cause and fix, as typed values with stable codes. They are raised where the
 * problem is found and carry a one-line message that names what to change; only the CLI layer
 * (src/cli/exit.ts) turns a code into an exit status, so library users branch on `code`.
 */

export type RexiErrorCode =
  /** A bad option, flag, config value or endpoint: nothing was connected. */
  | 'REXI_BAD_OPTION'
  /** The service (or a proxy, or NATS) refused the credentials. */
  | 'REXI_AUTH_REJECTED'
  /** `maxRetries` attempts in a row failed. */
  | 'REXI_GAVE_UP'
  /** An output could not be opened or written (disk full, refused publish). */
  | 'REXI_OUTPUT';

export class RexiLiveError extends Error {
  constructor(
    readonly code: RexiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RexiLiveError';
  }
}

/** The credentials were rejected: retrying cannot help. `why` is what the server said. */
export class AuthRejectedError extends RexiLiveError {
  constructor(
    message: string,
    /** Who refused: the service, a proxy in between, or a NATS server. */
    readonly by: 'service' | 'proxy' | 'nats' = 'service',
  ) {
    super('REXI_AUTH_REJECTED', message);
    this.name = 'AuthRejectedError';
  }
}

export class GaveUpError extends RexiLiveError {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super('REXI_GAVE_UP', message);
    this.name = 'GaveUpError';
  }
}

/** Nothing serves the stream at the URL (404, a redirect) and nothing did earlier in the run. */
export class WrongEndpointError extends RexiLiveError {
  constructor(message: string) {
    super('REXI_BAD_OPTION', message);
    this.name = 'WrongEndpointError';
  }
}

export const usageError = (message: string): RexiLiveError => new RexiLiveError('REXI_BAD_OPTION', message);
export const outputError = (message: string): RexiLiveError => new RexiLiveError('REXI_OUTPUT', message);
