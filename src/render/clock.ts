/**
 * `HH:MM:SS` for the human formats, cheap enough for every message of a burst.
 */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** Minutes remembered; a power of two. Calls from a few minutes apart interleave freely. */
const MINUTE_SLOTS = 64;

/**
 * `HH:MM:SS` of an epoch-ms instant in `timeZone` (default: local). One Intl formatter is built
 * here and asked once per minute seen: every time zone in use today is offset from UTC by whole
 * minutes, so the seconds are the epoch's. `HH:MM:` is kept in a small table indexed by the minute
 * (timestamps from the feed and arrival times interleave), the last second's text as is.
 */
export function createClock(timeZone?: string): (epochMs: number) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const slotMinute = new Float64Array(MINUTE_SLOTS).fill(Number.NaN);
  const slotPrefix = new Array<string>(MINUTE_SLOTS).fill('');
  let lastSecond = Number.NaN;
  let lastText = '';
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second === lastSecond) return lastText;
    const minute = Math.floor(second / 60);
    const slot = minute & (MINUTE_SLOTS - 1);
    if (slotMinute[slot] !== minute) {
      let hh = '00';
      let mm = '00';
      for (const part of format.formatToParts(minute * 60_000)) {
        if (part.type === 'hour') hh = part.value;
        else if (part.type === 'minute') mm = part.value;
      }
      slotMinute[slot] = minute;
      slotPrefix[slot] = `${hh}:${mm}:`;
    }
    lastSecond = second;
    lastText = slotPrefix[slot]! + TWO_DIGITS[second - minute * 60]!;
    return lastText;
  };
}
