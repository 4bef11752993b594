import { describe, expect, it } from 'vitest';
import { classifyFrame, num, text } from '../../src/wire/calls.js';

const call = '{"type":"NEW_SCAN","data":{"token_address":"So11111111111111111111111111111111111111112"}}';

describe('classifyFrame', () => {
  it('passes a NEW_SCAN with a string data.token_address, keeping the raw text', () => {
    const m = classifyFrame(call, 0, false);
    expect(typeof m).toBe('object');
    if (typeof m === 'object') {
      expect(m.raw).toBe(call);
      expect(m.kind).toBe('call');
      if (m.kind === 'call') expect(m.tokenAddress).toBe('So11111111111111111111111111111111111111112');
    }
  });

  it.each([
    ['not json', 'not-json'],
    ['{"type":"NEW_SCAN"', 'not-json'],
    ['[1,2]', 'not-object'],
    ['"NEW_SCAN"', 'not-object'],
    ['null', 'not-object'],
    ['{"type":"NEW_SCAN"}', 'no-token-address'],
    ['{"type":"NEW_SCAN","data":{"token_address":42}}', 'no-token-address'],
    ['{"type":"NEW_SCAN","data":null}', 'no-token-address'],
    ['{"type":"HEARTBEAT"}', 'other-type'],
    ['{"data":{"token_address":"x"}}', 'other-type'],
  ])('%s → %s', (raw, kind) => expect(classifyFrame(raw, 0, false)).toBe(kind));

  it('--all-types passes every JSON object, as a message without a call when not a valid NEW_SCAN', () => {
    for (const raw of ['{"type":"HEARTBEAT"}', '{"type":"NEW_SCAN"}']) {
      const m = classifyFrame(raw, 0, true);
      expect(typeof m === 'object' && m.kind === 'other').toBe(true);
    }
    expect(classifyFrame('[1]', 0, true)).toBe('not-object');
  });
});

describe('classifyFrame without keepValue (ndjson alone reads no values)', () => {
  it('classifies the same, and still parses the value on demand', () => {
    const kept = classifyFrame(call, 0, false);
    const dropped = classifyFrame(call, 0, false, false, false);
    expect(typeof dropped).toBe('object');
    if (typeof dropped === 'object' && typeof kept === 'object') {
      expect(dropped.raw).toBe(call);
      expect(dropped.kind).toBe('call');
      expect(kept.kind).toBe('call');
      if (dropped.kind === 'call' && kept.kind === 'call') {
        expect(dropped.message).toEqual(kept.message);
        expect(dropped.tokenAddress).toBe('So11111111111111111111111111111111111111112');
      }
    }
    for (const raw of ['nope', '[1]', '{"type":"NEW_SCAN"}', '{"type":"X"}']) {
      expect(classifyFrame(raw, 0, false, false, false)).toBe(classifyFrame(raw, 0, false));
    }
  });
});

describe('field readers', () => {
  it('render what is there, whatever its type', () => {
    expect(text('a')).toBe('a');
    expect(text(12)).toBe('12');
    expect(text({})).toBeUndefined();
    expect(num(5)).toBe(5);
    expect(num('500000')).toBe(500000);
    expect(num('lots')).toBeUndefined();
    expect(num(null)).toBeUndefined();
    expect(num(Infinity)).toBeUndefined();
  });
});
