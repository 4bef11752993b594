import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A bare ws server on 127.0.0.1, port 0, for tests that need control over every frame and every
 * answer to the upgrade. `onConnection` gets each socket and its upgrade request.
 */
export interface BareServer {
  url: string;
  port: number;
  wss: WebSocketServer;
  http: http.Server;
  /** Upgrade requests seen, headers and URL included. */
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

export const PATH = '/solana/monitor/livecalls';

export async function startBareServer(
  onConnection: (ws: WebSocket, req: http.IncomingMessage, index: number) => void,
  options: { rejectUpgrade?: (req: http.IncomingMessage, index: number) => { status: number; headers?: Record<string, string> } | undefined } = {},
): Promise<BareServer> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const requests: http.IncomingMessage[] = [];
  let connections = 0;
  server.on('upgrade', (req, socket, head) => {
    const index = requests.length;
    requests.push(req);
    socket.on('error', () => {});
    const rejection = options.rejectUpgrade?.(req, index);
    if (rejection) {
      const headers = Object.entries(rejection.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.end(`HTTP/1.1 ${rejection.status} ${http.STATUS_CODES[rejection.status] ?? ''}\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      onConnection(ws, req, connections++);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}${PATH}`,
    port,
    wss,
    http: server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The exact example message of the service's documentation. */
export const DOC_EXAMPLE = `{
  "type": "NEW_SCAN",
  "data": {
    "token_address": "token_address_here",
    "token_name": "Token Name",
    "token_symbol": "TKN",
    "timestamp": 1628097600,
    "caller": {
      "id": "caller_id",
      "name": "Caller Name",
      "platform": "telegram"
    },
    "price_data": {
      "current_price": 0.00005,
      "market_cap": 500000
    }
  }
}`;

export function call(seq: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'NEW_SCAN',
    data: {
      token_address: `Tok${String(seq).padStart(6, '0')}`,
      token_name: `Token ${seq}`,
      token_symbol: `T${seq}`,
      timestamp: 1_764_000_000 + seq,
      caller: { id: `c${seq % 3}`, name: `Caller ${seq % 3}`, platform: ['telegram', 'discord', 'twitter'][seq % 3] },
      price_data: { current_price: 0.0001 * seq, market_cap: 100_000 * seq },
      seq,
      ...extra,
    },
  });
}
