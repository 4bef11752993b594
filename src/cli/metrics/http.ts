import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { usageError } from '../../errors.js';
import type { MetricsAddress } from '../../config/metrics.js';

/**
 * The --metrics listener: /metrics, /healthz, /readyz on node:http, nothing else. A scrape is
 * answered from counters read at that moment and written without waiting on the reader: a slow
 * scraper gets its answer late, the stream does not wait for it.
 */

export interface Endpoints {
  /** The Prometheus text; may be async (prom-client's registry is). */
  metrics(): Promise<string>;
  contentType: string;
  /** Why the process is not ready, or undefined when it is. */
  notReady(): string | undefined;
}

export interface MetricsListener {
  /** `http://127.0.0.1:PORT/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Scrapers that hang are cut: nothing of theirs is held for long. */
const REQUEST_TIMEOUT_MS = 10_000;

export async function listenMetrics(address: MetricsAddress, endpoints: Endpoints): Promise<MetricsListener> {
  const server = http.createServer((req, res) => answer(req, res, endpoints));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(err, address)));
    server.listen({ host: address.host, port: address.port }, () => resolve());
  });
  // A connection error after the bind is the scraper's problem, never the run's.
  server.on('error', () => undefined);
  const port = (server.address() as AddressInfo).port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A keep-alive scraper must not hold the end of the run.
        server.closeAllConnections();
      }),
  };
}

function answer(req: http.IncomingMessage, res: http.ServerResponse, endpoints: Endpoints): void {
  const path = (req.url ?? '').split('?')[0];
  const get = req.method === 'GET' || req.method === 'HEAD';
  const text = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (!get) return text(404, 'not found\n');
  switch (path) {
    case '/metrics':
      endpoints.metrics().then(
        (body) => text(200, body, endpoints.contentType),
        (err: Error) => text(500, `metrics failed: ${err.message}\n`),
      );
      return;
    case '/healthz':
      return text(200, 'ok\n');
    case '/readyz': {
      const why = endpoints.notReady();
      return why === undefined ? text(200, 'ok\n') : text(503, `${why}\n`);
    }
    default:
      return text(404, 'not found\n');
  }
}

function bindError(err: NodeJS.ErrnoException, address: MetricsAddress): Error {
  const where = `${address.source} ${address.display}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return usageError(`${where}: the port is in use`);
    case 'EADDRNOTAVAIL':
      return usageError(`${where}: not an address of this host`);
    case 'EACCES':
      return usageError(`${where}: not allowed to listen there (ports below 1024 need privileges)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return usageError(`${where}: unknown host`);
    default:
      return usageError(`${where}: cannot listen (${err.code ?? err.message})`);
  }
}
