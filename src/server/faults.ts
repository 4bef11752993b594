/**
 * Fault injection for `serve --malformed-rate`: frames a client must skip without crashing
 * (each kind is skipped and counted, never a crash), one of each kind in turn so a short run exercises every path.
 */

export type MalformedKind = 'not-json' | 'binary' | 'not-object' | 'no-token-address' | 'other-type';

/** A frame ready to send: the payload is encoded once and shared by every client. */
export interface Frame {
  readonly data: Buffer;
  readonly binary: boolean;
}

export const textFrame = (text: string): Frame => ({ data: Buffer.from(text, 'utf8'), binary: false });

const MALFORMED: readonly { kind: MalformedKind; frame: Frame }[] = [
  // A message cut short, as a buggy proxy might deliver it.
  { kind: 'not-json', frame: textFrame('{"type":"NEW_SCAN","data":{"token_address":"7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"') },
  // Invalid UTF-8 on purpose: a binary frame is not text in any encoding.
  { kind: 'binary', frame: { data: Buffer.from([0x00, 0xff, 0xfe, 0x4e, 0x45, 0x57, 0x80, 0x01]), binary: true } },
  { kind: 'not-object', frame: textFrame('[{"type":"NEW_SCAN","data":{"token_address":"7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"}}]') },
  {
    kind: 'no-token-address',
    frame: textFrame('{"type":"NEW_SCAN","data":{"token_name":"No Address","token_symbol":"NOADDR","price_data":{"current_price":0.0001,"market_cap":100000}}}'),
  },
  { kind: 'other-type', frame: textFrame('{"type":"HEARTBEAT","data":{}}') },
];

/**
 * Decides, frame by frame, whether to replace it with a malformed one. Error diffusion instead of
 * a coin toss: the share is exact over any window (rate 0.25 is every 4th frame) and runs repeat.
 * Returns undefined when the frame is to be sent as is.
 */
export function createMalformedInjector(rate: number): () => Frame | undefined {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`malformedRate must be from 0 to 1, got ${rate}`);
  let credit = 0;
  let nextKind = 0;
  return () => {
    credit += rate;
    if (credit < 1 - 1e-9) return undefined;
    credit -= 1;
    const entry = MALFORMED[nextKind]!;
    nextKind = (nextKind + 1) % MALFORMED.length;
    return entry.frame;
  };
}
