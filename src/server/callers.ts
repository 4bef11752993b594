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

/** How often each caller posts: a few callers post most calls (a mild Zipf law), as on real feeds. */
const ACTIVITY: readonly number[] = CALLERS.map((_, i) => 1 / (i + 1) ** 0.6);

/**
 * Each caller's knack for calling early the tokens that go on to rise, in 0.1..0.9. Drawn from a
 * constant seed like the ids, so whatever --seed says the same callers are the good ones, and
 * `rexi-live callers` on any demo capture ranks them alike.
 */
const skillRandom = createRandom(0x5c111);
export const SKILL: readonly number[] = CALLERS.map(() => 0.1 + 0.8 * skillRandom.next());

/** Cumulative, normalised weights for a linear search: 36 entries are fewer than a tree's overhead. */
function cumulative(weights: readonly number[]): Float64Array {
  let total = 0;
  const acc = Float64Array.from(weights, (w) => (total += w));
  for (let i = 0; i < acc.length; i++) acc[i]! /= total;
  return acc;
}

function indexAt(table: Float64Array, u: number): number {
  for (let i = 0; i < table.length; i++) if (u < table[i]!) return i;
  return table.length - 1;
}

const BY_ACTIVITY = cumulative(ACTIVITY);
/** Who first calls a token that will rise: the busy and the skilled. */
const BY_SKILL = cumulative(ACTIVITY.map((a, i) => a * SKILL[i]!));
/** Who first calls a token that will not: the busy and the unskilled. */
const BY_LUCK = cumulative(ACTIVITY.map((a, i) => a * (1 - SKILL[i]!)));

/** The roster index of a caller for a uniform draw u in [0, 1), weighted by activity alone. */
export function callerIndexAt(u: number): number {
  return indexAt(BY_ACTIVITY, u);
}

/** The roster index of a token's first caller, for a uniform draw u; `rises`: the token will go up. */
export function firstCallerIndexAt(u: number, rises: boolean): number {
  return indexAt(rises ? BY_SKILL : BY_LUCK, u);
}

/** The caller for a uniform draw u in [0, 1), weighted by activity. */
export function callerAt(u: number): Caller {
  return CALLERS[callerIndexAt(u)]!;
}
