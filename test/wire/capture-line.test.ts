import { describe, expect, it } from 'vitest';
import { parseCaptureLine } from '../../src/wire/capture-line.js';

describe('parseCaptureLine', () => {
  it('takes received_at off wherever it is at the top level, keeping the rest byte for byte', () => {
    const at = '2026-01-01T00:00:00.000Z';
    for (const [line, raw] of [
      [`{"type":"NEW_SCAN","data":{"token_address":"A"},"received_at":"${at}"}`, '{"type":"NEW_SCAN","data":{"token_address":"A"}}'],
      [`{"received_at":"${at}","type":"NEW_SCAN","data":{"token_address":"A"}}`, '{"type":"NEW_SCAN","data":{"token_address":"A"}}'],
      [`{"type":"NEW_SCAN","received_at":"${at}","data":{"token_address":"A"}}`, '{"type":"NEW_SCAN","data":{"token_address":"A"}}'],
    ]) {
      const parsed = parseCaptureLine(line!, false);
      if (typeof parsed === 'string') return expect.unreachable(parsed);
      expect(parsed.receivedAt).toBe(Date.parse(at));
      expect(parsed.message.raw).toBe(raw);
      expect(parsed.message.kind === 'call' ? parsed.message.message : parsed.message.value).not.toHaveProperty('received_at');
    }
  });
});
