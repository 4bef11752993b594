import type { Call } from '../wire/calls.js';
import { FIELD_CALLER_NAME, FIELD_MARKET_CAP, FIELD_NAME, FIELD_PLATFORM, FIELD_PRICE, FIELD_SYMBOL, SPAN_ABSENT, SPAN_OTHER, SPAN_PLAIN, type Span } from '../wire/frame-scan.js';
import { createClock } from './clock.js';
import { callTime, field, MISSING, type Style } from './fields.js';
import { memo } from './memo.js';
import { formatPrice, formatUsdCompact } from './money.js';
import { sanitize } from './sanitize.js';
import { CellMemo, KEY_BYTES } from './cell-memo.js';
import { RowWriter } from './row-writer.js';
import { SecondCells } from './second-cells.js';
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

interface PlatformCells<V, C> {
  /** The platform's cell. */
  platform: V;
  /** What makes a caller's cell, by its name (else id), in the platform's colour; undefined when not shown. */
  caller: C | undefined;
}

/** The string form: each cell's text, joined. */
type TextPlatform = PlatformCells<string, (call: Call) => string>;
type CellText = (call: Call, platform: TextPlatform | undefined) => string;

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
  const last = cells.length - 1;
  const byPlatform = platformCells(cells, separator, styles, (s) => s, (make) => textCell(callerNameSpan, callerText, make, CALLERS));
  const values = cells.map((cell, i): CellText => {
    const suffix = i === last ? '' : separator;
    const { width, right } = cell;
    switch (cell.key) {
      case 'time': {
        const clock = createClock(styles.timeZone, (hhmmss) => styles.time(fit(hhmmss, width, right)) + suffix);
        return (call) => clock(callTime(call));
      }
      case 'symbol':
        return textCell(symbolSpan, (call) => call.tokenSymbol, textMaker(cell, suffix, styles.symbol));
      case 'name':
        return textCell(nameSpan, (call) => call.tokenName, textMaker(cell, suffix, plain));
      case 'mcap':
        return numberCell(FIELD_MARKET_CAP, (call) => call.marketCap, numberMaker(cell, suffix, formatUsdCompact));
      case 'price':
        return numberCell(FIELD_PRICE, (call) => call.price, numberMaker(cell, suffix, formatPrice));
      case 'caller':
        return (call, platform) => platform!.caller!(call);
      case 'platform':
        return (_call, platform) => platform!.platform;
      case 'address':
        return textCell(addressSpan, (call) => call.tokenAddress, addressMaker(cell, suffix));
    }
  });
  return (call) => {
    const platform = byPlatform === undefined ? undefined : byPlatform(call);
    let row = '';
    for (let i = 0; i < values.length; i++) row += values[i]!(call, platform);
    return row;
  };
}

export { RowWriter };

/** A cell written into a row; `platform` is the call's platform's cells when the row shows either. */
type BytesPlatform = PlatformCells<Buffer, (call: Call, out: RowWriter) => void>;
type CellWrite = (call: Call, out: RowWriter, platform: BytesPlatform | undefined) => void;

/**
 * What createCallRow makes, as UTF-8 written into a RowWriter, for a row that costs as little
 * memory traffic as it can: a row's lookups wait on memory more than they compute. From the frame's
 * bytes, a symbol, name, caller or address of printable ASCII is copied into its cell as it is
 * (writeDirect, addressWrite); the market cap and the price are one lookup by both literals
 * (pairWrite); the time is found by its second (timeWrite); any other cell read from the bytes is
 * looked up by them in a CellMemo, which writes it from where it keeps it. A cell the bytes do not
 * give is remembered as its bytes by value.
 */
export function createCallRowBytes(cells: readonly CellSpec[], separator: string, styles: CellStyles): (call: Call, out: RowWriter) => void {
  const last = cells.length - 1;
  const encode = (s: string): Buffer => Buffer.from(s, 'utf8');
  const callerAt = cells.findIndex((c) => c.key === 'caller');
  const callerDirect = (style: Style): DirectText | undefined => (callerAt < 0 ? undefined : directText(cells[callerAt]!, callerAt === last ? '' : separator, style));
  const byPlatform = platformCells(cells, separator, styles, encode, (make, style) => textWrite(callerNameSpan, callerText, make, CALLERS, callerDirect(style)));
  const write = (cell: CellSpec, i: number): CellWrite => {
    const suffix = i === last ? '' : separator;
    const { width, right } = cell;
    switch (cell.key) {
      case 'time':
        return timeWrite(styles.timeZone, (hhmmss) => styles.time(fit(hhmmss, width, right)) + suffix);
      case 'symbol':
        return textWrite(symbolSpan, (call) => call.tokenSymbol, textMaker(cell, suffix, styles.symbol), undefined, directText(cell, suffix, styles.symbol));
      case 'name':
        return textWrite(nameSpan, (call) => call.tokenName, textMaker(cell, suffix, plain), undefined, directText(cell, suffix, plain));
      case 'mcap':
        return numberWrite(FIELD_MARKET_CAP, (call) => call.marketCap, numberMaker(cell, suffix, formatUsdCompact));
      case 'price':
        return numberWrite(FIELD_PRICE, (call) => call.price, numberMaker(cell, suffix, formatPrice));
      case 'caller':
        return (call, out, platform) => platform!.caller!(call, out);
      case 'platform':
        return (_call, out, platform) => out.put(platform!.platform);
      case 'address':
        return addressWrite(width, suffix, textWrite(addressSpan, (call) => call.tokenAddress, addressMaker(cell, suffix)));
    }
  };
  const writes: CellWrite[] = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const next = cells[i + 1];
    const suffix = (j: number): string => (j === last ? '' : separator);
    // A call's market cap and price go together (a price times a token's supply): when the row
    // shows both side by side, the two cells are one lookup.
    if (cell.key === 'mcap' && next?.key === 'price') {
      const mcap = numberMaker(cell, suffix(i), formatUsdCompact);
      const price = numberMaker(next, suffix(i + 1), formatPrice);
      writes.push(pairWrite(marketCapSpan, priceSpan, (b, s, e) => mcap(literal(b, s, e)), (b, s, e) => price(literal(b, s, e)), write(cell, i), write(next, i + 1)));
      i++;
    } else writes.push(write(cell, i));
  }
  return (call, out) => {
    const platform = byPlatform === undefined ? undefined : byPlatform(call);
    for (let i = 0; i < writes.length; i++) writes[i]!(call, out, platform);
  };
}

/** A number literal's value as the getter reads it: one too large to be finite is missing. */
function literal(bytes: Buffer, start: number, end: number): number | undefined {
  const n = Number(bytes.toString('latin1', start, end));
  return Number.isFinite(n) ? n : undefined;
}

const marketCapSpan = (call: Call, s: Span): boolean => call.numberSpan(FIELD_MARKET_CAP, s);
const priceSpan = (call: Call, s: Span): boolean => call.numberSpan(FIELD_PRICE, s);

/**
 * Two adjacent cells as one lookup, by both fields' bytes, when the frame has both as bytes
 * (`firstSpan`, `secondSpan`); else each as `first` and `second` write it.
 */
function pairWrite(
  firstSpan: (call: Call, span: Span) => boolean,
  secondSpan: (call: Call, span: Span) => boolean,
  makeFirst: (bytes: Buffer, start: number, end: number) => string,
  makeSecond: (bytes: Buffer, start: number, end: number) => string,
  first: CellWrite,
  second: CellWrite,
): CellWrite {
  const both = new CellMemo((bytes, start, end, start2, end2) => makeFirst(bytes, start, end) + makeSecond(bytes, start2, end2));
  return (call, out, platform) => {
    const bytes = call.scannedBytes;
    if (bytes !== undefined && firstSpan(call, span)) {
      const { start, end } = span;
      // Keys too long to be remembered together are remembered one by one.
      if (secondSpan(call, span) && end - start + span.end - span.start <= KEY_BYTES) return both.write(out, bytes, start, end, span.start, span.end);
    }
    first(call, out, platform);
    second(call, out, platform);
  };
}

/** textCell, for a cell written into a row: the frame's bytes looked up in a CellMemo. */
function textWrite(
  spanOf: (call: Call, span: Span) => number,
  read: (call: Call) => string | undefined,
  make: (text: string | undefined) => string,
  slots?: number,
  direct?: DirectText,
): (call: Call, out: RowWriter) => void {
  const byText = memo((text: string | undefined) => Buffer.from(make(text), 'utf8'));
  const byBytes = new CellMemo((bytes, start, end) => make(decode(bytes, start, end)), slots);
  return (call, out) => {
    const bytes = call.scannedBytes;
    if (bytes !== undefined) {
      const kind = spanOf(call, span);
      if (kind === SPAN_PLAIN) {
        if (direct !== undefined && writeDirect(direct, out, bytes, span.start, span.end)) return;
        return byBytes.write(out, bytes, span.start, span.end, 0, 0);
      }
      if (kind === SPAN_ABSENT) return out.put(byText(undefined));
    }
    out.put(byText(read(call)));
  };
}

/**
 * A text cell written from the field's bytes themselves when they are printable ASCII: what
 * textMaker() makes of such text, when its style only wraps the text in codes (chalk's do, for
 * text without ESC or a line break). sanitize() leaves such text as it is and fit() pads it with
 * spaces, or cuts it to `width - 1` characters and an ellipsis: a copy of the bytes, with no lookup.
 */
interface DirectText {
  open: Buffer;
  close: Buffer;
  suffix: Buffer;
  width: number;
  right: boolean;
}

const ELLIPSIS = Buffer.from('…', 'utf8');

/** How textMaker(cell, suffix, style) writes printable ASCII; undefined when its style does more than wrap the text. */
function directText(cell: CellSpec, suffix: string, style: Style): DirectText | undefined {
  const marker = '\u0001';
  const wrapped = style(marker);
  const at = wrapped.indexOf(marker);
  if (at < 0 || cell.width < 1) return undefined;
  const open = wrapped.slice(0, at);
  const close = wrapped.slice(at + 1);
  if (style('Ab 1~') !== `${open}Ab 1~${close}`) return undefined;
  return { open: Buffer.from(open, 'utf8'), close: Buffer.from(close, 'utf8'), suffix: Buffer.from(suffix, 'utf8'), width: cell.width, right: cell.right };
}

/** Writes bytes[start, end) as its cell when it is printable ASCII and not empty: true; else nothing written, false. */
function writeDirect(d: DirectText, out: RowWriter, bytes: Buffer, start: number, end: number): boolean {
  const n = end - start;
  if (n === 0) return false;
  const { width, open, close, suffix } = d;
  // Cut, the text is width - 1 characters and the ellipsis's three bytes.
  out.room(open.length + width + 2 + close.length + suffix.length);
  const buf = out.buf;
  // Nothing is written until the text is known to be printable: out.pos moves at the end.
  let at = out.pos;
  for (let k = 0; k < open.length; k++) buf[at++] = open[k]!;
  const spaces = width - n;
  if (d.right) for (let k = 0; k < spaces; k++) buf[at++] = 0x20;
  const shown = n <= width ? n : width - 1;
  for (let k = 0; k < n; k++) {
    const c = bytes[start + k]!;
    if (c < 0x20 || c > 0x7e) return false;
    if (k < shown) buf[at++] = c;
  }
  if (n > width) for (let k = 0; k < ELLIPSIS.length; k++) buf[at++] = ELLIPSIS[k]!;
  else if (!d.right) for (let k = 0; k < spaces; k++) buf[at++] = 0x20;
  for (let k = 0; k < close.length; k++) buf[at++] = close[k]!;
  for (let k = 0; k < suffix.length; k++) buf[at++] = suffix[k]!;
  out.pos = at;
  return true;
}

/** numberCell, for a cell written into a row. */
function numberWrite(field: typeof FIELD_MARKET_CAP | typeof FIELD_PRICE, read: (call: Call) => number | undefined, make: (n: number | undefined) => string): CellWrite {
  const byValue = memo((n: number | undefined) => Buffer.from(make(n), 'utf8'));
  const byBytes = new CellMemo((bytes, start, end) => make(literal(bytes, start, end)));
  return (call, out) => {
    const bytes = call.scannedBytes;
    if (bytes !== undefined && call.numberSpan(field, span)) byBytes.write(out, bytes, span.start, span.end, 0, 0);
    else out.put(byValue(read(call)));
  };
}

/**
 * The address copied from the frame when it is printable ASCII and fills its cell (then it prints
 * as it is: sanitize leaves it, and it is as wide as it is long); else as `other` writes it.
 */
function addressWrite(width: number, suffix: string, other: (call: Call, out: RowWriter) => void): CellWrite {
  const minLength = Math.max(1, width);
  const after = Buffer.from(suffix, 'utf8');
  return (call, out) => {
    const bytes = call.scannedBytes;
    if (bytes !== undefined && call.tokenSpan(span)) {
      const { start, end } = span;
      const n = end - start;
      if (n >= minLength) {
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
          if (after.length > 0) out.put(after);
          return;
        }
      }
    }
    other(call, out);
  };
}

/** Digits of a timestamp in seconds: calls.ts reads one below 1e11 (at most 11 digits, no leading zero) as seconds. */
const SECOND_DIGITS = 11;
/** Digits of one in milliseconds that is read whole (up to 15: exact, and below the engine's last date). */
const MILLISECOND_DIGITS = 15;

/**
 * The time cell, by the second of the call's timestamp when it is a plain whole number: all its
 * digits for seconds, all but the last three for milliseconds. That is the second callTime() gives
 * (whole seconds times 1000, or milliseconds below 8.64e15), and the clock prints nothing but the
 * second. Anything else goes by callTime() and the clock.
 */
function timeWrite(timeZone: string | undefined, make: (hhmmss: string) => string): CellWrite {
  const textClock = createClock(timeZone, make);
  const bySecond = new SecondCells((second) => textClock(second * 1000));
  const clock = createClock(timeZone, (hhmmss) => Buffer.from(make(hhmmss), 'utf8'));
  return (call, out) => {
    const bytes = call.scannedBytes;
    if (bytes !== undefined && call.timestampDigits(span)) {
      const { start, end } = span;
      const digits = end - start <= SECOND_DIGITS ? end : end - start <= MILLISECOND_DIGITS ? end - 3 : -1;
      if (digits >= 0) {
        let second = 0;
        for (let i = start; i < digits; i++) second = second * 10 + (bytes[i]! - 0x30);
        return bySecond.write(out, second);
      }
    }
    out.put(clock(callTime(call)));
  };
}

const plain: Style = (s) => s;

/** A symbol's or a name's cell: sanitized (`-` when missing), fitted, styled, the separator after. */
function textMaker(cell: CellSpec, suffix: string, style: Style): (text: string | undefined) => string {
  const { width, right } = cell;
  return (text) => style(fit(field(text), width, right)) + suffix;
}

/** A market cap's or a price's cell. */
function numberMaker(cell: CellSpec, suffix: string, format: (n: number) => string): (n: number | undefined) => string {
  const { width, right } = cell;
  return (n) => fit(n === undefined ? MISSING : format(n), width, right) + suffix;
}

/** The address's cell: never cut; padded to the cell when shorter, whole when not (width 0: never padded). */
function addressMaker(cell: CellSpec, suffix: string): (address: string | undefined) => string {
  const { width, right } = cell;
  return (a) => {
    const s = a === undefined || a === '' ? MISSING : sanitize(a);
    return (displayWidth(s) >= width ? s : fit(s, width, right)) + suffix;
  };
}

/**
 * The cells of a call's platform (its own, and its callers' in its colour), by the platform's
 * bytes or text; undefined when the row shows neither. `callerCell` makes what gives a caller's
 * cell from how its text is made.
 */
function platformCells<V, C>(
  cells: readonly CellSpec[],
  separator: string,
  styles: CellStyles,
  encode: (s: string) => V,
  callerCell: (make: (text: string | undefined) => string, style: Style) => C,
): ((call: Call) => PlatformCells<V, C>) | undefined {
  const last = cells.length - 1;
  const after = (cell: CellSpec): string => (cells.indexOf(cell) === last ? '' : separator);
  const callerSpec = cells.find((c) => c.key === 'caller');
  const platformSpec = cells.find((c) => c.key === 'platform');
  if (callerSpec === undefined && platformSpec === undefined) return undefined;
  const empty = encode('');
  // A caller is coloured by its platform: each platform keeps its own memory of callers.
  const make = (raw: string | undefined): PlatformCells<V, C> => {
    const platform = field(raw);
    const style = styles.platform(platform);
    return {
      platform: platformSpec === undefined ? empty : encode(style(fit(platform, platformSpec.width, platformSpec.right)) + after(platformSpec)),
      caller: callerSpec === undefined ? undefined : callerCell(textMaker(callerSpec, after(callerSpec), style), style),
    };
  };
  return textCell(platformSpan, (call) => call.caller.platform, make, PLATFORMS);
}
