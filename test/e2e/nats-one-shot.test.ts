import { afterEach, describe, expect, it } from 'vitest';
import { killAll, runCli, spawnCli } from '../support/cli.js';
import { freePort } from '../support/nats-server.js';

afterEach(killAll);

/** Nothing listens at these: every connect attempt is refused. No nats-server is needed. */
const deadUrl = async (): Promise<string> => `nats://127.0.0.1:${await freePort()}/rexi.calls.x`;
const QUICK = ['--backoff-min', '50ms', '--backoff-max', '100ms'];

describe('replay nats:// is one-shot', () => {
  it('gives up after 3 retries by default (exit 4), the error said once', async () => {
    const url = await deadUrl();
    const r = await runCli(['replay', url, ...QUICK], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/rexi-live: error: gave up connecting to NATS at nats:\/\/127\.0\.0\.1:\d+\/rexi\.calls\.x after 4 attempts: connection refused \(127\.0\.0\.1:\d+\)\n$/);
    // "connection refused: connect ECONNREFUSED 127.0.0.1:..." said the same thing twice.
    expect(r.stderr).not.toContain('ECONNREFUSED');
    expect(r.stderr.match(/reconnecting in/g)).toHaveLength(3);
  });

  it('--max-retries sets another number', async () => {
    const r = await runCli(['replay', await deadUrl(), ...QUICK, '--max-retries', '1'], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/after 2 attempts/);
    const once = await runCli(['replay', await deadUrl(), '--no-retry'], { timeoutMs: 15_000 });
    expect(once.code, once.stderr).toBe(4);
    expect(once.stderr).toMatch(/after 1 attempt:/);
  });
});

describe('a stop signal during a NATS connect loop stops at once, with the summary', () => {
  // A minute between attempts: only the signal can end these runs within the test's bounds.
  const SLOW = ['--backoff-min', '60s', '--backoff-max', '60s'];

  it.each([
    ['replay', 'SIGINT'],
    ['tail', 'SIGTERM'],
  ] as const)('%s, %s', async (command, signal) => {
    const url = await deadUrl();
    const args = command === 'replay' ? ['replay', url, ...SLOW] : ['tail', '--url', url, ...SLOW];
    const child = spawnCli(args, { timeoutMs: 15_000 });
    await child.waitFor(/reconnecting in/);
    child.proc.kill(signal);
    const r = await child.done;
    expect(r.signal, r.stderr).toBe(signal);
    expect(r.stderr).toMatch(/received 0, output 0/);
  });

  it('demo --publish, while the publisher connects', async () => {
    const child = spawnCli(['demo', '--publish', await deadUrl(), ...SLOW], { timeoutMs: 15_000 });
    await child.waitFor(/reconnecting in/);
    child.proc.kill('SIGTERM');
    const r = await child.done;
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(r.stderr).toMatch(/received 0, output 0/);
  });
});
