import type { CallerRow } from '../stages/caller-board.js';
import { ndjsonText } from './ndjson.js';
import { sanitize } from './sanitize.js';
import { fit } from './width.js';

/**
 * The caller board's rows as `callers` prints them, each format a pure function of the rows:
 * ndjson (SPEC's snake_case fields, in SPEC's order, numbers exact), csv (RFC 4180, never a formula
 * in a spreadsheet), ids (for --caller-file), and the cell texts of the table (caller-table.ts).
 */

/** The ndjson object of a row: SPEC's fields in SPEC's order. */
export function callerRecord(row: CallerRow): Record<string, unknown> {
  const { best } = row;
  return {
    rank: row.rank,
    caller: { id: row.caller.id, name: row.caller.name, platform: row.caller.platform },
    calls: row.calls,
    repeats: row.repeats,
    first_calls: row.firstCalls,
    with_mcap: row.withMcap,
    seen_again: row.seenAgain,
    hits: row.hits,
    hit_rate: row.hitRate,
    score: row.score,
    median_multiple: row.medianMultiple,
    mean_followers: row.meanFollowers,
    median_lead_s: row.medianLeadS,
    open: row.open,
    best:
      best === null
        ? null
        : {
            token_address: best.tokenAddress,
            token_symbol: best.tokenSymbol,
            multiple: best.multiple,
            market_cap: best.marketCap,
            peak: best.peak,
            time: new Date(best.timeMs).toISOString(),
          },
  };
}

/** One ndjson line (with its newline); characters a terminal acts on are \u escapes, as in tail's ndjson. */
export function callerNdjson(row: CallerRow): string {
  return ndjsonText(JSON.stringify(callerRecord(row))) + '\n';
}

export const CALLER_CSV_HEADER =
  'rank,platform,caller_id,caller_name,calls,repeats,first_calls,with_mcap,seen_again,hits,hit_rate,score,median_multiple,mean_followers,median_lead_s,open,best_token_address,best_token_symbol,best_multiple';

/** A text cell: a leading = + - @ (or TAB, CR) would make a spreadsheet run it, so it gets a '. */
export function csvText(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvNumber = (n: number | null): string => (n === null || !Number.isFinite(n) ? '' : String(n));

/** One csv row (with its newline), in the header's columns. */
export function callerCsvRow(row: CallerRow): string {
  const { caller, best } = row;
  return (
    [
      csvNumber(row.rank),
      csvText(caller.platform),
      csvText(caller.id),
      csvText(caller.name),
      csvNumber(row.calls),
      csvNumber(row.repeats),
      csvNumber(row.firstCalls),
      csvNumber(row.withMcap),
      csvNumber(row.seenAgain),
      csvNumber(row.hits),
      csvNumber(row.hitRate),
      csvNumber(row.score),
      csvNumber(row.medianMultiple),
      csvNumber(row.meanFollowers),
      csvNumber(row.medianLeadS),
      csvNumber(row.open),
      csvText(best?.tokenAddress ?? null),
      csvText(best?.tokenSymbol ?? null),
      csvNumber(best?.multiple ?? null),
    ].join(',') + '\n'
  );
}

export function callerCsv(rows: readonly CallerRow[]): string {
  return CALLER_CSV_HEADER + '\n' + rows.map(callerCsvRow).join('');
}

/**
 * The caller's line in a --caller-file: its id, else its name; undefined when that cannot be
 * read back as the same caller (a line break in it, a leading #, or blanks at either end, which a
 * caller file drops).
 */
export function callerId(row: CallerRow): string | undefined {
  const value = row.caller.id ?? row.caller.name;
  if (value === null || /[\r\n]/.test(value) || value.trim() !== value || value.startsWith('#') || value === '') return undefined;
  return value;
}

/** The ids lines, and how many ranked callers could not be written as one. */
export function callerIds(rows: readonly CallerRow[]): { text: string; unwritable: number } {
  let text = '';
  let unwritable = 0;
  for (const row of rows) {
    const id = callerId(row);
    if (id === undefined) unwritable++;
    else text += id + '\n';
  }
  return { text, unwritable };
}

// The table's cells: short forms for eyes, feed text sanitized.

export const NONE = '-';

/** `38%` */
export const formatHitRate = (rate: number): string => (Number.isFinite(rate) ? `${Math.round(rate * 100)}%` : NONE);

/** `0.29` */
export const formatScore = (score: number): string => (Number.isFinite(score) ? score.toFixed(2) : NONE);

/** `1.6×`, `41.2×`, `310×` (one decimal below 100). */
export function formatMultiple(m: number | null): string {
  if (m === null || !Number.isFinite(m)) return NONE;
  return m < 100 ? `${m.toFixed(1)}×` : `${Math.round(m)}×`;
}

/** `45s`, `12m`, `3h05m`. */
export function formatLead(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NONE;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m === 0 ? `${h}h` : m === 60 ? `${h + 1}h` : `${h}h${String(m).padStart(2, '0')}m`;
}

/** The caller's name, else its id; sanitized and cut to `width` cells. */
export function callerLabel(row: CallerRow, width = 24): string {
  return fit(sanitize(row.caller.name ?? row.caller.id ?? '?'), width).trimEnd();
}

/** `PEPE 41.2×`: the best call's symbol (else its address, shortened) and multiple. */
export function bestText(row: CallerRow, width = 14): string {
  const { best } = row;
  if (best === null) return NONE;
  const a = best.tokenAddress;
  const token = best.tokenSymbol ?? (a.length > 10 ? `${a.slice(0, 4)}…${a.slice(-4)}` : a);
  return `${fit(sanitize(token), width).trimEnd()} ${formatMultiple(best.multiple)}`;
}
