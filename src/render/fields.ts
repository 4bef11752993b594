import type { ChalkInstance } from 'chalk';
import { text, type Call } from '../wire/calls.js';
import type { Message, MultiCallWire } from '../wire/message.js';
import { compactJson } from '../wire/json-text.js';
import { formatPrice, formatUsdCompact } from './money.js';
import { sanitize } from './sanitize.js';

/**
 * What the human formats (lines, table) print of a call: its fields as sanitized text, its time,
 * and its platform's colour. Both formats print the same fields in the same way.
 */

/** What a field the feed left out (or sent as an object) prints as. */
export const MISSING = '-';

/** A call's printable fields: every feed string sanitized, MISSING where the feed had nothing. */
export interface CallText {
  symbol: string;
  name: string;
  mcap: string;
  price: string;
  /** The caller's name, or its id when the name is missing. */
  caller: string;
  platform: string;
  /** The full token address: never truncated, users copy it. */
  address: string;
}

export function callText(call: Call): CallText {
  // The price first: it reads and keeps both prices, so the market cap is then a field load; read
  // first, the market cap alone is decoded and then again with the price.
  const price = call.price;
  const { caller, marketCap } = call;
  return {
    symbol: field(call.tokenSymbol),
    name: field(call.tokenName),
    mcap: marketCap === undefined ? MISSING : formatUsdCompact(marketCap),
    price: price === undefined ? MISSING : formatPrice(price),
    caller: field(caller.name || caller.id),
    platform: field(caller.platform),
    address: call.tokenAddress === '' ? MISSING : sanitize(call.tokenAddress),
  };
}

export function field(v: unknown): string {
  const s = text(v);
  return s === undefined || s === '' ? MISSING : sanitize(s);
}

/** A multi-call signal's printable fields: every feed string sanitized. */
export interface SignalText {
  /** `3 callers/10m` */
  count: string;
  symbol: string;
  /** The trigger's market cap: `$512.3K`. */
  mcap: string;
  /** Its multiple since the first call, `×4.2`; empty when either market cap is missing. */
  multiple: string;
  /** Whether the market cap went down since the first call (a multiple below 1): shown in red. */
  down: boolean;
  /** The callers' names (else ids), in the order of their first call. */
  callers: string;
  address: string;
}

export function signalText(signal: MultiCallWire): SignalText {
  const d = signal.data;
  const mcap = d.market_cap === null ? MISSING : formatUsdCompact(d.market_cap);
  const first = d.first_market_cap;
  const ratio = d.market_cap !== null && first !== null && first > 0 ? d.market_cap / first : undefined;
  return {
    count: `${d.callers.length} callers/${field(d.window)}`,
    symbol: field(d.token_symbol),
    mcap,
    multiple: ratio === undefined ? '' : `×${formatMultiple(ratio)}`,
    down: ratio !== undefined && ratio < 1,
    callers: d.callers.map((c) => field(c.name || c.id)).join(', '),
    address: d.token_address === '' ? MISSING : sanitize(d.token_address),
  };
}

/** `4.2`, `12`, `0.85`: two significant digits are what a trader reads. */
export function formatMultiple(x: number): string {
  if (!Number.isFinite(x)) return MISSING;
  return x >= 10 ? String(Math.round(x)) : String(Number(x.toPrecision(2)));
}

/** When a call was made, epoch ms: `data.timestamp` when usable, else its arrival. */
export function callTime(call: Call): number {
  return call.timestampMs ?? call.receivedAt;
}

/** The `type` of a message that is not a call (--all-types), sanitized. */
export function messageType(message: Exclude<Message, Call>): string {
  return field(message.value.type);
}

/** A message's own JSON text on one line, as ndjson compacts it, then sanitized for a terminal. */
export function compactRaw(raw: string): string {
  return sanitize(compactJson(raw));
}


export type Style = (s: string) => string;
const plain: Style = (s) => s;

/** A signal's multiple: green at or above 1 (up since the first call), red below. */
export function createMultipleStyle(chalk: ChalkInstance): (down: boolean) => Style {
  const up = chalk.green;
  const downStyle = chalk.red;
  return (down) => (down ? downStyle : up);
}

/**
 * The colour of a caller's platform: one lookup per call, styles built once. Every platform gets a
 * colour other than the terminal's default text colour (white is the default on a dark terminal,
 * so it says nothing), and none of the red and green that a multiple's direction uses. X is the
 * new name of twitter: both get one colour. A platform not listed gets one of the others by a
 * hash of its name, so it keeps its colour across calls and runs.
 */
export function createPlatformStyle(chalk: ChalkInstance): (platform: string) => Style {
  // Without colour every style is the text itself: no lookup, lower-casing or hash per call.
  if (chalk.level === 0) return () => plain;
  const byPlatform = new Map<string, Style>([
    ['telegram', chalk.cyan],
    ['discord', chalk.magenta],
    ['twitter', chalk.blueBright],
    ['x', chalk.blueBright],
    [MISSING, plain],
  ]);
  const others: Style[] = [chalk.yellow, chalk.blue, chalk.cyanBright, chalk.magentaBright, chalk.yellowBright];
  return (platform) => byPlatform.get(platform) ?? byPlatform.get(platform.toLowerCase()) ?? others[hash(platform.toLowerCase()) % others.length]!;
}

/** FNV-1a over UTF-16 units: cheap, stable across runs. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
