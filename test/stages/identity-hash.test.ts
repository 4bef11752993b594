import { describe, expect, it, vi } from 'vitest';
import { classifyBytes, Call } from '../../src/wire/calls.js';
import { Hasher, hashHex, hashString } from '../../src/stages/hash64.js';
import { DEDUPE_KINDS, callerKey, dedupeKey, isKnownCaller } from '../../src/stages/identity.js';
import { hashCaller, identityHash } from '../../src/stages/identity-hash.js';
import { callFromText } from '../support/messages.js';

/**
 * The hashes read from a frame's spans are those of the identity strings (identity.ts): whatever
 * the frame holds, the bytes path and the string path agree.
 */

const frames: string[] = [
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1796110800,"caller":{"id":"42","name":"Alice","platform":"Telegram"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1796110800123,"caller":{"name":"ALICE","platform":"telegram"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","caller":{"id":"","name":"Bob","platform":"discord"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","caller":{"id":null,"name":null}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":"1796110800","caller":{"id":42,"platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":-5.5,"caller":{"name":"Ann\\u00e9","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"T\\u006fkA","caller":{"name":"Ann","platform":"t\\"g"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TökA","caller":{"name":"Zoë","platform":"Telegram"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","caller":{"name":"Ann","platform":{"x":1}},"timestamp":true}}',
  '{ "type" : "NEW_SCAN" , "data" : { "token_address" : "TokA" , "caller" : { "platform" : "TG" , "name" : "Q" } } }',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","caller":"nobody"}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1796110800,"caller":{"id":"77","name":"Zoë 😀","platform":"Telegram"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TökA","timestamp":1796110800,"caller":{"id":"77","platform":"telegram"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","token_name":"Ünïcode","caller":{"name":"AlIcE","platform":"Discord"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","caller":{"id":"","name":"Zoë","platform":"DISCORD"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","caller":{"id":"7","platform":"Téle"}}}',  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":0,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":5,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":99999999999,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":100000000000,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":999999999999999,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1000000000000000,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":9007199254740993,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1e3,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":12.0,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":-0,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1E12,"caller":{"id":"7","platform":"x"}}}',
  '{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":10000000000 ,"caller":{"id":"7","platform":"x"}}}',
  // Parts longer than the key scratch allows from the bytes: the string path, the same hash.
  `{"type":"NEW_SCAN","data":{"token_address":"${'T'.repeat(300)}","timestamp":1796110800,"caller":{"id":"7","platform":"x"}}}`,
  `{"type":"NEW_SCAN","data":{"token_address":"TokA","timestamp":1796110800,"caller":{"name":"${'N'.repeat(300)}","platform":"X"}}}`,
  `{"type":"NEW_SCAN","data":{"token_address":"${'T'.repeat(250)}","timestamp":1796110800123,"caller":{"id":"${'9'.repeat(250)}","platform":"${'P'.repeat(250)}"}}}`,
];

const h = new Hasher();
const hexOf = (hash: (call: Call, h: Hasher) => unknown, call: Call): string => {
  hash(call, h);
  return hashHex(h.hi, h.lo);
};

describe('identityHash', () => {
  for (const [i, text] of frames.entries()) {
    it(`frame ${i}: every kind from the bytes is the hash of the identity string`, () => {
      const fromBytes = classifyBytes(Buffer.from(text), 0, false);
      expect(fromBytes).toBeInstanceOf(Call);
      const fromText = callFromText(text, 0);
      for (const kind of DEDUPE_KINDS) {
        const expected = hashHex(...hashString(dedupeKey(kind)(fromText)));
        expect(hexOf(identityHash(kind), fromBytes as Call)).toBe(expected);
        expect(hexOf(identityHash(kind), fromText)).toBe(expected);
      }
      const known = isKnownCaller(fromText.caller);
      expect(hashCaller(fromBytes as Call, h)).toBe(known);
      if (known) {
        expect(hashHex(h.hi, h.lo)).toBe(hashHex(...hashString(callerKey(fromText.caller))));
      }
    });
  }
  for (const i of [0, 1, 2, 3, 9, 11, 13, 16, 17, 18, 19, 20, 27]) {
    it(`frame ${i}: its identity is read from the spans, no string built (a name beyond ASCII does not matter when unused)`, () => {
      const call = classifyBytes(Buffer.from(frames[i]!), 0, false) as Call;
      const fed = new Hasher();
      const strings = vi.spyOn(fed, 'string');
      for (const kind of DEDUPE_KINDS) identityHash(kind)(call, fed);
      hashCaller(call, fed);
      expect(strings).not.toHaveBeenCalled();
    });
  }
  it('a caller field beyond ASCII whose length counts goes the string way (and still hashes as the string)', () => {
    for (const i of [7, 14, 15]) {
      const call = classifyBytes(Buffer.from(frames[i]!), 0, false) as Call;
      const fed = new Hasher();
      const strings = vi.spyOn(fed, 'string');
      identityHash('caller')(call, fed);
      expect(strings).toHaveBeenCalled();
    }
  });
  for (const i of [0, 1, 2, 3, 9]) {
    it(`frame ${i}: plain ASCII strings are hashed from the bytes, nothing parsed`, () => {
      const call = classifyBytes(Buffer.from(frames[i]!), 0, false) as Call;
      for (const kind of DEDUPE_KINDS) hexOf(identityHash(kind), call);
      hashCaller(call, h);
      expect(call.scannedBytes).toBeDefined();
    });
  }
});
