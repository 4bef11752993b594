import { StorageType, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { Call } from '../../src/wire/calls.js';
import type { Message, MultiCallWire, SignalMessage } from '../../src/wire/message.js';
import { storedMessageFactory } from '../../src/sources/jetstream-messages.js';
import { afterEachTest } from './each-test.js';

/** Bare client connections for tests (setup and checks), closed after each test. */
const open: NatsConnection[] = [];
afterEachTest(async () => {
  await Promise.all(open.splice(0).map((nc) => nc.close().catch(() => undefined)));
});

/** `nats://127.0.0.1:1,127.0.0.1:2` → the client's server list. */
export const serversOf = (url: string): string[] => url.replace(/^nats:\/\//, '').split('/')[0]!.split(',');

export async function client(url: string, extra: Partial<NodeConnectionOptions> = {}): Promise<NatsConnection> {
  const nc = await connect({ servers: serversOf(url), maxReconnectAttempts: -1, reconnectTimeWait: 100, ...extra });
  open.push(nc);
  return nc;
}

export async function manager(url: string, extra: Partial<NodeConnectionOptions> = {}): Promise<JetStreamManager> {
  return jetstreamManager(await client(url, extra));
}

/** Waits until JetStream answers (a cluster has elected its meta leader). */
export async function waitForJetStream(url: string, timeoutMs = 15_000): Promise<void> {
  const nc = await client(url);
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const jsm = await jetstreamManager(nc, { timeout: 1000 });
      await jsm.getAccountInfo();
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Waits until a cluster can place `replicas` replicas: every peer has joined JetStream. */
export async function waitForPeers(url: string, replicas: number, timeoutMs = 15_000): Promise<void> {
  await waitForJetStream(url, timeoutMs);
  const jsm = await manager(url);
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await jsm.streams.add({ name: 'WARMUP', subjects: ['warmup.test'], num_replicas: replicas, storage: StorageType.Memory });
      await jsm.streams.delete('WARMUP');
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function addStream(url: string, name: string, subjects: string[], extra: Record<string, unknown> = {}): Promise<void> {
  const jsm = await manager(url);
  await jsm.streams.add({ name, subjects, duplicate_window: 120e9, ...extra });
}

export interface Stored {
  seq: number;
  subject: string;
  data: Buffer;
  headers: Record<string, string>;
  time: Date;
}

/** Everything a stream holds, in order. */
export async function stored(url: string, stream: string): Promise<Stored[]> {
  const jsm = await manager(url);
  const info = await jsm.streams.info(stream);
  const seqs: number[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) seqs.push(seq);
  const out: Stored[] = [];
  // A hundred requests in flight at a time: one at a time, reading 2,000 messages took over a second.
  for (let i = 0; i < seqs.length; i += 100) {
    const got = await Promise.all(seqs.slice(i, i + 100).map((seq) => jsm.streams.getMessage(stream, { seq })));
    for (const m of got) {
      if (!m) continue;
      const headers: Record<string, string> = {};
      for (const [k, v] of m.header ?? []) headers[k] = v.join(',');
      out.push({ seq: m.seq, subject: m.subject, data: Buffer.from(m.data), headers, time: m.time });
    }
  }
  return out;
}

/** Publishes raw bodies with a bare client (for reading tests). */
export async function publishRaw(url: string, items: Array<{ subject: string; body: string; id?: string; headers?: Record<string, string> }>): Promise<void> {
  const { headers } = await import('@nats-io/transport-node');
  const js = jetstream(await client(url));
  for (const it of items) {
    const h = headers();
    for (const [k, v] of Object.entries(it.headers ?? {})) h.set(k, v);
    await js.publish(it.subject, it.body, { headers: h, ...(it.id ? { msgID: it.id } : {}) });
  }
}

/** A call as the pipeline hands it over: the frame's exact text and its arrival time. */
export function call(raw: string, receivedAt = Date.UTC(2026, 11, 1, 7, 49, 29, 123)): Call {
  return new Call(raw, receivedAt, false, undefined);
}

export function callN(i: number, platform: unknown = 'telegram'): Call {
  const raw = JSON.stringify({
    type: 'NEW_SCAN',
    data: { token_address: `Tok${i}`, token_symbol: `T${i}`, timestamp: 1_700_000_000 + i, caller: { id: `c${i % 7}`, name: `caller ${i % 7}`, platform } },
  });
  return call(raw, Date.UTC(2026, 11, 1) + i);
}

export function signal(raw: string, identity: string): SignalMessage {
  return { kind: 'signal', raw, receivedAt: Date.UTC(2026, 11, 1, 8), identity, value: JSON.parse(raw) as MultiCallWire };
}

/** The call identity: token + caller (platform + id, else name) + data.timestamp. */
export function identity(msg: Message): string {
  if (msg.kind === 'signal') return msg.identity;
  if (msg.kind === 'other') return msg.raw;
  const c = (msg.data.caller ?? {}) as { id?: unknown; name?: unknown; platform?: unknown };
  return JSON.stringify([msg.data.token_address, String(c.platform ?? '').toLowerCase(), c.id ?? String(c.name ?? '').toLowerCase(), msg.data.timestamp ?? null]);
}

export const fastPolicy = { minMs: 50, maxMs: 500, maxRetries: Infinity };

/** The CLI's message factory: NEW_SCAN bodies become calls, MULTI_CALL bodies signals. */
export const toMessage = storedMessageFactory({ allTypes: false, maxMessageSize: 1024 * 1024 });

/** Reads until `n` messages arrived (every batch acknowledged as written), then stops. */
export async function readN(
  source: AsyncIterable<Message[]> & { written?(b: Message[]): void; stop(): void },
  n: number,
  timeoutMs = 10_000,
): Promise<Message[]> {
  const got: Message[] = [];
  const timer = setTimeout(() => source.stop(), timeoutMs);
  try {
    for await (const batch of source) {
      got.push(...batch);
      source.written?.(batch);
      if (got.length >= n) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

export const tokenOf = (m: Message): string => (m.kind === 'call' ? m.tokenAddress : m.raw);
