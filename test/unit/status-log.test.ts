import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { logStatuses, rateLimit } from '../../src/status-log.js';

function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => void lines.push(`${level} ${msg}`);
  return { logger: { info: at('info'), warn: at('warn') } as unknown as Logger, lines };
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
});
