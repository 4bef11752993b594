import { ndjsonText } from '../render/ndjson.js';
import { DEFAULT_STATE_MAX } from './bounded-map.js';
import { Hasher } from './hash64.js';
import { callKey, prefixed } from './identity.js';
import { hashCaller, tokenHash } from './identity-hash.js';
import { MAX_WINDOW_CALLS, TokenWindows, type NewCall, type WindowEntry } from './token-windows.js';
import type { Call } from '../wire/calls.js';
import { Signal, type Batch, type MultiCallWire, type SignalMessage } from '../wire/message.js';
import type { Stage } from '../pipeline/stage.js';

/**
 * --min-callers: a MULTI_CALL signal when n distinct callers have called one token within the
 * sliding window. Counting sees every call that passed the filters (the stage runs before dedupe);
 * a second call by a caller already in the window adds nothing, and an unknown caller (neither id
 * nor name) never counts. Only a call by a caller new to the window can trigger, and not while the
 * token's cooldown from its last signal runs. Without --with-calls the calls are dropped once
 * counted; with it each signal follows its trigger call.
 */

export interface MultiCallOptions {
  minCallers: number;
  windowMs: number;
  /** --window as the user wrote it: the signal's `window`. */
  windowText: string;
  cooldownMs: number;
  withCalls: boolean;
  /** At most this many tokens and calls held, when `windows` is not given (--state-max). */
  stateMax?: number;
  /** The windows, shared with a state file; by default new ones of `stateMax`. */
  windows?: TokenWindows;
  /** The trigger call as its ndjson line would be (no newline). */
  triggerText?: (call: Call) => string;
}

/** What the options decide; the rest of MultiCallOptions is lent by the caller (stores, renderers). */
export type MultiCallSpec = Pick<MultiCallOptions, 'minCallers' | 'windowMs' | 'windowText' | 'cooldownMs' | 'withCalls'>;

export interface MultiCallStage extends Stage {
  readonly signals: number;
  readonly windows: TokenWindows;
}

export function createMultiCallStage(options: MultiCallOptions): MultiCallStage {
  const { minCallers, windowMs, cooldownMs, withCalls } = options;
  const windows = options.windows ?? new TokenWindows(options.stateMax ?? DEFAULT_STATE_MAX);
  const build = signalBuilder(options.windowText, options.triggerText ?? ((call) => ndjsonText(call.raw, call.ascii)));
  const perWindow = Math.max(MAX_WINDOW_CALLS, 2 * minCallers);
  const h = new Hasher();
  /** Reused for every call counted: what the window keeps of it. */
  let current: Call;
  const details = (): { id: string | null; name: string | null; platform: string | null } => {
    const c = current.caller;
    return { id: c.id ?? null, name: c.name ?? null, platform: c.platform ?? null };
  };
  const added: NewCall = { callerHi: 0, callerLo: 0, details, timestamp: null, marketCap: null, at: 0 };
  let signals = 0;

  /** The call counted; the signal it triggers, if any. */
  function count(call: Call): SignalMessage | undefined {
    if (!hashCaller(call, h)) return undefined;
    const callerHi = h.hi;
    const callerLo = h.lo;
    const now = call.receivedAt;
    tokenHash(call, h);
    const w = windows.open(h.hi, h.lo, now);
    windows.prune(w, now - windowMs);
    const isNew = !windows.hasCaller(w, callerHi, callerLo);
    current = call;
    added.callerHi = callerHi;
    added.callerLo = callerLo;
    added.timestamp = timestampOf(call);
    added.marketCap = call.marketCap ?? null;
    added.at = now;
    windows.add(w, added, perWindow);
    if (!isNew || windows.count[w]! < minCallers) return undefined;
    const lastSignalAt = windows.lastSignalAt[w]!;
    if (!Number.isNaN(lastSignalAt) && now - lastSignalAt < cooldownMs) return undefined;
    const firsts = windows.firstCalls(w);
    if (firsts.length < minCallers) return undefined;
    windows.lastSignalAt[w] = now;
    signals++;
    return build(call, firsts.map((s) => windows.entry(s)));
  }

  return {
    windows,
    get signals() {
      return signals;
    },

    transform(batch: Batch): Batch {
      if (withCalls) {
        // Every message passes: the batch goes through as it is until a signal is added.
        let out: Batch | undefined;
        for (let i = 0; i < batch.length; i++) {
          const m = batch[i]!;
          const signal = m.kind === 'call' ? count(m) : undefined;
          if (signal !== undefined) {
            out ??= batch.slice(0, i);
            out.push(m, signal);
          } else out?.push(m);
        }
        return out ?? batch;
      }
      const out: Batch = [];
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        if (m.kind !== 'call') {
          out.push(m);
          continue;
        }
        const signal = count(m);
        if (signal !== undefined) out.push(signal);
      }
      return out;
    },

    summary(): string {
      const forgotten = windows.evictions;
      return forgotten > 0 ? `signals ${signals} (forgotten ${forgotten})` : `signals ${signals}`;
    },

    tally: () => ({ signals, keys: windows.size }),
  };
}

/** `data.timestamp` as the frame wrote it, when a number or a string. */
function timestampOf(call: Call): number | string | null {
  const t = call.timestampValue;
  return typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t)) ? t : null;
}

const json = (v: string | number | null): string => (v === null ? 'null' : JSON.stringify(v));

const MAX_DATE_MS = 8.64e15;

export function isoTime(ms: number): string | null {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : null;
}

/**
 * The same calls give the same identity in every publisher: the token, the set of callers (sorted,
 * so two publishers that saw them in another order agree) and the trigger call.
 */
export function signalIdentity(trigger: Call, callers: readonly WindowEntry[]): string {
  const keys = callers.map((e) => prefixed(e.caller)).sort();
  return 'MULTI_CALL' + prefixed(trigger.tokenAddress) + keys.length + ':' + keys.join('') + callKey(trigger);
}

/**
 * The MULTI_CALL line, built as text so `trigger` is the frame itself (numbers keep their digits,
 * unknown fields stay) and the key order is fixed. ndjsonText() then escapes what a terminal would
 * act on, as for every ndjson line.
 */
function signalBuilder(windowText: string, triggerText: (call: Call) => string): (trigger: Call, callers: readonly WindowEntry[]) => SignalMessage {
  const window = ',"window":' + JSON.stringify(windowText) + ',"callers":[';
  return (trigger, callers) => {
    let list = '';
    for (let i = 0; i < callers.length; i++) {
      const e = callers[i]!;
      list +=
        (i === 0 ? '{"id":' : ',{"id":') +
        json(e.id) +
        ',"name":' +
        json(e.name) +
        ',"platform":' +
        json(e.platform) +
        ',"timestamp":' +
        json(e.timestamp) +
        ',"market_cap":' +
        json(e.marketCap) +
        '}';
    }
    const at = trigger.receivedAt;
    const raw =
      '{"type":"MULTI_CALL","data":{"token_address":' +
      JSON.stringify(trigger.tokenAddress) +
      ',"token_symbol":' +
      json(trigger.tokenSymbol ?? null) +
      ',"token_name":' +
      json(trigger.tokenName ?? null) +
      window +
      list +
      '],"first_market_cap":' +
      json(callers[0]?.marketCap ?? null) +
      ',"market_cap":' +
      json(trigger.marketCap ?? null) +
      ',"trigger":' +
      triggerText(trigger) +
      '},"emitted_at":' +
      json(isoTime(at)) +
      '}';
    return new Signal(ndjsonText(raw), at, signalIdentity(trigger, callers));
  };
}
