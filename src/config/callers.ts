import { usageError } from '../errors.js';
import { CALLER_SORT_CHOICES, CALLERS_FORMAT_CHOICES, type CallersFormat } from '../choices.js';
import { EMPTY_CONFIG, oneOf, Settings, type Environment, type Flags } from './options.js';
import { parseAge, parseCount } from './units.js';
import { DEFAULT_MIN_CALLS, type CallerSort } from '../stages/caller-board.js';

/**
 * The options of `rexi-live callers` (the caller board and its output), from flags alone: the
 * config file holds what tail reads, and a `format: "lines"` there must not break a ranking.
 * Everything is checked before any file is opened.
 */

export interface CallersOptions {
  /** createCallerBoard's options. */
  board: { horizonMs: number; hit: number };
  /** board.ranking()'s options. */
  ranking: { minCalls: number; top: number | undefined; sort: CallerSort; settled: boolean };
  format: CallersFormat;
}

export const DEFAULT_HORIZON_MS = 24 * 3_600_000;
export const DEFAULT_HIT = 2;

const MULTIPLE = /^(\d+(?:\.\d+)?|\.\d+)\s*[x×]?$/i;

/** `2`, `2x`, `1.5x`: a multiple above 1 (a "hit" at 1x or less would count losses as wins). */
export function parseHit(text: string, source: string): number {
  const m = MULTIPLE.exec(String(text).trim());
  if (!m) throw usageError(`${source}: '${text}' is not a multiple (use e.g. 2, 2x, 1.5x)`);
  const hit = Number(m[1]);
  if (!(hit > 1) || !Number.isFinite(hit)) throw usageError(`${source}: '${text}' must be above 1 (e.g. 2x: the market cap doubled)`);
  return hit;
}

export function resolveCallers(flags: Flags, environment: Pick<Environment, 'stdoutIsTTY'>): CallersOptions {
  const s = new Settings(flags, EMPTY_CONFIG);
  const horizon = s.get('horizon');
  const hit = s.get('hit');
  const minCalls = s.get('minCalls');
  const top = s.get('top');
  return {
    board: {
      horizonMs: horizon ? parseAge(horizon.value, horizon.source) : DEFAULT_HORIZON_MS,
      hit: hit ? parseHit(hit.value, hit.source) : DEFAULT_HIT,
    },
    ranking: {
      minCalls: minCalls ? parseCount(minCalls.value, minCalls.source) : DEFAULT_MIN_CALLS,
      top: top ? parseCount(top.value, top.source) : undefined,
      sort: oneOf<CallerSort>(s, 'sort', CALLER_SORT_CHOICES, 'score'),
      settled: s.bool('settled'),
    },
    // A terminal gets the table; a pipe or a file gets ndjson, the format tools read.
    format: oneFormat(s, environment.stdoutIsTTY ? 'table' : 'ndjson'),
  };
}

function oneFormat(s: Settings, fallback: CallersFormat): CallersFormat {
  const setting = s.get('format');
  if (setting === undefined) return fallback;
  const v = setting.value.trim().toLowerCase() as CallersFormat;
  if (!CALLERS_FORMAT_CHOICES.includes(v)) {
    throw usageError(`${setting.source}: '${setting.value}' is not a format of callers (${CALLERS_FORMAT_CHOICES.join(', ')})`);
  }
  return v;
}
