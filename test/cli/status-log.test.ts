import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { CallerList } from '../../src/stages/filter.js';
import { describeNonePassed, logNatsStatuses, logNatsWarnings, logStatuses, rateLimit } from '../../src/cli/status-log.js';

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => void lines.push(`${level} ${msg}`);
  return { logger: { info: at('info'), warn: at('warn'), debug: at('debug') } as unknown as Logger, lines };
}

describe('logStatuses: the CLI wording of the reader statuses', () => {
  it('says connected / reconnected, and why and when it reconnects', () => {
    const { logger, lines } = recorder();
    const log = logStatuses(logger);
    log({ type: 'connected', url: 'wss://h/x?api_key=***', reconnected: false });
    log({ type: 'reconnecting', reason: 'connection refused (nothing listening)', delayMs: 1500, attempt: 1 });
    log({ type: 'connected', url: 'wss://h/x?api_key=***', reconnected: true });
    expect(lines).toEqual([
      'info connected to wss://h/x?api_key=***',
      'warn connection refused (nothing listening); reconnecting in 1.5s',
      'info reconnected to wss://h/x?api_key=***',
    ]);
  });

  it("shows a server's close reason without its control characters", () => {
    const { logger, lines } = recorder();
    logStatuses(logger)({ type: 'reconnecting', reason: 'the server closed the connection (1000 bye\u001b]0;owned\u0007)', delayMs: 20, attempt: 1 });
    expect(lines).toEqual(['warn the server closed the connection (1000 bye\\x1b]0;owned\\x07); reconnecting in 20ms']);
  });

  it('warns about broken frames at most once a second per kind, and never about routine other types', () => {
    const { logger, lines } = recorder();
    const log = logStatuses(logger);
    for (let i = 1; i <= 5; i++) log({ type: 'skipped', kind: 'not-json', count: i });
    log({ type: 'skipped', kind: 'binary', count: 1, where: 'line 3' });
    log({ type: 'skipped', kind: 'other-type', count: 1 });
    expect(lines).toEqual(['warn skipped a frame: not JSON (1 so far)', 'warn skipped line 3: a binary frame (1 so far)']);
  });
});

describe('rateLimit', () => {
  it('lets a key through once per period', () => {
    let now = 0;
    const may = rateLimit<string>(1000, () => now);
    expect([may('a'), may('a'), may('b')]).toEqual([true, false, true]);
    now = 999;
    expect(may('a')).toBe(false);
    now = 1000;
    expect(may('a')).toBe(true);
  });

  it('NATS: the same wording, named by the redacted URL; the link down once, back once', () => {
    const { logger, lines } = recorder();
    const log = logNatsStatuses(logger, 'nats://***@n1:4222/rexi.calls.>');
    log({ type: 'reconnecting', reason: 'connection refused', delayMs: 1200, attempt: 1 });
    log({ type: 'connected', server: 'n1:4222', reconnect: false });
    log({ type: 'disconnected', server: 'n1:4222' });
    log({ type: 'reconnecting', reason: 'connection lost', delayMs: 0, attempt: 1 });
    log({ type: 'connected', server: 'n2:4222', reconnect: true });
    expect(lines).toEqual([
      'warn NATS at nats://***@n1:4222/rexi.calls.>: connection refused; reconnecting in 1.2s',
      'info connected to NATS at nats://***@n1:4222/rexi.calls.> (server n1:4222)',
      'warn disconnected from NATS at nats://***@n1:4222/rexi.calls.> (server n1:4222); reconnecting',
      'debug NATS at nats://***@n1:4222/rexi.calls.>: reconnect attempt 1',
      'info reconnected to NATS at nats://***@n1:4222/rexi.calls.> (server n2:4222)',
    ]);
  });

  it('NATS warnings: at most one a second of each kind', () => {
    const { logger, lines } = recorder();
    const warn = logNatsWarnings(logger);
    for (let i = 0; i < 3; i++) warn(`skipped a message of ${1000 + i} bytes for rexi.calls.x: over the NATS server's max payload`);
    warn('a publish to rexi.calls.x was not acknowledged (timeout): retrying with the same message id');
    expect(lines).toHaveLength(2);
  });
});

describe('describeNonePassed: why nothing is printed', () => {
  const spec = { callers: ['Gem Hunters'], excludeCallers: [], platforms: ['telegram'], tokens: [], symbols: [], minMcap: 250_000 };

  it('names the filter flags in use, a few callers and the platforms seen, sanitized', () => {
    const line = describeNonePassed({ calls: 1000, callers: ['Alpha Calls', 'Moon\u001b]0;pwned\u0007Boys'], platforms: ['discord', 'twitter'] }, spec);
    expect(line).toMatch(/^1000 calls, none passed the filters \(--caller, --platform, --min-mcap\); callers seen include: Alpha Calls, Moon.*Boys; platforms seen: discord, twitter$/);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(describeNonePassed({ calls: 1, callers: [], platforms: [] }, spec)).toMatch(/^1 call, none passed .*callers seen include: none; platforms seen: none$/);
  });

  it('names --caller-file when the callers come from a file alone (not an empty list of flags)', () => {
    const fromFile = { callers: [], callerList: new CallerList(['Gem Hunters']), excludeCallers: [], platforms: [], tokens: [], symbols: [] };
    expect(describeNonePassed({ calls: 1000, callers: ['Alpha'], platforms: ['telegram'] }, fromFile)).toMatch(/^1000 calls, none passed the filters \(--caller-file\);/);
  });
});
