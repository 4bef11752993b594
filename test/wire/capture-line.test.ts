import { describe, expect, it } from 'vitest';
import { captureLines, parseCaptureLine, type CaptureLine } from '../../src/wire/capture-line.js';

/** The lines of a capture fed in the given chunks. */
async function lines(chunks: (string | Buffer)[], maxLength = 1 << 20): Promise<CaptureLine[]> {
  const out: CaptureLine[] = [];
  for await (const line of captureLines(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)), maxLength)) out.push(line);
  return out;
}

describe('captureLines', () => {
  it('splits on \\n, drops a \\r before it, keeps a last line without a newline', async () => {
    expect(await lines(['a\r\nb\n', 'c'])).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: 'b' },
      { lineNo: 3, text: 'c' },
    ]);
  });

  it('joins a line split across chunks, and a UTF-8 character split across chunks', async () => {
    const euro = Buffer.from('\u20ac');
    expect(await lines([Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)]), Buffer.concat([euro.subarray(1), Buffer.from('y\n')])])).toEqual([{ lineNo: 1, text: 'x\u20acy' }]);
  });

  it('drops a BOM before line 1 only', async () => {
    expect(await lines(['\uFEFFa\n\uFEFFb\n'])).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: '\uFEFFb' },
    ]);
  });

  it('a line longer than maxLength is reported without its text, even when it arrives in one chunk', async () => {
    expect(await lines(['a\n' + 'x'.repeat(50) + '\nb\n'], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
      { lineNo: 3, text: 'b' },
    ]);
  });

  it('a line longer than maxLength is reported without its text when split across chunks', async () => {
    // Over the limit at the end of a chunk.
    expect(await lines(['a\n' + 'x'.repeat(30), 'x'.repeat(30) + '\nb\n'], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
      { lineNo: 3, text: 'b' },
    ]);
    // Under the limit in each chunk, over it in all.
    expect(await lines(['a\n' + 'x'.repeat(8), 'x'.repeat(8) + '\nb\n'], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
      { lineNo: 3, text: 'b' },
    ]);
  });

  it('a line of exactly maxLength is kept', async () => {
    expect(await lines(['x'.repeat(10) + '\n'], 10)).toEqual([{ lineNo: 1, text: 'x'.repeat(10) }]);
  });

  it('maxLength counts bytes, as --max-message-size does for a frame', async () => {
    // Four characters, twelve bytes.
    expect(await lines(['\u20ac'.repeat(4) + '\n' + '\u20ac'.repeat(3) + '\n'], 10)).toEqual([
      { lineNo: 1, text: undefined, skip: 'too-large' },
      { lineNo: 2, text: '\u20ac'.repeat(3) },
    ]);
  });

  it('a line too long at the end of the input, without a newline, is reported', async () => {
    expect(await lines(['a\n' + 'x'.repeat(8), 'x'.repeat(8)], 10)).toEqual([
      { lineNo: 1, text: 'a' },
      { lineNo: 2, text: undefined, skip: 'too-large' },
    ]);
  });

  it('a line that is not valid UTF-8 is skipped as not-json, never decoded with U+FFFD; the lines around it are kept', async () => {
    const bad = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const truncated = Buffer.from('\u20ac').subarray(0, 2); // a character cut short
    const got = await lines([Buffer.concat([Buffer.from('one\n'), bad, Buffer.from('\ntwo\n'), truncated, Buffer.from('\n\uFFFD is fine\n')])]);
    expect(got).toEqual([
      { lineNo: 1, text: 'one' },
      { lineNo: 2, text: undefined, skip: 'not-json' },
      { lineNo: 3, text: 'two' },
      { lineNo: 4, text: undefined, skip: 'not-json' },
      { lineNo: 5, text: '\uFFFD is fine' },
    ]);
    // Split across reads, and as the last line without a newline.
    expect(await lines([Buffer.from('one\n'), bad.subarray(0, 7), Buffer.concat([bad.subarray(7), Buffer.from('\n')]), bad])).toEqual([
      { lineNo: 1, text: 'one' },
      { lineNo: 2, text: undefined, skip: 'not-json' },
      { lineNo: 3, text: undefined, skip: 'not-json' },
    ]);
  });
});

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
