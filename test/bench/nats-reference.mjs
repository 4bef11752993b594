/**
 * The reference for publishing: the least a Node program does to put the feed into JetStream with
 * the same clients (ws, @nats-io/jetstream) and the same window as `rexi-live --publish`. No
 * parsing, no validation: each frame's bytes are published to one subject with a message id (a
 * counter) and an arrival header, at most <window> unacknowledged; a full window pauses the socket.
 *
 *   node nats-reference.mjs <ws-url> <nats-host:port> <subject> <count> <window> <id-prefix>
 *
 * Exits 0 once <count> publishes are acknowledged; 1 on any failure.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import WebSocket from 'ws';

const [url, server, subject, countArg, windowArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
const window = Number(windowArg);
if (!url || !server || !subject || !(count > 0) || !(window > 0) || !prefix) {
  process.stderr.write('usage: nats-reference.mjs <ws-url> <nats-host:port> <subject> <count> <window> <id-prefix>\n');
  process.exit(2);
}

const nc = await connect({ servers: [server] });
const js = jetstream(nc);
let received = 0;
let acked = 0;
let inflight = 0;
let paused = false;

const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 20 });

function publish(data, i) {
  inflight++;
  const h = headers();
  h.set('Rexi-Received-At', new Date().toISOString());
  js.publish(subject, data, { msgID: `${prefix}-${i}`, headers: h }).then(
    () => {
      inflight--;
      if (++acked === count) {
        ws.terminate();
        nc.close().then(() => process.exit(0));
        return;
      }
      if (paused && inflight < window) {
        paused = false;
        ws.resume();
      }
    },
    (err) => {
      process.stderr.write(`nats-reference: publish failed: ${err.message}\n`);
      process.exit(1);
    },
  );
}

ws.on('message', (data) => {
  if (received >= count) return;
  publish(data, received++);
  if (inflight >= window && !paused) {
    paused = true;
    ws.pause();
  }
});
ws.on('error', (err) => process.stderr.write(`nats-reference: ${err.message}\n`));
ws.on('close', (code) => {
  if (acked < count) {
    process.stderr.write(`nats-reference: connection closed (${code}) after ${received} of ${count} messages\n`);
    process.exit(1);
  }
});
