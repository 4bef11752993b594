import { describe, expect, it } from 'vitest';
import { resolveLiveCalls } from '../../src/config/library.js';

/** liveCalls' options are typed as before the options core: a string option takes a string, a number option a number. */
describe('library option types', () => {
  it('a string option given a number is a bad option, as before the options core', () => {
    expect(() => resolveLiveCalls({ url: 'wss://h/x', apiKey: 12345 })).toThrow(/apiKey must be a non-empty string/);
    expect(() => resolveLiveCalls({ url: 'nats://127.0.0.1:4222/x', stream: 5 })).toThrow(/stream must be a non-empty string/);
    expect(() => resolveLiveCalls({ url: 12345 })).toThrow(/url must be a non-empty string/);
  });

  it('a number option given text is a bad option (maxRetries: "Infinity" slipped through)', () => {
    expect(() => resolveLiveCalls({ url: 'wss://h/x', apiKey: 'k', maxRetries: 'Infinity' })).toThrow(/maxRetries must be a number/);
    expect(() => resolveLiveCalls({ url: 'nats://127.0.0.1:4222/x', startSeq: '5' })).toThrow(/startSeq must be/);
    expect(resolveLiveCalls({ url: 'wss://h/x', apiKey: 'k', maxRetries: Infinity }).stream.policy.maxRetries).toBe(Infinity);
    expect(resolveLiveCalls({ url: 'wss://h/x', apiKey: 'k', maxRetries: 0 }).stream.policy.maxRetries).toBe(0);
    expect(resolveLiveCalls({ url: 'nats://127.0.0.1:4222/x', since: 5, stream: 'S' }).source).toMatchObject({ kind: 'jetstream', read: { start: { kind: 'since', atMs: 5 }, streamName: 'S' } });
  });
});
