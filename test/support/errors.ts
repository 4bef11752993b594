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
