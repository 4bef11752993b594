/** The values of the options that take one of a few words: the option table, the types and the
 * library's checks all read them from here. */
export const AUTH_CHOICES = ['query', 'header', 'bearer'] as const;
export const FORMAT_CHOICES = ['lines', 'table', 'ndjson'] as const;
export const COLOR_CHOICES = ['auto', 'always', 'never'] as const;
/** --dedupe's keys: checked where resolved (stages/identity.ts), offered by shell completion. */
export const DEDUPE_CHOICES = ['call', 'caller', 'token'] as const;
/** `callers -f`: its own formats (a ranking is not a stream of calls). */
export const CALLERS_FORMAT_CHOICES = ['table', 'ndjson', 'csv', 'ids'] as const;
/** `callers --sort`: the caller board's sorts (stages/caller-board.ts CALLER_SORTS, checked equal by a test). */
export const CALLER_SORT_CHOICES = ['score', 'hit-rate', 'median', 'calls', 'first', 'lead'] as const;
export const LOG_LEVEL_CHOICES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export type AuthMode = (typeof AUTH_CHOICES)[number];
export type Format = (typeof FORMAT_CHOICES)[number];
export type ColorMode = (typeof COLOR_CHOICES)[number];
export type CallersFormat = (typeof CALLERS_FORMAT_CHOICES)[number];
