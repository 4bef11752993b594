import { describe, expect, it } from 'vitest';
import { classifyFrame, type Call } from '../../src/wire/calls.js';
import { compactJson } from '../../src/wire/json-text.js';
import { createNdjsonRenderer, mayBeLoose, ndjsonText } from '../../src/render/ndjson.js';

const message = (raw: string, receivedAt = 0): Call => classifyFrame(raw, receivedAt, true) as Call;

describe('ndjsonText', () => {
  it('passes compact text through unchanged (the same string, no copy)', () => {
    const raw = '{"type":"NEW_SCAN","data":{"token_address":"abc","token_name":"A B: C, [D]"}}';
    expect(ndjsonText(raw)).toBe(raw);
  });

  it('compacts whitespace between tokens but not inside strings', () => {
    const raw = '{\n  "type" : "NEW_SCAN",\n\t"data": { "token_address": "a b", "n": [1 , 2] } \r\n}';
    expect(ndjsonText(raw)).toBe('{"type":"NEW_SCAN","data":{"token_address":"a b","n":[1,2]}}');
    expect(JSON.parse(ndjsonText(raw))).toEqual(JSON.parse(raw));
  });

  it('keeps escaped quotes and backslashes in strings intact', () => {
    const raw = '{ "a" : "x\\" , \\\\" , "b" : "\\\\" }';
    expect(compactJson(raw)).toBe('{"a":"x\\" , \\\\","b":"\\\\"}');
    expect(JSON.parse(compactJson(raw))).toEqual(JSON.parse(raw));
  });

  it('keeps integers beyond 2^53 and number spellings exactly', () => {
    const raw = '{"type": "NEW_SCAN", "data": {"token_address": "t", "supply": 123456789012345678901234567890, "p": 1.50e-7}}';
    expect(ndjsonText(raw)).toBe('{"type":"NEW_SCAN","data":{"token_address":"t","supply":123456789012345678901234567890,"p":1.50e-7}}');
  });

  it('escapes DEL, C1 controls, line separators and bidi overrides as \\uXXXX, leaving the value equal', () => {
    const raw = JSON.stringify({ type: 'NEW_SCAN', data: { token_address: 't', token_name: 'a\u007fb\u009bc\u202ed\u2066e\u2028f' } });
    const out = ndjsonText(raw);
    expect(out).toContain('a\\u007fb\\u009bc\\u202ed\\u2066e\\u2028f');
    expect(out).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(out)).toEqual(JSON.parse(raw));
  });
});

describe('what classification knows of the text', () => {
  it('an all-ASCII frame still gets its DEL escaped', () => {
    expect(ndjsonText('{"a":"x\u007fy"}', true)).toBe('{"a":"x\\u007fy"}');
    expect(ndjsonText('{"a":"xy"}', true)).toBe('{"a":"xy"}');
  });

  it('mayBeLoose: layout whitespace is found, spaces inside names alone are not', () => {
    expect(mayBeLoose('{"name":"Giga Samurai Classic"}')).toBe(false);
    for (const loose of ['{"a": 1}', '{"a" :1}', '{"a":1 }', ' {"a":1}', '{"a":1}\n', '{"a":[1, 2]}', '{\t"a":1}']) {
      expect(mayBeLoose(loose), loose).toBe(true);
    }
  });
});

describe('createNdjsonRenderer', () => {
  it('writes one line per message', () => {
    const render = createNdjsonRenderer({ receivedAt: false });
    expect(render(message('{"type":"X"}'))).toBe('{"type":"X"}\n');
  });

  it('--received-at adds a top-level ISO-8601 UTC time with milliseconds as the last key', () => {
    const render = createNdjsonRenderer({ receivedAt: true });
    const at = Date.UTC(2026, 10, 25, 22, 7, 6, 123);
    expect(render(message('{"type": "X", "n": 1}', at))).toBe('{"type":"X","n":1,"received_at":"2026-11-25T22:07:06.123Z"}\n');
    expect(render(message('{}', at))).toBe('{"received_at":"2026-11-25T22:07:06.123Z"}\n');
  });
});
