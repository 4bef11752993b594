import type { Call } from '../wire/calls.js';
import { FIELD_CALLER_NAME, FIELD_NAME, FIELD_PLATFORM, FIELD_SYMBOL, SPAN_ABSENT, SPAN_OTHER, SPAN_PLAIN, type Span } from '../wire/frame-scan.js';
import { createClock } from './clock.js';
import { callTime, field, MISSING, type Style } from './fields.js';
import { memo } from './memo.js';
import { formatPrice, formatUsdCompact } from './money.js';
import { sanitize } from './sanitize.js';
import { SpanMemo } from './span-memo.js';
import { displayWidth, fit } from './width.js';

/**
 * A call's cells as the human formats (lines, table) print them, fitted to a layout's widths and
 * styled. They print what fields.ts's callText() says, fitted with fit(); what differs is when the
 * work is done: each cell is formatted, sanitized, fitted and coloured once per distinct value
 * (the clock once per second, the money once per amount, a caller once per caller), then looked
 * up. A feed repeats its callers, platforms and seconds constantly; the market caps and prices of
 * a burst or a replay repeat too.
 */

export type CellKey = 'time' | 'symbol' | 'name' | 'mcap' | 'price' | 'caller' | 'platform' | 'address';

export interface CellSpec {
  key: CellKey;
  /** Display cells. The address is never cut: it is padded to this width when shorter (0: never). */
  width: number;
  right: boolean;
}

export interface CellStyles {
  timeZone?: string;
  time: Style;
  symbol: Style;
  /** The style of a caller and its platform, by the platform's (sanitized) text. */
  platform: (platform: string) => Style;
}

/** Distinct platforms remembered (each with its callers): a feed has a handful. */
const PLATFORMS = 64;
/** Callers remembered by their bytes, per platform. */
const CALLERS = 256;

interface PlatformCells {
  /** The platform's cell. */
  platform: string;
  /** A caller's cell, by its name (else id), in the platform's colour. */
  caller: (call: Call) => string;
}

/** What a row reads once for all its cells: the price (see below) and the platform's cells. */
interface Shared {
  price: number | undefined;
  platform: PlatformCells | undefined;
}

type CellText = (call: Call, shared: Shared) => string;

/** One span, reused: a row reads its fields' spans one after another. */
const span: Span = { start: 0, end: 0 };
const decode = (bytes: Buffer, start: number, end: number): string => bytes.toString('utf8', start, end);

/**
 * A cell made by `make` from a field's text, remembered by the field's bytes when the call has
 * them (identityBytes, and the field a string without escapes), else by its text as the getter
 * reads it. The same text either way: a plain string's bytes are its UTF-8, and a field whose span
 * is absent (missing, null, an object or an array) reads as undefined.
 */
function textCell<V>(spanOf: (call: Call, span: Span) => number, read: (call: Call) => string | undefined, make: (text: string | undefined) => V, slots?: number): (call: Call) => V {
  const byText = memo(make);
  const byBytes = new SpanMemo((bytes, start, end) => make(decode(bytes, start, end)), slots);
  return (call) => {
    const bytes = call.identityBytes;
    if (bytes !== undefined) {
      const kind = spanOf(call, span);
      if (kind === SPAN_PLAIN) return byBytes.get(bytes, span.start, span.end);
      if (kind === SPAN_ABSENT) return byText(undefined);
    }
    return byText(read(call));
  };
}

const symbolSpan = (call: Call, s: Span): number => call.textSpan(FIELD_SYMBOL, s);
const nameSpan = (call: Call, s: Span): number => call.textSpan(FIELD_NAME, s);
const platformSpan = (call: Call, s: Span): number => call.callerSpan(FIELD_PLATFORM, s);
const addressSpan = (call: Call, s: Span): number => (call.tokenSpan(s) ? SPAN_PLAIN : SPAN_OTHER);
/** The caller's name when the feed gave a non-empty one; anything else goes by the getter (name, else id). */
const callerNameSpan = (call: Call, s: Span): number => (call.callerSpan(FIELD_CALLER_NAME, s) === SPAN_PLAIN && s.end > s.start ? SPAN_PLAIN : SPAN_OTHER);
const callerText = (call: Call): string | undefined => {
  const c = call.caller;
  return c.name || c.id;
};

/** The cells of `cells` for a call, joined by `separator`, in order. */
export function createCallRow(cells: readonly CellSpec[], separator: string, styles: CellStyles): (call: Call) => string {
  const spec = (key: CellKey): CellSpec | undefined => cells.find((c) => c.key === key);
  const callerSpec = spec('caller');
  const platformSpec = spec('platform');
  // A caller is coloured by its platform: each platform keeps its own memory of callers.
  const platformCells = (raw: string | undefined): PlatformCells => {
    const platform = field(raw);
    const style = styles.platform(platform);
    return {
      platform: platformSpec === undefined ? '' : style(fit(platform, platformSpec.width, platformSpec.right)),
      caller:
        callerSpec === undefined
          ? () => ''
          : textCell(callerNameSpan, callerText, (name) => style(fit(field(name), callerSpec.width, callerSpec.right)), CALLERS),
    };
  };
  const byPlatform = textCell(platformSpan, (call) => call.caller.platform, platformCells, PLATFORMS);

  const texts = cells.map((cell): CellText => {
    const { width, right } = cell;
    switch (cell.key) {
      case 'time': {
        const clock = createClock(styles.timeZone, (hhmmss) => styles.time(fit(hhmmss, width, right)));
        return (call) => clock(callTime(call));
      }
      case 'symbol':
        return textCell(symbolSpan, (call) => call.tokenSymbol, (s) => styles.symbol(fit(field(s), width, right)));
      case 'name':
        return textCell(nameSpan, (call) => call.tokenName, (s) => fit(field(s), width, right));
      case 'mcap': {
        const text = memo((n: number | undefined) => fit(n === undefined ? MISSING : formatUsdCompact(n), width, right));
        return (call) => text(call.marketCap);
      }
      case 'price': {
        const text = memo((n: number | undefined) => fit(n === undefined ? MISSING : formatPrice(n), width, right));
        return (_call, shared) => text(shared.price);
      }
      case 'caller':
        return (call, shared) => shared.platform!.caller(call);
      case 'platform':
        return (_call, shared) => shared.platform!.platform;
      case 'address': {
        // The address is never cut: padded to the cell when shorter, whole when not (width 0: never padded).
        const text = (a: string | undefined): string => {
          const s = a === undefined || a === '' ? MISSING : sanitize(a);
          return displayWidth(s) >= width ? s : fit(s, width, right);
        };
        return textCell(addressSpan, (call) => call.tokenAddress, text);
      }
    }
  });

  // The price is read before the market cap: reading it decodes both, so the market cap is then a
  // field load; read first, the market cap alone is decoded and then again with the price.
  const readsPrice = spec('price') !== undefined;
  const readsPlatform = callerSpec !== undefined || platformSpec !== undefined;
  const shared: Shared = { price: undefined, platform: undefined };
  const last = texts.length - 1;
  return (call) => {
    shared.price = readsPrice ? call.price : undefined;
    shared.platform = readsPlatform ? byPlatform(call) : undefined;
    let row = '';
    for (let i = 0; i < last; i++) row += texts[i]!(call, shared) + separator;
    return last < 0 ? row : row + texts[last]!(call, shared);
  };
}
