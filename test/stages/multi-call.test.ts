import { describe, expect, it } from 'vitest';
import { createMultiCallStage, type MultiCallOptions } from '../../src/stages/multi-call.js';
import type { Call } from '../../src/wire/calls.js';
import type { Batch, SignalMessage } from '../../src/wire/message.js';
import { call, callFromText, kinds, MIN, other, T0, TOKEN_A, TOKEN_B } from '../support/messages.js';

const base: MultiCallOptions = { minCallers: 3, windowMs: 10 * MIN, windowText: '10m', cooldownMs: 10 * MIN, withCalls: false };
const stage = (o: Partial<MultiCallOptions> = {}) => createMultiCallStage({ ...base, ...o });

/** Feeds calls one batch each; returns every message output. */
function feed(s: ReturnType<typeof createMultiCallStage>, calls: Call[]): Batch {
  return calls.flatMap((c) => s.transform([c]));
}

const signals = (out: Batch): SignalMessage[] => out.filter((m): m is SignalMessage => m.kind === 'signal');
const callerNames = (s: SignalMessage): (string | null)[] => s.value.data.callers.map((c) => c.name);

describe('multi-call stage: counting', () => {
  it('emits a signal when the third distinct caller calls within the window', () => {
    const s = stage();
    const out = feed(s, [call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + 2 * MIN }), call({ name: 'Carol', at: T0 + 9 * MIN })]);
    expect(kinds(out)).toEqual(['signal']);
    expect(callerNames(signals(out)[0]!)).toEqual(['Alice', 'Bob', 'Carol']);
    expect(s.summary?.()).toBe('signals 1');
  });

  it('counts tokens apart', () => {
    const s = stage();
    const out = feed(s, [call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + 1 }), call({ name: 'Carol', token: TOKEN_B, at: T0 + 2 })]);
    expect(signals(out)).toHaveLength(0);
  });

  it('a second call by the same caller adds nothing', () => {
    const s = stage();
    const out = feed(s, [
      call({ name: 'Alice', at: T0 }),
      call({ name: 'alice', at: T0 + 1 }),
      call({ name: 'Bob', at: T0 + 2 }),
      call({ name: 'BOB', at: T0 + 3 }),
    ]);
    expect(signals(out)).toHaveLength(0);
    const more = feed(s, [call({ name: 'Carol', at: T0 + 4 })]);
    expect(callerNames(signals(more)[0]!)).toEqual(['Alice', 'Bob', 'Carol']);
  });

  it('one caller is one caller across name changes when it has an id', () => {
    const s = stage({ minCallers: 2 });
    expect(signals(feed(s, [call({ id: '7', name: 'Alice', at: T0 }), call({ id: '7', name: 'Alicia', at: T0 + 1 })]))).toHaveLength(0);
    // The same name on another platform is another caller.
    expect(signals(feed(s, [call({ name: 'Alice', platform: 'discord', at: T0 + 2 })]))).toHaveLength(1);
  });

  it('never counts the unknown caller', () => {
    const s = stage({ minCallers: 2 });
    const out = feed(s, [call({ name: 'Alice', at: T0 }), call({ at: T0 + 1 }), call({ id: '', name: '', platform: 'discord', at: T0 + 2 }), call({ at: T0 + 3, platform: undefined })]);
    expect(signals(out)).toHaveLength(0);
    expect(signals(feed(s, [call({ name: 'Bob', at: T0 + 4 })]))).toHaveLength(1);
  });

  it('slides: the first call can fall out before the third arrives', () => {
    const s = stage();
    const out = feed(s, [call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + 5 * MIN }), call({ name: 'Carol', at: T0 + 10 * MIN })]);
    expect(signals(out)).toHaveLength(0);
    const later = feed(s, [call({ name: 'Dave', at: T0 + 14 * MIN })]);
    expect(callerNames(signals(later)[0]!)).toEqual(['Bob', 'Carol', 'Dave']);
  });

  it('a caller whose first call fell out is in the window by its next call, listed with that one', () => {
    const s = stage();
    feed(s, [
      call({ name: 'Alice', at: T0, timestamp: 1, mcap: 10 }),
      call({ name: 'Alice', at: T0 + 6 * MIN, timestamp: 2, mcap: 20 }),
      call({ name: 'Bob', at: T0 + 7 * MIN, timestamp: 3, mcap: 30 }),
    ]);
    const [signal] = signals(feed(s, [call({ name: 'Carol', at: T0 + 12 * MIN, timestamp: 4, mcap: 40 })]));
    expect(signal!.value.data.callers.map((c) => [c.name, c.timestamp, c.market_cap])).toEqual([
      ['Alice', 2, 20],
      ['Bob', 3, 30],
      ['Carol', 4, 40],
    ]);
    expect(signal!.value.data.first_market_cap).toBe(20);
    expect(signal!.value.data.market_cap).toBe(40);
  });

  it('without --with-calls outputs signals only; other messages pass', () => {
    const s = stage({ minCallers: 2 });
    const h = other(T0);
    const out = s.transform([call({ name: 'Alice', at: T0 }), h, call({ name: 'Bob', at: T0 + 1 })]);
    expect(kinds(out)).toEqual(['other', 'signal']);
    expect(out[0]).toBe(h);
  });

  it('with --with-calls a signal follows its trigger call', () => {
    const s = stage({ minCallers: 2, withCalls: true });
    const out = s.transform([call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + 1 }), call({ name: 'Carol', at: T0 + 2 })]);
    expect(kinds(out)).toEqual(['call:Alice', 'call:Bob', 'signal', 'call:Carol']);
  });

  it('passes signals read back from a stream untouched, never counting them', () => {
    const s = stage({ minCallers: 2 });
    const [signal] = signals(s.transform([call({ name: 'Alice', at: T0 }), call({ name: 'Bob', at: T0 + 1 })]));
    const again = stage({ minCallers: 2 });
    expect(again.transform([signal!])).toEqual([signal]);
    expect(again.signals).toBe(0);
  });
});

describe('multi-call stage: cooldown', () => {
  it('no new signal for the token during the cooldown', () => {
    const s = stage({ minCallers: 2, cooldownMs: 5 * MIN });
    const out = feed(s, [
      call({ name: 'Alice', at: T0 }),
      call({ name: 'Bob', at: T0 + MIN }),
      call({ name: 'Carol', at: T0 + 2 * MIN }),
      call({ name: 'Dave', at: T0 + 6 * MIN - 1 }),
    ]);
    expect(signals(out)).toHaveLength(1);
  });

  it('after the cooldown the next caller new to the window emits again, with every caller in it', () => {
    const s = stage({ cooldownMs: 5 * MIN });
    feed(s, [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + MIN }), call({ name: 'C', at: T0 + 2 * MIN }), call({ name: 'D', at: T0 + 4 * MIN })]);
    // Cooldown over, but a caller already in the window triggers nothing.
    expect(signals(feed(s, [call({ name: 'A', at: T0 + 8 * MIN })]))).toHaveLength(0);
    const [again] = signals(feed(s, [call({ name: 'E', at: T0 + 8 * MIN })]));
    expect(callerNames(again!)).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('after the cooldown a new caller emits only when the window again holds n callers', () => {
    const s = stage({ cooldownMs: 5 * MIN });
    feed(s, [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + MIN }), call({ name: 'C', at: T0 + 2 * MIN })]);
    // By T0+20m everything fell out: D is alone, E makes two, F makes three.
    expect(signals(feed(s, [call({ name: 'D', at: T0 + 20 * MIN }), call({ name: 'E', at: T0 + 21 * MIN })]))).toHaveLength(0);
    const [again] = signals(feed(s, [call({ name: 'F', at: T0 + 22 * MIN })]));
    expect(callerNames(again!)).toEqual(['D', 'E', 'F']);
  });

  it('a zero cooldown: every caller new to the window past n emits', () => {
    const s = stage({ minCallers: 2, cooldownMs: 0 });
    const out = feed(s, [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 }), call({ name: 'C', at: T0 }), call({ name: 'C', at: T0 })]);
    expect(signals(out).map((x) => x.value.data.callers.length)).toEqual([2, 3]);
  });
});

describe('multi-call stage: the MULTI_CALL line', () => {
  it('is exactly the documented line, key order included', () => {
    const s = stage({ minCallers: 2 });
    const a = callFromText(
      '{"type":"NEW_SCAN","data":{"token_address":"TokA","token_name":"First Name","token_symbol":"OLD","timestamp":1628097600,"caller":{"id":"c1","name":"Alice","platform":"telegram"},"price_data":{"market_cap":120000}}}',
      Date.parse('2026-12-01T07:40:00.000Z'),
    );
    const triggerText = '{"type":"NEW_SCAN", "data": {"token_address":"TokA","token_name":"Tkn Name","token_symbol":"TKN","timestamp":1628098000,"caller":{"id":"c2","name":"Bob","platform":"discord"},"price_data":{"market_cap":510000}, "extra": [1.50, 12345678901234567890123]}}';
    const b = callFromText(triggerText, Date.parse('2026-12-01T07:49:29.123Z'));
    const [signal] = signals(feed(s, [a, b]));
    expect(signal!.raw).toBe(
      '{"type":"MULTI_CALL","data":{"token_address":"TokA","token_symbol":"TKN","token_name":"Tkn Name","window":"10m",' +
        '"callers":[{"id":"c1","name":"Alice","platform":"telegram","timestamp":1628097600,"market_cap":120000},' +
        '{"id":"c2","name":"Bob","platform":"discord","timestamp":1628098000,"market_cap":510000}],' +
        '"first_market_cap":120000,"market_cap":510000,' +
        '"trigger":{"type":"NEW_SCAN","data":{"token_address":"TokA","token_name":"Tkn Name","token_symbol":"TKN","timestamp":1628098000,"caller":{"id":"c2","name":"Bob","platform":"discord"},"price_data":{"market_cap":510000},"extra":[1.50,12345678901234567890123]}}},' +
        '"emitted_at":"2026-12-01T07:49:29.123Z"}',
    );
    expect(signal!.receivedAt).toBe(b.receivedAt);
    expect(signal!.kind).toBe('signal');
    expect(signal!.value.data.trigger).toEqual(JSON.parse(triggerText));
  });

  it('writes a missing id, name, platform, timestamp or market cap as null, and a timestamp as the frame had it', () => {
    const s = stage({ minCallers: 2 });
    const [signal] = signals(
      feed(s, [
        call({ id: 'only-id', at: T0, timestamp: '1700000000', mcap: undefined, platform: undefined }),
        call({ name: 'only-name', at: T0 + 1, timestamp: undefined, mcap: 'lots', symbol: undefined, tokenName: { x: 1 } }),
      ]),
    );
    const d = signal!.value.data;
    expect(d.callers).toEqual([
      { id: 'only-id', name: null, platform: null, timestamp: '1700000000', market_cap: null },
      { id: null, name: 'only-name', platform: 'telegram', timestamp: null, market_cap: null },
    ]);
    expect([d.token_symbol, d.token_name, d.first_market_cap, d.market_cap]).toEqual([null, null, null, null]);
  });

  it('takes the window text as given', () => {
    const s = stage({ minCallers: 2, windowText: '600' });
    const [signal] = signals(feed(s, [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + 1 })]));
    expect(signal!.value.data.window).toBe('600');
  });

  it('uses the trigger text it is given', () => {
    const s = stage({ minCallers: 2, triggerText: () => '{"type":"NEW_SCAN","data":{"given":true}}' });
    const [signal] = signals(feed(s, [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + 1 })]));
    expect(signal!.value.data.trigger).toEqual({ type: 'NEW_SCAN', data: { given: true } });
  });

  it('escapes hostile names so the line is safe on a terminal and the same JSON value', () => {
    const hostileToken = 'ev\u001b]0;pwned\u0007il\u202egnp.exe\u2028x\u2029y\u007f\u009bz\u2066';
    const hostileCaller = 'Bob\u001b[2J\u202e\u0000';
    const s = stage({ minCallers: 2 });
    const [signal] = signals(
      feed(s, [call({ name: 'Alice', at: T0, tokenName: hostileToken, symbol: '\u2028' }), call({ name: hostileCaller, at: T0 + 1, tokenName: hostileToken, symbol: '\u2028' })]),
    );
    const raw = signal!.raw;
    // No character a terminal or a line reader acts on: only printable ASCII and safe Unicode.
    expect(raw).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(raw).toContain('ev\\u001b]0;pwned\\u0007il\\u202egnp.exe\\u2028x\\u2029y\\u007f\\u009bz\\u2066');
    expect(raw).toContain('"name":"Bob\\u001b[2J\\u202e\\u0000"');
    const d = signal!.value.data;
    expect(d.token_name).toBe(hostileToken);
    expect(d.token_symbol).toBe('\u2028');
    expect(d.callers[1]!.name).toBe(hostileCaller);
    expect((d.trigger as { data: { caller: { name: string } } }).data.caller.name).toBe(hostileCaller);
  });

  it('gives the same identity for the same calls in two publishers, another for another trigger', () => {
    const calls = [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + 1 }), call({ name: 'C', at: T0 + 2 })];
    const [one] = signals(feed(stage(), calls));
    // Another publisher got the first two in the other order, a moment later.
    const [two] = signals(feed(stage(), [calls[1]!, calls[0]!, calls[2]!].map((c) => callFromText(c.raw, c.receivedAt + 50))));
    expect(one!.identity).toBe(two!.identity);
    const [other3] = signals(feed(stage(), [calls[0]!, calls[1]!, call({ name: 'D', at: T0 + 2 })]));
    expect(other3!.identity).not.toBe(one!.identity);
  });
});

describe('multi-call stage: memory', () => {
  it('holds at most --state-max tokens and calls, the least recently seen forgotten first', () => {
    const s = stage({ minCallers: 2, stateMax: 100 });
    for (let i = 0; i < 1000; i++) s.transform([call({ token: 'tok' + i, name: 'A', at: T0 + i })]);
    expect(s.windows.size).toBe(100);
    expect(s.windows.callCount).toBe(100);
    expect(s.summary?.()).toBe('signals 0 (forgotten 900)');
    // The most recent tokens are still counted.
    expect(signals(s.transform([call({ token: 'tok999', name: 'B', at: T0 + 1000 })]))).toHaveLength(1);
    expect(signals(s.transform([call({ token: 'tok0', name: 'B', at: T0 + 1000 })]))).toHaveLength(0);
  });

  it('bounds one token flooded by invented callers', () => {
    const s = stage({ minCallers: 3, stateMax: 100_000, cooldownMs: 10 * MIN });
    let emitted = 0;
    for (let i = 0; i < 20_000; i++) {
      emitted += signals(s.transform([call({ id: 'c' + i, at: T0 + i })])).length;
    }
    expect(emitted).toBe(1);
    expect(s.windows.callCount).toBeLessThanOrEqual(1000);
  });

  it('drops calls that fell out of the window from memory', () => {
    const s = stage();
    feed(s, [call({ name: 'A', at: T0 }), call({ name: 'B', at: T0 + MIN })]);
    feed(s, [call({ name: 'C', at: T0 + 30 * MIN })]);
    expect(s.windows.callCount).toBe(1);
    expect(s.windows.peek(TOKEN_A)?.entries.map((e) => e.name)).toEqual(['C']);
  });
});
