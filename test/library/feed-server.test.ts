import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// The package's own entry, as a bot developer imports it (package.json "exports" → dist/).
import { createFeedServer, liveCalls, type FeedServer } from 'rexi-live';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-lib-feed-');
const servers: FeedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('createFeedServer', () => {
  it('retime: a looped replay gives each call the current time', async () => {
    const file = join(tmpdir(), 'capture.ndjson');
    writeFileSync(file, '{"type":"NEW_SCAN","data":{"token_address":"A1","timestamp":1735689600}}\n');
    const feed = await createFeedServer({ replay: file, loop: true, speed: 50, retime: true });
    servers.push(feed);
    const before = Date.now() - 1000;
    const stamps: (number | undefined)[] = [];
    for await (const call of liveCalls({ url: feed.url, apiKey: 'test' })) if (stamps.push(call.timestampMs) === 3) break;
    for (const ms of stamps) {
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now());
    }
  }, 10_000);

  it('retime without replay is a bad option', async () => {
    await expect(createFeedServer({ retime: true })).rejects.toMatchObject({ code: 'REXI_BAD_OPTION', message: expect.stringMatching(/retime/) });
  });

  it('a feed where tokens are called again by other callers', async () => {
    const feed = await createFeedServer({ rate: 500, seed: 4 });
    servers.push(feed);
    const callers = new Map<string, Set<string>>();
    for await (const call of liveCalls({ url: feed.url, apiKey: 'test' })) {
      const seen = callers.get(call.tokenAddress) ?? new Set<string>();
      callers.set(call.tokenAddress, seen.add(call.caller.id!));
      if (seen.size >= 2) break;
    }
    expect(Math.max(...[...callers.values()].map((s) => s.size))).toBe(2);
  }, 15_000);
});
