import { describe, expect, it } from 'vitest';
import { classifyBytes, classifyFrame, type Call, type OtherMessage } from '../../src/wire/calls.js';
import { createNdjsonBatchRenderer, createNdjsonRenderer } from '../../src/render/ndjson.js';
import { HOSTILE } from '../support/hostile.js';

const AT = Date.UTC(2026, 11, 1, 7, 49, 29, 123);

/** Frames the byte path must write exactly as the text path does. */
const FRAMES: string[] = [
  '{"type":"NEW_SCAN","data":{"token_address":"A","n":12345678901234567890,"f":1.50}}',
  '{"type": "NEW_SCAN", "data": {"token_address": "B"}}',
  '{\n  "type": "NEW_SCAN",\n  "data": {"token_address": "C", "name": "a b"}\n}',
  '{"type":"NEW_SCAN","data":{"token_address":"D","name":"Ünïcödé 🐸 猫"}}',
  '{"type":"NEW_SCAN","data":{"token_address":"E"},"received_at":"data, not ours"}',
  '{"type":"NEW\\u005fSCAN","data":{"token_address":"F\\u0041"}}',
  '{"type":"HEARTBEAT","data":{}}',
  ...Object.values(HOSTILE).map((s) => JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 'H', token_name: s, caller: { name: s } } })),
];

function fromBytes(raw: string): Call | OtherMessage {
  const m = classifyBytes(Buffer.from(raw), AT, true);
  if (typeof m === 'string') throw new Error(`skipped: ${m}`);
  return m;
}

function fromText(raw: string): Call | OtherMessage {
  const m = classifyFrame(raw, AT, true);
  if (typeof m === 'string') throw new Error(`skipped: ${m}`);
  return m;
}

describe('ndjson from the frames own bytes', () => {
  it.each([false, true])('writes exactly what the text path writes (--received-at %s)', (receivedAt) => {
    const bytes = createNdjsonBatchRenderer({ receivedAt });
    const text = createNdjsonRenderer({ receivedAt });
    const batch = FRAMES.map(fromBytes);
    const expected = FRAMES.map(fromText).map(text).join('');
    expect(bytes(batch).toString()).toBe(expected);
    // Each line is JSON-equal to its frame (received_at aside).
    const lines = expected.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    lines.forEach((l, i) => {
      if (receivedAt) expect(l.received_at).toBe(new Date(AT).toISOString());
      const { received_at: _, ...rest } = l;
      const { received_at: __, ...sent } = JSON.parse(FRAMES[i]!) as Record<string, unknown>;
      expect(rest).toEqual(sent);
    });
  });

  it('a compact frame with nothing to escape is written as its own bytes, without decoding it', () => {
    const raw = '{"type":"NEW_SCAN","data":{"token_address":"A","n":12345678901234567890}}';
    const call = fromBytes(raw) as Call;
    expect(call.lineBytes?.toString()).toBe(raw);
    expect(createNdjsonBatchRenderer({ receivedAt: false })([call]).toString()).toBe(`${raw}\n`);
    // Loose or unsafe frames are not their own line.
    expect((fromBytes('{"type":"NEW_SCAN", "data":{"token_address":"A"}}') as Call).lineBytes).toBeUndefined();
    expect((fromBytes('{"type":"NEW_SCAN","data":{"token_address":"A\u202e"}}') as Call).lineBytes).toBeUndefined();
  });
});
