import { afterEach, expect, it } from 'vitest';
import { killAll, spawnCli } from '../support/cli.js';
import { get, metricsPort, samples, until } from '../support/metrics.js';
import { describeNats, natsServers } from '../support/nats-server.js';
import { call, startBareServer, type BareServer } from '../support/ws-server.js';

/** --metrics on a run that publishes to a real nats-server, and on one that reads from it. */

const nats = natsServers('each');
let bare: BareServer | undefined;
afterEach(async () => {
  await killAll();
  await bare?.close();
  bare = undefined;
});

const metricsOf = async (port: number): Promise<Map<string, number>> => samples((await get(port, '/metrics')).body);

describeNats('--metrics with NATS', () => {
  it('tail --publish: published and pending agree with the summary; /readyz follows the NATS link', async () => {
    const server = await nats.start();
    bare = await startBareServer((ws) => {
      for (let i = 1; i <= 5; i++) ws.send(call(i));
    });
    const tail = spawnCli(['--url', bare.url, '--publish', `${server.url}/m1.{platform}`, '--create-stream', '--stream', 'M1', '--metrics', '0', '--connect-timeout', '2s', '--backoff-max', '1s'], { timeoutMs: 80_000 });
    const port = await metricsPort(tail);
    const m = await until(() => metricsOf(port), (s) => s.get('rexi_live_published_total') === 5, 10_000, '5 published');
    expect(m.get('rexi_live_publish_pending')).toBe(0);
    expect(m.get('rexi_live_publish_duplicates_total')).toBe(0);
    expect(m.get('rexi_live_connected')).toBe(1);
    expect((await get(port, '/readyz')).status).toBe(200);

    await server.kill('SIGKILL');
    const down = await until(() => get(port, '/readyz'), (r) => r.status === 503, 15_000, '/readyz 503');
    expect(down.body).toBe('reconnecting to NATS\n');
    expect((await metricsOf(port)).get('rexi_live_connected')).toBe(0);
    await server.restart();
    // A reconnect attempt that meets the server while it restarts may wait out a --connect-timeout
    // (2s here), then the backoff (at most 1s here).
    await until(() => get(port, '/readyz'), (r) => r.status === 200, 20_000, '/readyz 200 after NATS is back').catch((err: Error) => {
      throw new Error(`${err.message}\n${tail.stderr()}\nserver running ${server.running} port ${server.port}\n${server.logTail()}`);
    });

    tail.proc.kill('SIGTERM');
    const r = await tail.done;
    expect(r.stderr).toMatch(/published 5 \(duplicates 0\)/);
  }, 90_000);

  it('tail --url nats://: ready once reading, received as the summary says', async () => {
    const server = await nats.start();
    bare = await startBareServer((ws) => {
      for (let i = 1; i <= 4; i++) ws.send(call(i));
    });
    const publisher = spawnCli(['--url', bare.url, '--publish', `${server.url}/m2.{platform}`, '--create-stream', '--stream', 'M2', '-n', '4']);
    expect((await publisher.done).code).toBe(0);
    const reader = spawnCli(['--url', `${server.url}/m2.>`, '--since', '1h', '--metrics', '0', '-f', 'ndjson'], { timeoutMs: 30_000 });
    const port = await metricsPort(reader);
    const m = await until(() => metricsOf(port), (s) => s.get('rexi_live_output_total') === 4, 10_000, '4 read');
    expect(m.get('rexi_live_received_total')).toBe(4);
    expect((await get(port, '/readyz')).body).toBe('ok\n');
    reader.proc.kill('SIGTERM');
    expect((await reader.done).stderr).toMatch(/received 4, output 4/);
  });
});
