/**
 * Edits of JSON text that leave every other character as it was: the value's numbers keep their
 * digits (integers beyond 2^53 included) and key order stays. Both are one linear pass; `raw` must
 * be valid JSON (it has been parsed already).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Removes whitespace outside strings. */
export function compactJson(raw: string): string {
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++; // skip the escaped character
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      out += raw.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? raw : out + raw.slice(start);
}

/**
 * `raw` (an object) without its top-level member `key`, with the comma that went with it; undefined
 * when the object has no such member, or more than one (which one JSON.parse keeps is the last,
 * but removing one would still leave the other).
 */
export function withoutTopLevelKey(raw: string, key: string): string | undefined {
  const quoted = JSON.stringify(key);
  let depth = 0;
  let inString = false;
  /** Index of the `{` or `,` before the current top-level member. */
  let memberStart = -1;
  let keyStart = -1;
  let expectKey = false;
  let matchStart = -1;
  let match: [start: number, end: number] | undefined;
  let matches = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        inString = false;
        if (keyStart !== -1 && raw.slice(keyStart, i + 1) === quoted) matchStart = memberStart;
        keyStart = -1;
      }
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        // The first string of a top-level member is its key.
        if (depth === 1 && expectKey) keyStart = i;
        expectKey = false;
        break;
      case 0x7b: // {
      case 0x5b: // [
        if (++depth === 1) {
          memberStart = i;
          expectKey = true;
        }
        break;
      case 0x2c: // ,
      case 0x7d: // }
      case 0x5d: // ]
        if (depth === 1) {
          if (matchStart !== -1) {
            match = [matchStart, i];
            matches++;
            matchStart = -1;
          }
          memberStart = i;
          expectKey = true;
        }
        if (c !== 0x2c) depth--;
        break;
    }
  }
  if (matches !== 1 || match === undefined) return undefined;
  const [start, end] = match;
  // A member after others takes its leading comma; the first takes the comma after it.
  if (raw.charCodeAt(start) === 0x2c) return raw.slice(0, start) + raw.slice(end);
  if (raw.charCodeAt(end) === 0x2c) return raw.slice(0, start + 1) + raw.slice(end + 1);
  return raw.slice(0, start + 1) + raw.slice(end);
}
