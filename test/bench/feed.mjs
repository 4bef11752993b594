/**
 * The bench's live-calls feed, run as a child process (child_process.fork) so that on two cores the
 * feed and the measured client each get one. It speaks just enough of the protocol: a `ws` server on
 * 127.0.0.1 port 0, permessage-deflate off, that writes pre-encoded text frames straight to the
 * connection's socket in large batches, waiting for 'drain': it can push far more than any client
 * can take, so the feed is never the bottleneck.
 *
 * The parent (run.mjs) talks to it over IPC:
 *   parent → feed  { type: 'plan', id, mode: 'burst', count }          exactly `count` pool messages, as fast as the socket takes them
 *                  { type: 'plan', id, mode: 'rate', count, rate }     `count` messages at `rate`/s, each stamped with data.sent_us
 *                  { type: 'plan', id, mode: 'unique', count }         `count` messages as fast as the socket takes them, each
 *                                                                      with a token address of its own (no call repeats)
 *                  ... timestampBase: <base>                            burst or rate: message i gets data.timestamp base + i,
 *                                                                       so every call of every run has its own identity (a NATS message id)
 *                  { type: 'stop' }
 *   feed → parent  { type: 'ready', port, poolBytes, poolSize }
 *                  { type: 'planned', id }
 *                  { type: 'open', id, t, cpu }  t: process.hrtime µs (CLOCK_MONOTONIC, the same clock in every
 *                                                process); cpu: the feed's own CPU time so far, µs
 *                  { type: 'sent', id, count, t, cpu, maxQueued }
 *                  { type: 'closed', id, t, cpu, sent }
 * A client connects to ws://127.0.0.1:PORT/solana/monitor/livecalls?run=<id>; after its `count`
 * messages the connection stays open until the client closes it.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { buildPool, encodeFrame, POOL_SIZE } from './pool.mjs';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const pool = buildPool();
const frames = pool.map((text) => encodeFrame(text));
/** The whole pool as one buffer of frames, and where each frame starts (offsets[POOL_SIZE] = end). */
const cycle = Buffer.concat(frames);
const offsets = new Array(POOL_SIZE + 1);
offsets[0] = 0;
for (let i = 0; i < POOL_SIZE; i++) offsets[i + 1] = offsets[i] + frames[i].length;
/** For rate mode: each text without its closing `}}`, so `,"sent_us":N}}` lands inside `data`. */
const heads = pool.map((text) => text.slice(0, -2) + ',"sent_us":');
/** For timestampBase plans: each text split around its data.timestamp value. */
const stamped = pool.map((text) => {
  const m = /"timestamp":\d+/.exec(text);
  return [text.slice(0, m.index + '"timestamp":'.length), text.slice(m.index + m[0].length)];
});
const stampedText = (i, base) => {
  const [pre, post] = stamped[i % POOL_SIZE];
  return pre + (base + i) + post;
};
/** A stamped burst is built as it goes, this many messages a write. */
const STAMPED_CHUNK = 256;

/** For unique mode: each text around the first 10 characters of its token address. */
const addressParts = pool.map((text) => {
  const at = text.indexOf('"token_address":"') + '"token_address":"'.length;
  return [text.slice(0, at), text.slice(at + 10)];
});
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** `i` in 10 base58 digits: a different address for every message of a run. */
function uniquePrefix(i) {
  let s = '';
  for (let k = 0; k < 10; k++, i = Math.floor(i / 58)) s = BASE58[i % 58] + s;
  return s;
}

const plans = new Map();
const send = (msg) => process.send?.(msg);

function waitDrain(socket) {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** `count` messages from the start of the pool, cycling, written a pool (~300 KiB) at a time. */
async function burst(ws, socket, count, stat, timestampBase) {
  if (timestampBase !== undefined) return stampedBurst(ws, socket, count, stat, timestampBase);
  let left = count;
  while (left > 0) {
    if (ws.readyState !== 1 || socket.destroyed) return;
    let chunk;
    let n;
    if (left >= POOL_SIZE) {
      chunk = cycle;
      n = POOL_SIZE;
    } else {
      chunk = cycle.subarray(0, offsets[left]);
      n = left;
    }
    left -= n;
    stat.sent += n;
    const ok = socket.write(chunk);
    if (socket.writableLength > stat.maxQueued) stat.maxQueued = socket.writableLength;
    if (!ok) await waitDrain(socket);
  }
}

/** Like burst, but each message's token address is made its own: dedupe and windows see new keys. */
async function unique(ws, socket, count, stat) {
  while (stat.sent < count) {
    if (ws.readyState !== 1 || socket.destroyed) return;
    const parts = [];
    const end = Math.min(count, stat.sent + POOL_SIZE);
    for (let i = stat.sent; i < end; i++) {
      const [head, tail] = addressParts[i % POOL_SIZE];
      parts.push(encodeFrame(head + uniquePrefix(i) + tail));
    }
    stat.sent = end;
    const ok = socket.write(Buffer.concat(parts));
    if (socket.writableLength > stat.maxQueued) stat.maxQueued = socket.writableLength;
    if (!ok) await waitDrain(socket);
  }
}

/** Like burst, but message i gets data.timestamp base + i: a call identity no other run has. */
async function stampedBurst(ws, socket, count, stat, base) {
  while (stat.sent < count) {
    if (ws.readyState !== 1 || socket.destroyed) return;
    const parts = [];
    for (const end = Math.min(count, stat.sent + STAMPED_CHUNK); stat.sent < end; stat.sent++) parts.push(encodeFrame(stampedText(stat.sent, base)));
    const ok = socket.write(Buffer.concat(parts));
    if (socket.writableLength > stat.maxQueued) stat.maxQueued = socket.writableLength;
    if (!ok) await waitDrain(socket);
  }
}

/**
 * `count` messages at `rate`/s. Node timers tick about once a millisecond, so each tick writes the
 * messages now due in one write (2 at 2,000/s, 10 at 10,000/s), each stamped with the time of that
 * write. The feed does not spin: on two cores the client and the bench's reader need the other core.
 */
function paced(ws, socket, count, rate, stat, timestampBase) {
  return new Promise((resolve) => {
    const start = nowUs();
    const tick = () => {
      if (ws.readyState !== 1 || socket.destroyed) return resolve();
      const t = nowUs();
      const due = Math.min(count, Math.floor(((t - start) * rate) / 1e6) + 1);
      if (due > stat.sent) {
        const parts = [];
        for (let i = stat.sent; i < due; i++) {
          const head = timestampBase === undefined ? heads[i % POOL_SIZE] : stampedText(i, timestampBase).slice(0, -2) + ',"sent_us":';
          parts.push(encodeFrame(head + t + '}}'));
        }
        stat.sent = due;
        socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
        if (socket.writableLength > stat.maxQueued) stat.maxQueued = socket.writableLength;
      }
      if (stat.sent >= count) return resolve();
      setTimeout(tick, 0);
    };
    tick();
  });
}

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {});
  const id = new URL(req.url, 'http://x').searchParams.get('run');
  const plan = plans.get(id);
  if (plan === undefined) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  plans.delete(id);
  wss.handleUpgrade(req, socket, head, (ws) => {
    const t = nowUs();
    ws.on('error', () => {});
    const raw = ws._socket;
    raw.setNoDelay(true);
    const stat = { sent: 0, maxQueued: 0 };
    send({ type: 'open', id, t, cpu: cpuUs() });
    ws.on('close', () => send({ type: 'closed', id, t: nowUs(), cpu: cpuUs(), sent: stat.sent }));
    const run =
      plan.mode === 'rate'
        ? paced(ws, raw, plan.count, plan.rate, stat, plan.timestampBase)
        : plan.mode === 'unique'
          ? unique(ws, raw, plan.count, stat)
          : burst(ws, raw, plan.count, stat, plan.timestampBase);
    run.then(() => send({ type: 'sent', id, count: stat.sent, t: nowUs(), cpu: cpuUs(), maxQueued: stat.maxQueued }));
  });
});

process.on('message', (msg) => {
  if (msg.type === 'plan') {
    plans.set(String(msg.id), msg);
    send({ type: 'planned', id: msg.id });
  } else if (msg.type === 'stop') {
    shutdown();
  }
});

function shutdown() {
  for (const ws of wss.clients) ws.terminate();
  server.closeAllConnections?.();
  server.close();
  process.exit(0);
}
// The parent went away (crash, SIGKILL): do not outlive it.
process.on('disconnect', shutdown);

server.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: server.address().port, poolBytes: cycle.length, poolSize: POOL_SIZE });
});
