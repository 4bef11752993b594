import { expect, it } from 'vitest';
// The package's own entry, as a bot developer imports it.
import { AuthRejectedError, GaveUpError, RexiLiveError, liveCalls, type Call, type Status } from 'rexi-live';
import { addStream, manager, publishRaw } from '../support/nats-client.js';
import { describeNats, freePort, natsServers } from '../support/nats-server.js';
import { take } from '../support/take.js';
import { waitFor } from '../support/wait.js';

const nats = natsServers('each');
const fast = { backoffMinMs: 20, backoffMaxMs: 100 };

const body = (i: number, platform = 'telegram'): string =>
  `{"type":"NEW_SCAN","data":{"token_address":"T${i}","token_symbol":"S${i}","timestamp":1700000000,"caller":{"id":"c${i}","name":"Caller ${i}","platform":"${platform}"},"price_data":{"market_cap":${i * 1000}}}}`;
const items = (from: number, to: number, platform = 'telegram') =>
  Array.from({ length: to - from + 1 }, (_, k) => ({ subject: `rexi.calls.${platform}`, body: body(from + k, platform) }));

async function consumers(url: string, stream: string): Promise<number> {
  const jsm = await manager(url);
  let n = 0;
  for await (const _ of jsm.consumers.list(stream)) n++;
  return n;
}

describeNats('liveCalls on a nats:// URL', () => {
  it('typed calls from the stream, the filters, statuses; break closes the consumer', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, [...items(1, 3), ...items(4, 5, 'discord'), { subject: 'rexi.calls.signals', body: '{"type":"MULTI_CALL","data":{"token_address":"T1"}}' }]);
    const statuses: Status[] = [];
    const calls = liveCalls({ url: server.url, startSeq: 2, platform: ['telegram'], minMcap: 2500, onStatus: (s) => statuses.push(s), ...fast });
    const got = await take(calls, 1);
    expect(got[0]).toMatchObject({ tokenAddress: 'T3', tokenSymbol: 'S3', marketCap: 3000, caller: { id: 'c3', name: 'Caller 3', platform: 'telegram' }, raw: body(3) });
    expect(statuses[0]).toMatchObject({ type: 'connected', url: server.url });
    // Leaving the loop closed the connection and removed its consumer.
    expect(await consumers(server.url, 'CALLS')).toBe(0);
  });

  it('new calls by default; an abort ends the loop', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, items(1, 2));
    const stop = new AbortController();
    const statuses: Status[] = [];
    const got: string[] = [];
    const loop = (async () => {
      for await (const call of liveCalls({ url: `${server.url}/rexi.calls.>`, signal: stop.signal, onStatus: (s) => statuses.push(s), ...fast })) {
        got.push(call.tokenAddress);
        if (got.length === 3) stop.abort();
      }
    })();
    await waitFor(() => statuses.length > 0, 'the first status');
    await new Promise((r) => setTimeout(r, 100));
    await publishRaw(server.url, items(3, 10));
    await loop;
    expect(got).toEqual(['T3', 'T4', 'T5']);
    expect(await consumers(server.url, 'CALLS')).toBe(0);
  });

  it('a loop that does not pull holds the stream: at most two pulls are read ahead', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, items(1, 1500));
    for await (const call of liveCalls({ url: server.url, startSeq: 1, ...fast })) {
      expect(call.tokenAddress).toBe('T1');
      // The consumer's position settles: one batch being yielded, one pull queued behind it.
      const jsm = await manager(server.url);
      let delivered = -1;
      for (let last = -2; delivered !== last; await new Promise((r) => setTimeout(r, 200))) {
        last = delivered;
        for await (const ci of jsm.consumers.list('CALLS')) delivered = ci.delivered.stream_seq;
      }
      expect(delivered).toBeLessThanOrEqual(2 * 256);
      break;
    }
  });

  it('a durable resumes after the last call the loop asked past', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, items(1, 8));
    const first = await take(liveCalls({ url: server.url, durable: 'bot', startSeq: 1, ...fast }), 3);
    expect(first.map((c) => c.tokenAddress)).toEqual(['T1', 'T2', 'T3']);
    // It left on T3: T3 comes again, nothing before it.
    const second = await take(liveCalls({ url: server.url, durable: 'bot', ...fast }), 3);
    expect(second.map((c) => c.tokenAddress)).toEqual(['T3', 'T4', 'T5']);
  });

  it('a break out of a durable loop returns at once, not when its pull expires; the next reader gets the rest, none lost', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, items(1, 20));
    const first: string[] = [];
    const calls = liveCalls({ url: server.url, durable: 'bot', startSeq: 1, ...fast });
    const it = calls[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) first.push((await it.next()).value!.tokenAddress);
    // The 20 calls came in one pull and a second pull now waits on the server for 2 s: a return()
    // that waited for it took those 2 s; one that ends it at once is done in a round trip.
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await it.return!(undefined);
    const returnMs = performance.now() - t0;
    expect(first).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect(returnMs).toBeLessThan(1000);
    // Stored while the ended pull would still be waiting: delivered to it, they would come back only
    // after the ack wait (30 s), and the reader below would not see them in time.
    await publishRaw(server.url, items(21, 25));
    // It left on T5: T5 comes again (not acknowledged), then everything after it, in order, at once.
    const second = await take(liveCalls({ url: server.url, durable: 'bot', ...fast }), 21);
    expect(second.map((c) => c.tokenAddress)).toEqual(Array.from({ length: 21 }, (_, k) => `T${k + 5}`));
    const jsm = await manager(server.url);
    const ci = await jsm.consumers.info('CALLS', 'bot');
    expect(ci.num_pending).toBe(0);
  });

  it('bad options throw at once; rejected credentials and an unreachable server are typed errors', async () => {
    const bad = (o: Parameters<typeof liveCalls>[0]) => {
      try {
        liveCalls(o);
      } catch (e) {
        expect(e).toBeInstanceOf(RexiLiveError);
        return (e as RexiLiveError).code;
      }
      return 'no error';
    };
    expect(bad({ url: 'nats://h/a.>.b' })).toBe('REXI_BAD_OPTION');
    expect(bad({ url: 'nats://u:p@nats.example.com' })).toBe('REXI_BAD_OPTION');
    expect(bad({ url: 'nats://h', since: 1, startSeq: 2 })).toBe('REXI_BAD_OPTION');
    expect(bad({ url: 'nats://h', durable: 'a.b' })).toBe('REXI_BAD_OPTION');
    expect(bad({ url: 'ws://127.0.0.1:1/x', durable: 'bot' })).toBe('REXI_BAD_OPTION');

    const secured = await nats.start({ user: 'bot', password: 'right' });
    const rejected = await take(liveCalls({ url: `nats://bot:wrong@${secured.hostPort}`, ...fast }), 1).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(AuthRejectedError);
    expect((rejected as Error).message).not.toContain('wrong');
    const port = await freePort();
    const gone = await take(liveCalls({ url: `nats://127.0.0.1:${port}`, maxRetries: 1, ...fast }), 1).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GaveUpError);
    expect((gone as GaveUpError).attempts).toBe(2);
  });
});
