import { describe, expect, it } from 'vitest';
import { backoffDelay, causeOf, connectionWasGood, decide, describeEnd, parseRetryAfter, type BackoffPolicy } from '../../src/stream/policy.js';

const policy: BackoffPolicy = { minMs: 1000, maxMs: 30_000, maxRetries: Infinity };
const low = () => 0;
const high = () => 0.999999;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('backoffDelay: exponential with full jitter between min and max', () => {
  it('spans min..min·2^(n+1), capped at max', () => {
    expect(backoffDelay(policy, 0, low)).toBe(1000);
    expect(backoffDelay(policy, 0, high)).toBe(2000);
    expect(backoffDelay(policy, 1, high)).toBe(4000);
    expect(backoffDelay(policy, 3, high)).toBe(16_000);
    expect(backoffDelay(policy, 4, high)).toBe(30_000);
    expect(backoffDelay(policy, 1000, high)).toBe(30_000);
    expect(backoffDelay(policy, 1000, low)).toBe(1000);
  });

  it('is uniform: the middle of the random range is the middle of the window', () => {
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(4500);
  });
});

describe('connectionWasGood: the rule that resets the backoff', () => {
  it('a delivered message or staying up for backoff-max resets it', () => {
    expect(connectionWasGood(policy, 10, 1)).toBe(true);
    expect(connectionWasGood(policy, 30_000, 0)).toBe(true);
    expect(connectionWasGood(policy, 29_999, 0)).toBe(false);
    expect(connectionWasGood(policy, undefined, 0)).toBe(false);
  });
});

describe('decide', () => {
  it('retries a normal close, a drop, a dead link, an idle link and unreachable hosts', () => {
    for (const end of [
      { kind: 'closed', code: 1000, reason: '' },
      { kind: 'closed', code: 1001, reason: 'going away' },
      { kind: 'closed', code: 1006, reason: '' },
      { kind: 'heartbeat' },
      { kind: 'idle' },
      { kind: 'too-large' },
      { kind: 'unreachable', message: 'connection refused' },
      { kind: 'http', status: 500 },
    ] as const) {
      expect(decide(end, policy, 0, low, NOW)).toMatchObject({ action: 'retry', delayMs: 1000 });
    }
  });

  it('a 404 or a redirect before any connection of the run succeeded is a wrong URL; after one did, it is retried', () => {
    for (const end of [
      { kind: 'http', status: 404 },
      { kind: 'http', status: 301, location: 'https://elsewhere/x' },
      { kind: 'http', status: 302, location: 'https://elsewhere/x' },
      { kind: 'http', status: 307 },
      { kind: 'http', status: 308, location: '/moved' },
    ] as const) {
      expect(decide(end, policy, 0, low, NOW).action).toBe('wrong-endpoint');
      expect(decide(end, policy, 3, low, NOW, false).action).toBe('wrong-endpoint');
      expect(decide(end, policy, 0, low, NOW, true)).toMatchObject({ action: 'retry', delayMs: 1000 });
    }
    // Other answers keep their rules either way.
    expect(decide({ kind: 'http', status: 410 }, policy, 0, low, NOW).action).toBe('retry');
    expect(decide({ kind: 'http', status: 401 }, policy, 0, low, NOW, true).action).toBe('auth-rejected');
  });

  it('never retries a rejected key: 401, 403 at the upgrade; close 1008, 4001, 4003', () => {
    for (const end of [
      { kind: 'http', status: 401 },
      { kind: 'http', status: 403 },
      { kind: 'closed', code: 1008, reason: '' },
      { kind: 'closed', code: 4001, reason: '' },
      { kind: 'closed', code: 4003, reason: '' },
    ] as const) {
      expect(decide(end, policy, 0, low, NOW).action).toBe('auth-rejected');
    }
  });

  it('a proxy that refuses CONNECT (401, 403, 407) is not the server rejecting the key; its other answers are retried', () => {
    for (const status of [401, 403, 407]) {
      expect(decide({ kind: 'proxy', status }, policy, 0, low, NOW)).toEqual({ action: 'proxy-refused', why: `the proxy answered HTTP ${status} to CONNECT` });
    }
    expect(decide({ kind: 'proxy', status: 502 }, policy, 0, low, NOW)).toMatchObject({ action: 'retry', delayMs: 1000 });
  });

  it('honours Retry-After on 429 and 503, in seconds or as a date', () => {
    expect(decide({ kind: 'http', status: 429, retryAfter: '7' }, policy, 0, low, NOW)).toMatchObject({ action: 'retry', delayMs: 7000 });
    const date = new Date(NOW + 12_000).toUTCString();
    expect(decide({ kind: 'http', status: 503, retryAfter: date }, policy, 0, low, NOW)).toMatchObject({ action: 'retry', delayMs: 12_000 });
    // Without the header: the ordinary backoff.
    expect(decide({ kind: 'http', status: 429 }, policy, 2, high, NOW)).toMatchObject({ action: 'retry', delayMs: 8000 });
  });

  it('a Retry-After that is not delta-seconds or an HTTP date is ignored: the ordinary backoff', () => {
    for (const retryAfter of ['-5', '1.5', '+3', ' ', 'soon', '5s', '0x10', '2026-11-25', 'Sun, 06 Nov 1994 08:49:37 PST']) {
      expect(decide({ kind: 'http', status: 429, retryAfter }, policy, 2, high, NOW), retryAfter).toMatchObject({ action: 'retry', delayMs: 8000 });
      expect(decide({ kind: 'http', status: 503, retryAfter }, policy, 2, high, NOW).why, retryAfter).not.toMatch(/Retry-After/);
    }
  });

  it('never waits less than --backoff-min, whatever Retry-After says (0, a date in the past, a date a moment away)', () => {
    for (const retryAfter of ['0', new Date(NOW - 60_000).toUTCString(), new Date(NOW + 200).toUTCString()]) {
      expect(decide({ kind: 'http', status: 429, retryAfter }, policy, 0, low, NOW), retryAfter).toMatchObject({ action: 'retry', delayMs: 1000 });
    }
    // A Retry-After past the cap is bounded to an hour.
    expect(decide({ kind: 'http', status: 503, retryAfter: '999999999999' }, policy, 0, low, NOW)).toMatchObject({ delayMs: 3_600_000 });
  });

  it('--max-retries n: n retries after failed attempts, n + 1 attempts in all, then give up', () => {
    const two = { ...policy, maxRetries: 2 };
    const refused = { kind: 'unreachable', message: 'connection refused' } as const;
    expect(decide(refused, two, 0, low, NOW).action).toBe('retry');
    expect(decide(refused, two, 1, low, NOW).action).toBe('retry');
    expect(decide(refused, two, 2, low, NOW).action).toBe('give-up');
    // --no-retry: exactly one attempt.
    expect(decide(refused, { ...policy, maxRetries: 0 }, 0, low, NOW).action).toBe('give-up');
  });

  it('stops when we closed it ourselves', () => {
    expect(decide({ kind: 'stopped' }, policy, 5, low, NOW)).toEqual({ action: 'stop' });
  });
});

describe('describeEnd', () => {
  it("names a redirect's target with its key redacted and its control characters shown", () => {
    expect(describeEnd({ kind: 'http', status: 302, location: 'wss://other.example/x?api_key=s3cret&a=1' })).toBe(
      'the server answered HTTP 302, a redirect to wss://other.example/x?api_key=***&a=1 (not followed)',
    );
    // Quoted as it came (control characters too): whoever prints it sanitizes it.
    expect(describeEnd({ kind: 'http', status: 301, location: 'https://u:pw@h/x' })).toBe('the server answered HTTP 301, a redirect to https://***@h/x (not followed)');
    expect(describeEnd({ kind: 'http', status: 307 })).toBe('the server answered HTTP 307, a redirect (not followed)');
    expect(describeEnd({ kind: 'http', status: 404 })).toBe('the server answered HTTP 404');
  });

  it("quotes a server's close reason as it came: whoever prints it sanitizes it (status-log.test.ts)", () => {
    const why = describeEnd({ kind: 'closed', code: 1000, reason: 'bye' });
    expect(why).toBe('the server closed the connection (1000 bye)');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores junk', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('takes the three HTTP-date forms (IMF-fixdate, RFC 850, asctime in GMT)', () => {
    // NOW is Wednesday 2026-11-25 12:00:00 GMT.
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wednesday, 25-Nov-26 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed Nov 25 12:00:30 2026', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed Nov  5 12:00:30 2026', NOW)).toBe(0);
  });

  it('signs, fractions, units and other dates Date.parse would take are not Retry-After values', () => {
    for (const value of ['-5', '+3', '1.5', '1e3', '5s', '2026-11-25', '2026-11-25T12:00:30Z', 'Nov 25 2026', '']) {
      expect(parseRetryAfter(value, NOW), value).toBeUndefined();
    }
  });
});

describe('causeOf: what ended a connection, as a fixed word for metric labels and readiness', () => {
  it('never carries the server\'s text', () => {
    expect(causeOf({ kind: 'heartbeat' })).toBe('pong_timeout');
    expect(causeOf({ kind: 'idle' })).toBe('idle_timeout');
    expect(causeOf({ kind: 'closed', code: 1011, reason: 'key=secret \u001b[31m' })).toBe('closed');
    expect(causeOf({ kind: 'unreachable', message: 'ECONNREFUSED' })).toBe('unreachable');
    expect(causeOf({ kind: 'http', status: 503 })).toBe('http_error');
    expect(causeOf({ kind: 'proxy', status: 502 })).toBe('proxy_error');
    expect(causeOf({ kind: 'too-large' })).toBe('too_large');
  });
});
