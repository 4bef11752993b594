import { describe, expect, it } from 'vitest';
import { classifyFrame } from '../../src/wire/calls.js';
import { BASE58_ALPHABET, encodeBase58 } from '../../src/server/base58.js';
import { CALLERS } from '../../src/server/callers.js';
import { MCAP_MAX, MCAP_MIN, TOKEN_SUPPLIES, createCallGenerator } from '../../src/server/generator.js';

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
const sample = (seed: number, n: number): Scan[] => {
  const gen = createCallGenerator(seed);
  return Array.from({ length: n }, (_, i) => JSON.parse(gen.next(T0 + i * 1000)) as Scan);
};

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

  it('makes token addresses that are base58 encodings of 32 bytes', () => {
    const alphabet = new RegExp(`^[${BASE58_ALPHABET}]{32,44}$`);
    const addresses = sample(3, 2000).map((m) => m.data.token_address);
    for (const address of addresses) {
      expect(address).toMatch(alphabet);
      const bytes = decodeBase58(address);
      expect(bytes.length).toBe(32);
      expect(encodeBase58(bytes)).toBe(address);
    }
    expect(new Set(addresses).size).toBe(addresses.length);
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
    expect(new Set(messages.map((m) => m.data.token_name)).size).toBeGreaterThan(300);
  });
});
