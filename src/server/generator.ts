import { randomInt } from 'node:crypto';
import { encodeBase58 } from './base58.js';
import { callerAt } from './callers.js';
import { createRandom } from './prng.js';
import { tokenName } from './token-names.js';

/**
 * Synthetic NEW_SCAN messages shaped exactly like the service's documented example. With a seed the sequence is
 * the same on every run (only `timestamp` follows the clock), so a demo or a bug report can be
 * reproduced with `--seed`.
 */

export interface CallGenerator {
  /** The seed in use: the one given, or the random one drawn, so a run can be repeated. */
  readonly seed: number;
  /** The JSON text of the next NEW_SCAN message, stamped with `nowMs` (unix seconds). */
  next(nowMs: number): string;
}

/** Token supplies with their share of launches: pump.fun mints 1e9; older launches vary. */
export const TOKEN_SUPPLIES: readonly { supply: number; share: number }[] = [
  { supply: 1e9, share: 0.8 },
  { supply: 1e8, share: 0.1 },
  { supply: 1e10, share: 0.05 },
  { supply: 1e7, share: 0.05 },
];

/** Market caps are log-normal: most calls are small caps, a few are established coins. */
export const MCAP_MIN = 5_000;
export const MCAP_MAX = 50_000_000;
const MCAP_LOG_MEDIAN = Math.log(150_000);
const MCAP_LOG_SIGMA = 1.5;

export function createCallGenerator(seed?: number): CallGenerator {
  const used = seed ?? randomInt(2 ** 32);
  const random = createRandom(used);
  const address = new Uint8Array(32);

  const supply = (): number => {
    let u = random.next();
    for (const s of TOKEN_SUPPLIES) {
      if ((u -= s.share) < 0) return s.supply;
    }
    return TOKEN_SUPPLIES[0]!.supply;
  };

  return {
    seed: used,
    next(nowMs: number): string {
      for (let i = 0; i < address.length; i++) address[i] = random.int(256);
      const { name, symbol } = tokenName(random);
      const caller = callerAt(random.next());
      const mcap = Math.round(
        Math.min(MCAP_MAX, Math.max(MCAP_MIN, Math.exp(MCAP_LOG_MEDIAN + MCAP_LOG_SIGMA * random.normal()))),
      );
      // Quoted to 6 significant digits like a price feed; mcap / price stays the supply.
      const price = Number((mcap / supply()).toPrecision(6));
      return JSON.stringify({
        type: 'NEW_SCAN',
        data: {
          token_address: encodeBase58(address),
          token_name: name,
          token_symbol: symbol,
          timestamp: Math.floor(nowMs / 1000),
          caller: { id: caller.id, name: caller.name, platform: caller.platform },
          price_data: { current_price: price, market_cap: mcap },
        },
      });
    },
  };
}
