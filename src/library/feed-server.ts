import { usageError } from '../errors.js';
import { silentLogger } from '../log.js';
import { startFeedServer } from '../server/feed-server.js';

export interface FeedServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Accepted API keys; none: any non-empty key. */
  keys?: string[];
  /** Synthetic calls per second (default 2; 0 sends none). */
  rate?: number;
  /** Makes the synthetic feed reproducible. */
  seed?: number;
  /** A captured NDJSON file to serve with its original spacing instead of synthetic calls. */
  replay?: string;
  /** With `replay`: play this many times faster (default 1). */
  speed?: number;
  /** With `replay`: start again at the end. */
  loop?: boolean;
  /**
   * With `replay`: give each call the current time as `data.timestamp` (in the capture's unit,
   * the rest of its text unchanged), so a looped replay never goes back in time.
   */
  retime?: boolean;
  /** Fault injection: drop each connection abruptly after n messages. */
  dropEvery?: number;
  /** Fault injection, 0..1: the share of frames that are not valid calls. */
  malformedRate?: number;
}

export interface FeedServer {
  /** The endpoint without a key: `ws://127.0.0.1:PORT/solana/monitor/livecalls`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The `serve` feed in-process, for testing a bot without the service. */
export async function createFeedServer(options: FeedServerOptions = {}): Promise<FeedServer> {
  if (options.replay === undefined && (options.speed !== undefined || options.loop !== undefined || options.retime !== undefined)) {
    throw usageError('speed, loop and retime go with replay');
  }
  const server = await startFeedServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    keys: options.keys ?? [],
    rate: options.rate ?? 2,
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.replay !== undefined && { replay: { file: options.replay, speed: options.speed ?? 1, loop: options.loop === true, retime: options.retime === true } }),
    ...(options.dropEvery !== undefined && { dropEvery: options.dropEvery }),
    ...(options.malformedRate !== undefined && { malformedRate: options.malformedRate }),
    logger: silentLogger(),
  });
  return { url: server.url, port: server.port, close: () => server.close() };
}
