import { expect, it } from 'vitest';
import { openJetStreamSource, type OpenSourceOptions, type JetStreamSource } from '../../src/sources/jetstream.js';
import { parseNatsUrl } from '../../src/nats/url.js';
import { DEFAULT_READ_SUBJECT } from '../../src/nats/subjects.js';
import type { Message } from '../../src/wire/message.js';
import { describeNats, natsServers } from '../support/nats-server.js';
import { addStream, fastPolicy, manager, publishRaw, readN, toMessage, tokenOf } from '../support/nats-client.js';

const nats = natsServers('each');

const body = (i: number, extra = ''): string => `{"type":"NEW_SCAN","data":{"token_address":"T${i}"${extra}}}`;
const items = (from: number, to: number, subject = 'rexi.calls.telegram'): Array<{ subject: string; body: string }> =>
  Array.from({ length: to - from + 1 }, (_, k) => ({ subject, body: body(from + k) }));
const tokens = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, k) => `T${from + k}`);

async function open(url: string, extra: Partial<OpenSourceOptions> = {}): Promise<{ source: JetStreamSource; warnings: string[] }> {
  const target = parseNatsUrl({ url, source: '--url', defaultSubject: DEFAULT_READ_SUBJECT });
  const opened = await openJetStreamSource({ target, policy: fastPolicy, subject: target.subject, mode: 'tail', toMessage, retry: { minMs: 50, maxMs: 300 }, ...extra });
  return { source: opened.source, warnings: opened.warnings };
}

/** Reads everything a replay yields, to its end. */
async function all(source: JetStreamSource): Promise<Message[]> {
  const got: Message[] = [];
  for await (const b of source) got.push(...b);
  return got;
}

describeNats('JetStream source', () => {
  it('tail starts with new messages; bodies, subjects and Rexi-Received-At come through', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, items(1, 3));
    const { source } = await open(server.url);
    const raw = '{ "type": "NEW_SCAN", "data": {"token_address":"T4", "n": 123456789012345678901234567890, "name": "Ünï 🚀"} }';
    await publishRaw(server.url, [
      { subject: 'rexi.calls.discord', body: raw, headers: { 'Rexi-Received-At': '2026-12-01T07:49:29.123Z' } },
      ...items(5, 6),
    ]);
    const got = await readN(source, 3);
    await source.close();
    expect(got.map(tokenOf)).toEqual(['T4', 'T5', 'T6']);
    expect(got[0]!.raw).toBe(raw);
    expect(got[0]!.receivedAt).toBe(Date.UTC(2026, 11, 1, 7, 49, 29, 123));
    // No header: the time the stream stored it.
    expect(Math.abs(got[1]!.receivedAt - Date.now())).toBeLessThan(60_000);
  });

  it('--since and --start-seq start earlier; a subject filter reads only its subject', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    await publishRaw(server.url, items(1, 3));
    await new Promise((r) => setTimeout(r, 30));
    const since = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await publishRaw(server.url, [...items(4, 5), ...items(6, 6, 'rexi.calls.discord')]);

    const a = await open(server.url, { start: { kind: 'since', atMs: since } });
    expect((await readN(a.source, 3)).map(tokenOf)).toEqual(tokens(4, 6));
    await a.source.close();

    const b = await open(server.url, { start: { kind: 'seq', seq: 2 } });
    expect((await readN(b.source, 5)).map(tokenOf)).toEqual(tokens(2, 6));
    await b.source.close();

    const c = await open(`${server.url}/rexi.calls.discord`, { start: { kind: 'all' } });
    expect((await readN(c.source, 1)).map(tokenOf)).toEqual(['T6']);
    await c.source.close();
  });

  it('replay reads what is stored and ends at the last message there when it started', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const empty = await open(server.url, { mode: 'replay' });
    expect(await all(empty.source)).toEqual([]);
    await empty.source.close();

    await publishRaw(server.url, [...items(1, 4), ...items(5, 5, 'rexi.calls.discord')]);
    const r = await open(server.url, { mode: 'replay', batchSize: 2 });
    // Published after the start: not part of this replay.
    await publishRaw(server.url, items(6, 8));
    expect((await all(r.source)).map(tokenOf)).toEqual(tokens(1, 5));
    await r.source.close();

    // The last stored message is on another subject: the filtered replay still ends.
    const f = await open(`${server.url}/rexi.calls.telegram`, { mode: 'replay', start: { kind: 'seq', seq: 3 } });
    expect((await all(f.source)).map(tokenOf)).toEqual(['T3', 'T4', 'T6', 'T7', 'T8']);
    await f.source.close();

    const signals = await open(server.url, { mode: 'replay', start: { kind: 'seq', seq: 9 } });
    await publishRaw(server.url, [{ subject: 'rexi.calls.signals', body: '{"type":"MULTI_CALL","data":{"token_address":"T1"}}' }]);
    const s = await open(server.url, { mode: 'replay', start: { kind: 'seq', seq: 9 } });
    const got = await all(s.source);
    expect(got.map((m) => m.kind)).toEqual(['signal']);
    await s.source.close();
    await signals.source.close();
  });

  it('--durable resumes across sources; unwritten messages are handed back at once on a clean stop', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const first = await open(server.url, { durable: 'bot', start: { kind: 'all' }, batchSize: 3 });
    expect(first.warnings).toEqual([]);
    await publishRaw(server.url, items(1, 9));
    expect((await readN(first.source, 3)).map(tokenOf)).toEqual(tokens(1, 3));
    await first.source.close();

    // Resumes after the last written; position flags now only warn.
    const second = await open(server.url, { durable: 'bot', start: { kind: 'seq', seq: 1 }, batchSize: 3 });
    expect(second.warnings.join('\n')).toMatch(/resumes where it left off/);
    const it2 = second.source[Symbol.asyncIterator]();
    const batch = (await it2.next()).value as Message[];
    expect(batch.map(tokenOf)).toEqual(tokens(4, 3 + batch.length));
    // Not written: closing hands them back, and the next reader gets them now, not after ack_wait.
    await it2.return!();
    await second.source.close();

    const third = await open(server.url, { durable: 'bot', batchSize: 100 });
    expect((await readN(third.source, 6, 5_000)).map(tokenOf)).toEqual(tokens(4, 9));
    await third.source.close();
    const ci = await (await manager(server.url)).consumers.info('CALLS', 'bot');
    expect(ci.num_ack_pending).toBe(0);
    expect(ci.num_pending).toBe(0);
  });

  it('no stream for the subject, or an unknown --stream: a configuration error', async () => {
    const server = await nats.start();
    const e1 = await open(`${server.url}/nothing.here`).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'REXI_BAD_OPTION' });
    expect((e1 as Error).message).toMatch(/--stream/);
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const e2 = await open(server.url, { streamName: 'NOPE' }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'REXI_BAD_OPTION' });
    const ok = await open(server.url, { streamName: 'CALLS' });
    await ok.source.close();
  });
});
