/**
 * `HH:MM:SS` for the human formats, cheap enough for every message of a burst.
 */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** Minutes remembered; a power of two. */
const MINUTE_SLOTS = 256;
/**
 * Seconds remembered, a power of two: a bit over two hours. Calls' own timestamps and arrival
 * times interleave, and a replay or a backlog spans more than a minute; each distinct second is
 * then formatted (and styled) once while it stays in its slot.
 */
const SECOND_SLOTS = 8192;

/**
 * `HH:MM:SS` of an epoch-ms instant in `timeZone` (default: local), passed through `decorate`
 * (a format's colour for the time) once per second seen. One Intl formatter is built here and asked
 * once per minute seen: every time zone in use today is offset from UTC by whole minutes, so the
 * seconds are the epoch's. The text of a second is kept in a table indexed by the second, `HH:MM:`
 * in one indexed by the minute.
 */
export function createClock(timeZone?: string): (epochMs: number) => string;
export function createClock<T>(timeZone: string | undefined, decorate: (hhmmss: string) => T): (epochMs: number) => T;
export function createClock<T>(timeZone?: string, decorate?: (hhmmss: string) => T): (epochMs: number) => T | string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const slotMinute = new Float64Array(MINUTE_SLOTS).fill(Number.NaN);
  const slotPrefix = new Array<string>(MINUTE_SLOTS).fill('');
  const slotSecond = new Float64Array(SECOND_SLOTS).fill(Number.NaN);
  const slotText = new Array<T | string>(SECOND_SLOTS).fill('');
  const prefixOf = (minute: number): string => {
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
    return slotPrefix[slot]!;
  };
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    const slot = second & (SECOND_SLOTS - 1);
    if (slotSecond[slot] === second) return slotText[slot]!;
    const minute = Math.floor(second / 60);
    const text = prefixOf(minute) + TWO_DIGITS[second - minute * 60]!;
    slotSecond[slot] = second;
    slotText[slot] = decorate === undefined ? text : decorate(text);
    return slotText[slot]!;
  };
}
