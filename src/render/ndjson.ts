import type { Message } from '../wire/message.js';
import { compactJson, withoutTopLevelKey } from '../wire/json-text.js';
import type { Render } from './renderer.js';

/**
 * ndjson output is the frame's own text, so the value is exactly what was received: numbers keep
 * their digits (even beyond 2^53) and unknown fields stay. Two things may change it on the way:
 * whitespace between tokens is removed (one line per message), and characters a terminal would act
 * on are written as \uXXXX escapes. Neither changes the JSON value.
 */

// DEL, C1 and bidi overrides/isolates (the characters that act on a terminal), plus U+2028/2029 that some tools read as line
// breaks. JSON forbids raw C0 controls, so inside valid JSON these can only occur inside strings.
const UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

/** Characters that JSON structure is made of, by code: whitespace next to one is between tokens. */
const STRUCTURAL = new Uint8Array(128);
for (const c of '[]{},:') STRUCTURAL[c.charCodeAt(0)] = 1;

/**
 * Whether `raw` may have whitespace between tokens. TAB, CR and LF cannot stand raw inside a JSON
 * string, so any of them is layout; a space is layout when it touches a structural character or an
 * end of the text. A space inside a string that touches one ("a: b") only costs the exact pass.
 * indexOf is a native search: far cheaper per message than one regex over the text.
 */
export function mayBeLoose(raw: string): boolean {
  if (raw.indexOf('\n') !== -1 || raw.indexOf('\r') !== -1 || raw.indexOf('\t') !== -1) return true;
  const last = raw.length - 1;
  for (let k = raw.indexOf(' '); k !== -1; k = raw.indexOf(' ', k + 1)) {
    if (k === 0 || k === last || STRUCTURAL[raw.charCodeAt(k - 1)] === 1 || STRUCTURAL[raw.charCodeAt(k + 1)] === 1) return true;
  }
  return false;
}

const escapeChar = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/** One ndjson line body (no newline) for a valid JSON text; `ascii` if known to be all ASCII. */
export function ndjsonText(raw: string, ascii = false): string {
  const text = mayBeLoose(raw) ? compactJson(raw) : raw;
  // All ASCII: DEL is the only character to escape, and indexOf finds it faster than a regex.
  const unsafe = ascii ? text.indexOf('\u007f') !== -1 : UNSAFE.test(text);
  return unsafe ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/** A signal's text is built already escaped and compact. */
const messageText = (message: Message): string => (message.kind === 'signal' ? message.raw : ndjsonText(message.raw, message.ascii));

export function createNdjsonRenderer(options: { receivedAt: boolean }): Render {
  if (!options.receivedAt) return (message) => messageText(message) + '\n';
  // One ISO string per socket read: the messages of a read share their arrival time.
  let lastMs = NaN;
  let suffix = '';
  return (message) => {
    let text = messageText(message);
    // A signal carries its own emitted_at instead.
    if (message.kind === 'signal') return text + '\n';
    const { receivedAt } = message;
    if (receivedAt !== lastMs) {
      lastMs = receivedAt;
      suffix = `"received_at":"${new Date(receivedAt).toISOString()}"}\n`;
    }
    // A message that has its own top-level received_at would get the key twice: ours replaces it.
    if (text.includes('"received_at"')) text = withoutTopLevelKey(text, 'received_at') ?? text;
    // The message is an object; its text ends in '}'. `{}` takes the field without a comma.
    return text.length === 2 ? '{' + suffix : text.slice(0, -1) + ',' + suffix;
  };
}

const NEWLINE = Buffer.from('\n');
const RECEIVED_AT_KEY = Buffer.from('"received_at"');

/**
 * ndjson for a whole batch, as bytes: a call whose frame is already a compact line with nothing to
 * escape (the scanner said so) is written as the frame's own bytes, so the common case copies each
 * frame once, into the one buffer of the batch, and never re-encodes text. Anything else goes
 * through the text path above.
 */
export function createNdjsonBatchRenderer(options: { receivedAt: boolean }): (batch: readonly Message[]) => Buffer {
  const line = createNdjsonRenderer(options);
  let lastMs = NaN;
  let suffix = NEWLINE;
  const pieces: Buffer[] = [];
  return (batch) => {
    let length = 0;
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      const bytes = m.kind === 'call' ? m.lineBytes : undefined;
      if (bytes === undefined || bytes.length < 3 || (options.receivedAt && bytes.indexOf(RECEIVED_AT_KEY) !== -1)) {
        const text = Buffer.from(line(m));
        pieces.push(text);
        length += text.length;
        continue;
      }
      if (!options.receivedAt) {
        pieces.push(bytes, NEWLINE);
        length += bytes.length + 1;
        continue;
      }
      if (m.receivedAt !== lastMs) {
        lastMs = m.receivedAt;
        suffix = Buffer.from(`,"received_at":"${new Date(lastMs).toISOString()}"}\n`);
      }
      // A compact object ends in '}': the field goes in before it. `{}` (length 2) took the text path.
      const body = bytes.subarray(0, bytes.length - 1);
      pieces.push(body, suffix);
      length += body.length + suffix.length;
    }
    const out = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
    pieces.length = 0;
    return out;
  };
}
