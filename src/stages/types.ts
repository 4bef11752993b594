/**
 * The shapes the stages and hooks are written against. The pipeline's own types (Call, the stage and
 * output interfaces) replace these when they land: every name here matches one there, so the swap is
 * this one file re-exporting them.
 */

export interface CallerFields {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly platform: string | undefined;
}

/** What the stages read of a call: a subset of the library's Call. */
export interface CallLike {
  readonly kind: 'call';
  /** The frame's exact text. */
  readonly raw: string;
  /** Epoch ms of arrival: the clock of every window, TTL and cooldown. */
  readonly receivedAt: number;
  readonly tokenAddress: string;
  readonly tokenName: string | undefined;
  readonly tokenSymbol: string | undefined;
  /** `data.timestamp` in epoch ms. */
  readonly timestampMs: number | undefined;
  readonly caller: CallerFields;
  readonly marketCap: number | undefined;
  /** The frame's `data`: a signal lists each caller's `data.timestamp` as the frame wrote it. */
  readonly data: { readonly timestamp?: unknown };
}

/** A JSON message of another type, passed by --all-types. */
export interface OtherLike {
  readonly kind: 'other';
  readonly raw: string;
  readonly receivedAt: number;
}

export interface MultiCallCaller {
  id: string | null;
  name: string | null;
  platform: string | null;
  timestamp: number | string | null;
  market_cap: number | null;
}

/** The parsed shape of a MULTI_CALL line. */
export interface MultiCallWire {
  type: 'MULTI_CALL';
  data: {
    token_address: string;
    token_symbol: string | null;
    token_name: string | null;
    window: string;
    callers: MultiCallCaller[];
    first_market_cap: number | null;
    market_cap: number | null;
    trigger: unknown;
  };
  emitted_at: string | null;
}

/** A multi-call signal: built by the stage, not received. */
export interface SignalMessage {
  readonly kind: 'signal';
  /** emitted_at, epoch ms. */
  readonly receivedAt: number;
  /** Its compact ndjson text (no newline). */
  readonly raw: string;
  readonly value: MultiCallWire;
  /** Equal for the same signal built by two publishers from the same calls. */
  readonly identity: string;
}

export type Message = CallLike | OtherLike | SignalMessage;
export type Batch = Message[];

export interface Stage {
  transform(batch: Batch): Batch;
  /** After every output took the batch's lines; comes before the next transform(). */
  written?(batch: Batch): void;
  /** Its part of the exit summary; undefined for nothing. */
  summary?(): string | undefined;
  close?(): Promise<void>;
}

export interface Output {
  write(batch: Batch, text: string): void;
  readonly behind: boolean;
  ready(): Promise<void>;
  readonly error: Error | undefined;
  readonly gone: boolean;
  close(): Promise<void>;
  summary?(): string | undefined;
}
