import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { pino, type Logger } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { tmpdirs } from '../support/tmp.js';
import { RexiLiveError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { startFeedServer } from '../../src/server/feed-server.js';
import { openReplay, parseReplayLine } from '../../src/server/replay.js';

const tmpdir = tmpdirs('rexi-replay-');
let dir: string;
beforeEach(() => {
  dir = tmpdir();
});

const capture = async (name: string, lines: string[]): Promise<string> => {
  const file = join(dir, name);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
};

/** A logger whose records the test can read. */
function recordingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

/** The messages with their arrival times (ms after the first), at most `max` of them. */
async function timed(play: AsyncGenerator<string>, max = Infinity): Promise<Array<{ text: string; at: number }>> {
  const out: Array<{ text: string; at: number }> = [];
  let first: number | undefined;
  for await (const text of play) {
    const now = performance.now();
    first ??= now;
    out.push({ text, at: now - first });
    if (out.length >= max) break;
  }
  return out;
}

const scan = (address: string, timestamp: number, extra = ''): string =>
  `{"type":"NEW_SCAN","data":{"token_address":"${address}","timestamp":${timestamp}${extra}}}`;

/** A capture line read as serve --replay reads it, from its bytes; blank lines are not asked about here. */
function replayLine(text: string): ReplayLine | undefined {
  const line = parseReplayLine(Buffer.from(text));
  if (line === 'blank') throw new Error('blank line');
  return line;
}

describe('parseReplayLine', () => {
  it('strips a trailing received_at textually and keeps big integers as written', () => {
    const line = '{"type":"NEW_SCAN","data":{"token_address":"A","big":12345678901234567890,"p":1.50},"received_at":"2025-01-01T00:00:00.250Z"}';
    expect(replayLine(line)).toEqual({
      text: '{"type":"NEW_SCAN","data":{"token_address":"A","big":12345678901234567890,"p":1.50}}',
      receivedAtMs: Date.UTC(2025, 0, 1, 0, 0, 0, 250),
      timestampMs: undefined,
    });
  });

  it('copes with spacing, strips received_at wherever it stands at the top level, and reads data.timestamp', () => {
    expect(replayLine('{ "type": "X", "data": {"timestamp": 10} , "received_at" : "2025-01-01T00:00:00Z" } ')?.text).toBe(
      '{ "type": "X", "data": {"timestamp": 10} } ',
    );
    // Not last (jq -S sorts keys): still the annotation, still taken off.
    expect(replayLine('{"received_at":"2025-01-01T00:00:00Z","type":"X"}')?.text).toBe('{"type":"X"}');
    expect(replayLine('{"a":1,"received_at":"2025-01-01T00:00:00Z","type":"X"}')?.text).toBe('{"a":1,"type":"X"}');
    // Nested as well as at the top: only the top-level one is the annotation.
    expect(replayLine('{"data":{"received_at":"x"},"received_at":"2025-01-01T00:00:00Z","type":"X"}')?.text).toBe(
      '{"data":{"received_at":"x"},"type":"X"}',
    );
    // Not an ISO-8601 time: data, not an annotation.
    expect(replayLine('{"type":"X","received_at":"5"}')?.text).toBe('{"type":"X","received_at":"5"}');
    // A string that merely contains the key is data, not the field.
    const inString = '{"type":"X","data":{"note":",\\"received_at\\":\\"x\\"}"}}';
    expect(replayLine(inString)?.text).toBe(inString);
    expect(replayLine(scan('A', 1700000000))?.timestampMs).toBe(1700000000 * 1000);
    expect(replayLine('{"type":"X","data":{"timestamp":"1700000000"}}')?.timestampMs).toBe(1700000000 * 1000);
  });

  it('rejects lines that are not JSON objects', () => {
    for (const bad of ['not json', '[1,2]', '42', 'null', '"text"', '{"type":']) expect(replayLine(bad)).toBeUndefined();
    expect(parseReplayLine(Buffer.from(' \t'))).toBe('blank');
  });
});

describe('openReplay', () => {
  it('fails with a usage error naming --replay and the path when the file is missing', async () => {
    const file = join(dir, 'missing.ndjson');
    const err = await openReplay({ file, speed: 1, loop: false, logger: silentLogger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RexiLiveError);
    expect((err as RexiLiveError).code).toBe('REXI_BAD_OPTION');
    expect((err as RexiLiveError).message).toContain('--replay');
    expect((err as RexiLiveError).message).toContain(file);
  });

  it('fails with a usage error for a directory', async () => {
    await expect(openReplay({ file: dir, speed: 1, loop: false, logger: silentLogger() })).rejects.toMatchObject({
      code: 'REXI_BAD_OPTION',
      message: expect.stringContaining(dir),
    });
  });

  it('plays a gzip capture (several members, as appending to a .gz makes) as it plays a plain one', async () => {
    const file = join(dir, 'packed.ndjson.gz');
    await writeFile(file, Buffer.concat([gzipSync(scan('A', 1000) + '\n'), gzipSync(scan('B', 1000) + '\n' + scan('C', 1000) + '\n')]));
    const replay = await openReplay({ file, speed: 1, loop: false, logger: silentLogger() });
    expect((await timed(replay.play())).map((m) => m.text)).toEqual([scan('A', 1000), scan('B', 1000), scan('C', 1000)]);
    expect(replay.stats).toEqual({ messages: 3, skipped: 0 });
  });

  it('keeps the order and the data.timestamp spacing, divided by speed', async () => {
    const file = await capture('ts.ndjson', [scan('A', 1000), scan('B', 1001), scan('C', 1003), scan('D', 1003)]);
    const replay = await openReplay({ file, speed: 10, loop: false, logger: silentLogger() });
    const got = await timed(replay.play());
    expect(got.map((m) => m.text)).toEqual([scan('A', 1000), scan('B', 1001), scan('C', 1003), scan('D', 1003)]);
    // Due 1 s / 10 and 3 s / 10 after the first; a late first message (a busy machine) may
    // shorten what follows a little, as the schedule does not drift.
    const [, b, c, d] = got.map((m) => m.at);
    expect(b).toBeGreaterThanOrEqual(50);
    expect(b).toBeLessThan(220);
    expect(c).toBeGreaterThanOrEqual(250);
    expect(c).toBeLessThan(420);
    expect(d! - c!).toBeLessThan(30); // same second: at once
    expect(replay.stats).toEqual({ messages: 4, skipped: 0 });
  }, 5000);

  it('prefers received_at over data.timestamp for spacing, and strips it from what is sent', async () => {
    const at = (ms: number): string => `,"received_at":"${new Date(Date.UTC(2025, 0, 1) + ms).toISOString()}"`;
    const lines = [
      scan('A', 1000, ',"big":12345678901234567890').slice(0, -1) + at(0) + '}',
      scan('B', 1060).slice(0, -1) + at(100) + '}',
      scan('C', 1000).slice(0, -1) + at(300) + '}',
    ];
    const file = await capture('received-at.ndjson', lines);
    const replay = await openReplay({ file, speed: 1, loop: false, logger: silentLogger() });
    const got = await timed(replay.play());
    expect(got.map((m) => m.text)).toEqual([scan('A', 1000, ',"big":12345678901234567890'), scan('B', 1060), scan('C', 1000)]);
    expect(got[1]!.at).toBeGreaterThanOrEqual(50);
    expect(got[1]!.at).toBeLessThan(200);
    expect(got[2]!.at).toBeGreaterThanOrEqual(250);
    expect(got[2]!.at).toBeLessThan(420);
  }, 5000);

  it('ignores blank lines, skips and counts lines that are not JSON objects with a warning', async () => {
    const file = join(dir, 'mixed.ndjson');
    await writeFile(file, `\uFEFF${scan('A', 1)}\r\n\r\n   \nnot json\n[1,2]\n${scan('B', 1)}\r\n`);
    const { logger, records } = recordingLogger();
    const replay = await openReplay({ file, speed: 1, loop: false, logger });
    const got = await timed(replay.play());
    expect(got.map((m) => m.text)).toEqual([scan('A', 1), scan('B', 1)]);
    expect(replay.stats).toEqual({ messages: 2, skipped: 2 });
    const warnings = records.filter((r) => r.level === 40);
    expect(warnings.map((w) => w.line)).toEqual([4, 5]);
    expect(warnings.every((w) => w.file === file)).toBe(true);
  }, 5000);

  it('loops back to the first line when asked', async () => {
    const file = await capture('loop.ndjson', [scan('A', 1), scan('B', 2)]);
    const replay = await openReplay({ file, speed: 100, loop: true, logger: silentLogger() });
    const got = await timed(replay.play(), 5);
    expect(got.map((m) => JSON.parse(m.text).data.token_address)).toEqual(['A', 'B', 'A', 'B', 'A']);
    // The loop restarts with the file's own spacing (1 s / 100), neither a burst nor a stall. Lines
    // are due on one timeline from the start (a late line does not push the rest back), so the
    // bound that holds on a loaded machine is from the first line: A 0, B 10, A 20 ms.
    expect(got[2]!.at - got[0]!.at).toBeGreaterThanOrEqual(18);
    expect(got[2]!.at - got[1]!.at).toBeLessThan(500); // the default loop gap is 1 s
  }, 5000);

  it('ends instead of spinning when a looped file holds no messages', async () => {
    const file = await capture('empty.ndjson', ['', 'junk']);
    const replay = await openReplay({ file, speed: 1, loop: true, logger: silentLogger() });
    expect(await timed(replay.play())).toEqual([]);
  }, 5000);

  it('stops promptly when aborted during a long gap', async () => {
    const file = await capture('gap.ndjson', [scan('A', 0), scan('B', 3600)]);
    const replay = await openReplay({ file, speed: 1, loop: false, logger: silentLogger() });
    const abort = new AbortController();
    const play = replay.play(abort.signal);
    expect((await play.next()).value).toBe(scan('A', 0));
    const pending = play.next();
    setTimeout(() => abort.abort(), 20);
    expect(await pending).toEqual({ done: true, value: undefined });
  }, 2000);

  it('the feed refuses a speed that is not above 0, before it listens', async () => {
    const file = await capture('one.ndjson', [scan('A', 0)]);
    const replay = { file, speed: 0, loop: false };
    await expect(startFeedServer({ host: '127.0.0.1', port: 0, keys: [], rate: 0, replay, logger: silentLogger() })).rejects.toMatchObject({ code: 'REXI_BAD_OPTION' });
  });
});
