import { describe, expect, it } from 'vitest';
import { callerKey, callKey, dedupeKey, isKnownCaller, tokenCallerKey, tokenKey } from '../../src/stages/identity.js';
import { call, T0, TOKEN_A, TOKEN_B } from '../support/messages.js';

const c = (id: string | undefined, name: string | undefined, platform: string | undefined) => ({ id, name, platform });

describe('callerKey', () => {
  it('is the platform plus the id when there is an id', () => {
    expect(callerKey(c('42', 'Alice', 'telegram'))).toBe(callerKey(c('42', 'Bob', 'telegram')));
    expect(callerKey(c('42', 'Alice', 'telegram'))).not.toBe(callerKey(c('43', 'Alice', 'telegram')));
  });

  it('compares the id exactly', () => {
    expect(callerKey(c('abc', undefined, 'telegram'))).not.toBe(callerKey(c('ABC', undefined, 'telegram')));
  });

  it('is the platform plus the name without an id, the name compared case-insensitively', () => {
    expect(callerKey(c(undefined, 'Alice', 'telegram'))).toBe(callerKey(c(undefined, 'ALICE', 'telegram')));
    expect(callerKey(c(undefined, 'Alice', 'telegram'))).not.toBe(callerKey(c(undefined, 'Bob', 'telegram')));
  });

  it('compares the platform case-insensitively', () => {
    expect(callerKey(c('42', undefined, 'Telegram'))).toBe(callerKey(c('42', undefined, 'TELEGRAM')));
    expect(callerKey(c(undefined, 'Alice', 'Discord'))).toBe(callerKey(c(undefined, 'alice', 'discord')));
  });

  it('tells one platform from another', () => {
    expect(callerKey(c('42', undefined, 'telegram'))).not.toBe(callerKey(c('42', undefined, 'discord')));
    expect(callerKey(c('42', undefined, undefined))).not.toBe(callerKey(c('42', undefined, 'telegram')));
  });

  it('counts an empty id or name as missing', () => {
    expect(callerKey(c('', 'Alice', 'telegram'))).toBe(callerKey(c(undefined, 'alice', 'telegram')));
    expect(callerKey(c('', '', 'telegram'))).toBe(callerKey(c(undefined, undefined, 'telegram')));
  });

  it('never confuses an id with a name of the same text', () => {
    expect(callerKey(c('alice', undefined, 'telegram'))).not.toBe(callerKey(c(undefined, 'alice', 'telegram')));
  });

  it('gives a caller with neither id nor name the unknown caller of its platform', () => {
    expect(callerKey(c(undefined, undefined, 'telegram'))).toBe(callerKey(c('', '', 'TELEGRAM')));
    expect(callerKey(c(undefined, undefined, 'telegram'))).not.toBe(callerKey(c(undefined, undefined, 'discord')));
    expect(isKnownCaller(c(undefined, undefined, 'telegram'))).toBe(false);
    expect(isKnownCaller(c('', '', 'telegram'))).toBe(false);
    expect(isKnownCaller(c('', 'x', undefined))).toBe(true);
    expect(isKnownCaller(c('1', undefined, undefined))).toBe(true);
  });

  it('cannot be forged by text that looks like a separator', () => {
    // Without the length prefix, platform "a" + name "bi1" and platform "abi" + ... could meet.
    const keys = new Set([
      callerKey(c('1', undefined, 'ab')),
      callerKey(c('b1', undefined, 'a')),
      callerKey(c(undefined, 'i1', 'ab')),
      callerKey(c(undefined, undefined, 'abi1')),
      callerKey(c(undefined, '?', 'ab')),
      callerKey(c(undefined, undefined, 'ab')),
      callerKey(c('2:ab', undefined, '')),
    ]);
    expect(keys.size).toBe(7);
  });
});

describe('call identities', () => {
  const alice = call({ id: 'c-1', name: 'Alice', at: T0, timestamp: 1_700_000_000 });

  it('token: the address, compared exactly', () => {
    expect(tokenKey(alice)).toBe(TOKEN_A);
    expect(tokenKey(call({ token: TOKEN_A.toLowerCase(), at: T0 }))).not.toBe(tokenKey(alice));
  });

  it('caller: token + caller', () => {
    const again = call({ id: 'c-1', name: 'Renamed', platform: 'TELEGRAM', at: T0 + 5000, timestamp: 1_700_000_999 });
    expect(tokenCallerKey(again)).toBe(tokenCallerKey(alice));
    expect(tokenCallerKey(call({ id: 'c-1', token: TOKEN_B, at: T0 }))).not.toBe(tokenCallerKey(alice));
    expect(tokenCallerKey(call({ id: 'c-2', at: T0 }))).not.toBe(tokenCallerKey(alice));
  });

  it('call: token + caller + data.timestamp, whatever the arrival', () => {
    const redelivered = call({ id: 'c-1', name: 'Alice', at: T0 + 60_000, timestamp: 1_700_000_000 });
    expect(callKey(redelivered)).toBe(callKey(alice));
    expect(callKey(call({ id: 'c-1', at: T0, timestamp: 1_700_000_001 }))).not.toBe(callKey(alice));
    // Seconds, milliseconds and a numeric string name the same moment.
    expect(callKey(call({ id: 'c-1', at: T0, timestamp: 1_700_000_000_000 }))).toBe(callKey(alice));
    expect(callKey(call({ id: 'c-1', at: T0, timestamp: '1700000000' }))).toBe(callKey(alice));
  });

  it('call: a missing timestamp is one value of its own', () => {
    const a = call({ id: 'c-1', at: T0, timestamp: undefined });
    const b = call({ id: 'c-1', at: T0 + 1, timestamp: null });
    expect(callKey(a)).toBe(callKey(b));
    expect(callKey(a)).not.toBe(callKey(alice));
  });

  it('the unknown caller is one caller for dedupe', () => {
    const a = call({ at: T0 });
    const b = call({ at: T0, name: '', id: '' });
    expect(tokenCallerKey(a)).toBe(tokenCallerKey(b));
    expect(callKey(a)).toBe(callKey(b));
  });

  it('numeric ids are their text', () => {
    expect(tokenCallerKey(call({ id: 42, at: T0 }))).toBe(tokenCallerKey(call({ id: '42', at: T0 })));
  });

  it('dedupeKey picks the key of a kind', () => {
    expect(dedupeKey('token')(alice)).toBe(tokenKey(alice));
    expect(dedupeKey('caller')(alice)).toBe(tokenCallerKey(alice));
    expect(dedupeKey('call')(alice)).toBe(callKey(alice));
  });
});
