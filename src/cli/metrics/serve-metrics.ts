import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MetricsAddress } from '../../config/metrics.js';
import type { Logger } from '../../log.js';
import { listenMetrics, type MetricsListener } from './http.js';

/**
 * serve's --metrics: its clients and frames sent, read from the feed server when scraped. The
 * feed is ready once it listens, which it does before this is started.
 */

export interface FeedCounts {
  readonly clients: number;
  readonly sent: number;
}

export function registerServeMetrics(registry: Registry, feed: FeedCounts): void {
  new Gauge({
    name: 'rexi_serve_clients',
    help: 'Clients connected to the feed.',
    registers: [registry],
    collect() {
      this.set(feed.clients);
    },
  });
  new Counter({
    name: 'rexi_serve_sent_total',
    help: 'Frames sent, to all clients together (malformed ones too).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(feed.sent);
    },
  });
}

/**
 * Binds before the feed exists (a port in use is a usage error before anyone is told to connect);
 * `feed()` is undefined until it is up, and /readyz says so.
 */
export async function startServeMetrics(address: MetricsAddress, feed: () => FeedCounts | undefined, logger: Logger): Promise<MetricsListener> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerServeMetrics(registry, {
    get clients() {
      return feed()?.clients ?? 0;
    },
    get sent() {
      return feed()?.sent ?? 0;
    },
  });
  const listener = await listenMetrics(address, {
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
    notReady: () => (feed() === undefined ? 'starting' : undefined),
  });
  logger.info(`metrics on ${listener.url}`);
  return listener;
}
