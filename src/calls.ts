/**
 * The wire format of the service's /solana/monitor/livecalls messages, described once, the typed
 * view of a call that the rest of the program reads, and the classification every frame goes
 * through before it reaches a stage.
 *
 * The service promises little: only `type` and `data.token_address` are checked. Every other field
 * may be missing or of another type, so readers of these types go through `text()` and `num()`.
 */

import { ScanResult, scanFrame } from './frame-scan.js';

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

/**
 * A NEW_SCAN call, normalised once: the typed fields are read from the parsed message on first use
 * and kept, so filters, stages and renderers never re-read the raw fields. `raw` is the frame's own
 * text: ndjson is built from it, so numbers (even integers beyond 2^53) and unknown fields reach
 * the user unchanged.
 */
export class Call {
  declare readonly kind: 'call';
  private view: { caller: CallerView; marketCap: number | undefined; price: number | undefined } | undefined;
  private text: string | undefined;
  private frame: Buffer | undefined;

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
  ) {
    if (typeof raw === 'string') this.text = raw;
    else this.frame = raw;
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
    return this.data.token_address;
  }

  get tokenName(): string | undefined {
    return text(this.data.token_name);
  }

  get tokenSymbol(): string | undefined {
    return text(this.data.token_symbol);
  }

  get timestampMs(): number | undefined {
    return timestampMs(this.data);
  }

  get caller(): CallerView {
    return this.normalised().caller;
  }

  /** `price_data.market_cap` in USD. */
  get marketCap(): number | undefined {
    return this.normalised().marketCap;
  }

  /** `price_data.current_price` in USD per token. */
  get price(): number | undefined {
    return this.normalised().price;
  }

  private normalised(): NonNullable<Call['view']> {
    if (this.view === undefined) {
      const data = this.data;
      const c = callerOf(data);
      const p = priceDataOf(data);
      this.view = {
        caller: { id: text(c?.id), name: text(c?.name), platform: text(c?.platform) },
        marketCap: num(p?.market_cap),
        price: num(p?.current_price),
      };
    }
    return this.view;
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

/**
 * Classifies a text frame's bytes (valid UTF-8, checked by the caller) in one pass without parsing
 * it: the scanner accepts exactly what JSON.parse accepts. A call keeps the frame's bytes; its text
 * and value are built only when a stage, a filter or a human format reads them.
 */
export function classifyBytes(data: Buffer, receivedAt: number, allTypes: boolean): Call | OtherMessage | SkipKind {
  const kind = scanFrame(data, scan);
  if (kind === 'call') return new Call(data, receivedAt, scan.ascii, undefined, !scan.whitespace && !scan.unsafe);
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
  const t = num((data as NewScanData).timestamp);
  if (t === undefined) return undefined;
  const ms = Math.abs(t) < MILLISECONDS_FROM ? t * 1000 : t;
  return Math.abs(ms) <= MAX_EPOCH_MS ? ms : undefined;
}
