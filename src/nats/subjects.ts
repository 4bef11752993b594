import { callerOf } from '../wire/calls.js';
import type { Message } from '../wire/message.js';

/** Where a publisher sends calls when the URL has no path. */
export const DEFAULT_PUBLISH_SUBJECT = 'rexi.calls.{platform}';
/** What a reader reads when the URL has no path: every platform, signals included. */
export const DEFAULT_READ_SUBJECT = 'rexi.calls.>';
export const SIGNALS_PLATFORM = 'signals';
const PLACEHOLDER = '{platform}';

/**
 * A call's platform as one subject token: lower-cased, anything but a-z 0-9 _ - replaced by `_`,
 * `unknown` when missing, empty or not a string.
 */
export function platformToken(platform: unknown): string {
  if (typeof platform !== 'string' || platform === '') return 'unknown';
  return platform.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}

function platformOf(msg: Message): unknown {
  switch (msg.kind) {
    case 'call':
      return callerOf(msg.data)?.platform;
    case 'other': {
      const data = msg.value.data;
      return data !== null && typeof data === 'object' ? callerOf(data as never)?.platform : undefined;
    }
    case 'signal':
      return undefined;
  }
}

/** The subjects a stream needs to capture a template: each placeholder becomes `*`. */
export function captureSubject(template: string): string {
  return template.split(PLACEHOLDER).join('*');
}

/** Most distinct platforms remembered; a feed inventing platforms cannot grow memory. */
const CACHE_MAX = 1024;

/**
 * The subject of each message, from a template compiled once. Subjects are cached per raw
 * platform value, so the common path does no string work.
 */
export function subjectFor(template: string): (msg: Message) => string {
  if (!template.includes(PLACEHOLDER)) return () => template;
  const parts = template.split(PLACEHOLDER);
  const build = (token: string): string => parts.join(token);
  const signals = build(SIGNALS_PLATFORM);
  const unknown = build('unknown');
  const cache = new Map<string, string>();
  return (msg) => {
    if (msg.kind === 'signal') return signals;
    const p = platformOf(msg);
    if (typeof p !== 'string' || p === '') return unknown;
    let s = cache.get(p);
    if (s === undefined) {
      if (cache.size >= CACHE_MAX) cache.clear();
      s = build(platformToken(p));
      cache.set(p, s);
    }
    return s;
  };
}

/**
 * Whether every subject `subject` can match is also matched by `pattern` (both may hold
 * wildcards): a reader whose subject covers all of a stream's subjects needs no filter.
 */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const pt = p[i]!;
    if (pt === '>') return i < s.length;
    const st = s[i];
    if (st === undefined || st === '>') return false;
    if (pt !== '*' && (st === '*' || pt !== st)) return false;
  }
  return p.length === s.length;
}

/**
 * Whether some subject matches both patterns (either may hold wildcards): a run that publishes to
 * what it reads would read its own publishes back, for ever.
 */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined || q === undefined) return p === undefined && q === undefined;
    if (p === '>' || q === '>') return true;
    if (p !== '*' && q !== '*' && p !== q) return false;
  }
}
