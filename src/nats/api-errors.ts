/**
 * What the JetStream API's errors say, read in one place: its numeric codes, and nanoseconds,
 * the unit of its durations.
 */

export const NANOS_PER_MS = 1_000_000;

export const JS_NO_RESPONDERS = 10008;
export const CONSUMER_NOT_FOUND = 10014;
export const STREAM_NAME_IN_USE = 10058;
export const STREAM_NOT_FOUND = 10059;
export const SUBJECTS_OVERLAP = 10065;

export const errorName = (e: unknown): string => (e instanceof Error ? e.name : '');

/** The JetStream API's error code, when the error has one. */
export const errorCode = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown } | undefined)?.code;
  return typeof c === 'number' ? c : undefined;
};

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
