import type { Outcome } from '../cli.js';
import { STOP_SIGNALS, usageError, type StopSignal } from '../errors.js';
import { createLogger } from '../log.js';
import { resolveLog, type Environment, type Flags } from '../options.js';
import { startFeedServer, type FeedServerOptions } from '../server/feed-server.js';
import { parseCount, parseDuration, parseNumber } from '../units.js';

/** serve's flags → the feed server's options; every value checked here, before listening. */
export function serveOptions(flags: Flags, environment: Environment): Omit<FeedServerOptions, 'logger'> {
  const str = (key: string): string | undefined => (typeof flags[key] === 'string' ? (flags[key] as string) : undefined);
  const flagKeys = Array.isArray(flags.key) ? (flags.key as string[]) : [];
  const envKeys = (environment.env.REXI_SERVE_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const keys = flagKeys.length > 0 ? flagKeys : envKeys;
  if (keys.some((k) => k === '')) throw usageError('--key: a key cannot be empty');
  const replayFile = str('replay');
  if (replayFile === undefined && (flags.speed !== undefined || flags.loop === true)) {
    throw usageError('--speed and --loop go with --replay <file>');
  }
  const seed = str('seed');
  const dropEvery = str('dropEvery');
  const pingInterval = str('pingInterval');
  return {
    host: str('host') ?? '127.0.0.1',
    port: flags.port !== undefined ? port(String(flags.port)) : 8080,
    keys,
    rate: flags.rate !== undefined ? parseNumber(String(flags.rate), '--rate', 0, 1_000_000) : 2,
    ...(seed !== undefined && { seed: parseCount(seed, '--seed', 0) }),
    ...(replayFile !== undefined && {
      replay: {
        file: replayFile,
        speed: flags.speed !== undefined ? parseNumber(String(flags.speed), '--speed', Number.MIN_VALUE) : 1,
        loop: flags.loop === true,
      },
    }),
    ...(dropEvery !== undefined && { dropEvery: parseCount(dropEvery, '--drop-every') }),
    malformedRate: flags.malformedRate !== undefined ? parseNumber(String(flags.malformedRate), '--malformed-rate', 0, 1) : 0,
    ...(pingInterval !== undefined && { pingIntervalMs: positiveDuration(pingInterval, '--ping-interval') }),
  };
}

function port(text: string): number {
  const n = parseCount(text, '--port', 0);
  if (n > 65535) throw usageError(`--port: '${text}' is not a port (0 to 65535)`);
  return n;
}

function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms <= 0) throw usageError(`${flag} must be above 0`);
  return ms;
}

export default async function serveCommand(flags: Flags, environment: Environment): Promise<Outcome> {
  const options = serveOptions(flags, environment);
  const logger = await createLogger(resolveLog(flags, { values: {}, path: undefined, warnings: [] }, environment));
  const server = await startFeedServer({ ...options, logger });
  // A plain line, whatever the log format: scripts wait for it to know the port.
  process.stderr.write(`listening on ${server.url}\n`);
  if (server.seed !== undefined) logger.info(`synthetic feed at ${options.rate} calls/s, seed ${server.seed} (--seed ${server.seed} repeats it)`);
  const signal = await new Promise<StopSignal>((resolve) => {
    for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) process.once(sig, () => resolve(sig));
  });
  await server.close();
  return { exitCode: STOP_SIGNALS[signal], signal };
}
