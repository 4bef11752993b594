import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = LevelWithSilent;

/**
 * Paths pino censors wherever a log call passes them. URLs are strings, which redact cannot look
 * inside: they go through endpoint.ts's redactUrl before they reach a log call.
 */
const REDACT_PATHS = [
  'apiKey',
  'api_key',
  'key',
  'keys',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.Authorization',
  'headers["X-API-Key"]',
  '*.apiKey',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines (a terminal) or JSON lines (a pipe, a log collector). */
  pretty: boolean;
  /** Colour in the human-readable lines. */
  color: boolean;
  /** Where to write; stderr unless a test or an embedding passes another fd. */
  fd?: number;
  /** JSON lines to this stream instead (top keeps them off its screen until it is restored). */
  stream?: DestinationStream;
}

/**
 * The one logger: everything that is not data goes to stderr, so stdout stays a clean NDJSON
 * stream. Writes are synchronous so a line logged just before exit is not lost.
 */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const fd = options.fd ?? 2;
  const base = {
    name: 'rexi-live',
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '***' },
    base: undefined,
  };
  if (options.stream !== undefined) return pino(base, options.stream);
  if (options.pretty) {
    // Loaded only on a terminal: pipes and cron never pay for it.
    const { default: pinoPretty } = await import('pino-pretty');
    const stream = pinoPretty({
      destination: fd,
      sync: true,
      colorize: options.color,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name',
    });
    return pino(base, stream);
  }
  return pino(base, pino.destination({ dest: fd, sync: true }));
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
