import { describe, expect, it } from 'vitest';
import { captureByteChunks, classifyCaptureBytes } from '../../src/wire/capture-bytes.js';
import { captureChunks, parseCaptureLine } from '../../src/wire/capture-line.js';

/**
 * The byte path of replay gives what the text path gives, line by line: the same skip, the same
 * message text, the same capture time. Each line is tried both ways.
 */

const NOW = Date.UTC(2026, 11, 6);
const call = '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1796110800,"caller":{"name":"Alice","platform":"telegram"}}';
const lines: string[] = [
  `${call},"received_at":"2026-12-01T07:40:00.123Z"}`,
  `${call}}`,
  `${call},"received_at":"2026-12-01T07:40:00Z"}`,
  `${call},"received_at":"2026-12-01T09:40:00.123+02:00"}`,
  `${call},"received_at":"2026-02-30T07:40:00.000Z"}`,
  `${call},"received_at":"2024-02-29T23:59:59.999Z"}`,
  `${call},"received_at":"yesterday"}`,
  `${call},"received_at":1796110800000}`,
  `{"received_at":"2026-12-01T07:40:00.123Z",${call.slice(1)}}`,
  `${call.slice(0, -1)},"x":{"received_at":"2026-12-01T07:40:00.123Z"}},"received_at":"2026-12-01T07:40:00.123Z"}`,
  `${call},"received_at":"2026-12-01T07:40:00.123Z","received_at":"2026-12-01T07:40:00.123Z"}`,
  `{ "type" : "NEW_SCAN", "data" : { "token_address" : "TokB" } , "received_at":"2026-12-01T07:40:00.123Z"}`,
  `{"type":"OTHER","received_at":"2026-12-01T07:40:00.123Z"}`,
  `{,"received_at":"2026-12-01T07:40:00.123Z"}`,
  `{"type":"NEW_SCAN","data":{"token_address":"Tök"},"received_at":"2026-12-01T07:40:00.123Z"}`,
  `{"type":"NEW_SCAN","data":{"token_address":"T\\u00f6k","caller":{"name":"a\\"b"}},"received_at":"2026-12-01T07:40:00.123Z"}`,
  `{"type":"NEW_SCAN","data":{"token_address":"TokA","bad":"x\\",\\"received_at\\":\\"2026-12-01T07:40:00.123Z"},"received_at":"2026-12-01T07:40:00.123Z"}`,
  `[1,2]`,
  `not json`,
  `{"type":"NEW_SCAN","data":{"token_address":"TokA"}`,
  `{"type":"NEW_SCAN","data":{"token_address":5},"received_at":"2026-12-01T07:40:00.123Z"}`,
  `  ${call},"received_at":"2026-12-01T07:40:00.123Z"}  `,
];

describe('classifyCaptureBytes', () => {
  for (const allTypes of [false, true]) {
    for (const [i, text] of lines.entries()) {
      it(`line ${i}${allTypes ? ' (--all-types)' : ''}: as the text path`, () => {
        const expected = parseCaptureLine(text, allTypes, NOW);
        const got = classifyCaptureBytes(Buffer.from(text), allTypes, NOW);
        if (typeof expected === 'string') {
          expect(got).toBe(expected);
          return;
        }
        expect(typeof got).toBe('object');
        if (typeof got !== 'object') return;
        expect(got.receivedAt).toBe(expected.receivedAt);
        expect(got.message.kind).toBe(expected.message.kind);
        expect(got.message.raw).toBe(expected.message.raw);
        expect(got.message.receivedAt).toBe(expected.message.receivedAt);
      });
    }
  }

  it('a line of whitespace only is blank, as trim() has it', () => {
    expect(classifyCaptureBytes(Buffer.from('   \t'), false, NOW)).toBe('blank');
    expect(classifyCaptureBytes(Buffer.from(' \u00a0 '), false, NOW)).toBe('blank');
  });
});

async function* chunksOf(text: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.subarray(i, i + size));
}

describe('captureByteChunks', () => {
  it('cuts the same lines as the text path, whatever the reads: BOM, CRLF, too large, not UTF-8', async () => {
    const parts = [Buffer.from('\uFEFF{"a":1}\r\n{"b":2}\n'), Buffer.from('x'.repeat(50) + '\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from('{"c":"é"}\n\n{"d":4}')];
    const text = Buffer.concat(parts);
    const expected: string[] = [];
    for await (const lines of captureChunks(chunksOf(text, 1 << 20), 40)) for (const l of lines) expected.push(l.text ?? l.skip);
    for (const size of [1, 3, 7, 64, 1 << 20]) {
      const got: string[] = [];
      for await (const lines of captureByteChunks(chunksOf(text, size), 40)) for (const l of lines) got.push(typeof l === 'string' ? l : l.toString());
      expect(got).toEqual(expected);
    }
  });
});
