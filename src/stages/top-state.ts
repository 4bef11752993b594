import type { Call } from '../wire/calls.js';
import type { Batch } from '../wire/message.js';
import type { SourceCounts } from '../pipeline/source.js';
import type { Status } from '../stream/status.js';
import type { BoardCounts, CallerBoard, CallerRow } from './caller-board.js';
import { CallRate } from './call-rate.js';
import { HeatWindows, type HeatRow } from './heat.js';

/**
 * The live board's model, apart from its drawing: fed by the pipeline (the calls that passed the
 * filters) and by the source's statuses, read by the drawing as a snapshot at most a few times a
 * second. Adding a call is a few map updates; everything a panel shows (ranking, names, the
 * filter typed with `/`) is worked out when a snapshot is taken, for the rows that fit.
 *
 * Memory is bounded whatever the feed does: the Heating up windows by --state-max, the latest calls
 * by LATEST_MAX, the rates by fixed rings; the caller board holds what its horizon keeps, and stops
 * taking calls while it holds --state-max of them (counted in `boardSkipped`).
 */

/** Latest calls remembered: more than any terminal shows. */
export const LATEST_MAX = 200;
/**
 * Rows of Heating up and Callers a paused board keeps (unfiltered, in their order), so that a
 * filter typed while paused is applied to the board as it was: more than any terminal shows.
 */
export const FROZEN_ROWS = 1000;
/** The caller ranking is worked out at most this often: it sorts every caller. */
const RANKING_EVERY_MS = 1000;
/** How often the board's size is checked against --state-max, in calls. */
const BOARD_CHECK_EVERY = 256;

export type LinkState =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'reconnecting'; reason: string; retryAt: number }
  | { state: 'ended' };

export interface TopCounts {
  received: number;
  output: number;
  filtered: number;
  skipped: number;
  reconnects: number;
}

/** A latest call and how its market cap moved from the token's call before it (in the window). */
export interface LatestCall {
  call: Call;
  /** 1 up, -1 down, 0 unchanged or unknown. */
  move: -1 | 0 | 1;
}

export interface TopSnapshot {
  now: number;
  upMs: number;
  link: LinkState;
  counts: TopCounts;
  /** Calls in the last 60 seconds. */
  perMinute: number;
  /** Calls a minute over the last hour, the oldest first. */
  minutes: number[];
  heat: HeatRow[];
  callers: CallerRow[];
  board: BoardCounts;
  latest: LatestCall[];
}

/** How many rows each panel has room for, and the `/` filter (case-insensitive text). */
export interface SnapshotView {
  heatRows: number;
  callerRows: number;
  latestRows: number;
  filter?: string;
}

export interface TopStateOptions {
  windowMs: number;
  minCallers: number;
  stateMax: number;
  minCalls: number;
  board: CallerBoard;
  /** The run's start, epoch ms (begin() moves it once the history is read). */
  startedAt: number;
}

export class TopState {
  readonly heat: HeatWindows;
  readonly rate = new CallRate();
  private readonly board: CallerBoard;
  private readonly latest: LatestCall[] = [];
  private link: LinkState = { state: 'connecting' };
  private output = 0;
  private others = 0;
  private reconnects = 0;
  /** Calls the caller board did not take while it was full. */
  boardSkipped = 0;
  private boardFull = false;
  private sinceCheck = 0;
  private ranking: { at: number; rows: CallerRow[] } | undefined;
  /** The source's own counters (received, skipped), read at each snapshot. */
  source: SourceCounts | undefined;

  private startedAt: number;

  constructor(private readonly options: TopStateOptions) {
    this.startedAt = options.startedAt;
    this.heat = new HeatWindows({ windowMs: options.windowMs, minCallers: options.minCallers, max: options.stateMax });
    this.board = options.board;
  }

  /** A batch that passed the filters. */
  add(batch: Batch): void {
    if (this.link.state === 'connecting' && batch.length > 0) this.link = { state: 'connected' };
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      if (m.kind !== 'call') {
        this.others++;
        continue;
      }
      this.output++;
      const at = m.receivedAt;
      this.rate.add(at);
      const before = this.heat.add(m, at);
      const now = m.marketCap;
      const move = before === null || now === undefined || now === before ? 0 : now > before ? 1 : -1;
      this.latest.push({ call: m, move });
      if (this.latest.length > LATEST_MAX * 2) this.latest.splice(0, this.latest.length - LATEST_MAX);
      this.addToBoard(m, at);
    }
  }

  /** Primes the caller board (--history): no other panel sees these calls. */
  addHistory(call: Call, at = call.receivedAt): void {
    this.addToBoard(call, at);
  }

  private addToBoard(call: Call, at: number): void {
    if (++this.sinceCheck >= BOARD_CHECK_EVERY) {
      this.sinceCheck = 0;
      this.boardFull = this.board.counts().open >= this.options.stateMax;
    }
    if (this.boardFull) {
      this.boardSkipped++;
      return;
    }
    this.board.add(call, at);
  }

  status(s: Status, now = Date.now()): void {
    if (s.type === 'connected') this.link = { state: 'connected' };
    else if (s.type === 'reconnecting') {
      this.reconnects++;
      this.link = { state: 'reconnecting', reason: s.reason, retryAt: now + s.delayMs };
    }
  }

  /** The stream starts now: the header's time up counts from here. */
  begin(now: number): void {
    this.startedAt = now;
  }

  /** The source ended (or the run is stopping). */
  ended(): void {
    this.link = { state: 'ended' };
  }

  snapshot(now: number, view: SnapshotView): TopSnapshot {
    const match = view.filter === undefined || view.filter === '' ? undefined : view.filter.toLowerCase();
    const received = this.source?.received ?? this.output + this.others;
    const skipped = this.source === undefined ? 0 : Object.values(this.source.skipped).reduce((a, b) => a + b, 0);
    return {
      now,
      upMs: now - this.startedAt,
      link: this.link,
      counts: {
        received,
        output: this.output,
        // Everything received is skipped (not a call), filtered out, or passed on.
        filtered: Math.max(0, received - skipped - this.output - this.others),
        skipped,
        reconnects: this.reconnects,
      },
      perMinute: this.rate.lastMinute(now),
      minutes: this.rate.minutes(now),
      heat: this.heat.rows(now, view.heatRows, match === undefined ? undefined : (r) => heatMatches(r, match)),
      callers: this.callerRows(now, view.callerRows, match),
      board: this.board.counts(),
      latest: this.latestRows(view.latestRows, match),
    };
  }

  private callerRows(now: number, limit: number, match: string | undefined): CallerRow[] {
    if (this.ranking === undefined || now - this.ranking.at >= RANKING_EVERY_MS || now < this.ranking.at) {
      this.ranking = { at: now, rows: this.board.ranking({ minCalls: this.options.minCalls }) };
    }
    const rows = this.ranking.rows;
    if (match === undefined) return rows.slice(0, limit);
    const out: CallerRow[] = [];
    for (let i = 0; i < rows.length && out.length < limit; i++) if (callerMatches(rows[i]!, match)) out.push(rows[i]!);
    return out;
  }

  /** Newest first. */
  private latestRows(limit: number, match: string | undefined): LatestCall[] {
    const out: LatestCall[] = [];
    for (let i = this.latest.length - 1; i >= 0 && out.length < limit; i--) {
      const l = this.latest[i]!;
      if (match === undefined || callMatches(l.call, match)) out.push(l);
    }
    return out;
  }
}

/** The panels of a paused board: every row it kept, whatever the filter then. */
export function frozenView(): SnapshotView {
  return { heatRows: FROZEN_ROWS, callerRows: FROZEN_ROWS, latestRows: LATEST_MAX };
}

/**
 * A paused board's panels for a view: the rows of `frozen` (a snapshot taken with frozenView())
 * that the view's filter accepts, as many as fit, in the order the model gave them. The same rows
 * the model would have given then, as long as fewer than FROZEN_ROWS of each matched.
 */
export function refilter(frozen: TopSnapshot, view: SnapshotView): TopSnapshot {
  const needle = view.filter === undefined || view.filter === '' ? undefined : view.filter.toLowerCase();
  const pick = <T>(rows: readonly T[], limit: number, match: (row: T, needle: string) => boolean): T[] => {
    if (needle === undefined) return rows.slice(0, limit);
    const out: T[] = [];
    for (let i = 0; i < rows.length && out.length < limit; i++) if (match(rows[i]!, needle)) out.push(rows[i]!);
    return out;
  };
  return {
    ...frozen,
    heat: pick(frozen.heat, view.heatRows, heatMatches),
    callers: pick(frozen.callers, view.callerRows, callerMatches),
    latest: pick(frozen.latest, view.latestRows, (l, n) => callMatches(l.call, n)),
  };
}

const has = (s: string | null | undefined, needle: string): boolean => s != null && s.toLowerCase().includes(needle);

/** The `/` filter: symbol, name, caller or address contain the text (case-insensitive). */
export function heatMatches(r: HeatRow, needle: string): boolean {
  return has(r.symbol, needle) || has(r.name, needle) || has(r.address, needle) || r.callerNames.some((n) => has(n, needle));
}

export function callerMatches(r: CallerRow, needle: string): boolean {
  const c = r.caller;
  return has(c.name, needle) || has(c.id, needle) || has(r.best?.tokenSymbol, needle) || has(r.best?.tokenAddress, needle);
}

export function callMatches(call: Call, needle: string): boolean {
  const c = call.caller;
  return has(call.tokenSymbol, needle) || has(call.tokenName, needle) || has(call.tokenAddress, needle) || has(c.name, needle) || has(c.id, needle);
}
