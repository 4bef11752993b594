import { expect } from 'vitest';
import { RexiLiveError } from '../../src/errors.js';

/** The RexiLiveError a call throws, or a failed expectation when it throws none (or something else). */
export function userError(fn: () => unknown): RexiLiveError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RexiLiveError);
    return e as RexiLiveError;
  }
  return expect.unreachable('expected a RexiLiveError');
}

/** The message of the usage error (REXI_BAD_OPTION, exit 2) a call throws. */
export function usageMessage(fn: () => unknown): string {
  const e = userError(fn);
  expect(e.code).toBe('REXI_BAD_OPTION');
  return e.message;
}
