import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, Settings, type Flags } from '../../src/config/options.js';
import { resolveSignalOptions } from '../../src/config/signals.js';
import { userError } from '../support/errors.js';

/** Flags as commander gives them, looked up as tail looks them up. */
const resolve = (flags: Flags) => resolveSignalOptions(new Settings(flags, EMPTY_CONFIG));

/** The one-line usage error a set of flags gives. */
function usage(flags: Flags): string {
  const err = userError(() => resolve(flags));
  expect(err.code).toBe('REXI_BAD_OPTION');
  expect(err.message).not.toContain('\n');
  return err.message;
}

describe('signal options', () => {
  it('defaults: nothing on, the documented values ready', () => {
    expect(resolve({})).toEqual({ dedupe: undefined, state: { path: undefined, max: 100_000 }, multiCall: undefined, hooks: undefined, bell: false });
  });

  it('reads every flag', () => {
    const o = resolve({ dedupe: 'Caller', dedupeTtl: '1h', state: 's.json', stateMax: '5', minCallers: '3', window: '5m', cooldown: '0', withCalls: true, exec: 'notify-send x', execJobs: '4', execTimeout: '2s', bell: true });
    expect(o).toEqual({
      dedupe: { kind: 'caller', ttlMs: 3_600_000 },
      state: { path: 's.json', max: 5 },
      multiCall: { minCallers: 3, windowMs: 300_000, windowText: '5m', cooldownMs: 0, withCalls: true },
      hooks: { command: 'notify-send x', jobs: 4, timeoutMs: 2000 },
      bell: true,
    });
  });

  it('--first-call is --dedupe token; --cooldown defaults to --window; the window text is kept as given', () => {
    expect(resolve({ firstCall: true }).dedupe).toEqual({ kind: 'token', ttlMs: 86_400_000 });
    expect(resolve({ firstCall: true, dedupe: 'token' }).dedupe?.kind).toBe('token');
    expect(resolve({ minCallers: '2', window: '90' }).multiCall).toEqual({ minCallers: 2, windowMs: 90_000, windowText: '90', cooldownMs: 90_000, withCalls: false });
    expect(resolve({ minCallers: '2' }).multiCall?.windowText).toBe('10m');
  });

  it.each([
    [{ dedupe: 'bogus' }, /^--dedupe: 'bogus' is not one of call, caller, token$/],
    [{ firstCall: true, dedupe: 'call' }, /^--first-call is --dedupe token: it cannot go with --dedupe call$/],
    [{ minCallers: '3', window: '0' }, /^--window: '0' must be above 0$/],
    [{ minCallers: '3', window: '0s' }, /^--window: /],
    [{ dedupeTtl: '-5s' }, /^--dedupe-ttl: '-5s' is not a duration/],
    [{ dedupeTtl: 'soon' }, /^--dedupe-ttl: 'soon' is not a duration/],
    [{ dedupeTtl: '0' }, /^--dedupe-ttl: '0' must be above 0$/],
    [{ minCallers: '3', cooldown: '-1m' }, /^--cooldown: '-1m' is not a duration/],
    [{ minCallers: '3', cooldown: '5 minutes' }, /^--cooldown: /],
    [{ execTimeout: '-1' }, /^--exec-timeout: '-1' is not a duration/],
    [{ execTimeout: '0' }, /^--exec-timeout: '0' must be above 0$/],
    [{ execJobs: '0' }, /^--exec-jobs: '0' is not a whole number of at least 1$/],
    [{ stateMax: '0' }, /^--state-max: '0' is not a whole number of at least 1$/],
    [{ stateMax: '1e5' }, /^--state-max: /],
    [{ withCalls: true }, /^--with-calls goes with --min-callers$/],
    [{ minCallers: '1' }, /^--min-callers: '1' is not a whole number of at least 2$/],
    [{ minCallers: 'three' }, /^--min-callers: /],
    [{ exec: '' }, /^--exec: the command is empty$/],
    [{ exec: '   ' }, /^--exec: the command is empty$/],
    [{ state: '' }, /^--state: the file name is empty$/],
  ])('%j is a usage error naming the flag', (flags, message) => {
    expect(usage(flags)).toMatch(message);
  });
});
