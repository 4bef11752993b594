import { createRandom } from './prng.js';

/**
 * The synthetic feed's callers: a fixed roster, so `--caller` and `--platform` filters can be
 * tried against names that keep coming back, as they do on the real service.
 */

export interface Caller {
  readonly id: string;
  readonly name: string;
  readonly platform: 'telegram' | 'discord' | 'twitter';
}

const TELEGRAM = [
  'Gem Hunters Calls', 'Alpha Leak', 'Degen Den', 'Moonshot Signals', 'Solana Snipers', 'Whale Alerts',
  'Pump Radar', 'Ape Station', 'Lowcap Gems', 'Early Birds', 'Trench Diggers', '100x Club',
  'Chad Calls', 'Insider Circle', 'Sol Trends', 'Jeet Free Zone', 'Diamond Hands', 'Night Owls',
];
const DISCORD = [
  'Cabal Room', 'Alpha Vault', 'Degen Lounge', 'Crypto Coven', 'Meme Lab', 'Sniper Guild', 'Moon Mission',
  'Ape Together', 'Rug Radar', 'Gem Finder',
];
const TWITTER = ['sol_scout', 'memelord_sol', 'gemcaller', 'lowcapking', 'chartwizard', 'trenchlord', 'pumpoor', 'degen_oracle'];

// Ids in each platform's own shape (Telegram channel ids, Discord snowflakes, X user ids), drawn
// from a constant seed so they are identical in every run whatever --seed says.
const idRandom = createRandom(0x0ca11e75);
const digits = (n: number): string => {
  let s = String(1 + idRandom.int(9));
  while (s.length < n) s += String(idRandom.int(10));
  return s;
};

export const CALLERS: readonly Caller[] = [
  ...TELEGRAM.map((name): Caller => ({ id: `-100${digits(10)}`, name, platform: 'telegram' })),
  ...DISCORD.map((name): Caller => ({ id: digits(19), name, platform: 'discord' })),
  ...TWITTER.map((name): Caller => ({ id: digits(10 + idRandom.int(9)), name, platform: 'twitter' })),
];

/**
 * Cumulative weights: a few callers post most calls (a mild Zipf law), as on real feeds, yet
 * every caller shows up within a few hundred calls.
 */
const CUMULATIVE: readonly number[] = (() => {
  let total = 0;
  const acc = CALLERS.map((_, i) => (total += 1 / (i + 1) ** 0.6));
  return acc.map((w) => w / total);
})();

/** The caller for a uniform draw u in [0, 1). */
export function callerAt(u: number): Caller {
  const i = CUMULATIVE.findIndex((w) => u < w);
  return CALLERS[i === -1 ? CALLERS.length - 1 : i]!;
}
