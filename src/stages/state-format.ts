import type { SeenKeys } from './bounded-map.js';
import { hashHex, hashString } from './hash64.js';
import { DEDUPE_KINDS, type DedupeKind } from './identity.js';
import { parseHex, type TokenWindows, type WindowEntry, type WindowView } from './token-windows.js';

/**
 * The --state file's content, and how two runs' knowledge merges. Pure: reading and writing the
 * file is state-file.ts.
 *
 * Version 2 keeps the keys' 64-bit hashes, not the keys, in columns of little-endian binary,
 * base64 encoded: 32 characters a key, so 100,000 keys take 3.2 MB and load in a few tens of ms.
 * ```
 * {"rexi_live_state":2,
 *  "dedupe":{"token":{"count":n,"hash":base64(n × hi,lo uint32),"first":base64(n × float64),"last":base64(n × float64)},...},
 *  "windows":[[tokenHash,lastSignalAt|null,lastSeen,[[callerHash,id,name,platform,timestamp,marketCap,at],...]],...]}
 * ```
 * Hashes are of the identity strings' UTF-8 (hash64.ts, identity.ts); in windows as 16 hex digits.
 * A version 1 file (the keys as strings) is read and converted: each key is hashed as the stages
 * hash it, so nothing it knew is lost; the next save writes version 2. Keys are kept per dedupe
 * kind, so a run with another --dedupe does not use them (and keeps them for the runs that do).
 * Lists run from the least recently seen to the most; times are epoch ms.
 */

export const STATE_VERSION = 2;

/** Keys of one dedupe kind, least recently seen first. */
export interface KeyColumns {
  hi: Uint32Array;
  lo: Uint32Array;
  first: Float64Array;
  last: Float64Array;
}

export type EntryRow = [caller: string, id: string | null, name: string | null, platform: string | null, timestamp: number | string | null, marketCap: number | null, at: number];
export type WindowRow = [token: string, lastSignalAt: number | null, lastSeen: number, entries: EntryRow[]];

export interface StateContent {
  dedupe: Partial<Record<DedupeKind, KeyColumns>>;
  windows: WindowRow[] | undefined;
}

export const emptyState = (): StateContent => ({ dedupe: {}, windows: undefined });

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTextOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
const HASH = /^[0-9a-f]{16}$/;

function isEntryRow(v: unknown, hashed: boolean): v is EntryRow {
  return (
    Array.isArray(v) &&
    v.length === 7 &&
    typeof v[0] === 'string' &&
    (!hashed || HASH.test(v[0])) &&
    isTextOrNull(v[1]) &&
    isTextOrNull(v[2]) &&
    isTextOrNull(v[3]) &&
    (v[4] === null || typeof v[4] === 'string' || isTime(v[4])) &&
    (v[5] === null || isTime(v[5])) &&
    isTime(v[6])
  );
}

function isWindowRow(v: unknown, hashed: boolean): v is WindowRow {
  return (
    Array.isArray(v) &&
    v.length === 4 &&
    typeof v[0] === 'string' &&
    (!hashed || HASH.test(v[0])) &&
    (v[1] === null || isTime(v[1])) &&
    isTime(v[2]) &&
    Array.isArray(v[3]) &&
    v[3].every((e) => isEntryRow(e, hashed))
  );
}

const hexOf = (s: string): string => hashHex(...hashString(s));

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
  const version = v.rexi_live_state;
  if (version !== 1 && version !== STATE_VERSION) return { corrupt: `not a rexi-live state file of version 1 or ${STATE_VERSION}` };
  const state = emptyState();
  if (v.dedupe !== undefined) {
    if (v.dedupe === null || typeof v.dedupe !== 'object' || Array.isArray(v.dedupe)) return { corrupt: '"dedupe" is not an object' };
    const dedupe = v.dedupe as Record<string, unknown>;
    for (const kind of DEDUPE_KINDS) {
      const value = dedupe[kind];
      if (value === undefined) continue;
      const columns = version === 1 ? keysOfVersion1(value) : keysOf(value);
      if (typeof columns === 'string') return { corrupt: `"dedupe.${kind}" ${columns}` };
      state.dedupe[kind] = columns;
    }
  }
  if (v.windows !== undefined) {
    const hashed = version === STATE_VERSION;
    if (!Array.isArray(v.windows) || !v.windows.every((w) => isWindowRow(w, hashed))) return { corrupt: '"windows" holds something other than window rows' };
    state.windows = hashed ? v.windows : v.windows.map(windowOfVersion1);
  }
  return state;
}

/** Version 1: [key, first, last] rows; each key hashed as the stages hash it. */
function keysOfVersion1(rows: unknown): KeyColumns | string {
  const isRow = (r: unknown): r is [string, number, number] => Array.isArray(r) && r.length === 3 && typeof r[0] === 'string' && isTime(r[1]) && isTime(r[2]);
  if (!Array.isArray(rows) || !rows.every(isRow)) return 'holds something other than [key, first, last] rows';
  const n = rows.length;
  const columns: KeyColumns = { hi: new Uint32Array(n), lo: new Uint32Array(n), first: new Float64Array(n), last: new Float64Array(n) };
  rows.forEach(([key, first, last], i) => {
    [columns.hi[i], columns.lo[i]] = hashString(key);
    columns.first[i] = first;
    columns.last[i] = last;
  });
  return columns;
}

function windowOfVersion1([token, lastSignalAt, lastSeen, entries]: WindowRow): WindowRow {
  return [hexOf(token), lastSignalAt, lastSeen, entries.map(([caller, ...rest]): EntryRow => [hexOf(caller), ...rest])];
}

function keysOf(value: unknown): KeyColumns | string {
  const bad = 'is not {count, hash, first, last} columns';
  if (value === null || typeof value !== 'object') return bad;
  const { count, hash, first, last } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(count) || (count as number) < 0 || typeof hash !== 'string' || typeof first !== 'string' || typeof last !== 'string') return bad;
  const n = count as number;
  const hashes = Buffer.from(hash, 'base64');
  const firsts = Buffer.from(first, 'base64');
  const lasts = Buffer.from(last, 'base64');
  if (hashes.length !== 8 * n || firsts.length !== 8 * n || lasts.length !== 8 * n) return `has columns of another length than ${n} keys`;
  const columns: KeyColumns = { hi: new Uint32Array(n), lo: new Uint32Array(n), first: new Float64Array(n), last: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    columns.hi[i] = hashes.readUInt32LE(8 * i);
    columns.lo[i] = hashes.readUInt32LE(8 * i + 4);
    columns.first[i] = firsts.readDoubleLE(8 * i);
    columns.last[i] = lasts.readDoubleLE(8 * i);
    if (!Number.isFinite(columns.first[i]) || !Number.isFinite(columns.last[i])) return 'holds a time that is not a number';
  }
  return columns;
}

export function serializeState(state: StateContent): string {
  const dedupe: Record<string, unknown> = {};
  for (const kind of DEDUPE_KINDS) {
    const c = state.dedupe[kind];
    if (c === undefined) continue;
    const n = c.hi.length;
    const hashes = Buffer.allocUnsafe(8 * n);
    for (let i = 0; i < n; i++) {
      hashes.writeUInt32LE(c.hi[i]!, 8 * i);
      hashes.writeUInt32LE(c.lo[i]!, 8 * i + 4);
    }
    dedupe[kind] = { count: n, hash: hashes.toString('base64'), first: float64Base64(c.first), last: float64Base64(c.last) };
  }
  const out: Record<string, unknown> = { rexi_live_state: STATE_VERSION, dedupe };
  if (state.windows !== undefined) out.windows = state.windows;
  return JSON.stringify(out) + '\n';
}

function float64Base64(a: Float64Array): string {
  const b = Buffer.allocUnsafe(8 * a.length);
  for (let i = 0; i < a.length; i++) b.writeDoubleLE(a[i]!, 8 * i);
  return b.toString('base64');
}

/**
 * Keys alive at `now` from both sides: a key both know keeps the earliest first sighting and the
 * latest last one. The store takes the union (bounded by its max, the least recently seen out)
 * and the keys of that union whose lines are known to be kept (SeenKeys.committed) are returned
 * for the file.
 */
export function mergeKeys(store: SeenKeys, disk: KeyColumns | undefined, now: number): KeyColumns {
  if (disk !== undefined && disk.hi.length > 0) {
    const m = disk.hi.length;
    const n = m + store.size;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const first = new Float64Array(n);
    const last = new Float64Array(n);
    // A key on disk may be saved again whatever this run knows of it: its addition number is 0.
    const seq = new Float64Array(n);
    hi.set(disk.hi);
    lo.set(disk.lo);
    first.set(disk.first);
    last.set(disk.last);
    let i = m;
    for (let e = store.oldest; e !== -1; e = store.next[e]!, i++) {
      hi[i] = store.hi[e]!;
      lo[i] = store.lo[e]!;
      first[i] = store.first[e]!;
      last[i] = store.last[e]!;
      seq[i] = store.seq[e]!;
    }
    // By last sighting; on a tie this run's order (it came later in the list) stays.
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => last[a]! - last[b]! || a - b);
    // Keys past the bound were never held here: not counted as forgotten.
    const evictions = store.evictions;
    store.clear();
    for (const k of order) store.restore(hi[k]!, lo[k]!, first[k]!, last[k]!, seq[k]!, now);
    store.evictions = evictions;
  }
  let count = 0;
  for (let e = store.oldest; e !== -1; e = store.next[e]!) if (savable(store, e, now)) count++;
  const out: KeyColumns = { hi: new Uint32Array(count), lo: new Uint32Array(count), first: new Float64Array(count), last: new Float64Array(count) };
  let i = 0;
  for (let e = store.oldest; e !== -1; e = store.next[e]!) {
    if (!savable(store, e, now)) continue;
    out.hi[i] = store.hi[e]!;
    out.lo[i] = store.lo[e]!;
    out.first[i] = store.first[e]!;
    out.last[i] = store.last[e]!;
    i++;
  }
  return out;
}

/** Alive, and its line known to be kept. */
const savable = (store: SeenKeys, e: number, now: number): boolean => store.alive(e, now) && store.seq[e]! <= store.committed;

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
    const union = new Map<string, WindowView>();
    for (const row of rows) union.set(row[0], windowOf(row));
    for (const [hi, lo, w] of store.windows()) {
      const token = hashHex(hi, lo);
      const held = union.get(token);
      union.set(token, held === undefined ? w : joinWindows(held, w));
    }
    const merged: [number, number, WindowView][] = [];
    for (const [token, w] of union) {
      w.entries = w.entries.filter((e) => e.at > cutoff);
      if (w.entries.length > 0 || coolingDown(w, now, timing.cooldownMs)) merged.push([...parseHex(token), w]);
    }
    store.replace(merged.sort((a, b) => a[2].lastSeen - b[2].lastSeen));
  }
  const out: WindowRow[] = [];
  for (const [hi, lo, w] of store.windows()) {
    const entries: EntryRow[] = [];
    for (const e of w.entries) if (e.at > cutoff) entries.push([e.caller, e.id, e.name, e.platform, e.timestamp, e.marketCap, e.at]);
    if (entries.length > 0 || coolingDown(w, now, timing.cooldownMs)) out.push([hashHex(hi, lo), w.lastSignalAt, w.lastSeen, entries]);
  }
  return out;
}

/** A token whose window is empty is still worth remembering while its cooldown runs. */
function coolingDown(w: WindowView, now: number, cooldownMs: number): boolean {
  return w.lastSignalAt !== null && (now === -Infinity || now - w.lastSignalAt < cooldownMs);
}

export function windowOf(row: WindowRow): WindowView {
  const entries = row[3].map(([caller, id, name, platform, timestamp, marketCap, at]): WindowEntry => ({ caller, id, name, platform, timestamp, marketCap, at }));
  return { entries, lastSignalAt: row[1], lastSeen: row[2] };
}

/** The same call seen by two runs has one caller and one data.timestamp (its arrival differs). */
const entryId = (e: WindowEntry): string => e.caller + (e.timestamp === null ? '\u0000@' + e.at : '\u0000' + typeof e.timestamp + e.timestamp);

function joinWindows(a: WindowView, b: WindowView): WindowView {
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
