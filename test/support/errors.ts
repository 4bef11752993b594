import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/** The UserError a call throws, or a failed expectation when it throws none (or something else). */
export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  return expect.unreachable('expected a UserError');
}
