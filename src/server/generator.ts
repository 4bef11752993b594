import { randomInt } from 'node:crypto';
import { encodeBase58 } from './base58.js';
import { CALLERS, callerIndexAt, firstCallerIndexAt } from './callers.js';
import { createRandom, type Random } from './prng.js';
import { tokenName } from './token-names.js';

/**
 * Synthetic NEW_SCAN messages shaped exactly like the service's documented example, with tokens
 * that live as they do on the real feed: most are called once or twice, a few hot ones are called
 * by several callers over minutes while their market cap walks up or down, and some callers are
 * better than others at being first on the tokens that rise. So `demo` shows multi-call signals,
 * `--first-call` has later calls to drop, and `callers` on a demo capture ranks someone first.
 *
 * Lifecycles run on the generator's own clock, one call every 1/rate seconds, not on the time
 * passed to next(): with a seed the sequence is the same on every run at the same rate whatever
 * the timers do (only `timestamp` follows the clock), so a demo or a bug report can be reproduced
 * with `--seed`.
 */

export interface CallGenerator {
  /** The seed in use: the one given, or the random one drawn, so a run can be repeated. */
  readonly seed: number;
  /** The JSON text of the next NEW_SCAN message, stamped with `nowMs` (unix seconds). */
  next(nowMs: number): string;
  /** Tokens with calls still to come: what the generator holds, at most MAX_LIVE_TOKENS. */
  readonly liveTokens: number;
}

export interface CallGeneratorOptions {
  /**
   * Calls per second the feed sends (default 2): the generator's clock, on which a hot token's
   * calls are spread over minutes. 0 or less is taken as the default.
   */
  rate?: number;
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
const LOG_MIN = Math.log(MCAP_MIN);
const LOG_MAX = Math.log(MCAP_MAX);

/**
 * Tokens with calls still to come are held until their last call; past this many, new tokens are
 * called once only. It bounds memory at any --rate (a token is a few hundred bytes).
 */
export const MAX_LIVE_TOKENS = 4096;

/**
 * A client joins a feed already running, as on the service: the generator first runs this long
 * on its own clock without sending, so the first calls a client sees include later calls of
 * tokens it never saw first, and signals can come at once. Bounded in steps for high rates.
 */
const WARM_UP_S = 600;
const MAX_WARM_UP_STEPS = 20_000;

const DEFAULT_RATE = 2;

/** A token's standing: how many calls it gets in all, and how its market cap moves between them. */
interface Lifecycle {
  /** Calls in all, the first included. */
  calls: number;
  /** Median seconds between two of its calls. */
  gapS: number;
  /** Whether its market cap drifts up. */
  rises: boolean;
  /** The log of its market cap's change from its first call to its last, before noise. */
  logChange: number;
}

/**
 * Noise on the steps of a token's market cap walk (log scale): a pair's second call lands anywhere
 * from half to twice the trend; a hot token's many steps are each calmer, so its trend still shows.
 */
const walkSigma = (calls: number): number => 0.08 + 0.3 / Math.sqrt(calls - 1);
/**
 * The gaps between a token's calls: log-normal with this spread, from seconds (copy-callers) to many
 * minutes, within [minS, maxS]; a `quickShare` of later calls copy another caller within seconds (a
 * `quickFactor` of the usual gap), as bot channels do; a `repeatShare` are a caller calling again a
 * token it already called.
 */
const GAPS = { sigma: 1, minS: 2, maxS: 1800, quickShare: 0.25, quickFactor: 0.15, repeatShare: 0.12 } as const;

/**
 * Most tokens are called once or twice (82 %); some a few times; one in twenty-five is hot. Hot tokens
 * rise more often and further: callers pile onto what pumps.
 */
function drawLifecycle(random: Random, out: Lifecycle): Lifecycle {
  const u = random.next();
  let calls: number;
  let gapS: number;
  let upShare: number;
  let scale: number;
  if (u < 0.6) {
    calls = 1;
    gapS = 0;
    upShare = 0.35;
    scale = 1;
  } else if (u < 0.82) {
    calls = 2;
    gapS = 60;
    upShare = 0.45;
    scale = 1;
  } else if (u < 0.96) {
    calls = 3 + random.int(3);
    gapS = 50;
    upShare = 0.55;
    scale = 1.5;
  } else {
    calls = 6 + random.int(15);
    gapS = 35;
    upShare = 0.7;
    scale = 2;
  }
  const rises = random.next() < upShare;
  // Up: ×2 to ×5 for a pair, to ×25 for a hot one; down: to between ×0.74 and ×0.27.
  out.calls = calls;
  out.gapS = gapS;
  out.rises = rises;
  out.logChange = rises ? (0.7 + 0.9 * random.next()) * scale : -(0.3 + random.next());
  return out;
}

/**
 * A log market cap brought back into the range a call can show by reflecting off its ends, so a
 * token walking down bounces along the floor with caps that still differ, rather than sticking.
 */
function reflect(logMcap: number): number {
  if (logMcap < LOG_MIN) logMcap = 2 * LOG_MIN - logMcap;
  else if (logMcap > LOG_MAX) logMcap = 2 * LOG_MAX - logMcap;
  return Math.min(LOG_MAX, Math.max(LOG_MIN, logMcap));
}

interface Identity {
  address: string;
  name: string;
  symbol: string;
  supply: number;
}

/** A token with calls still to come. */
interface LiveToken {
  /** Drawn when first sent: a token that lived and died during the warm-up costs no address. */
  identity: Identity | undefined;
  /** Natural log of the market cap at its last call, within the range a call shows. */
  logMcap: number;
  /** Drift of the log market cap per call. */
  step: number;
  /** Noise of the log market cap per call. */
  noise: number;
  /** Median seconds between calls. */
  gapS: number;
  /** Calls still to come. */
  remaining: number;
  /** Roster indexes of the callers that called it. */
  callers: number[];
  /** When its next call is due, in seconds on the generator's clock. */
  due: number;
}

export function createCallGenerator(seed?: number, options: CallGeneratorOptions = {}): CallGenerator {
  const used = seed ?? randomInt(2 ** 32);
  const random = createRandom(used);
  const rate = options.rate !== undefined && options.rate > 0 && Number.isFinite(options.rate) ? options.rate : DEFAULT_RATE;
  const address = new Uint8Array(32);
  const live = new TokenHeap();
  let steps = 0;
  // Reused: most tokens are called once, and the warm-up sends nothing, so neither allocates.
  const life: Lifecycle = { calls: 0, gapS: 0, rises: false, logChange: 0 };
  const single: LiveToken = { identity: undefined, logMcap: 0, step: 0, noise: 0, gapS: 0, remaining: 0, callers: [0], due: 0 };

  const supply = (): number => {
    let u = random.next();
    for (const s of TOKEN_SUPPLIES) {
      if ((u -= s.share) < 0) return s.supply;
    }
    return TOKEN_SUPPLIES[0]!.supply;
  };

  const identity = (): Identity => {
    for (let i = 0; i < address.length; i++) address[i] = random.int(256);
    const { name, symbol } = tokenName(random);
    return { address: encodeBase58(address), name, symbol, supply: supply() };
  };

  const gap = (medianS: number): number => {
    const median = random.next() < GAPS.quickShare ? medianS * GAPS.quickFactor : medianS;
    return Math.min(GAPS.maxS, Math.max(GAPS.minS, median * Math.exp(GAPS.sigma * random.normal())));
  };

  /** A caller for a later call: another one mostly, now and then one calling it again. */
  const laterCaller = (token: LiveToken): number => {
    if (random.next() < GAPS.repeatShare) return random.pick(token.callers);
    let c = callerIndexAt(random.next());
    for (let tries = 0; tries < 4 && token.callers.includes(c); tries++) c = callerIndexAt(random.next());
    return c;
  };

  /** One call on the generator's clock: the next due call of a live token, else a new token. */
  function step(send: boolean, nowMs: number): string | undefined {
    const now = steps++ / rate;
    const due = live.peek();
    let token: LiveToken;
    let caller: number;
    if (due !== undefined && due.due <= now) {
      token = due;
      caller = laterCaller(token);
      token.logMcap = reflect(token.logMcap + token.step + token.noise * random.normal());
      token.remaining--;
      if (token.remaining > 0) {
        token.due = now + gap(token.gapS);
        live.replaceTop(token);
      } else live.pop();
      if (!token.callers.includes(caller)) token.callers.push(caller);
    } else {
      drawLifecycle(random, life);
      const logMcap = Math.min(LOG_MAX, Math.max(LOG_MIN, MCAP_LOG_MEDIAN + MCAP_LOG_SIGMA * random.normal()));
      caller = firstCallerIndexAt(random.next(), life.rises && life.calls > 1);
      if (life.calls > 1 && live.size < MAX_LIVE_TOKENS) {
        token = {
          identity: undefined,
          logMcap,
          step: life.logChange / (life.calls - 1),
          noise: walkSigma(life.calls),
          gapS: life.gapS,
          remaining: life.calls - 1,
          callers: [caller],
          due: now + gap(life.gapS),
        };
        live.push(token);
      } else {
        token = single;
        token.identity = undefined;
        token.logMcap = logMcap;
      }
    }
    if (!send) return undefined;
    const id = (token.identity ??= identity());
    const mcap = Math.round(Math.exp(token.logMcap));
    // Quoted to 6 significant digits like a price feed; mcap / price stays the supply.
    const price = Number((mcap / id.supply).toPrecision(6));
    const c = CALLERS[caller]!;
    return JSON.stringify({
      type: 'NEW_SCAN',
      data: {
        token_address: id.address,
        token_name: id.name,
        token_symbol: id.symbol,
        timestamp: Math.floor(nowMs / 1000),
        caller: { id: c.id, name: c.name, platform: c.platform },
        price_data: { current_price: price, market_cap: mcap },
      },
    });
  }

  const warmUp = Math.min(MAX_WARM_UP_STEPS, Math.round(WARM_UP_S * rate));
  for (let i = 0; i < warmUp; i++) step(false, 0);

  return {
    seed: used,
    next: (nowMs: number): string => step(true, nowMs)!,
    get liveTokens() {
      return live.size;
    },
  };
}

/** A binary min-heap of live tokens by due time: the next due call in O(log n). */
class TokenHeap {
  private readonly items: LiveToken[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): LiveToken | undefined {
    return this.items[0];
  }

  push(token: LiveToken): void {
    const items = this.items;
    let i = items.length;
    items.push(token);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.due <= token.due) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = token;
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) this.replaceTop(last);
  }

  /** Puts `token` at the top (it is the top one, rescheduled, or the last one after a pop) and sifts it down. */
  replaceTop(token: LiveToken): void {
    const items = this.items;
    const n = items.length;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]!.due < items[child]!.due) child++;
      if (items[child]!.due >= token.due) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = token;
  }
}
