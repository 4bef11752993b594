import type { Call, CallerView } from '../wire/calls.js';
import type { Batch, Message } from '../wire/message.js';
import type { Stage } from '../pipeline/stage.js';

/**
 * The filters, compiled once into one predicate: flags combine with AND, the values of a repeated
 * flag with OR, text compares case-insensitively and whole.
 */

export interface FilterSpec {
  /** `--caller`: the caller's name or id equals one of them. */
  callers: string[];
  /**
   * `--caller-file`: more callers, OR-ed with `callers`, whose list a running filter follows when
   * it is replaced (a reloaded file).
   */
  callerList?: CallerList;
  /** `--exclude-caller`: drops calls whose caller name or id equals one of them. */
  excludeCallers: string[];
  /** `--platform`: the caller's platform equals one of them. */
  platforms: string[];
  /** `--min-mcap` / `--max-mcap`: inclusive bounds on the market cap, in USD. */
  minMcap?: number;
  maxMcap?: number;
  /** `--token`: the token address equals one of them. */
  tokens: string[];
  /** `--symbol`: the token symbol equals one of them. */
  symbols: string[];
}

type CallTest = (call: Call) => boolean;

/**
 * A list of callers that can be replaced while a filter runs: the filter reads `set` for each call
 * (one property load), and a replacement builds the new set once, off the hot path.
 */
export class CallerList {
  private current: ReadonlySet<string>;
  private count: number;

  constructor(values: readonly string[]) {
    this.current = callerSet(values);
    this.count = new Set(values.map((v) => v.toLowerCase())).size;
  }

  /** The names and ids, lower-cased (and big numeric ids in their rounded form too). */
  get set(): ReadonlySet<string> {
    return this.current;
  }

  /** How many distinct callers the list names. */
  get size(): number {
    return this.count;
  }

  replace(values: readonly string[]): void {
    this.current = callerSet(values);
    this.count = new Set(values.map((v) => v.toLowerCase())).size;
  }
}

/**
 * The predicate for `spec`, or undefined when no filter is set so the hot path skips the stage.
 * A message that is not a call (--all-types) fails every filter that is set; a signal (read back
 * from a stream) passes: filters apply to calls, never to the signals made of them.
 */
export function compileFilter(spec: FilterSpec): ((m: Message) => boolean) | undefined {
  const tests: CallTest[] = [];
  if (spec.tokens.length > 0) {
    const tokens = lowerSet(spec.tokens);
    tests.push((call) => tokens.has(call.tokenAddress.toLowerCase()));
  }
  if (spec.symbols.length > 0) {
    const symbols = lowerSet(spec.symbols);
    tests.push((call) => hasText(symbols, call.tokenSymbol));
  }
  if (spec.platforms.length > 0) {
    const platforms = withAliases(lowerSet(spec.platforms));
    tests.push((call) => hasText(platforms, call.caller.platform));
  }
  const list = spec.callerList;
  if (spec.callers.length > 0 || list !== undefined) {
    const callers = callerSet(spec.callers);
    if (list === undefined) tests.push((call) => isCaller(callers, call.caller));
    else if (callers.size === 0) tests.push((call) => isCaller(list.set, call.caller));
    else tests.push((call) => isCaller(callers, call.caller) || isCaller(list.set, call.caller));
  }
  if (spec.excludeCallers.length > 0) {
    const excluded = callerSet(spec.excludeCallers);
    tests.push((call) => !isCaller(excluded, call.caller));
  }
  if (spec.minMcap !== undefined || spec.maxMcap !== undefined) {
    const min = spec.minMcap ?? -Infinity;
    const max = spec.maxMcap ?? Infinity;
    tests.push((call) => {
      const mcap = call.marketCap;
      return mcap !== undefined && mcap >= min && mcap <= max;
    });
  }

  if (tests.length === 0) return undefined;
  if (tests.length === 1) {
    const only = tests[0]!;
    return (m) => (m.kind === 'call' ? only(m) : m.kind === 'signal');
  }
  return (m) => {
    if (m.kind !== 'call') return m.kind === 'signal';
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(m)) return false;
    return true;
  };
}

/**
 * What the filter saw while no call passed it, for the CLI to say why nothing is printed: how many
 * calls in a row failed, and a few of the callers and platforms among them (feed text, not yet
 * sanitized; each cut to 64 characters).
 */
export interface NonePassed {
  calls: number;
  callers: string[];
  platforms: string[];
}

export interface FilterReportOptions {
  /** Called when none of `calls` passed within 10 s or 1,000 calls; at most once a minute. */
  onNonePassed: (facts: NonePassed) => void;
  now?: () => number;
}

/** A streak of failed calls is reported after this many calls, or this long, whichever comes first. */
const REPORT_AFTER_CALLS = 1000;
const REPORT_AFTER_MS = 10_000;
const REPORT_EVERY_MS = 60_000;
/** Callers and platforms remembered for the report: memory stays bounded whatever the feed sends. */
const SAMPLES = 8;
const SAMPLE_CHARS = 64;

/**
 * The filter as the first stage: it drops what fails and counts it. Always in the pipeline, so the
 * summary says `filtered 0` when nothing is set; then it passes every batch on as it is. With
 * `report`, a run of calls that all fail is reported (the per-call cost: a counter; the samples are
 * taken once a batch).
 */
export function createFilterStage(spec: FilterSpec, report?: FilterReportOptions): Stage {
  const test = compileFilter(spec);
  let filtered = 0;
  const now = report?.now ?? Date.now;
  // The current run of calls that failed: its length, when it started, what it held.
  let streak = 0;
  let streakStart = 0;
  /** A streak began in this batch: its clock starts at the batch's end (one clock read a batch). */
  let started = false;
  let lastReport = -Infinity;
  const callers = new Set<string>();
  const platforms = new Set<string>();
  const sample = (set: Set<string>, value: string | undefined): void => {
    if (value === undefined || value === '' || set.size >= SAMPLES) return;
    set.add(value.length > SAMPLE_CHARS ? value.slice(0, SAMPLE_CHARS) : value);
  };
  /**
   * The streak's callers and platforms are taken once a batch, from its calls in this batch (the
   * batch's failed tail), not call by call: with one call in five passing, streaks of a few calls
   * began and ended all the time and sampling each of their calls cost a fifth of the throughput.
   * A streak that ends within its batch is never reported, so it needs no samples; the sets then
   * hold the same first few callers and platforms in the same order as call-by-call sampling.
   */
  const sampleStreak = (batch: Batch, from: number, fresh: boolean): void => {
    if (fresh) {
      callers.clear();
      platforms.clear();
    }
    for (let i = from; i < batch.length; i++) {
      if (callers.size >= SAMPLES && platforms.size >= SAMPLES) return;
      const m = batch[i]!;
      // Every call from `from` on failed (a passing one would have ended the streak).
      if (m.kind !== 'call') continue;
      const caller = m.caller;
      if (callers.size < SAMPLES) sample(callers, caller.name || caller.id);
      if (platforms.size < SAMPLES) sample(platforms, caller.platform?.toLowerCase());
    }
  };
  const maybeReport = (): void => {
    if (streak === 0) return;
    const t = now();
    if (started) {
      streakStart = t;
      started = false;
    }
    if (streak < REPORT_AFTER_CALLS && t - streakStart < REPORT_AFTER_MS) return;
    if (t - lastReport < REPORT_EVERY_MS) return;
    lastReport = t;
    report!.onNonePassed({ calls: streak, callers: [...callers], platforms: [...platforms] });
  };
  return {
    summary: () => `filtered ${filtered}`,
    tally: () => ({ filtered }),
    transform(batch: Batch): Batch {
      if (test === undefined) return batch;
      let out: Batch | undefined;
      // Where the streak running at the batch's end began in it (0: before it), and whether it
      // began in it: the only per-call cost of the report is these stores.
      let from = 0;
      let fresh = false;
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        if (test(m)) {
          out?.push(m);
          if (m.kind === 'call') streak = 0;
        } else {
          filtered++;
          if (m.kind === 'call' && streak++ === 0) {
            started = true;
            from = i;
            fresh = true;
          }
          // Copy-on-first-drop: a batch that passes whole is passed on as it is.
          out ??= batch.slice(0, i);
        }
      }
      if (report !== undefined && streak > 0) {
        sampleStreak(batch, from, fresh);
        maybeReport();
      }
      return out ?? batch;
    },
  };
}

/** X is what twitter is called now: either name matches both. */
const PLATFORM_ALIASES: ReadonlyArray<readonly [string, string]> = [['x', 'twitter']];

function withAliases(set: Set<string>): Set<string> {
  for (const [a, b] of PLATFORM_ALIASES) {
    if (set.has(a)) set.add(b);
    else if (set.has(b)) set.add(a);
  }
  return set;
}

function lowerSet(values: readonly string[]): Set<string> {
  return new Set(values.map((v) => String(v).toLowerCase()));
}

function hasText(set: ReadonlySet<string>, s: string | undefined): boolean {
  return s !== undefined && set.has(s.toLowerCase());
}

/**
 * Caller names and ids. An id the feed sends as a JSON number above 2^53 (Discord ids are) reaches
 * us rounded by JSON.parse; the same digits typed on the command line are rounded the same way and
 * kept in that form too, so `--caller 1094872340978122843` still finds its caller.
 */
function callerSet(values: readonly string[]): Set<string> {
  const set = lowerSet(values);
  for (const v of set) {
    if (/^-?\d{16,}$/.test(v)) set.add(String(Number(v)));
  }
  return set;
}

function isCaller(set: ReadonlySet<string>, caller: CallerView): boolean {
  return hasText(set, caller.name) || hasText(set, caller.id);
}
