import type { Call } from '../wire/calls.js';
import { FIELD_CALLER_NAME, FIELD_MARKET_CAP, FIELD_NAME, FIELD_PLATFORM, FIELD_PRICE, FIELD_SYMBOL, SPAN_ABSENT, SPAN_OTHER, SPAN_PLAIN, type Span } from '../wire/frame-scan.js';
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

interface PlatformCells<V> {
  /** The platform's cell. */
  platform: V;
  /** A caller's cell, by its name (else id), in the platform's colour. */
  caller: (call: Call) => V;
}

type CellValue<V> = (call: Call, platform: PlatformCells<V> | undefined) => V;

/** One span, reused: a row reads its fields' spans one after another. */
const span: Span = { start: 0, end: 0 };
const decode = (bytes: Buffer, start: number, end: number): string => bytes.toString('utf8', start, end);

/**
 * A cell made by `make` from a field's text, remembered by the field's bytes when the call has
 * them (scannedBytes, and the field a string without escapes), else by its text as the getter
 * reads it. The same text either way: a plain string's bytes are its UTF-8, and a field whose span
 * is absent (missing, null, an object or an array) reads as undefined.
 */
function textCell<V>(
  spanOf: (call: Call, span: Span) => number,
  read: (call: Call) => string | undefined,
  make: (text: string | undefined) => V,
  slots?: number,
): (call: Call) => V {
  const byText = memo(make);
  const byBytes = new SpanMemo((bytes, start, end) => make(decode(bytes, start, end)), slots);
  return (call) => {
    const bytes = call.scannedBytes;
    if (bytes !== undefined) {
      const kind = spanOf(call, span);
      if (kind === SPAN_PLAIN) return byBytes.get(bytes, span.start, span.end);
      if (kind === SPAN_ABSENT) return byText(undefined);
    }
    return byText(read(call));
  };
}

/**
 * A cell made by `make` from a price field, remembered by the number's literal in the frame when
 * the call has it there, else by the value the getter reads. The same value either way: the getter
 * reads a JSON number as Number() reads its literal, and one too large to be finite as missing.
 */
function numberCell<V>(field: typeof FIELD_MARKET_CAP | typeof FIELD_PRICE, read: (call: Call) => number | undefined, make: (n: number | undefined) => V): (call: Call) => V {
  const byValue = memo(make);
  const byBytes = new SpanMemo((bytes, start, end) => {
    const n = Number(bytes.toString('latin1', start, end));
    return make(Number.isFinite(n) ? n : undefined);
  });
  return (call) => {
    const bytes = call.scannedBytes;
    return bytes !== undefined && call.numberSpan(field, span) ? byBytes.get(bytes, span.start, span.end) : byValue(read(call));
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

/**
 * The cells of `cells` for a call, joined by `separator`, in order. Each cell is remembered with
 * the separator after it, so a row is a handful of concatenations.
 */
export function createCallRow(cells: readonly CellSpec[], separator: string, styles: CellStyles): (call: Call) => string {
  const { values, byPlatform } = cellValues(cells, separator, styles, (s) => s);
  return (call) => {
    const platform = byPlatform === undefined ? undefined : byPlatform(call);
    let row = '';
    for (let i = 0; i < values.length; i++) row += values[i]!(call, platform);
    return row;
  };
}

/**
 * Bytes written one after another into a buffer that grows: a batch of rows becomes one buffer,
 * with no string per row to concatenate and encode again.
 */
export class RowWriter {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      bigger.set(this.buf.subarray(0, this.pos));
      this.buf = bigger;
    }
  }

  put(bytes: Uint8Array): void {
    const n = bytes.length;
    this.room(n);
    const buf = this.buf;
    const at = this.pos;
    // A cell is a few dozen bytes: a loop costs less than set()'s call into the runtime.
    if (n <= 64) for (let k = 0; k < n; k++) buf[at + k] = bytes[k]!;
    else buf.set(bytes, at);
    this.pos = at + n;
  }

  text(s: string): void {
    this.room(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos);
  }
}

/**
 * What createCallRow makes, as UTF-8 written into a RowWriter: each cell is remembered as its
 * bytes. An address that ends the row and is printable ASCII (base58 always is: sanitize leaves
 * it, and it is as wide as it is long) is copied from the frame as it is, without a lookup.
 */
export function createCallRowBytes(cells: readonly CellSpec[], separator: string, styles: CellStyles): (call: Call, out: RowWriter) => void {
  const { values, byPlatform } = cellValues(cells, separator, styles, (s) => Buffer.from(s, 'utf8'));
  const last = cells[cells.length - 1];
  const copyAddress = last !== undefined && last.key === 'address';
  const minAddress = copyAddress ? Math.max(1, last.width) : 0;
  const upTo = copyAddress ? values.length - 1 : values.length;
  return (call, out) => {
    const platform = byPlatform === undefined ? undefined : byPlatform(call);
    for (let i = 0; i < upTo; i++) out.put(values[i]!(call, platform));
    if (!copyAddress) return;
    const bytes = call.scannedBytes;
    if (bytes !== undefined && call.tokenSpan(span)) {
      const { start, end } = span;
      const n = end - start;
      if (n >= minAddress) {
        out.room(n);
        const buf = out.buf;
        const at = out.pos;
        let k = 0;
        for (; k < n; k++) {
          const c = bytes[start + k]!;
          if (c < 0x20 || c > 0x7e) break;
          buf[at + k] = c;
        }
        if (k === n) {
          out.pos = at + n;
          return;
        }
      }
    }
    out.put(values[upTo]!(call, platform));
  };
}

/** Each cell's value (text, or its bytes: `encode`), remembered per distinct value. */
function cellValues<V>(
  cells: readonly CellSpec[],
  separator: string,
  styles: CellStyles,
  encode: (s: string) => V,
): { values: CellValue<V>[]; byPlatform: ((call: Call) => PlatformCells<V>) | undefined } {
  const last = cells.length - 1;
  const after = (cell: CellSpec): string => (cells.indexOf(cell) === last ? '' : separator);
  const callerSpec = cells.find((c) => c.key === 'caller');
  const platformSpec = cells.find((c) => c.key === 'platform');
  const empty = encode('');
  // A caller is coloured by its platform: each platform keeps its own memory of callers.
  const platformCells = (raw: string | undefined): PlatformCells<V> => {
    const platform = field(raw);
    const style = styles.platform(platform);
    return {
      platform: platformSpec === undefined ? empty : encode(style(fit(platform, platformSpec.width, platformSpec.right)) + after(platformSpec)),
      caller:
        callerSpec === undefined
          ? () => empty
          : textCell(callerNameSpan, callerText, (name) => encode(style(fit(field(name), callerSpec.width, callerSpec.right)) + after(callerSpec)), CALLERS),
    };
  };
  const byPlatform = callerSpec === undefined && platformSpec === undefined ? undefined : textCell(platformSpan, (call) => call.caller.platform, platformCells, PLATFORMS);

  const values = cells.map((cell): CellValue<V> => {
    const { width, right } = cell;
    const suffix = after(cell);
    switch (cell.key) {
      case 'time': {
        const clock = createClock(styles.timeZone, (hhmmss) => encode(styles.time(fit(hhmmss, width, right)) + suffix));
        return (call) => clock(callTime(call));
      }
      case 'symbol':
        return textCell(symbolSpan, (call) => call.tokenSymbol, (s) => encode(styles.symbol(fit(field(s), width, right)) + suffix));
      case 'name':
        return textCell(nameSpan, (call) => call.tokenName, (s) => encode(fit(field(s), width, right) + suffix));
      case 'mcap':
        return numberCell(FIELD_MARKET_CAP, (call) => call.marketCap, (n) => encode(fit(n === undefined ? MISSING : formatUsdCompact(n), width, right) + suffix));
      case 'price':
        return numberCell(FIELD_PRICE, (call) => call.price, (n) => encode(fit(n === undefined ? MISSING : formatPrice(n), width, right) + suffix));
      case 'caller':
        return (call, platform) => platform!.caller(call);
      case 'platform':
        return (_call, platform) => platform!.platform;
      case 'address': {
        // The address is never cut: padded to the cell when shorter, whole when not (width 0: never padded).
        const text = (a: string | undefined): V => {
          const s = a === undefined || a === '' ? MISSING : sanitize(a);
          return encode((displayWidth(s) >= width ? s : fit(s, width, right)) + suffix);
        };
        return textCell(addressSpan, (call) => call.tokenAddress, text);
      }
    }
  });
  return { values, byPlatform };
}
