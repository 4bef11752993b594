import type { Call, OtherMessage } from './calls.js';

/**
 * What flows through the pipeline: a call from the feed, another JSON object (--all-types), or a
 * signal the stages built from calls. A signal is not a frame: it has no service text of its own,
 * so it carries the ndjson line it is written as.
 */
export type Message = Call | OtherMessage | SignalMessage;

/** The messages of one socket read (or one read of a capture): written with one write. */
export type Batch = Message[];

/** One caller of a multi-call signal, at its first call in the window. */
export interface SignalCaller {
  id: string | null;
  name: string | null;
  platform: string | null;
  timestamp: unknown;
  market_cap: number | null;
}

/** The ndjson form of a MULTI_CALL signal. */
export interface MultiCallWire {
  type: 'MULTI_CALL';
  data: {
    token_address: string;
    token_symbol: string | null;
    token_name: string | null;
    window: string;
    callers: SignalCaller[];
    first_market_cap: number | null;
    market_cap: number | null;
    trigger: unknown;
  };
  emitted_at: string;
}

export interface SignalMessage {
  readonly kind: 'signal';
  /** When it was emitted, epoch ms: its trigger's arrival. */
  readonly receivedAt: number;
  /** Its compact ndjson text, without the newline. */
  readonly raw: string;
  readonly value: MultiCallWire;
  /** The same for the same signal wherever it is built: two publishers store it once. */
  readonly identity: string;
}

/** A signal as a value: its line, its arrival, its identity; the parsed form made on first use. */
export class Signal implements SignalMessage {
  declare readonly kind: 'signal';

  constructor(
    readonly raw: string,
    readonly receivedAt: number,
    readonly identity: string,
    private parsed?: MultiCallWire,
  ) {}

  get value(): MultiCallWire {
    return (this.parsed ??= JSON.parse(this.raw) as MultiCallWire);
  }
}
// On the prototype: a signal built per trigger costs no own property for its tag.
Object.defineProperty(Signal.prototype, 'kind', { value: 'signal' });
