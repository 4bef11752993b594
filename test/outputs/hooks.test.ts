import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBellOutput, createHookOutput, hookBaseEnv, type HookOptions } from '../../src/outputs/hooks.js';
import { createMultiCallStage } from '../../src/stages/multi-call.js';
import { OtherMessage } from '../../src/wire/calls.js';
import type { Message } from '../../src/wire/message.js';
import { call, MIN, T0, TOKEN_A } from '../support/messages.js';
import { tmpdirs } from '../support/tmp.js';

const tmpdir = tmpdirs('rexi-hooks-');

/** A hook output whose hooks find their directory in HOOK_DIR; output and warnings collected. */
function hooks(dir: string, command: string, o: Partial<HookOptions> = {}) {
  const warned: string[] = [];
  const chunks: Buffer[] = [];
  const stderr = new Writable({ write: (chunk, _enc, done) => (chunks.push(chunk as Buffer), done()) });
  const output = createHookOutput({
    command,
    jobs: 1,
    timeoutMs: 5000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOOK_DIR: dir },
    stderr,
    warn: (m) => warned.push(m),
    ...o,
  });
  return { output, warned, stderr: () => Buffer.concat(chunks).toString() };
}

const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

/** Waits (boundedly) for a process to be gone; whether it is. */
async function waitGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (!gone(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return gone(pid);
}

/** Whether a process is gone (a zombie nobody reaped counts as gone: it runs nothing). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('--exec', () => {
  it('gives a hook the ndjson line on stdin and the REXI_* variables', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'cat > "$HOOK_DIR/line"; env | grep ^REXI_ | sort > "$HOOK_DIR/env"');
    const c = call({ id: 'c-9', name: 'Alice', platform: 'Telegram', mcap: 512300, at: T0 });
    h.output.write([c], 'ignored text');
    await h.output.close();
    expect(read(dir, 'line')).toBe(c.raw + '\n');
    expect(read(dir, 'env').trim().split('\n')).toEqual([
      'REXI_CALLER=Alice',
      'REXI_MCAP=512300',
      'REXI_NAME=Bonk Inu',
      'REXI_PLATFORM=Telegram',
      'REXI_SYMBOL=BONK',
      `REXI_TOKEN=${TOKEN_A}`,
      'REXI_TYPE=NEW_SCAN',
    ]);
    expect(h.output.summary?.()).toBe('hooks 1 (failed 0, dropped 0)');
    expect(h.output.behind).toBe(false);
  });

  it('REXI_CALLER is the id without a name; REXI_MCAP is empty without a market cap', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'printf "%s|%s" "$REXI_CALLER" "$REXI_MCAP" > "$HOOK_DIR/out"');
    h.output.write([call({ id: 'c-9', name: '', mcap: undefined, at: T0 })], '');
    await h.output.close();
    expect(read(dir, 'out')).toBe('c-9|');
  });

  it('gives a signal its variables, REXI_CALLERS the number of callers', async () => {
    const dir = tmpdir();
    const stage = createMultiCallStage({ minCallers: 3, windowMs: 10 * MIN, windowText: '10m', cooldownMs: 10 * MIN, withCalls: false });
    const out = stage.transform([call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + 1 }), call({ id: 'c3', name: 'Carol', platform: 'discord', mcap: 9e5, at: T0 + 2 })]);
    const h = hooks(dir, 'cat > "$HOOK_DIR/line"; env | grep ^REXI_ | sort > "$HOOK_DIR/env"');
    h.output.write(out, '');
    await h.output.close();
    expect(read(dir, 'line')).toBe(out[0]!.raw + '\n');
    expect(read(dir, 'env').trim().split('\n')).toEqual([
      'REXI_CALLER=Carol',
      'REXI_CALLERS=3',
      'REXI_MCAP=900000',
      'REXI_NAME=Bonk Inu',
      'REXI_PLATFORM=discord',
      'REXI_SYMBOL=BONK',
      `REXI_TOKEN=${TOKEN_A}`,
      'REXI_TYPE=MULTI_CALL',
    ]);
  });

  it('never runs feed text: a hostile token name is only data', async () => {
    const dir = tmpdir();
    const names = ['$(touch "$HOOK_DIR/pwned1")', '`touch "$HOOK_DIR/pwned2"`', '"; touch "$HOOK_DIR/pwned3"; "', "'; touch pwned4; '", '$(touch pwned5)\nx'];
    // Unquoted and quoted uses, and the line through a pipe: none of them evaluates the text.
    const h = hooks(dir, 'echo $REXI_NAME >> "$HOOK_DIR/names"; printf "%s\\n" "$REXI_SYMBOL" >> "$HOOK_DIR/symbols"; cat >> "$HOOK_DIR/lines"', { jobs: 1 });
    h.output.write(names.map((n, i) => call({ name: 'A', tokenName: n, symbol: n, at: T0 + i })), '');
    await h.output.close();
    expect(h.output.failed).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['lines', 'names', 'symbols']);
    expect(fs.existsSync('pwned4') || fs.existsSync('pwned5')).toBe(false);
    expect(read(dir, 'symbols')).toBe(names.map((n) => n + '\n').join(''));
  });

  it('passes our environment minus the API key, NATS credentials and our own REXI_* settings; drops NUL', async () => {
    const dir = tmpdir();
    const env = {
      PATH: process.env.PATH,
      HOOK_DIR: dir,
      KEEP_ME: 'yes',
      REXI_API_KEY: 'sk-secret',
      REXI_WS_URL: 'wss://x/?api_key=sk-secret',
      NATS_USER: 'u',
      NATS_PASSWORD: 'p',
      NATS_TOKEN: 't',
      NATS_CREDS: '/c',
      NATS_NKEY: '/n',
      NATS_URL: 'nats://127.0.0.1:4222',
    };
    const h = hooks(dir, 'env > "$HOOK_DIR/env"', { env });
    h.output.write([call({ name: 'nu\u0000l', tokenName: 'a\u0000b', at: T0 })], '');
    await h.output.close();
    const seen = read(dir, 'env');
    expect(seen).not.toContain('sk-secret');
    expect(seen).not.toMatch(/^(REXI_API_KEY|REXI_WS_URL|NATS_USER|NATS_PASSWORD|NATS_TOKEN|NATS_CREDS|NATS_NKEY)=/m);
    expect(seen).toMatch(/^KEEP_ME=yes$/m);
    expect(seen).toMatch(/^NATS_URL=/m);
    expect(seen).toMatch(/^REXI_NAME=ab$/m);
    expect(seen).toMatch(/^REXI_CALLER=nul$/m);
    expect(hookBaseEnv({ REXI_API_KEY: 'x', A: 'b', U: undefined })).toEqual({ A: 'b' });
  });

  it("sends a hook's stdout and stderr to our stderr", async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'echo to-stdout; echo to-stderr >&2');
    h.output.write([call({ name: 'A', at: T0 })], '');
    await h.output.close();
    await new Promise((r) => setImmediate(r));
    expect(h.stderr()).toContain('to-stdout\n');
    expect(h.stderr()).toContain('to-stderr\n');
  });

  it('writes straight to a file descriptor when given one (our stderr by default)', async () => {
    const dir = tmpdir();
    const fd = fs.openSync(path.join(dir, 'stderr'), 'w');
    try {
      const h = hooks(dir, 'echo out; echo err >&2', { stderr: fd });
      h.output.write([call({ name: 'A', at: T0 })], '');
      await h.output.close();
    } finally {
      fs.closeSync(fd);
    }
    expect(read(dir, 'stderr')).toBe('out\nerr\n');
  });

  it('runs at most --exec-jobs hooks at once', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'echo "S $(date +%s%N)" >> "$HOOK_DIR/log"; sleep 0.3; echo "E $(date +%s%N)" >> "$HOOK_DIR/log"', { jobs: 2 });
    h.output.write(Array.from({ length: 6 }, (_, i) => call({ name: 'A', at: T0 + i })), '');
    await h.output.close();
    const events = read(dir, 'log')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([kind, ns]) => [BigInt(ns!), kind === 'S' ? 1 : -1] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    let now = 0;
    let most = 0;
    for (const [, d] of events) most = Math.max(most, (now += d));
    expect(events).toHaveLength(12);
    expect(most).toBe(2);
    expect(h.output.summary?.()).toBe('hooks 6 (failed 0, dropped 0)');
  });

  it('ends a hook that runs too long together with its children', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'sleep 30 & echo $! > "$HOOK_DIR/child"; sleep 30', { timeoutMs: 300 });
    h.output.write([call({ name: 'A', at: T0 })], '');
    await h.output.close();
    expect(await waitGone(Number(read(dir, 'child')))).toBe(true);
    expect([h.output.failed, h.output.timedOut]).toEqual([1, 1]);
    expect(h.warned[0]).toMatch(/^--exec: a hook ran longer than --exec-timeout \(300ms\)/);
  });

  it('tally() gives --metrics the summary\'s numbers by result: ok, failed, timeout, dropped', async () => {
    const dir = tmpdir();
    // By the caller: one ends 0, one fails, one outlives the timeout.
    const h = hooks(dir, 'case "$REXI_CALLER" in A) exit 0 ;; B) exit 3 ;; *) sleep 30 ;; esac', { timeoutMs: 300, jobs: 3 });
    h.output.write([call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 }), call({ name: 'C', at: T0 })], '');
    await h.output.close();
    expect(h.output.tally?.()).toEqual({ hooks: { ok: 1, failed: 1, timeout: 1, dropped: 0 } });
    expect(h.output.summary?.()).toBe('hooks 3 (failed 2, dropped 0)');
  });

  it('sends SIGKILL to a hook that ignores SIGTERM', async () => {
    const dir = tmpdir();
    const h = hooks(dir, "trap '' TERM; sleep 30 & echo $! > \"$HOOK_DIR/child\"; wait; wait", { timeoutMs: 200, killAfterMs: 300 });
    h.output.write([call({ name: 'A', at: T0 })], '');
    await h.output.close();
    expect(await waitGone(Number(read(dir, 'child')))).toBe(true);
    expect(h.output.timedOut).toBe(1);
  });

  it('drops runs past 100 waiting, counts them, and warns at most once a second', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'sleep 0.2', { timeoutMs: 100, clock: () => 5000 });
    h.output.write(Array.from({ length: 106 }, (_, i) => call({ name: 'A', at: T0 + i })), '');
    // One runs, 100 wait, 5 are dropped.
    expect([h.output.started, h.output.dropped]).toEqual([1, 5]);
    expect(h.warned).toEqual(['--exec: 100 hooks are waiting already: dropped one (hooks 1, failed 0, dropped 1 so far)']);
    await h.output.close();
    // The clean stop waited --exec-timeout; those still waiting then were dropped.
    expect(h.output.started + h.output.dropped).toBe(106);
    expect(h.output.dropped).toBeGreaterThan(5);
    expect(h.output.summary?.()).toMatch(/^hooks \d+ \(failed \d+, dropped \d+\)$/);
    expect(h.warned).toHaveLength(1);
  });

  it('counts failures and a shell that cannot start, never throwing', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'exit 3');
    h.output.write([call({ name: 'A', at: T0 })], '');
    await h.output.close();
    expect(h.output.failed).toBe(1);
    expect(h.warned).toEqual(['--exec: a hook exited with code 3 (hooks 1, failed 1, dropped 0 so far)']);

    const k = hooks(dir, 'kill -9 $$');
    k.output.write([call({ name: 'A', at: T0 })], '');
    await k.output.close();
    expect(k.warned[0]).toMatch(/killed by SIGKILL/);

    const none = hooks(dir, 'true', { shell: path.join(dir, 'no-such-shell') });
    none.output.write([call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 })], '');
    await none.output.close();
    expect(none.output.failed).toBe(2);
    expect(none.warned[0]).toMatch(/could not start: spawn .*no-such-shell ENOENT/);
  });

  it('waits at close for the hooks running and waiting', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'sleep 0.1; cat >> "$HOOK_DIR/lines"');
    h.output.write([call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 }), call({ name: 'C', at: T0 })], '');
    await h.output.close();
    expect(read(dir, 'lines').trim().split('\n')).toHaveLength(3);
    expect(h.output.summary?.()).toBe('hooks 3 (failed 0, dropped 0)');
    expect(h.warned).toEqual([]);
  });

  it('runs a hook for other messages too, REXI_TYPE their type', async () => {
    const dir = tmpdir();
    const h = hooks(dir, 'printf %s "$REXI_TYPE" > "$HOOK_DIR/type"; cat > "$HOOK_DIR/line"');
    const m: Message = new OtherMessage('{"type": "HEARTBEAT","x":"\u202e"}', T0, false, undefined);
    h.output.write([m], '');
    await h.output.close();
    expect(read(dir, 'type')).toBe('HEARTBEAT');
    expect(read(dir, 'line')).toBe('{"type":"HEARTBEAT","x":"\\u202e"}\n');
  });
});

describe('--bell', () => {
  it('rings once per line on a terminal, and is nothing elsewhere', async () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const bell = createBellOutput(tty)!;
    bell.write([call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 })], '');
    bell.write([], '');
    expect(tty.read()?.toString()).toBe('\x07\x07');
    expect(bell.behind).toBe(false);
    await bell.close();
    expect(createBellOutput(new PassThrough())).toBeUndefined();
  });
});
