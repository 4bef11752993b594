import { expect, it } from 'vitest';
import { openJetStreamSource } from '../../src/sources/jetstream.js';
import { openNatsPublisher } from '../../src/outputs/nats-publish.js';
import { parseNatsUrl } from '../../src/nats/url.js';
import type { Message } from '../../src/wire/message.js';
import { describeNats, natsServers, type NatsServer } from '../support/nats-server.js';
import { addStream, callN, fastPolicy, identity, stored, toMessage, tokenOf } from '../support/nats-client.js';

const nats = natsServers('each');
const TOTAL = 800;

/** Publishes TOTAL calls in small batches over a second or two, through the restart too. */
async function publishSlowly(url: string): Promise<void> {
  const target = parseNatsUrl({ url, source: '--publish', defaultSubject: 'rexi.calls.{platform}' });
  const { output } = await openNatsPublisher({ target, policy: fastPolicy, subject: target.subject, identity, window: 32, ackTimeoutMs: 1000, retry: { minMs: 50, maxMs: 300 } });
  for (let i = 0; i < TOTAL; i += 10) {
    if (output.behind) await output.ready();
    output.write(Array.from({ length: 10 }, (_, k) => callN(i + k)));
    await new Promise((r) => setTimeout(r, 15));
  }
  await output.close();
  expect(output.error).toBeUndefined();
}

async function readThroughRestart(server: NatsServer, durable: string | undefined): Promise<string[]> {
  const target = parseNatsUrl({ url: server.url, source: '--url', defaultSubject: 'rexi.calls.>' });
  const warnings: string[] = [];
  const statuses: string[] = [];
  const { source } = await openJetStreamSource({
    target, policy: fastPolicy, subject: target.subject, mode: 'tail', toMessage, retry: { minMs: 50, maxMs: 300 },
    ...(durable !== undefined ? { durable, ackWaitMs: 2000 } : {}), onWarning: (w) => warnings.push(w),
    onStatus: (s) => statuses.push(s.type),
  });
  const publishing = publishSlowly(server.url);
  const got: Message[] = [];
  let restart: Promise<void> | undefined;
  const deadline = setTimeout(() => source.stop(), 20_000);
  for await (const batch of source) {
    got.push(...batch);
    source.written(batch);
    if (restart === undefined && got.length >= TOTAL / 3) restart = server.restart();
    if (new Set(got.map(tokenOf)).size >= TOTAL) break;
  }
  clearTimeout(deadline);
  await restart;
  await publishing;
  await source.close();
  // The reader lived through the restart rather than finishing before it.
  expect(statuses).toContain('disconnected');
  return got.map(tokenOf);
}

describeNats('JetStream source through a server restart', () => {
  it('without --durable: every message once, in stream order', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*'], { storage: 'file' });
    const tokens = await readThroughRestart(server, undefined);
    // In stream order: the publisher's retries through the restart may store calls out of the
    // order it received them, and the reader follows the stream.
    const inStream = (await stored(server.url, 'CALLS')).map((m) => (JSON.parse(m.data.toString('utf8')) as { data: { token_address: string } }).data.token_address);
    expect(inStream).toHaveLength(TOTAL);
    expect(tokens).toEqual(inStream);
  }, 30_000);

  it('with --durable: every message once', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*'], { storage: 'file' });
    const tokens = await readThroughRestart(server, 'reader');
    expect(tokens).toHaveLength(TOTAL);
    expect(new Set(tokens)).toEqual(new Set(Array.from({ length: TOTAL }, (_, i) => `Tok${i}`)));
  }, 30_000);
});
