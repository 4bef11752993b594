import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { killAll, ndjsonLines, runCli, spawnCli } from '../support/cli.js';
import { addStream, manager, publishRaw, stored } from '../support/nats-client.js';
import { describeNats, freePort, natsAvailable, natsServers, type NatsServer } from '../support/nats-server.js';
import { tmpdirs } from '../support/tmp.js';
import { startBareServer, type BareServer } from '../support/ws-server.js';

/**
 * The built CLI against a real nats-server: publishing (tail and demo), reading (tail --url
 * nats://, replay nats://), exit codes and credentials, as users run it.
 */

const nats = natsServers('all');
const tmpdir = tmpdirs('rexi-e2e-nats-');
const SECRET = 'n4ts-PASS-must-NOT-leak-3b7f';
const fast = ['--backoff-min', '50ms', '--backoff-max', '200ms'];

let server: NatsServer;
beforeAll(async () => {
  if (!natsAvailable()) return;
  server = await nats.start();
});

let bare: BareServer | undefined;
afterEach(async () => {
  await killAll();
  await bare?.close();
  bare = undefined;
});

const body = (token: string, platform = 'telegram', extra = ''): string =>
  `{"type":"NEW_SCAN","data":{"token_address":"${token}","timestamp":1700000000,"caller":{"id":"c-${token}","platform":"${platform}"}${extra}}}`;
const items = (subject: string, from: number, to: number, platform = 'telegram') =>
  Array.from({ length: to - from + 1 }, (_, k) => ({ subject, body: body(`T${from + k}`, platform) }));
const tokens = (stdout: string): string[] => ndjsonLines(stdout).map((l) => (l as { data: { token_address: string } }).data.token_address);
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, k) => `T${from + k}`);

describeNats('NATS end to end: the built CLI', () => {
  it('tail --publish stores the frames byte-exact, on {platform} subjects; a second run stores nothing twice; --tee and -o', async () => {
    const frames = [
      // Layout, non-ASCII and an integer beyond 2^53: the stored bytes are the frame's.
      '{ "type" : "NEW_SCAN",\n  "data": {"token_address":"E1", "token_name":"Ünïcødé 🚀 名前", "supply": 123456789012345678901234567890, "caller":{"id":"c1","platform":"Telegram"}, "timestamp": 1700000001} }',
      '{"type":"NEW_SCAN","data":{"token_address":"E2","caller":{"id":"c2","platform":"discord"},"timestamp":1700000002}}',
      '{"type":"NEW_SCAN","data":{"token_address":"E3","timestamp":1700000003}}',
    ];
    bare = await startBareServer((ws) => {
      for (const f of frames) ws.send(f);
    });
    const publish = ['--url', bare.url, '--publish', `${server.url}/e1.{platform}`, '--create-stream', '--stream', 'E1', '-n', '3'];
    const first = await runCli(publish);
    expect(first.stderr).toMatch(/published 3 \(duplicates 0\)/);
    expect(first.code).toBe(0);
    // Without --tee stdout gets nothing.
    expect(first.stdout).toBe('');
    const got = await stored(server.url, 'E1');
    expect(got.map((m) => m.data.toString('utf8'))).toEqual(frames);
    expect(got[0]!.data.equals(Buffer.from(frames[0]!, 'utf8'))).toBe(true);
    expect(got.map((m) => m.subject)).toEqual(['e1.telegram', 'e1.discord', 'e1.unknown']);
    for (const m of got) {
      expect(m.headers['Nats-Msg-Id']).toMatch(/^rexi1-[A-Za-z0-9_-]{43}$/);
      expect(m.headers['Rexi-Received-At']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }

    // The same calls again (two more publishers, at once): acknowledged as duplicates, stored once.
    const file = path.join(tmpdir(), 'calls.ndjson');
    const [tee, toFile] = await Promise.all([runCli([...publish, '--tee', '-f', 'ndjson']), runCli([...publish, '-o', file])]);
    expect(tee.code).toBe(0);
    expect(ndjsonLines(tee.stdout)).toEqual(frames.map((f) => JSON.parse(f) as unknown));
    expect(tee.stderr).toMatch(/published 3 \(duplicates 3\)/);
    expect(toFile.code).toBe(0);
    expect(toFile.stderr).toMatch(/published 3 \(duplicates 3\)/);
    expect(toFile.stdout).toBe('');
    expect(tokens(fs.readFileSync(file, 'utf8'))).toEqual(['E1', 'E2', 'E3']);
    expect((await stored(server.url, 'E1')).length).toBe(3);
  });

  it('signals are published too, on the signals subject with their own id, and read back as signals', async () => {
    const frame = (caller: string) => `{"type":"NEW_SCAN","data":{"token_address":"SIG1","token_symbol":"S","timestamp":1700000000,"caller":{"id":"${caller}","name":"${caller}","platform":"telegram"},"price_data":{"market_cap":1000}}}`;
    bare = await startBareServer((ws) => {
      ws.send(frame('a'));
      ws.send(frame('b'));
    });
    const r = await runCli(['--url', bare.url, '--min-callers', '2', '--with-calls', '--publish', `${server.url}/sig.{platform}`, '--create-stream', '--stream', 'SIG', '-n', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/published 3 \(duplicates 0\)/);
    const got = await stored(server.url, 'SIG');
    expect(got.map((m) => m.subject)).toEqual(['sig.telegram', 'sig.telegram', 'sig.signals']);
    const signal = JSON.parse(got[2]!.data.toString('utf8')) as { type: string; data: { callers: unknown[] } };
    expect(signal.type).toBe('MULTI_CALL');
    expect(signal.data.callers).toHaveLength(2);
    expect(new Set(got.map((m) => m.headers['Nats-Msg-Id'])).size).toBe(3);
    const back = await runCli(['replay', `${server.url}/sig.>`, '-f', 'ndjson']);
    expect(back.code).toBe(0);
    expect(ndjsonLines(back.stdout)[2]).toEqual(signal);
  });

  it('demo --publish: -n counts lines published and waits for their acknowledgements', async () => {
    const r = await runCli(['demo', '--rate', '200', '--seed', '7', '--publish', `${server.url}/demo.{platform}`, '--create-stream', '--stream', 'DEMO', '-n', '25']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/output 25, .*published 25 \(duplicates 0\)/);
    const info = await (await manager(server.url)).streams.info('DEMO');
    expect(info.state.messages).toBe(25);
    expect(info.config.subjects).toEqual(['demo.*']);
    expect(info.config.duplicate_window).toBe(120e9);
  });

  it('exit codes: no stream without --create-stream 2, a refused publish 5, unreachable after --max-retries 4', async () => {
    await addStream(server.url, 'FULL', ['full.x'], { max_msgs: 2, discard: 'new' });
    const port = await freePort();
    // Five independent runs, at once.
    const [none, noRead, full, gone, goneRead] = await Promise.all([
      runCli(['demo', '--publish', `${server.url}/nostream.{platform}`, '-n', '1']),
      runCli(['--url', `${server.url}/nothing.here`, ...fast]),
      runCli(['demo', '--rate', '100', '--publish', `${server.url}/full.x`, '--publish-window', '1', '-n', '5']),
      runCli(['demo', '--publish', `nats://127.0.0.1:${port}`, '--max-retries', '1', ...fast]),
      runCli(['--url', `nats://127.0.0.1:${port}`, '--no-retry']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no JetStream stream .* captures 'nostream\.\*'.*--create-stream/);
    expect(noRead.code).toBe(2);
    expect(full.code).toBe(5);
    expect(full.stderr).toMatch(/failed for good.*maximum messages exceeded/);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toMatch(/gave up connecting to NATS at nats:\/\/127\.0\.0\.1:\d+ after 2 attempts/);
    expect(goneRead.code).toBe(4);
  });

  it('credentials: wrong ones exit 3 naming the variables; right ones from NATS_* or the URL work; never shown', async () => {
    const secured = await nats.start({ user: 'bot', password: SECRET });
    await (await manager(secured.url, { user: 'bot', pass: SECRET })).streams.add({ name: 'AUTH', subjects: ['auth.*'] });
    const env = { NATS_USER: 'bot', NATS_PASSWORD: SECRET };
    // The refused runs and the publishing one at once; the reader then reads what was published.
    const [wrong, missing, pub] = await Promise.all([
      runCli(['demo', '--publish', `nats://bot:WRONG-${SECRET}@${secured.hostPort}/auth.x`, '--max-retries', '3', '--log-level', 'debug', ...fast]),
      runCli(['--url', `${secured.url}/auth.>`]),
      runCli(['demo', '--rate', '100', '--publish', `${secured.url}/auth.{platform}`, '-n', '3', '--log-level', 'debug'], { env }),
    ]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/rejected the credentials from the --publish URL.*NATS_USER\/NATS_PASSWORD, NATS_CREDS or NATS_NKEY/);
    expect(missing.code).toBe(3);
    expect(pub.code).toBe(0);
    const read = await runCli(['--url', `nats://bot:${SECRET}@${secured.hostPort}/auth.>`, '--start-seq', '1', '-n', '3', '--log-level', 'debug']);
    expect(read.code).toBe(0);
    expect(ndjsonLines(read.stdout)).toHaveLength(3);
    expect(read.stderr).toContain('nats://***@');
    for (const r of [wrong, missing, pub, read]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('tail --url nats:// starts with new messages', async () => {
    await addStream(server.url, 'R1', ['r1.*']);
    await publishRaw(server.url, items('r1.telegram', 1, 3));
    const tail = spawnCli(['--url', `${server.url}/r1.>`, '-n', '2', '-f', 'ndjson']);
    await tail.waitFor(/reading stream R1/);
    await publishRaw(server.url, items('r1.telegram', 4, 5));
    const r = await tail.done;
    expect(r.code).toBe(0);
    expect(tokens(r.stdout)).toEqual(['T4', 'T5']);
  });

  it('replay nats:// reads what is stored and exits 0; --since and --start-seq; MULTI_CALL read back as a signal', async () => {
    await addStream(server.url, 'R2', ['r2.*']);
    await publishRaw(server.url, items('r2.telegram', 1, 3));
    // The mark: the millisecond after the third call was stored (the server stamps with this
    // machine's clock); the rest is published once that millisecond has passed.
    const third = (await stored(server.url, 'R2'))[2]!.time.getTime();
    const mark = new Date(third + 1).toISOString();
    while (Date.now() <= third + 1) await new Promise((r) => setTimeout(r, 1));
    const signal = '{"type":"MULTI_CALL","data":{"token_address":"T4","token_symbol":"S4","token_name":null,"window":"10m","callers":[],"first_market_cap":null,"market_cap":null,"trigger":{"type":"NEW_SCAN","data":{}}},"emitted_at":"2026-12-01T07:49:29.123Z"}';
    await publishRaw(server.url, [...items('r2.telegram', 4, 4), { subject: 'r2.signals', body: signal }, ...items('r2.discord', 5, 5, 'discord')]);

    const [all, since, seq] = await Promise.all([
      runCli(['replay', `${server.url}/r2.>`]),
      runCli(['replay', `${server.url}/r2.>`, '--since', mark, '-f', 'ndjson']),
      runCli(['replay', `${server.url}/r2.>`, '--start-seq', '2', '--platform', 'telegram']),
    ]);
    expect(all.code).toBe(0);
    expect(ndjsonLines(all.stdout)).toHaveLength(6);
    expect(since.code).toBe(0);
    const lines = since.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toEqual(JSON.parse(signal));
    // A filter applies to calls, never to a signal; the signal is not counted as a call.
    expect(seq.code).toBe(0);
    expect(ndjsonLines(seq.stdout).map((l) => (l as { type: string; data: { token_address: string } }).type + ':' + (l as { data: { token_address: string } }).data.token_address)).toEqual([
      'NEW_SCAN:T2', 'NEW_SCAN:T3', 'NEW_SCAN:T4', 'MULTI_CALL:T4',
    ]);
    expect(seq.stderr).toMatch(/received 5, output 4, filtered 1/);
  });

  it('--durable resumes across runs: -n acknowledges only the lines output', async () => {
    await addStream(server.url, 'R3', ['r3.*']);
    await publishRaw(server.url, items('r3.telegram', 1, 10));
    const first = await runCli(['--url', `${server.url}/r3.>`, '--durable', 'bot', '--start-seq', '1', '-n', '4']);
    expect(first.code).toBe(0);
    expect(tokens(first.stdout)).toEqual(range(1, 4));
    const second = await runCli(['--url', `${server.url}/r3.>`, '--durable', 'bot', '--since', '1h', '-n', '4']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resumes where it left off/);
    expect(tokens(second.stdout)).toEqual(range(5, 8));
    const rest = await runCli(['replay', `${server.url}/r3.>`, '--durable', 'bot']);
    expect(rest.code).toBe(0);
    expect(tokens(rest.stdout)).toEqual(range(9, 10));
  });

  it('--durable -n 5 exits once its 5 lines are written, not when its pull expires; nothing after them is lost', async () => {
    await addStream(server.url, 'R5', ['r5.*']);
    await publishRaw(server.url, items('r5.telegram', 1, 20));
    const tail = spawnCli(['--url', `${server.url}/r5.>`, '--durable', 'five', '--start-seq', '1', '-n', '5', '-f', 'ndjson']);
    await tail.waitFor(/(?:\n.*){5}/, 'stdout');
    const fifth = performance.now();
    const first = await tail.done;
    // The 20 calls came in one pull that then waits 2 s on the server for more: an exit that waited
    // for it came 2 s after the fifth line.
    const exitMs = performance.now() - fifth;
    expect(first.code).toBe(0);
    expect(tokens(first.stdout)).toEqual(range(1, 5));
    // Short of the 2 s, with room for a loaded machine's process exit.
    expect(exitMs).toBeLessThan(1500);
    // Stored while the ended pull would still be waiting: one delivered to it would be held until the
    // ack wait (30 s), and the replay below would wait for it.
    await publishRaw(server.url, items('r5.telegram', 21, 25));
    const rest = await runCli(['replay', `${server.url}/r5.>`, '--durable', 'five']);
    expect(rest.code).toBe(0);
    expect(tokens(rest.stdout)).toEqual(range(6, 25));
  });

  it('--durable across SIGTERM: nothing lost, nothing doubled', async () => {
    await addStream(server.url, 'R4', ['r4.*']);
    const file = path.join(tmpdir(), 'durable.ndjson');
    const count = (): number => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
    const tail = spawnCli(['--url', `${server.url}/r4.>`, '--durable', 'sig', '--start-seq', '1', '-o', file]);
    await tail.waitFor(/reading stream R4/);
    const publishing = (async () => {
      for (let i = 1; i <= 150; i += 10) {
        await publishRaw(server.url, items('r4.telegram', i, i + 9));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const until = Date.now() + 10_000;
    while (count() < 30 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    tail.proc.kill('SIGTERM');
    const stopped = await tail.done;
    expect(stopped.signal).toBe('SIGTERM');
    await publishing;
    const rest = await runCli(['replay', `${server.url}/r4.>`, '--durable', 'sig', '-o', file]);
    expect(rest.code).toBe(0);
    expect(tokens(fs.readFileSync(file, 'utf8'))).toEqual(range(1, 150));
  });

  it('usage errors exit 2 before anything connects; credential files are read first', async () => {
    const port = await freePort();
    const cases: Array<[string[], RegExp]> = [
      [['--url', 'ws://127.0.0.1:1/x', '--since', '1h'], /--since goes with a nats:\/\/ source/],
      [['demo', '--tee'], /--tee goes with --publish/],
      [['replay', '-', '--durable', 'x'], /--durable goes with a nats:\/\/ source/],
      [['--url', `nats://u:${SECRET}@nats.example.com`], /refusing to send NATS credentials/],
      [['--url', `nats://127.0.0.1:${port}`, '--nats-creds', path.join(tmpdir(), 'missing.creds')], /--nats-creds: cannot read/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { stdin: '' })));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stderr).not.toContain(SECRET);
    });
  });
});
