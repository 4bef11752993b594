import { describe, expect, it } from 'vitest';
import { withoutTopLevelKey } from '../../src/wire/json-text.js';

describe('withoutTopLevelKey', () => {
  it('removes the member wherever it stands, with its comma, leaving the rest byte for byte', () => {
    expect(withoutTopLevelKey('{"a":1,"k":"v"}', 'k')).toBe('{"a":1}');
    expect(withoutTopLevelKey('{"k":"v","a":1}', 'k')).toBe('{"a":1}');
    expect(withoutTopLevelKey('{"a":1,"k":"v","b":123456789012345678901234567890}', 'k')).toBe('{"a":1,"b":123456789012345678901234567890}');
    expect(withoutTopLevelKey('{"k":"v"}', 'k')).toBe('{}');
    expect(withoutTopLevelKey('{ "a" : 1 , "k" : "v" }', 'k')).toBe('{ "a" : 1 }');
  });

  it('leaves nested keys, keys inside strings and values equal to the key alone', () => {
    expect(withoutTopLevelKey('{"d":{"k":"x"},"k":"v"}', 'k')).toBe('{"d":{"k":"x"}}');
    expect(withoutTopLevelKey('{"d":{"k":"x"}}', 'k')).toBeUndefined();
    expect(withoutTopLevelKey('{"s":"\\"k\\":1","a":"k"}', 'k')).toBeUndefined();
    expect(withoutTopLevelKey('{"l":[{"k":1}],"k":2}', 'k')).toBe('{"l":[{"k":1}]}');
  });

  it('does nothing when the key is there twice (which one would JSON.parse keep?)', () => {
    expect(withoutTopLevelKey('{"k":1,"k":2}', 'k')).toBeUndefined();
  });

  // A quadratic scan (the regexes this replaced) took seconds on 40 KB; this is 500 KB.
  it('handles a long run of spaces in one pass', { timeout: 5000 }, () => {
    const raw = JSON.stringify({ type: 'NEW_SCAN', data: { token_name: 'x' + ' '.repeat(500_000) + 'y' }, received_at: '2026-01-01T00:00:00.000Z' });
    expect(withoutTopLevelKey(raw, 'received_at')).toBe(raw.replace(',"received_at":"2026-01-01T00:00:00.000Z"', ''));
  });
});
