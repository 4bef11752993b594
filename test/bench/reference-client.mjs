/**
 * The reference the bench measures rexi-live against: the least a Node program can do to turn the
 * feed into NDJSON on stdout with the same `ws` library. No parsing, no validation, no filter: each
 * socket read's messages (ws emits them synchronously) are joined and written in one
 * process.stdout.write; when that returns false the socket is paused until 'drain'.
 *
 *   node reference-client.mjs <ws-url> <count>
 *
 * Exits 0 after <count> messages were written and flushed; 1 if the connection ends first.
 */
import WebSocket from 'ws';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!url || !(count > 0)) {
  process.stderr.write('usage: reference-client.mjs <ws-url> <count>\n');
  process.exit(2);
}

let received = 0;
let pending = [];
let scheduled = false;
let paused = false;
let finished = false;

const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 20 });

ws.on('message', (data) => {
  if (finished) return;
  pending.push(data.toString());
  received++;
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(flush);
  }
  if (received >= count) finished = true;
});

function flush() {
  scheduled = false;
  const out = pending.join('\n') + '\n';
  pending = [];
  if (finished) {
    // The last write: exit once it is flushed to the pipe.
    process.stdout.write(out, () => {
      ws.terminate();
      process.exit(0);
    });
    return;
  }
  if (!process.stdout.write(out) && !paused) {
    paused = true;
    ws.pause();
    process.stdout.once('drain', () => {
      paused = false;
      ws.resume();
    });
  }
}

ws.on('error', (err) => {
  process.stderr.write(`reference-client: ${err.message}\n`);
});
ws.on('close', (code) => {
  if (!finished) {
    process.stderr.write(`reference-client: connection closed (${code}) after ${received} of ${count} messages\n`);
    process.exit(1);
  }
});
process.stdout.on('error', () => process.exit(0));
