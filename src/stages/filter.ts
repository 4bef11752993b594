import type { Call, CallerView } from '../wire/calls.js';
import { usageError } from '../errors.js';
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
    const platforms = lowerSet(spec.platforms);
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
 * The filter as the first stage: it drops what fails and counts it. Always in the pipeline, so the
 * summary says `filtered 0` when nothing is set; then it passes every batch on as it is.
 */
export function createFilterStage(spec: FilterSpec): Stage {
  const test = compileFilter(spec);
  let filtered = 0;
  return {
    summary: () => `filtered ${filtered}`,
    transform(batch: Batch): Batch {
      if (test === undefined) return batch;
      let out: Batch | undefined;
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        if (test(m)) {
          out?.push(m);
        } else {
          filtered++;
          // Copy-on-first-drop: a batch that passes whole is passed on as it is.
          out ??= batch.slice(0, i);
        }
      }
      return out ?? batch;
    },
  };
}

/** Rejects a spec no call could pass, or a flag given an empty value, as a usage error (exit 2). */
export function validateFilterSpec(spec: FilterSpec): void {
  const lists: Array<[string, string[]]> = [
    ['--caller', spec.callers],
    ['--exclude-caller', spec.excludeCallers],
    ['--platform', spec.platforms],
    ['--token', spec.tokens],
    ['--symbol', spec.symbols],
  ];
  for (const [flag, values] of lists) {
    if (values.some((v) => String(v).trim() === '')) throw usageError(`${flag} needs a non-empty value`);
  }
  for (const [flag, value] of [['--min-mcap', spec.minMcap], ['--max-mcap', spec.maxMcap]] as const) {
    if (value !== undefined && !Number.isFinite(value)) throw usageError(`${flag}: '${value}' is not an amount`);
  }
  if (spec.minMcap !== undefined && spec.maxMcap !== undefined && spec.minMcap > spec.maxMcap) {
    throw usageError(`--min-mcap ${formatAmount(spec.minMcap)} is above --max-mcap ${formatAmount(spec.maxMcap)}`);
  }
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

const AMOUNT_UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** An amount as the user could have typed it: `2M`, `1.5M`, `250K`, `1234567`. */
function formatAmount(n: number): string {
  for (const [unit, suffix] of AMOUNT_UNITS) {
    const scaled = (n / unit) * 100;
    if (Math.abs(n) >= unit && Math.abs(scaled - Math.round(scaled)) < 1e-6) return `${Math.round(scaled) / 100}${suffix}`;
  }
  return String(n);
}
