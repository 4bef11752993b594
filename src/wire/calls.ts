/**
 * The wire format of the service's /solana/monitor/livecalls messages, described once, the typed
 * view of a call that the rest of the program reads, and the classification every frame goes
 * through before it reaches a stage.
 *
 * The service promises little: only `type` and `data.token_address` are checked. Every other field
 * may be missing or of another type, so readers of these types go through `text()` and `num()`.
 */

import {
  FIELD_CALLER_ID,
  FIELD_CALLER_NAME,
  FIELD_MARKET_CAP,
  FIELD_NAME,
  FIELD_PLATFORM,
  FIELD_PRICE,
  FIELD_SYMBOL,
  FIELD_TIMESTAMP,
  fieldSpan,
  integerSpan,
  numberSpan,
  readField,
  SPAN_OTHER,
  type Span,
  ScanResult,
  scanFrame,
  UNREADABLE,
} from './frame-scan.js';

export interface WireCaller {
  id?: unknown; // a string in the docs; numeric ids are seen in the wild
  name?: unknown;
  platform?: unknown; // telegram, discord, twitter, ...
}

export interface WirePriceData {
  current_price?: unknown; // USD per token
  market_cap?: unknown; // USD
}

/** `data` of a NEW_SCAN message. */
export interface NewScanData {
  token_address: string; // base58 mint address: the one field a call must have
  token_name?: unknown;
  token_symbol?: unknown;
  timestamp?: unknown; // unix seconds
  caller?: WireCaller;
  price_data?: WirePriceData;
  [field: string]: unknown;
}

export interface WireMessage {
  type?: unknown;
  data?: unknown;
  [field: string]: unknown;
}

export const NEW_SCAN = 'NEW_SCAN';

/** A call's caller as the feed named it; each field undefined when missing or not a scalar. */
export interface CallerView {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly platform: string | undefined;
}

/** A caller's field when present and not empty; null otherwise (an empty id or name counts as missing). */
export function present(s: string | undefined): string | null {
  return s === undefined || s === '' ? null : s;
}

/**
 * A call as the library documents it: the fields a program may rely on. Each typed field is
 * undefined when the message lacks it or holds something unusable; `raw` and `message` are the
 * frame's exact text and its parsed JSON.
 */
export interface LiveCall {
  readonly kind: 'call';
  readonly tokenAddress: string;
  readonly tokenName: string | undefined;
  readonly tokenSymbol: string | undefined;
  /** `data.timestamp` in epoch milliseconds. */
  readonly timestampMs: number | undefined;
  readonly caller: CallerView;
  /** `price_data.market_cap`, USD. */
  readonly marketCap: number | undefined;
  /** `price_data.current_price`, USD. */
  readonly price: number | undefined;
  /** Epoch ms of arrival (the Rexi-Received-At header when read from JetStream). */
  readonly receivedAt: number;
  readonly raw: string;
  readonly message: WireMessage;
}

/**
 * A NEW_SCAN call, normalised once: the typed fields are read on first use and kept, so filters,
 * stages and renderers never re-read the raw fields. `raw` is the frame's own text: ndjson is built
 * from it, so numbers (even integers beyond 2^53) and unknown fields reach the user unchanged.
 *
 * A call classified from its bytes reads its typed fields from them, at the places the scan
 * recorded, until something needs the parsed message: a field costs a small decode, not a parse
 * of the frame. The values are those of the parse in every case (a field the bytes do not tell
 * is read from the parse).
 */
export class Call implements LiveCall {
  declare readonly kind: 'call';
  private callerView: CallerView | undefined;
  private prices: { marketCap: number | undefined; price: number | undefined } | undefined;
  private text: string | undefined;
  private frame: Buffer | undefined;
  // Where the scan found the fields in `frame` (ScanResult.fields, and the token's span when it
  // has no escape): plain numbers, so a call that is never read costs a few stores, no allocation.
  private readonly tokenStart: number;
  private readonly tokenEnd: number;
  private readonly symbolAt: number;
  private readonly nameAt: number;
  // These four are read by the identity hash (stages/identity-hash.ts) while scannedBytes is
  // defined: it finds its spans from them directly, not through an accessor a field.
  readonly timestampAt: number;
  readonly callerIdAt: number;
  readonly callerNameAt: number;
  readonly platformAt: number;
  private readonly marketCapAt: number;
  private readonly priceAt: number;

  constructor(
    raw: string | Buffer,
    /** Epoch ms of arrival: when the service sent it, or the capture's time for it. */
    public receivedAt: number,
    /** Known to be all ASCII (its UTF-8 was as long as its text): ndjson has only DEL to escape. */
    public readonly ascii: boolean,
    /** The parsed message, when the classifier kept it; parsed on demand otherwise. */
    private parsed: WireMessage | undefined,
    /** The frame's bytes are its ndjson line as they are: compact, nothing to escape. */
    private lineReady = false,
    /** The scan of the bytes `raw`, when it was one: where its fields are. */
    scan?: ScanResult,
  ) {
    if (typeof raw === 'string') this.text = raw;
    else this.frame = raw;
    if (scan !== undefined && typeof raw !== 'string') {
      const f = scan.fields;
      this.tokenStart = scan.tokenEscaped ? -1 : scan.tokenStart;
      this.tokenEnd = scan.tokenEnd;
      this.symbolAt = f[FIELD_SYMBOL]!;
      this.nameAt = f[FIELD_NAME]!;
      this.timestampAt = f[FIELD_TIMESTAMP]!;
      this.callerIdAt = f[FIELD_CALLER_ID]!;
      this.callerNameAt = f[FIELD_CALLER_NAME]!;
      this.platformAt = f[FIELD_PLATFORM]!;
      this.marketCapAt = f[FIELD_MARKET_CAP]!;
      this.priceAt = f[FIELD_PRICE]!;
    } else {
      this.tokenStart = this.tokenEnd = this.symbolAt = this.nameAt = this.timestampAt = -1;
      this.callerIdAt = this.callerNameAt = this.platformAt = this.marketCapAt = this.priceAt = -1;
    }
  }

  /** The frame's exact text, decoded from its bytes on first use. */
  get raw(): string {
    return (this.text ??= this.frame!.toString());
  }

  /** Replacing the text (a capture's received_at taken off) leaves the bytes behind. */
  set raw(text: string) {
    this.text = text;
    this.frame = undefined;
    this.lineReady = false;
  }

  /** The frame's own bytes when they are its ndjson line unchanged: written without re-encoding. */
  get lineBytes(): Buffer | undefined {
    return this.lineReady ? this.frame : undefined;
  }

  /** The frame's bytes as they came (the UTF-8 of its text when it came as text): what --publish sends. */
  get bytes(): Buffer {
    return this.frame ?? Buffer.from(this.text!, 'utf8');
  }

  /** The frame's size in bytes (characters for a line that came as text): what a queue counts. */
  get size(): number {
    return this.frame !== undefined ? this.frame.length : this.text!.length;
  }

  /** The parsed JSON of the frame, built on first use: ndjson alone never needs it. */
  get message(): WireMessage {
    return (this.parsed ??= JSON.parse(this.raw) as WireMessage);
  }

  /** `data` of the message: an object with a string `token_address` (the classifier checked). */
  get data(): NewScanData {
    return this.message.data as NewScanData;
  }

  get tokenAddress(): string {
    const frame = this.unparsedFrame();
    // The scan found a string without escapes: its bytes are the address.
    return frame !== undefined && this.tokenStart >= 0 ? frame.toString('utf8', this.tokenStart, this.tokenEnd) : this.data.token_address;
  }

  get tokenName(): string | undefined {
    const v = this.field(this.nameAt, FIELD_NAME);
    return text(v === UNREADABLE ? this.data.token_name : v);
  }

  get tokenSymbol(): string | undefined {
    const v = this.field(this.symbolAt, FIELD_SYMBOL);
    return text(v === UNREADABLE ? this.data.token_symbol : v);
  }

  get timestampMs(): number | undefined {
    return msOfTimestamp(this.timestampValue);
  }

  /** `data.timestamp` as the frame has it when a string or a number; else undefined. */
  get timestampValue(): string | number | undefined {
    let v: unknown = this.field(this.timestampAt, FIELD_TIMESTAMP);
    if (v === UNREADABLE) v = this.data.timestamp;
    return typeof v === 'string' || typeof v === 'number' ? v : undefined;
  }

  get caller(): CallerView {
    if (this.callerView === undefined) {
      let id: unknown = this.field(this.callerIdAt, FIELD_CALLER_ID);
      let name: unknown = this.field(this.callerNameAt, FIELD_CALLER_NAME);
      let platform: unknown = this.field(this.platformAt, FIELD_PLATFORM);
      if (id === UNREADABLE || name === UNREADABLE || platform === UNREADABLE) {
        const c = callerOf(this.data);
        id = c?.id;
        name = c?.name;
        platform = c?.platform;
      }
      this.callerView = { id: text(id), name: text(name), platform: text(platform) };
    }
    return this.callerView;
  }

  /** `price_data.market_cap` in USD. */
  get marketCap(): number | undefined {
    // Alone when the bytes tell it: multi-call keeps every call's market cap, never its price.
    if (this.prices === undefined) {
      const v = this.field(this.marketCapAt, FIELD_MARKET_CAP);
      if (v !== UNREADABLE) return num(v);
    }
    return this.priceData().marketCap;
  }

  /** `price_data.current_price` in USD per token. */
  get price(): number | undefined {
    return this.priceData().price;
  }

  // The caller and the prices are kept apart: dedupe reads the one, --min-mcap the other.
  private priceData(): NonNullable<Call['prices']> {
    if (this.prices === undefined) {
      let marketCap: unknown = this.field(this.marketCapAt, FIELD_MARKET_CAP);
      let price: unknown = this.field(this.priceAt, FIELD_PRICE);
      if (marketCap === UNREADABLE || price === UNREADABLE) {
        const p = priceDataOf(this.data);
        marketCap = p?.market_cap;
        price = p?.current_price;
      }
      this.prices = { marketCap: num(marketCap), price: num(price) };
    }
    return this.prices;
  }

  /**
   * The frame's bytes while nothing has parsed them: the identity is hashed from their spans (where
   * a length in bytes is a length in characters only for spans of ASCII: `ascii` tells whether
   * the whole frame is). undefined once parsed: read the typed fields.
   */
  get scannedBytes(): Buffer | undefined {
    return this.unparsedFrame();
  }

  /** The token address's span in scannedBytes; false when it has escapes. */
  tokenSpan(span: Span): boolean {
    if (this.tokenStart < 0) return false;
    span.start = this.tokenStart;
    span.end = this.tokenEnd;
    return true;
  }

  /** The digits of `data.timestamp` in scannedBytes when it is a plain whole number (frame-scan.ts integerSpan). */
  timestampDigits(span: Span): boolean {
    const frame = this.unparsedFrame();
    return frame !== undefined && integerSpan(frame, this.timestampAt, FIELD_TIMESTAMP, span);
  }

  /** A caller field's span in scannedBytes (frame-scan.ts fieldSpan: SPAN_ABSENT, SPAN_PLAIN, SPAN_OTHER). */
  callerSpan(field: typeof FIELD_CALLER_ID | typeof FIELD_CALLER_NAME | typeof FIELD_PLATFORM, span: Span): number {
    const frame = this.unparsedFrame();
    if (frame === undefined) return SPAN_OTHER;
    const at = field === FIELD_CALLER_ID ? this.callerIdAt : field === FIELD_CALLER_NAME ? this.callerNameAt : this.platformAt;
    return fieldSpan(frame, at, field, span);
  }

  /**
   * The span of the token's symbol or name in scannedBytes, as callerSpan for the caller's fields:
   * the human formats remember what they printed for a field by its bytes, without decoding it.
   */
  textSpan(field: typeof FIELD_SYMBOL | typeof FIELD_NAME, span: Span): number {
    const frame = this.unparsedFrame();
    if (frame === undefined) return SPAN_OTHER;
    return fieldSpan(frame, field === FIELD_SYMBOL ? this.symbolAt : this.nameAt, field, span);
  }

  /** The span of a price field's number literal in scannedBytes; false when it is not a number there. */
  numberSpan(field: typeof FIELD_MARKET_CAP | typeof FIELD_PRICE, span: Span): boolean {
    const frame = this.unparsedFrame();
    return frame !== undefined && numberSpan(frame, field === FIELD_MARKET_CAP ? this.marketCapAt : this.priceAt, field, span);
  }

  /** The frame's bytes while nothing has parsed them: the fields are then read from the bytes. */
  private unparsedFrame(): Buffer | undefined {
    return this.parsed === undefined ? this.frame : undefined;
  }

  /** A field from the bytes (see readField); UNREADABLE when only the parse can tell it. */
  private field(at: number, field: number): string | number | boolean | undefined | typeof UNREADABLE {
    const frame = this.unparsedFrame();
    return frame === undefined ? UNREADABLE : readField(frame, at, field);
  }
}
Object.defineProperty(Call.prototype, 'kind', { value: 'call' });

/** A JSON object that is not a valid call, passed on by --all-types. */
export class OtherMessage {
  declare readonly kind: 'other';

  constructor(
    public raw: string,
    public receivedAt: number,
    public readonly ascii: boolean,
    private parsed: WireMessage | undefined,
  ) {}

  get value(): WireMessage {
    return (this.parsed ??= JSON.parse(this.raw) as WireMessage);
  }
}
Object.defineProperty(OtherMessage.prototype, 'kind', { value: 'other' });

/** Why a frame was not passed on. The names appear in the exit summary and in warnings. */
export type SkipKind = 'not-json' | 'binary' | 'not-object' | 'no-token-address' | 'other-type' | 'too-large';

/** Kinds worth a warning: the feed sent something broken. Other types are routine. */
export const WARN_KINDS: ReadonlySet<SkipKind> = new Set(['not-json', 'binary', 'not-object', 'no-token-address', 'too-large']);

export const SKIP_DESCRIPTIONS: Record<SkipKind, string> = {
  'not-json': 'not JSON',
  binary: 'a binary frame',
  'not-object': 'JSON that is not an object',
  'no-token-address': 'a NEW_SCAN without a string data.token_address',
  'other-type': 'a message of another type',
  'too-large': 'over --max-message-size',
};

/**
 * Classifies one text frame: a Call (or, with `allTypes`, another JSON object) to pass on, or the
 * reason it is skipped. Returns a string for a skip so the hot path allocates nothing for it.
 * `ascii` is what the caller knows of the text's bytes (a frame whose UTF-8 length equals its text
 * length). Without `keepValue` (nothing downstream reads it: ndjson without stages) the parsed
 * value is dropped at once, so a backlog holds text only and the parse's garbage dies young.
 *
 * Every frame is parsed, to validate it: the bench's profile puts JSON.parse at about a third of
 * the CPU of `-f ndjson`.
 */
export function classifyFrame(raw: string, receivedAt: number, allTypes: boolean, ascii = false, keepValue = true): Call | OtherMessage | SkipKind {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not-json';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not-object';
  const msg = value as WireMessage;
  const kept = keepValue ? msg : undefined;
  if (msg.type === NEW_SCAN) {
    const data = msg.data as NewScanData | undefined;
    if (data !== null && typeof data === 'object' && typeof data.token_address === 'string') {
      return new Call(raw, receivedAt, ascii, kept);
    }
    return allTypes ? new OtherMessage(raw, receivedAt, ascii, kept) : 'no-token-address';
  }
  return allTypes ? new OtherMessage(raw, receivedAt, ascii, kept) : 'other-type';
}

const scan = new ScanResult();
/** What the last classifyBytes() found in its frame (a replay asks whether it had a received_at). */
export const lastScan: Readonly<ScanResult> = scan;

/**
 * Classifies a text frame's bytes (valid UTF-8, checked by the caller) in one pass without parsing
 * it: the scanner accepts exactly what JSON.parse accepts. A call keeps the frame's bytes; its text
 * and value are built only when a stage, a filter or a human format reads them.
 */
export function classifyBytes(data: Buffer, receivedAt: number, allTypes: boolean): Call | OtherMessage | SkipKind {
  const kind = scanFrame(data, scan);
  if (kind === 'call') return new Call(data, receivedAt, scan.ascii, undefined, !scan.whitespace && !scan.unsafe, scan);
  if (kind === 'not-json' || kind === 'not-object' || !allTypes) return kind;
  return new OtherMessage(data.toString(), receivedAt, scan.ascii, undefined);
}

/** A field as display text, whatever type the feed sent; undefined when absent or not scalar. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A field as a finite number; numeric strings count ("500000"), anything else is undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

// classifyFrame checks only token_address: caller and price_data may be any JSON value.

/** `data.caller` when it is an object. */
export function callerOf(call: NewScanData): WireCaller | undefined {
  const c: unknown = call.caller;
  return c !== null && typeof c === 'object' ? (c as WireCaller) : undefined;
}

/** `data.price_data` when it is an object. */
export function priceDataOf(call: NewScanData): WirePriceData | undefined {
  const p: unknown = call.price_data;
  return p !== null && typeof p === 'object' ? (p as WirePriceData) : undefined;
}

/** Dates the engine can represent; beyond them a timestamp is ignored. */
const MAX_EPOCH_MS = 8.64e15;
/** 1e11 seconds is the year 5138: a larger "seconds" value is taken to be milliseconds. */
const MILLISECONDS_FROM = 1e11;

/** `data.timestamp` (unix seconds, or milliseconds when that large) in epoch ms; undefined if unusable. */
export function timestampMs(data: unknown): number | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  return msOfTimestamp((data as NewScanData).timestamp);
}

/** A timestamp's value in epoch ms, as timestampMs reads it. */
function msOfTimestamp(v: unknown): number | undefined {
  const t = num(v);
  if (t === undefined) return undefined;
  const ms = Math.abs(t) < MILLISECONDS_FROM ? t * 1000 : t;
  return Math.abs(ms) <= MAX_EPOCH_MS ? ms : undefined;
}
