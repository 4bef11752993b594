import type { Outcome } from '../cli.js';
import { ExitCode, UserError, outputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConnectTarget, Environment, TailOptions } from '../options.js';
import { createPipeline, pump, type PumpEnd, type Stdout } from '../pipeline.js';
import { Reader } from '../stream/reader.js';
import { newStats, summary } from '../stream/stats.js';


export interface Io {
  logger: Logger;
  stdout: Stdout;
  environment: Environment;
}

/**
 * tail: connect, read, filter, render, write, until --count, --duration, a signal, the reader of
 * stdout going away, or an error the user must fix. Whatever ends it, the lines already rendered
 * are flushed whole and the summary is printed.
 */
export async function runTail(options: TailOptions, target: ConnectTarget, io: Io): Promise<Outcome> {
  const { logger } = io;
  for (const warning of options.warnings) logger.warn(warning);
  const pipeline = await createPipeline(options.output, options.filter, io.stdout, io.environment.env);
  const stats = newStats(Date.now());
  const agent = target.proxy ? await proxyAgent(target.proxy, logger) : undefined;
  const reader = new Reader(
    {
      connection: { ...options.stream, url: target.endpoint.url, headers: target.endpoint.headers, agent },
      policy: options.stream.policy,
      allTypes: options.stream.allTypes,
      display: target.endpoint.display,
      keyHint: target.keyHint,
    },
    stats,
    logger,
  );

  let signal: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signal !== undefined) {
      // A second signal: the user wants out now.
      removeSignalHandlers();
      process.kill(process.pid, sig);
      return;
    }
    signal = sig;
    logger.debug(`${sig}: stopping`);
    reader.stop();
  };
  const removeSignalHandlers = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const durationTimer =
    options.output.durationMs !== undefined ? setTimeout(() => reader.stop(), options.output.durationMs) : undefined;

  let end: PumpEnd | undefined;
  let error: UserError | undefined;
  try {
    end = await pump(reader, pipeline, stats);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    error = err;
  } finally {
    clearTimeout(durationTimer);
    reader.stop();
    await pipeline.sink.close();
  }
  error ??= pipeline.sink.error;
  logger.info(summary(stats, Date.now()));
  removeSignalHandlers();
  // Thrown after the summary, so the error is the last line the user sees.
  if (error) throw error;
  if (end === 'output-error') throw outputError('output failed');
  if (signal !== undefined) return { exitCode: signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm, signal };
  return { exitCode: ExitCode.ok };
}

async function proxyAgent(proxy: string, logger: Logger) {
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const { redactUrl } = await import('../endpoint.js');
  logger.debug({ proxy: redactUrl(proxy) }, 'connecting through a proxy');
  return new HttpsProxyAgent(proxy);
}
