import { randomBytes } from 'node:crypto';
import { usageError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import {
  natsSourceUrl,
  resolveAuth,
  resolveNats,
  resolveTarget,
  type ConnectTarget,
  type Environment,
  type Flags,
  type NatsReadOptions,
} from '../../config/options.js';
import { resolveMetrics } from '../../config/metrics.js';
import { resolveTop, type TopOptions } from '../../config/top.js';
import type { Source } from '../../pipeline/source.js';
import type { StatusListener } from '../../stream/status.js';
import { openCaptureFile, type CaptureFileInput } from '../../sources/capture-input.js';
import type { Ending } from '../run.js';
import { serveOptions } from './serve.js';
import { smallHeap, TOP_OLD_GROWTH_PERCENT } from '../heap-settings.js';

/**
 * top: a full-screen live board of what tail would read (the service, a nats:// stream, or the
 * embedded feed with --demo). Everything that can be wrong with the options is found here, before
 * Ink and React are loaded and before the screen is taken: those load only once a board is drawn.
 */
export default async function topCommand(flags: Flags, environment: Environment): Promise<Ending> {
  const options = resolveTop(flags, environment);
  // Where to read from, every rule checked (--since without a nats:// URL, no URL, no key) before
  // the terminal is looked at.
  const natsUrl = options.demo ? undefined : natsSourceUrl(options.settings);
  const { read } = resolveNats(flags, options.config, environment, 'top', natsUrl);
  const target = options.demo || read !== undefined ? undefined : resolveTarget(options.settings, { env: environment.env });
  const metrics = resolveMetrics(flags, options.config);
  // Every --history file opened now: a missing one is a usage error before anything connects.
  const history: Array<{ file: string; input: CaptureFileInput }> = [];
  try {
    for (const file of options.history) history.push({ file, input: openCaptureFile(file, '--history') });
    if (!environment.stdoutIsTTY) {
      throw usageError("top draws a live board and needs a terminal on stdout; to pipe or save the stream use 'rexi-live tail -f ndjson'");
    }
    const logger = await createLogger(options.log);
    // React's development build checks every render: several times the CPU of the production one.
    // Set before React is first loaded (by top-run.js), for this process only.
    process.env.NODE_ENV ??= 'production';
    // Before Ink and React load: their loading would grow the young generation to its largest.
    smallHeap(TOP_OLD_GROWTH_PERCENT);
    const { runTop: run } = await import('../top-run.js');
    const { withMetrics } = await import('../run-pipeline.js');
    // --metrics listens (a port in use is a usage error) before the screen is taken.
    return await withMetrics(metrics, options.stream.pongTimeoutMs, logger, async (watch) => {
      const runTop: RunTop = (r) => run({ ...r, watch });
      return start({ flags, environment, options, logger, history, runTop }, read, target);
    });
  } finally {
    for (const h of history) h.input.close();
  }
}

/** What every way of running the board shares. */
interface TopContext {
  flags: Flags;
  environment: Environment;
  options: TopOptions;
  logger: Logger;
  history: Array<{ file: string; input: CaptureFileInput }>;
  runTop: RunTop;
}

/** The board on one source (`shown` as the header names it), with the context's common parts. */
function board(ctx: TopContext, shown: string, how: Pick<Parameters<RunTop>[0], 'open' | 'hint'>): Promise<Ending> {
  const { options, logger, history, environment } = ctx;
  return ctx.runTop({ options, logger, history, env: environment.env, stderrIsTTY: environment.stderrIsTTY, source: shown, ...how });
}

/** The run on its source: the embedded feed, a JetStream stream, or the service. */
async function start(ctx: TopContext, read: NatsReadOptions | undefined, target: ConnectTarget | undefined): Promise<Ending> {
  if (ctx.options.demo) return await runDemo(ctx);
  if (read !== undefined) {
    const { checkNatsFiles, openNatsSource } = await import('../nats-run.js');
    await checkNatsFiles([read.target]);
    return await board(ctx, read.target.display, {
      open: async (onStatus, runLogger, watch) => {
        // Opening connects (and finds the stream): the link is up once it returns.
        const source = await openNatsSource({ read, mode: 'tail', stream: ctx.options.stream }, runLogger, watch);
        onStatus({ type: 'connected', url: read.target.display, reconnected: false });
        return source;
      },
      hint: (err) => err,
    });
  }
  const service = target!;
  const { openReader, withHint } = await import('../tail-source.js');
  return await board(ctx, service.endpoint.display, {
    open: (onStatus, runLogger) => openReader(ctx.options.stream, service, runLogger, onStatus),
    hint: (err) => withHint(err, service),
  });
}

type RunTop = (typeof import('../top-run.js'))['runTop'];

/** --demo: the embedded feed on a free loopback port, read through the same reader loop as tail's. */
async function runDemo(ctx: TopContext): Promise<Ending> {
  const { flags, environment, options, logger } = ctx;
  const feed = serveOptions({ rate: flags.rate, seed: flags.seed, port: '0' }, { ...environment, env: {} });
  const { startFeedServer } = await import('../../server/feed-server.js');
  const { buildEndpoint } = await import('../../stream/endpoint.js');
  const { openReader } = await import('../tail-source.js');
  const key = randomBytes(16).toString('hex');
  const server = await startFeedServer({ ...feed, host: '127.0.0.1', keys: [key], logger: logger.child({ feed: 'demo' }, { level: 'warn' }) });
  try {
    const auth = resolveAuth(options.settings);
    const endpoint = buildEndpoint({ url: { value: server.url, source: 'demo' }, apiKey: { value: key, source: 'demo' }, auth, insecure: false });
    const target = { endpoint, keyHint: 'the demo key', proxy: undefined };
    return await board(ctx, `demo ${endpoint.display} (${feed.rate} calls/s)`, {
      open: (onStatus: StatusListener, runLogger: Logger): Promise<Source> => openReader(options.stream, target, runLogger, onStatus),
      hint: (err) => err,
    });
  } finally {
    await server.close();
  }
}
