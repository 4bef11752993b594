import { expect, it } from 'vitest';
import { openNatsPublisher, type OpenPublisherOptions, messageId } from '../../src/outputs/nats-publish.js';
import { parseNatsUrl } from '../../src/nats/url.js';
import { DEFAULT_PUBLISH_SUBJECT } from '../../src/nats/subjects.js';
import { describeNats, natsServers } from '../support/nats-server.js';
import { addStream, call, callN, fastPolicy, identity, manager, signal, stored } from '../support/nats-client.js';

const nats = natsServers('each');

function options(url: string, extra: Partial<OpenPublisherOptions> = {}): OpenPublisherOptions {
  const target = parseNatsUrl({ url, source: '--publish', defaultSubject: DEFAULT_PUBLISH_SUBJECT });
  return { target, policy: fastPolicy, subject: target.subject, identity, ...extra };
}

describeNats('NATS publish output', () => {
  it('stores bodies byte-equal to the frames, on {platform} subjects, with id and arrival headers', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const frames = [
      // Non-compact whitespace, non-ASCII, an integer beyond 2^53: the bytes must not change.
      '{ "type" : "NEW_SCAN",\n  "data": {"token_address":"A1", "token_name":"Ünïcødé 🚀 名前", "supply": 123456789012345678901234567890, "caller":{"platform":"Telegram"}, "timestamp": 1700000000} }',
      '{"type":"NEW_SCAN","data":{"token_address":"A2","caller":{"platform":"dis cord!"}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A3","caller":{"platform":7}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A4","caller":{"platform":""}}}',
      '{"type":"NEW_SCAN","data":{"token_address":"A5"}}',
    ];
    const sig = signal('{"type":"MULTI_CALL","data":{"token_address":"A1"},"emitted_at":"2026-12-01T08:00:00.000Z"}', 'multi:A1:1');
    const { output, stream, warnings } = await openNatsPublisher(options(server.url));
    expect(stream).toBe('CALLS');
    expect(warnings).toEqual([]);
    const msgs = [...frames.map((f) => call(f)), sig];
    output.write(msgs);
    await output.close();
    expect(output.error).toBeUndefined();
    expect(output.summary()).toBe('published 6 (duplicates 0)');

    const got = await stored(server.url, 'CALLS');
    expect(got.map((m) => m.data.toString('utf8'))).toEqual([...frames, sig.raw]);
    expect(got.map((m) => m.data.equals(Buffer.from(frames[0]!, 'utf8')))[0]).toBe(true);
    expect(got.map((m) => m.subject)).toEqual([
      'rexi.calls.telegram', 'rexi.calls.dis_cord_', 'rexi.calls.unknown', 'rexi.calls.unknown', 'rexi.calls.unknown', 'rexi.calls.signals',
    ]);
    expect(got[0]!.headers['Nats-Msg-Id']).toBe(messageId(identity(msgs[0]!)));
    expect(got[0]!.headers['Nats-Msg-Id']).toMatch(/^rexi1-[A-Za-z0-9_-]{43}$/);
    expect(got[0]!.headers['Rexi-Received-At']).toBe('2026-12-01T07:49:29.123Z');
    expect(got[5]!.headers['Nats-Msg-Id']).toBe(messageId('multi:A1:1'));
  });

  it('two publishers of the same calls store each once; the second sees duplicates', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const calls = Array.from({ length: 300 }, (_, i) => callN(i));
    const a = await openNatsPublisher(options(server.url, { window: 32 }));
    const b = await openNatsPublisher(options(server.url, { window: 32 }));
    a.output.write(calls);
    await a.output.close();
    b.output.write(calls);
    await b.output.close();
    expect(a.output.summary()).toBe('published 300 (duplicates 0)');
    expect(b.output.summary()).toBe('published 300 (duplicates 300)');
    const info = await (await manager(server.url)).streams.info('CALLS');
    expect(info.state.messages).toBe(300);
  });

  it('keeps at most `window` publishes unacknowledged and is behind while full', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const { output } = await openNatsPublisher(options(server.url, { window: 4 }));
    output.write([callN(1), callN(2), callN(3)]);
    expect(output.behind).toBe(false);
    output.write([callN(4), callN(5), callN(6)]);
    expect(output.behind).toBe(true);
    expect(output.counts.inflight).toBe(4);
    expect(output.counts.queued).toBe(2);
    await output.ready();
    expect(output.behind).toBe(false);
    await output.close();
    expect(output.counts.published).toBe(6);
  });

  it('no stream captures the subject: a configuration error naming --create-stream', async () => {
    const server = await nats.start();
    const err = await openNatsPublisher(options(server.url)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REXI_BAD_OPTION' });
    expect((err as Error).message).toMatch(/--create-stream/);
  });

  it('--create-stream makes REXI_CALLS with the documented settings; a second creator just uses it', async () => {
    const server = await nats.start();
    const [a, b] = await Promise.all([
      openNatsPublisher(options(server.url, { createStream: {} })),
      openNatsPublisher(options(server.url, { createStream: { replicas: 1, retentionMs: 3_600_000 } })),
    ]);
    expect(a.stream).toBe('REXI_CALLS');
    expect(b.stream).toBe('REXI_CALLS');
    const info = await (await manager(server.url)).streams.info('REXI_CALLS');
    expect(info.config.subjects).toEqual(['rexi.calls.*']);
    expect(info.config.storage).toBe('file');
    expect(info.config.num_replicas).toBe(1);
    expect(info.config.duplicate_window).toBe(120e9);
    expect(info.config.discard).toBe('old');
    expect([7 * 24 * 3600e9, 3600e9]).toContain(info.config.max_age);
    await a.output.close();
    await b.output.close();

    const c = await openNatsPublisher(options(server.url, { createStream: { replicas: 3, retentionMs: 60_000 } }));
    expect(c.warnings.join('\n')).toMatch(/--replicas and --retention ignored/);
    const after = await (await manager(server.url)).streams.info('REXI_CALLS');
    expect(after.config.num_replicas).toBe(1);
    await c.output.close();
  });

  it('a message over the max payload is skipped, counted and warned about; the rest go on', async () => {
    const server = await nats.start({ config: 'max_payload: 4096\n' });
    await addStream(server.url, 'CALLS', ['rexi.calls.*']);
    const warnings: string[] = [];
    const { output } = await openNatsPublisher(options(server.url, { onWarning: (w) => warnings.push(w) }));
    const big = call(JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 'BIG', pad: 'x'.repeat(4000), caller: { platform: 'telegram' } } }));
    output.write([callN(1), big, callN(2)]);
    await output.close();
    expect(output.summary()).toBe('published 2 (duplicates 0, too large 1)');
    expect(warnings.join('\n')).toMatch(/max payload/);
  });

  it('a publish refused for good (stream full, discard new) is an output error', async () => {
    const server = await nats.start();
    await addStream(server.url, 'CALLS', ['rexi.calls.*'], { max_msgs: 2, discard: 'new' });
    const { output } = await openNatsPublisher(options(server.url, { window: 1 }));
    output.write([callN(1), callN(2), callN(3), callN(4)]);
    await output.close();
    expect(output.error).toMatchObject({ code: 'REXI_OUTPUT' });
    expect(output.error!.message).toMatch(/maximum messages exceeded/);
    expect(output.behind).toBe(false);
  });

  it('a server without JetStream: a configuration error (exit 2)', async () => {
    const server = await nats.start({ jetstream: false });
    const err = await openNatsPublisher(options(server.url, { jetStreamWaitMs: 200 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'REXI_BAD_OPTION' });
    expect((err as Error).message).toMatch(/JetStream is not enabled/);
  });

  it('a publish the server forbids (permissions) is an output error', async () => {
    const server = await nats.start({
      config: 'authorization { users: [ { user: bot, password: pw, permissions: { publish: { deny: ["rexi.calls.discord"] } } } ] }\n',
    });
    await addStream('nats://bot:pw@' + server.hostPort, 'CALLS', ['rexi.calls.*']).catch(() => undefined);
    const { output } = await openNatsPublisher(options(`nats://bot:pw@${server.hostPort}`, { createStream: {} }));
    output.write([callN(1, 'telegram'), callN(2, 'discord')]);
    await output.close();
    expect(output.error).toMatchObject({ code: 'REXI_OUTPUT' });
    expect(output.error!.message).toMatch(/not allowed to publish/i);
  });
});
