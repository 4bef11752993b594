import type { SeenKeys } from './bounded-map.js';
import { DEDUPE_KINDS, type DedupeKind } from './identity.js';
import type { TokenWindow, TokenWindows, WindowEntry } from './token-windows.js';

/**
 * The --state file's content, and how two runs' knowledge merges. Pure: reading and writing the
 * file is state-file.ts.
 *
 * ```
 * {"rexi_live_state":1,
 *  "dedupe":{"token":[[key,firstSeen,lastSeen],...],"call":[...]},
 *  "windows":[[token,lastSignalAt|null,lastSeen,[[caller,id,name,platform,timestamp,marketCap,at],...]],...]}
 * ```
 * Keys are kept per dedupe kind, so a run with another --dedupe does not use them (and keeps them
 * for the runs that do). Lists run from the least recently seen to the most; times are epoch ms.
 */

export const STATE_VERSION = 1;

export type KeyRow = [key: string, first: number, last: number];
export type EntryRow = [caller: string, id: string | null, name: string | null, platform: string | null, timestamp: number | string | null, marketCap: number | null, at: number];
export type WindowRow = [token: string, lastSignalAt: number | null, lastSeen: number, entries: EntryRow[]];

export interface StateContent {
  dedupe: Partial<Record<DedupeKind, KeyRow[]>>;
  windows: WindowRow[] | undefined;
}

export const emptyState = (): StateContent => ({ dedupe: {}, windows: undefined });

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

function isKeyRow(v: unknown): v is KeyRow {
  return Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && isTime(v[1]) && isTime(v[2]);
}

function isEntryRow(v: unknown): v is EntryRow {
  return (
    Array.isArray(v) &&
    v.length === 7 &&
    typeof v[0] === 'string' &&
    isTextOrNull(v[1]) &&
    isTextOrNull(v[2]) &&
    isTextOrNull(v[3]) &&
    (v[4] === null || typeof v[4] === 'string' || isTime(v[4])) &&
    (v[5] === null || isTime(v[5])) &&
    isTime(v[6])
  );
}

function isWindowRow(v: unknown): v is WindowRow {
  return Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && (v[1] === null || isTime(v[1])) && isTime(v[2]) && Array.isArray(v[3]) && v[3].every(isEntryRow);
}

/** The content of a state file's text, or why it is not one. Blank text is an empty state. */
export function parseState(text: string): StateContent | { corrupt: string } {
  if (text.trim() === '') return emptyState();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { corrupt: `not JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { corrupt: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (v.rexi_live_state !== STATE_VERSION) return { corrupt: `not a rexi-live state file of version ${STATE_VERSION}` };
  const state = emptyState();
  if (v.dedupe !== undefined) {
    if (v.dedupe === null || typeof v.dedupe !== 'object' || Array.isArray(v.dedupe)) return { corrupt: '"dedupe" is not an object' };
    const dedupe = v.dedupe as Record<string, unknown>;
    for (const kind of DEDUPE_KINDS) {
      const rows = dedupe[kind];
      if (rows === undefined) continue;
      if (!Array.isArray(rows) || !rows.every(isKeyRow)) return { corrupt: `"dedupe.${kind}" holds something other than [key, first, last] rows` };
      state.dedupe[kind] = rows;
    }
  }
  if (v.windows !== undefined) {
    if (!Array.isArray(v.windows) || !v.windows.every(isWindowRow)) return { corrupt: '"windows" holds something other than window rows' };
    state.windows = v.windows;
  }
  return state;
}

export function serializeState(state: StateContent): string {
  const out: Record<string, unknown> = { rexi_live_state: STATE_VERSION, dedupe: state.dedupe };
  if (state.windows !== undefined) out.windows = state.windows;
  return JSON.stringify(out) + '\n';
}

/**
 * Keys alive at `now` from both sides: a key both know keeps the earliest first sighting and the
 * latest last one. The store takes the union (bounded by its max, the least recently seen out) and
 * the rows of that union are returned for the file.
 */
export function mergeKeys(store: SeenKeys, rows: readonly KeyRow[] | undefined, now: number): KeyRow[] {
  if (rows !== undefined && rows.length > 0) {
    const alive = (first: number): boolean => now === -Infinity || now - first < store.ttlMs;
    // A key on disk may be saved again whatever this run knows of it: its addition number is 0.
    const union = new Map<string, MergedRow>();
    for (const [key, first, last] of rows) {
      if (!alive(first)) continue;
      const held = union.get(key);
      if (held === undefined) union.set(key, [key, first, last, 0]);
      else mergeRow(held, first, last, 0);
    }
    for (const [key, first, last, seq] of store.entries(now)) {
      const held = union.get(key);
      if (held === undefined) union.set(key, [key, first, last, seq]);
      else mergeRow(held, first, last, seq);
    }
    store.replace([...union.values()].sort((a, b) => a[2] - b[2]), now);
  }
  // Only the keys whose lines the outputs are known to have kept.
  const out: KeyRow[] = [];
  for (const [key, first, last] of store.entries(now, true)) out.push([key, first, last]);
  return out;
}

type MergedRow = [key: string, first: number, last: number, seq: number];

function mergeRow(row: MergedRow, first: number, last: number, seq: number): void {
  if (first < row[1]) row[1] = first;
  if (last > row[2]) row[2] = last;
  if (seq < row[3]) row[3] = seq;
}

export interface WindowTiming {
  windowMs: number;
  cooldownMs: number;
}

/**
 * Windows from both sides: a token both know gets the union of their calls (one call seen by both
 * runs is kept once, the earlier arrival), the later signal time and the later sighting. Calls that
 * fell out of the window at `now` are left out, and so are tokens with nothing left to remember.
 */
export function mergeWindows(store: TokenWindows, rows: readonly WindowRow[] | undefined, now: number, timing: WindowTiming): WindowRow[] {
  const cutoff = now - timing.windowMs;
  if (rows !== undefined && rows.length > 0) {
    const union = new Map<string, TokenWindow>();
    for (const row of rows) union.set(row[0], windowOf(row));
    for (const [token, w] of store.entries()) {
      const held = union.get(token);
      union.set(token, held === undefined ? { entries: [...w.entries], lastSignalAt: w.lastSignalAt, lastSeen: w.lastSeen } : joinWindows(held, w));
    }
    const merged: [string, TokenWindow][] = [];
    for (const [token, w] of union) {
      w.entries = w.entries.filter((e) => e.at > cutoff);
      if (w.entries.length > 0 || coolingDown(w, now, timing.cooldownMs)) merged.push([token, w]);
    }
    store.replace(merged.sort((a, b) => a[1].lastSeen - b[1].lastSeen));
  }
  const out: WindowRow[] = [];
  for (const [token, w] of store.entries()) {
    const entries: EntryRow[] = [];
    for (const e of w.entries) if (e.at > cutoff) entries.push([e.caller, e.id, e.name, e.platform, e.timestamp, e.marketCap, e.at]);
    if (entries.length > 0 || coolingDown(w, now, timing.cooldownMs)) out.push([token, w.lastSignalAt, w.lastSeen, entries]);
  }
  return out;
}

/** A token whose window is empty is still worth remembering while its cooldown runs. */
function coolingDown(w: TokenWindow, now: number, cooldownMs: number): boolean {
  return w.lastSignalAt !== null && (now === -Infinity || now - w.lastSignalAt < cooldownMs);
}

export function windowOf(row: WindowRow): TokenWindow {
  const entries = row[3].map(([caller, id, name, platform, timestamp, marketCap, at]): WindowEntry => ({ caller, id, name, platform, timestamp, marketCap, at }));
  return { entries, lastSignalAt: row[1], lastSeen: row[2] };
}

/** The same call seen by two runs has one caller and one data.timestamp (its arrival differs). */
const entryId = (e: WindowEntry): string => e.caller + (e.timestamp === null ? '\u0000@' + e.at : '\u0000' + typeof e.timestamp + e.timestamp);

function joinWindows(a: TokenWindow, b: TokenWindow): TokenWindow {
  const byId = new Map<string, WindowEntry>();
  for (const e of [...a.entries, ...b.entries]) {
    const id = entryId(e);
    const held = byId.get(id);
    if (held === undefined || e.at < held.at) byId.set(id, e);
  }
  const later = (x: number | null, y: number | null): number | null => (x === null ? y : y === null ? x : Math.max(x, y));
  return {
    entries: [...byId.values()].sort((x, y) => x.at - y.at),
    lastSignalAt: later(a.lastSignalAt, b.lastSignalAt),
    lastSeen: Math.max(a.lastSeen, b.lastSeen),
  };
}
