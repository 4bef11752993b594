import { isUtf8 } from 'node:buffer';
import { classifyBytes, type SkipKind } from '../wire/calls.js';
import { Signal, type Message, type MultiCallWire, type SignalMessage } from '../wire/message.js';
import { ndjsonText } from '../render/ndjson.js';
import type { MessageFactory } from './jetstream.js';

/**
 * What a stored body becomes: the same classification as a frame from the service (a call, with
 * --all-types another JSON object, else a skip), except that a MULTI_CALL a publisher stored is a
 * signal again, output as it is and never counted as a call.
 */

export interface StoredMessageOptions {
  allTypes: boolean;
  /** A larger body is skipped as too large, as a larger frame would be. */
  maxMessageSize: number;
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
const MULTI_CALL = '"MULTI_CALL"';

function asSignal(raw: string, receivedAt: number, ascii: boolean): SignalMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const v = value as { type?: unknown; data?: { token_address?: unknown } | null } | null;
  if (v === null || typeof v !== 'object' || v.type !== 'MULTI_CALL' || typeof v.data?.token_address !== 'string') return undefined;
  // A signal's line is compact and escaped like every ndjson line, whoever published it.
  const line = ndjsonText(raw, ascii);
  // Read back from a stream, its stored line is its identity, for a publisher downstream.
  return new Signal(line, receivedAt, line, value as MultiCallWire);
}

export function storedMessageFactory(options: StoredMessageOptions): MessageFactory {
  const { allTypes, maxMessageSize } = options;
  return (data, receivedAt): Message | SkipKind => {
    if (data.length > maxMessageSize) return 'too-large';
    // Not UTF-8 cannot be JSON; decoding it would put U+FFFD where the bytes were.
    if (!isUtf8(data)) return 'not-json';
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const result = classifyBytes(bytes, receivedAt, allTypes);
    // Only a body of another type that names MULTI_CALL is parsed: a signal a publisher stored.
    if ((result === 'other-type' || (typeof result !== 'string' && result.kind === 'other')) && bytes.includes(MULTI_CALL)) {
      const raw = UTF8.decode(bytes);
      const signal = asSignal(raw, receivedAt, raw.length === bytes.length);
      if (signal !== undefined) return signal;
    }
    return result;
  };
}
