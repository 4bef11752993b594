import { describe, expect, it } from 'vitest';
import { retimeCall } from '../../src/server/retime.js';

const NOW = Date.UTC(2026, 11, 6, 9, 30, 15, 789);
const NOW_S = Math.floor(NOW / 1000);

describe('retimeCall', () => {
  it('replaces the value of data.timestamp alone, every other byte as captured', () => {
    const text = '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600,"supply":12345678901234567890,"x":{"timestamp":5}}}';
    expect(retimeCall(text, NOW)).toBe(text.replace('1735689600', String(NOW_S)));
  });

  it('keeps layout, unicode and key order; finds the timestamp wherever it is in data', () => {
    const text = '{ "data" : { "token_name" : "Pépé 🐸", "timestamp" :\t1735689600 , "token_address" : "A1" }, "type" : "NEW_SCAN" }';
    expect(retimeCall(text, NOW)).toBe(text.replace('1735689600', String(NOW_S)));
  });

  it('writes the unit the capture used: milliseconds stay milliseconds, a numeric string stays a string', () => {
    const ms = '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600123}}';
    expect(retimeCall(ms, NOW)).toBe(ms.replace('1735689600123', String(NOW)));
    const str = '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":"1735689600"}}';
    expect(retimeCall(str, NOW)).toBe(str.replace('"1735689600"', `"${NOW_S}"`));
    const float = '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1.7356896e9}}';
    expect(retimeCall(float, NOW)).toBe(float.replace('1.7356896e9', String(NOW_S)));
  });

  it('takes the last timestamp of the data object JSON.parse keeps', () => {
    const text = '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1,"timestamp":1735689600}}';
    const out = retimeCall(text, NOW);
    expect(JSON.parse(out)).toEqual({ type: 'NEW_SCAN', data: { token_address: 'A1', timestamp: NOW_S } });
  });

  it('leaves alone what is not a call or has no usable timestamp', () => {
    for (const text of [
      '{"type":"PING","data":{"token_address":"A1","timestamp":1735689600}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A1"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":null}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":"soon"}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":{"s":1}}}',
      '{"type":"NEW_SCAN","timestamp":1735689600,"data":{"token_address":"A1"}}',
      'not json',
    ]) {
      expect(retimeCall(text, NOW)).toBe(text);
    }
  });
});
