import { describe, expect, it } from 'vitest';
import { RexiLiveError } from '../../src/errors.js';
import { userError } from '../support/errors.js';
import { formatUptime, parseAmount, parseCount, parseDuration, parseSize } from '../../src/config/units.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['3', 3000],
    ['0', 0],
    [' 10S ', 10_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text, '--x')).toBe(ms));

  it.each(['', 'soon', '5 minutes', '-1s', '1d', 'ms'])('rejects %j with a usage error naming the flag', (text) => {
    const err = userError(() => parseDuration(text, '--idle-timeout'));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toContain('--idle-timeout');
  });

  it.each(['600h', '2147484s', '2147483648ms', '35792m'])('refuses %j: above 2^31-1 ms a Node timer would fire at once', (text) => {
    const err = userError(() => parseDuration(text, '--duration'));
    expect(err.code).toBe('REXI_BAD_OPTION');
    expect(err.message).toContain('--duration');
  });

  it('accepts up to 2^31-1 ms: 596h, 2147483s, 2147483647ms', () => {
    expect(parseDuration('596h', '--duration')).toBe(596 * 3_600_000);
    expect(parseDuration('2147483s', '--duration')).toBe(2_147_483_000);
    expect(parseDuration('2147483647ms', '--duration')).toBe(2 ** 31 - 1);
  });
});

describe('parseSize', () => {
  it.each([
    ['1048576', 1048576],
    ['1MiB', 1048576],
    ['512KiB', 524288],
    ['64k', 65536],
    ['1MB', 1_000_000],
  ])('%s → %d bytes', (text, n) => expect(parseSize(text, '--max-message-size')).toBe(n));
  it('rejects junk and zero', () => {
    expect(() => parseSize('big', '--max-message-size')).toThrow(/--max-message-size/);
    expect(() => parseSize('0', '--max-message-size')).toThrow(/at least 1 byte/);
  });
});

describe('parseAmount', () => {
  it.each([
    ['250000', 250_000],
    ['250k', 250_000],
    ['1.5M', 1_500_000],
    ['2b', 2_000_000_000],
    ['$5K', 5000],
  ])('%s → %d', (text, n) => expect(parseAmount(text, '--min-mcap')).toBe(n));
  it('rejects words', () => expect(() => parseAmount('lots', '--min-mcap')).toThrow(/--min-mcap: 'lots' is not an amount/));
});

describe('parseCount', () => {
  it('takes whole numbers from the minimum', () => {
    expect(parseCount('3', '-n')).toBe(3);
    expect(parseCount('0', '--max-retries', 0)).toBe(0);
    expect(() => parseCount('0', '-n')).toThrow(/at least 1/);
    expect(() => parseCount('2.5', '-n')).toThrow(RexiLiveError);
    expect(() => parseCount('-1', '--max-retries', 0)).toThrow(RexiLiveError);
  });

  it('a number past 2^53 is too large, and the message gives the largest accepted', () => {
    expect(parseCount('9007199254740991', '-n')).toBe(Number.MAX_SAFE_INTEGER);
    for (const text of ['9007199254740992', '100000000000000000000']) {
      expect(userError(() => parseCount(text, '--count')).message).toBe(`--count: '${text}' is too large (at most 9007199254740991)`);
    }
  });
});

describe('formatUptime', () => {
  it.each([
    [0, '0s'],
    [59_999, '59s'],
    [192_000, '3m12s'],
    [3_605_000, '1h00m05s'],
    [90_000_000, '1d1h00m'],
  ])('%d ms → %s', (ms, text) => expect(formatUptime(ms)).toBe(text));
});
