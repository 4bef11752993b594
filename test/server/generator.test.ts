import { describe, expect, it } from 'vitest';
import { classifyFrame } from '../../src/wire/calls.js';
import { BASE58_ALPHABET, encodeBase58 } from '../../src/server/base58.js';
import { CALLERS, SKILL } from '../../src/server/callers.js';
import { MAX_LIVE_TOKENS, MCAP_MAX, MCAP_MIN, TOKEN_SUPPLIES, createCallGenerator } from '../../src/server/generator.js';

interface Scan {
  type: string;
  data: {
    token_address: string;
    token_name: string;
    token_symbol: string;
    timestamp: number;
    caller: { id: string; name: string; platform: string };
    price_data: { current_price: number; market_cap: number };
  };
}

/** An independent decoder (BigInt arithmetic), so the encoder is not checked against itself. */
function decodeBase58(text: string): Uint8Array {
  let n = 0n;
  for (const ch of text) {
    const digit = BASE58_ALPHABET.indexOf(ch);
    if (digit < 0) throw new Error(`not base58: ${ch}`);
    n = n * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n % 256n));
    n /= 256n;
  }
  const zeros = /^1*/.exec(text)![0].length;
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes]);
}

const T0 = Date.UTC(2025, 0, 1);
/** n calls at `rate` a second, stamped by the generator's own clock: one call every 1/rate s. */
const texts = (seed: number, n: number, rate = 2): string[] => {
  const gen = createCallGenerator(seed, { rate });
  return Array.from({ length: n }, (_, i) => gen.next(T0 + (i * 1000) / rate));
};
const sample = (seed: number, n: number, rate = 2): Scan[] => texts(seed, n, rate).map((t) => JSON.parse(t) as Scan);

/** The calls of each token, in order. */
function byToken(calls: Scan[]): Map<string, Scan['data'][]> {
  const tokens = new Map<string, Scan['data'][]>();
  for (const { data } of calls) {
    const list = tokens.get(data.token_address);
    if (list) list.push(data);
    else tokens.set(data.token_address, [data]);
  }
  return tokens;
}

describe('encodeBase58', () => {
  it('matches the reference vectors, leading zeros included', () => {
    const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
    expect(encodeBase58(new Uint8Array())).toBe('');
    expect(encodeBase58(hex('61'))).toBe('2g');
    expect(encodeBase58(hex('626262'))).toBe('a3gV');
    expect(encodeBase58(hex('516b6fcd0f'))).toBe('ABnLTmg');
    expect(encodeBase58(hex('ecac89cad93923c02321'))).toBe('EJDM8drfXA6uyA');
    expect(encodeBase58(hex('00eb15231dfceb60925886b67d065299925915aeb172c06647'))).toBe('1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L');
    expect(encodeBase58(new Uint8Array(10))).toBe('1111111111');
    expect(encodeBase58(new Uint8Array(32))).toBe('1'.repeat(32));
  });
});

describe('createCallGenerator', () => {
  it('repeats the same sequence for the same seed; only the timestamp follows the clock', () => {
    const a = createCallGenerator(42);
    const b = createCallGenerator(42);
    for (let i = 0; i < 50; i++) {
      const x = JSON.parse(a.next(T0 + i)) as Scan;
      const y = JSON.parse(b.next(T0 + 3_600_000)) as Scan;
      expect(y.data.timestamp).toBe(Math.floor((T0 + 3_600_000) / 1000));
      x.data.timestamp = y.data.timestamp;
      expect(x).toEqual(y);
    }
    expect(createCallGenerator(42).next(T0)).toBe(createCallGenerator(42).next(T0));
    expect(createCallGenerator(43).next(T0)).not.toBe(createCallGenerator(42).next(T0));
    // Seeds that share their low 32 bits still differ.
    expect(createCallGenerator(2 ** 32 + 1).next(T0)).not.toBe(createCallGenerator(1).next(T0));
  });

  it('draws a random seed when none is given and reports it, so the run can be repeated', () => {
    const gen = createCallGenerator();
    expect(Number.isInteger(gen.seed)).toBe(true);
    const first = gen.next(T0);
    expect(createCallGenerator(gen.seed).next(T0)).toBe(first);
    expect(createCallGenerator(7).seed).toBe(7);
  });

  it('writes the shape of the service docs, key order included, that calls.ts accepts as a call', () => {
    const text = createCallGenerator(1).next(T0 + 1500);
    const msg = JSON.parse(text) as Scan;
    expect(Object.keys(msg)).toEqual(['type', 'data']);
    expect(Object.keys(msg.data)).toEqual(['token_address', 'token_name', 'token_symbol', 'timestamp', 'caller', 'price_data']);
    expect(Object.keys(msg.data.caller)).toEqual(['id', 'name', 'platform']);
    expect(Object.keys(msg.data.price_data)).toEqual(['current_price', 'market_cap']);
    expect(msg.type).toBe('NEW_SCAN');
    expect(msg.data.timestamp).toBe(Math.floor((T0 + 1500) / 1000));
    const classified = classifyFrame(text, 0, false);
    expect(typeof classified).toBe('object');
    expect(classified).toMatchObject({ kind: 'call', raw: text, tokenAddress: msg.data.token_address });
  });

  it('makes token addresses that are base58 encodings of 32 bytes, one token one name and supply', () => {
    const alphabet = new RegExp(`^[${BASE58_ALPHABET}]{32,44}$`);
    const tokens = byToken(sample(3, 2000));
    for (const [address, calls] of tokens) {
      expect(address).toMatch(alphabet);
      const bytes = decodeBase58(address);
      expect(bytes.length).toBe(32);
      expect(encodeBase58(bytes)).toBe(address);
      // A token called again keeps its name, symbol and supply (market cap / price).
      const first = calls[0]!;
      const supply = first.price_data.market_cap / first.price_data.current_price;
      for (const call of calls) {
        expect([call.token_name, call.token_symbol]).toEqual([first.token_name, first.token_symbol]);
        expect(Math.abs(call.price_data.market_cap / call.price_data.current_price - supply) / supply).toBeLessThan(1e-5);
      }
    }
    // Fresh addresses for new tokens never collide with live ones.
    expect(tokens.size).toBeGreaterThan(500);
  });

  it('draws callers from a fixed roster of a few dozen over telegram, discord and twitter', () => {
    expect(CALLERS.length).toBe(36);
    expect(new Set(CALLERS.map((c) => c.id)).size).toBe(36);
    expect(new Set(CALLERS.map((c) => c.name)).size).toBe(36);
    expect(new Set(CALLERS.map((c) => c.platform))).toEqual(new Set(['telegram', 'discord', 'twitter']));

    const roster = new Map(CALLERS.map((c) => [c.id, c]));
    const seen = new Set<string>();
    for (const { data } of sample(5, 3000)) {
      expect(roster.get(data.caller.id)).toEqual(data.caller);
      seen.add(data.caller.id);
    }
    expect(seen.size).toBe(36);
  });

  it('makes log-normal market caps within 5k..50M and prices consistent with a supply', () => {
    const caps: number[] = [];
    for (const { data } of sample(9, 5000)) {
      const { market_cap: mcap, current_price: price } = data.price_data;
      expect(mcap).toBeGreaterThanOrEqual(MCAP_MIN);
      expect(mcap).toBeLessThanOrEqual(MCAP_MAX);
      expect(price).toBeGreaterThan(0);
      const consistent = TOKEN_SUPPLIES.some(({ supply }) => Math.abs(price * supply - mcap) / mcap < 1e-5);
      expect(consistent, `price ${price} x a known supply is not mcap ${mcap}`).toBe(true);
      caps.push(mcap);
    }
    caps.sort((x, y) => x - y);
    const median = caps[caps.length / 2]!;
    expect(median).toBeGreaterThan(50_000);
    expect(median).toBeLessThan(500_000);
    // Spread over the whole range, not bunched at the clamps.
    expect(caps.filter((c) => c < 20_000).length).toBeGreaterThan(50);
    expect(caps.filter((c) => c > 5_000_000).length).toBeGreaterThan(5);
    expect(caps.filter((c) => c === MCAP_MIN || c === MCAP_MAX).length).toBeLessThan(caps.length * 0.05);
  });

  it('composes varied meme-coin names with short upper-case symbols', () => {
    const messages = sample(11, 1000);
    for (const { data } of messages) {
      expect(data.token_name.length).toBeGreaterThan(0);
      expect(data.token_symbol).toMatch(/^[A-Z0-9]{2,10}$/);
    }
    const names = [...byToken(messages).values()].map((calls) => calls[0]!.token_name);
    expect(new Set(names).size).toBeGreaterThan(names.length * 0.6);
  });

  describe('token lifecycles', () => {
    // Ten minutes of a demo at 50 calls/s, as `demo --rate 50` sends them.
    const RATE = 50;
    const calls = sample(21, 30_000, RATE);
    const tokens = byToken(calls);
    const lists = [...tokens.values()];
    const distinctCallers = (list: Scan['data'][]): number => new Set(list.map((c) => c.caller.id)).size;

    it('calls most tokens once or twice, some a few times, and a few hot ones many times', () => {
      const once = lists.filter((l) => l.length === 1).length;
      const twice = lists.filter((l) => l.length === 2).length;
      const hot = lists.filter((l) => l.length >= 6).length;
      expect((once + twice) / lists.length).toBeGreaterThan(0.7);
      expect(once).toBeGreaterThan(twice);
      expect(hot).toBeGreaterThan(lists.length * 0.01);
      expect(hot).toBeLessThan(lists.length * 0.1);
      // Repeated tokens are a large share of the calls: the feed is not a stream of new tokens.
      expect(tokens.size).toBeLessThan(calls.length * 0.65);
    });

    it('has hot tokens called by several distinct callers over minutes', () => {
      const hot = lists.filter((l) => distinctCallers(l) >= 5);
      expect(hot.length).toBeGreaterThan(20);
      const spans = hot.map((l) => l[l.length - 1]!.timestamp - l[0]!.timestamp);
      expect(Math.max(...spans)).toBeGreaterThan(300);
      expect(spans.filter((s) => s >= 60).length).toBeGreaterThan(hot.length * 0.8);
      // Spacing looks like callers piling on, not a burst: the calls of a token are seconds to minutes apart.
      for (const list of hot) {
        for (let i = 1; i < list.length; i++) expect(list[i]!.timestamp - list[i - 1]!.timestamp).toBeGreaterThanOrEqual(1);
      }
      // Some callers call a token again: a repeat, which is not a new caller.
      expect(lists.some((l) => distinctCallers(l) < l.length)).toBe(true);
      // Many pairs of distinct callers within ten minutes: what `--min-callers 2 --window 10m` signals.
      const signalled = lists.filter((l) => l.some((c) => c.caller.id !== l[0]!.caller.id && c.timestamp - l[0]!.timestamp <= 600));
      expect(signalled.length).toBeGreaterThan(1000);
    });

    it('moves the market cap of a hot token over its calls: up for some, down for others', () => {
      const hot = lists.filter((l) => l.length >= 6);
      const moves = hot.map((l) => l[l.length - 1]!.price_data.market_cap / l[0]!.price_data.market_cap);
      expect(moves.filter((m) => m >= 2).length).toBeGreaterThan(hot.length * 0.3);
      expect(moves.filter((m) => m <= 0.7).length).toBeGreaterThan(hot.length * 0.1);
      for (const list of hot) {
        const caps = list.map((c) => c.price_data.market_cap);
        expect(new Set(caps).size).toBeGreaterThan(caps.length / 2);
        for (const c of list) {
          expect(c.price_data.market_cap).toBeGreaterThanOrEqual(MCAP_MIN);
          expect(c.price_data.market_cap).toBeLessThanOrEqual(MCAP_MAX);
        }
      }
    });

    it('gives callers different skill: the skilled are more often first on tokens that double', () => {
      // Each caller's first call of each token, a hit when a later call of the token shows twice its cap.
      const stats = CALLERS.map(() => ({ calls: 0, hits: 0 }));
      const index = new Map(CALLERS.map((c, i) => [c.id, i]));
      for (const list of lists) {
        const seen = new Set<string>();
        list.forEach((call, k) => {
          if (seen.has(call.caller.id)) return;
          seen.add(call.caller.id);
          const s = stats[index.get(call.caller.id)!]!;
          s.calls++;
          const peak = Math.max(0, ...list.slice(k + 1).map((c) => c.price_data.market_cap));
          if (peak >= 2 * call.price_data.market_cap) s.hits++;
        });
      }
      const bySkill = CALLERS.map((_, i) => i).sort((a, b) => SKILL[b]! - SKILL[a]!);
      const rate = (group: number[]): number => group.reduce((n, i) => n + stats[i]!.hits, 0) / group.reduce((n, i) => n + stats[i]!.calls, 0);
      const best = rate(bySkill.slice(0, 8));
      const worst = rate(bySkill.slice(-8));
      expect(best).toBeGreaterThan(worst * 1.5);
      expect(worst).toBeGreaterThan(0.02); // the unskilled hit now and then too
    });

    it('repeats the same bytes for the same seed and rate, timestamps from its own clock', () => {
      expect(texts(21, 2000, RATE)).toEqual(calls.slice(0, 2000).map((c) => JSON.stringify(c)));
      expect(texts(21, 300, RATE)).not.toEqual(texts(22, 300, RATE));
      // The rate is the generator's clock: another rate spaces the lifecycles differently.
      expect(texts(21, 300, 5)).not.toEqual(texts(21, 300, RATE));
    });

    it('caps the tokens it holds whatever the rate', () => {
      const gen = createCallGenerator(5, { rate: 1_000_000 });
      for (let i = 0; i < 40_000; i++) gen.next(T0);
      expect(gen.liveTokens).toBe(MAX_LIVE_TOKENS);
      for (let i = 0; i < 10_000; i++) gen.next(T0);
      expect(gen.liveTokens).toBeLessThanOrEqual(MAX_LIVE_TOKENS);
    });
  });
});

