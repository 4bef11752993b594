import { describe, expect, it } from 'vitest';
import { captureByteChunks, classifyCaptureBytes } from '../../src/wire/capture-bytes.js';
import { parseCaptureLine } from '../../src/wire/capture-line.js';

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

/** A capture's lines, fed in the given chunks: each with its number, its text or why it is skipped. */
type Line = { lineNo: number; text: string } | { lineNo: number; text: undefined; skip: 'too-large' | 'not-json' };
async function linesOf(chunks: (string | Buffer)[], maxLength = 1 << 20): Promise<Line[]> {
  const out: Line[] = [];
  async function* reads(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c;
  }
  for await (const batch of captureByteChunks(reads(), maxLength)) {
    for (const l of batch) out.push(typeof l === 'string' ? { lineNo: out.length + 1, text: undefined, skip: l } : { lineNo: out.length + 1, text: l.toString() });
  }
  return out;
}

describe('captureByteChunks', () => {
  it('splits on \\n, drops a \\r before it, keeps a last line without a newline', async () => {
    expect(await linesOf(['a\r\nb\n', 'c'])).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: 'b' },
      { lineNo: 3, text: 'c' },
    ]);
  });

  it('joins a line split across chunks, and a UTF-8 character split across chunks', async () => {
    const euro = Buffer.from('\u20ac');
    expect(await linesOf([Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from('y\n')])])).toEqual([{ lineNo: 1, text: 'x\u20acy' }]);
  });

  it('drops a BOM before line 1 only', async () => {
    expect(await linesOf(['\uFEFFa\n\uFEFFb\n'])).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: '\uFEFFb' },
    ]);
  });

  it('a line longer than maxLength is reported without its text, even when it arrives in one chunk', async () => {
    expect(await linesOf(['a\n' + 'x'.repeat(50) + '\nb\n'], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
      { lineNo: 3, text: 'b' },
    ]);
  });

  it('a line longer than maxLength is reported without its text when split across chunks', async () => {
    // Over the limit at the end of a chunk.
    expect(await linesOf(['a\n' + 'x'.repeat(30), 'x'.repeat(30) + '\nb\n'], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
      { lineNo: 3, text: 'b' },
    ]);
    // Under the limit in each chunk, over it in all.
    expect(await linesOf(['a\n' + 'x'.repeat(8), 'x'.repeat(8) + '\nb\n'], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
      { lineNo: 3, text: 'b' },
    ]);
  });

  it('a line of exactly maxLength is kept', async () => {
    expect(await linesOf(['x'.repeat(10) + '\n'], 10)).toEqual([{ lineNo: 1, text: 'x'.repeat(10) }]);
  });

  it('maxLength counts bytes, as --max-message-size does for a frame', async () => {
    // Four characters, twelve bytes.
    expect(await linesOf(['\u20ac'.repeat(4) + '\n' + '\u20ac'.repeat(3) + '\n'], 10)).toEqual([
      { lineNo: 1, text: undefined, skip: 'too-large' },
      { lineNo: 2, text: '\u20ac'.repeat(3) },
    ]);
  });

  it('a line too long at the end of the input, without a newline, is reported', async () => {
    expect(await linesOf(['a\n' + 'x'.repeat(8), 'x'.repeat(8)], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
    ]);
  });

  it('a line that is not valid UTF-8 is skipped as not-json, never decoded with U+FFFD; the lines around it are kept', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const truncated = Buffer.from('\u20ac').subarray(0, 2); // a character cut short
    const got = await linesOf([Buffer.concat([Buffer.from('one\n'), bad, Buffer.from('\ntwo\n'), truncated, Buffer.from('\n\uFFFD is fine\n')])]);
    expect(got).toEqual([
      { lineNo: 1, text: 'one' },
      { lineNo: 2, text: undefined, skip: 'not-json' },
      { lineNo: 3, text: 'two' },
      { lineNo: 4, text: undefined, skip: 'not-json' },
      { lineNo: 5, text: '\uFFFD is fine' },
    ]);
    // Split across reads, and as the last line without a newline.
    expect(await linesOf([Buffer.from('one\n'), bad.subarray(0, 7), Buffer.concat([bad.subarray(7), Buffer.from('\n')]), bad])).toEqual([
      { lineNo: 1, text: 'one' },
      { lineNo: 2, text: undefined, skip: 'not-json' },
      { lineNo: 3, text: undefined, skip: 'not-json' },
    ]);
  });

  it('cuts the same lines whatever the reads: BOM, CRLF, too large, not UTF-8', async () => {
    const parts = [Buffer.from('\uFEFF{"a":1}\r\n{"b":2}\n'), Buffer.from('x'.repeat(50) + '\n'), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from('{"c":"é"}\n\n{"d":4}')];
    const text = Buffer.concat(parts);
    const expected = ['{"a":1}', '{"b":2}', 'too-large', 'not-json', '{"c":"é"}', '', '{"d":4}'];
    for (const size of [1, 3, 7, 64, 1 << 20]) {
      const got: string[] = [];
      for await (const lines of captureByteChunks(chunksOf(text, size), 40)) for (const l of lines) got.push(typeof l === 'string' ? l : l.toString());
      expect(got).toEqual(expected);
    }
  });
});
