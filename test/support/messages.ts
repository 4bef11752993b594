import { Call, OtherMessage, type WireMessage } from '../../src/wire/calls.js';
import type { Message } from '../../src/wire/message.js';

/**
 * Calls as the stages see them: the library's Call, built from the frame's text as the reader
 * builds it, so fields of the wrong type are missing and numbers may be numeric strings.
 */

export const TOKEN_A = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';
export const TOKEN_B = 'DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263';
/** 2026-12-01 07:40:00 UTC. */
export const T0 = Date.UTC(2026, 11, 1, 7, 40, 0);
export const MIN = 60_000;

export function callFromText(raw: string, receivedAt: number): Call {
  return new Call(raw, receivedAt, Buffer.byteLength(raw) === raw.length, JSON.parse(raw) as WireMessage);
}

export interface CallSpec {
  token?: string;
  id?: unknown;
  name?: unknown;
  platform?: unknown;
  /** Unix seconds; default: the arrival time. */
  timestamp?: unknown;
  mcap?: unknown;
  symbol?: unknown;
  tokenName?: unknown;
  /** Arrival, epoch ms. */
  at: number;
}

/** A NEW_SCAN frame (JSON.stringify of the spec) and its call; an `undefined` field is left out. */
export function call(spec: CallSpec): Call {
  const data: Record<string, unknown> = {
    token_address: spec.token ?? TOKEN_A,
    token_name: 'tokenName' in spec ? spec.tokenName : 'Bonk Inu',
    token_symbol: 'symbol' in spec ? spec.symbol : 'BONK',
    timestamp: 'timestamp' in spec ? spec.timestamp : Math.floor(spec.at / 1000),
    caller: { id: spec.id, name: spec.name, platform: 'platform' in spec ? spec.platform : 'telegram' },
    price_data: { current_price: 0.00005, market_cap: 'mcap' in spec ? spec.mcap : 100_000 },
  };
  return callFromText(JSON.stringify({ type: 'NEW_SCAN', data }), spec.at);
}

export function other(at: number): OtherMessage {
  return new OtherMessage('{"type":"HEARTBEAT"}', at, true, undefined);
}

/** What kind each message is, for order checks: 'call:<caller name>' or 'signal'. */
export function kinds(batch: readonly Message[]): string[] {
  return batch.map((m) => (m.kind === 'call' ? `call:${m.caller.name ?? m.caller.id ?? '?'}` : m.kind));
}
