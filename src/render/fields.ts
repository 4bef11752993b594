import type { ChalkInstance } from 'chalk';
import { callerOf, num, priceDataOf, text, timestampMs, type Message, type NewScanData } from '../calls.js';
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

export function callText(call: NewScanData): CallText {
  const caller = callerOf(call);
  const price = priceDataOf(call);
  const mcap = num(price?.market_cap);
  const current = num(price?.current_price);
  return {
    symbol: field(call.token_symbol),
    name: field(call.token_name),
    mcap: mcap === undefined ? MISSING : formatUsdCompact(mcap),
    price: current === undefined ? MISSING : formatPrice(current),
    caller: field(text(caller?.name) || caller?.id),
    platform: field(caller?.platform),
    address: call.token_address === '' ? MISSING : sanitize(call.token_address),
  };
}

function field(v: unknown): string {
  const s = text(v);
  return s === undefined || s === '' ? MISSING : sanitize(s);
}

/** When a call was made, epoch ms: `data.timestamp` when usable, else `receivedAt`. */
export function callTime(call: NewScanData, receivedAt: number): number {
  return timestampMs(call) ?? receivedAt;
}

/** The `type` of a message that is not a call (--all-types), sanitized. */
export function messageType(message: Message): string {
  return field(message.value.type);
}

// Valid JSON has no raw TAB, CR or LF inside strings, so a whitespace run holding one is layout.
const LAYOUT_BREAK = /[\t\n\r]/;
const LAYOUT_RUN = /[ \t\n\r]*[\t\n\r][ \t\n\r]*/g;

/** A frame's own text on one line, sanitized: pretty-printed JSON loses its line breaks. */
export function compactRaw(raw: string): string {
  return sanitize(LAYOUT_BREAK.test(raw) ? raw.replace(LAYOUT_RUN, '') : raw);
}


export type Style = (s: string) => string;
const plain: Style = (s) => s;

/** The colour of a caller's platform: one lookup per call, styles built once. */
export function createPlatformStyle(chalk: ChalkInstance): (platform: string) => Style {
  const byPlatform = new Map<string, Style>([
    ['telegram', chalk.cyan],
    ['discord', chalk.magenta],
    ['twitter', chalk.white],
    ['x', chalk.white],
  ]);
  return (platform) => byPlatform.get(platform) ?? byPlatform.get(platform.toLowerCase()) ?? plain;
}
