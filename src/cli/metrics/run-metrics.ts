import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { MetricsAddress } from '../../config/metrics.js';
import type { Logger } from '../../log.js';
import type { OutputTally } from '../../pipeline/output.js';
import type { StageTally } from '../../pipeline/stage.js';
import { RunWatch, type Watched } from '../run-watch.js';
import { listenMetrics, type MetricsListener } from './http.js';

/**
 * tail's and demo's --metrics: prom-client on a registry of its own (never the global one), every
 * value read at scrape time from the counters the exit summary prints, so the two always agree and
 * the message path does nothing for a scraper. Labels are fixed words: a skip kind, a reconnect
 * cause, a hook result; never a key, a credential or feed text.
 *
 * This module is the one that loads prom-client: imported only when --metrics is given.
 */

export interface RunMetrics {
  readonly watch: RunWatch;
  readonly url: string;
  close(): Promise<void>;
}

const sum = <K extends string>(tallies: ReadonlyArray<Partial<Record<K, unknown>>>, key: K): number =>
  tallies.reduce((n, t) => n + (typeof t[key] === 'number' ? (t[key] as number) : 0), 0);

/** Registers the run's metrics on `registry`, read from what `watch` sees. */
export function registerRunMetrics(registry: Registry, watch: RunWatch): void {
  const registers = [registry];
  const stages = (w: Watched): StageTally[] => w.pipeline.stages.map((s) => s.tally?.() ?? {});
  const outputs = (w: Watched): OutputTally[] => w.pipeline.outputs.map((o) => o.tally?.() ?? {});

  /** An unlabelled counter (or gauge) whose value is read when scraped. */
  const counter = (name: string, help: string, read: (w: Watched) => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        const w = watch.parts;
        this.inc(w === undefined ? 0 : read(w));
      },
    });
  };
  const labelled = (name: string, help: string, label: string, read: (w: Watched) => Readonly<Record<string, number>>): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      collect() {
        this.reset();
        const w = watch.parts;
        if (w === undefined) return;
        for (const [value, n] of Object.entries(read(w))) this.inc({ [label]: value }, n);
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  };

  counter('rexi_live_received_total', 'Frames (or stored messages) received, as the summary\'s "received".', (w) => w.source.counts.received);
  counter('rexi_live_output_total', 'Lines output: calls, other messages and signals.', (w) => w.counts.output);
  counter('rexi_live_filtered_total', 'Calls dropped by the filters.', (w) => sum(stages(w), 'filtered'));
  labelled('rexi_live_skipped_total', 'Frames skipped, by kind.', 'kind', (w) => w.source.counts.skipped);
  labelled('rexi_live_reconnects_total', 'Reconnects, by what ended the connection before.', 'reason', (w) => w.source.reconnectCounts?.() ?? {});
  counter('rexi_live_signals_total', 'MULTI_CALL signals emitted.', (w) => sum(stages(w), 'signals'));
  counter('rexi_live_deduped_total', 'Calls dropped by --dedupe.', (w) => sum(stages(w), 'deduped'));
  labelled('rexi_live_hooks_total', 'Hook runs (--exec) by how they ended.', 'result', (w) => {
    const hooks = outputs(w).find((t) => t.hooks !== undefined)?.hooks;
    return hooks === undefined ? {} : { ...hooks };
  });
  counter('rexi_live_published_total', 'Messages published to JetStream and acknowledged.', (w) => sum(outputs(w), 'published'));
  counter('rexi_live_publish_duplicates_total', 'Publishes JetStream acknowledged as duplicates.', (w) => sum(outputs(w), 'duplicates'));

  gauge('rexi_live_connected', '1 while connected to the service or NATS (every link the run uses), else 0.', () => (watch.connected ? 1 : 0));
  gauge('rexi_live_last_message_timestamp_seconds', 'When the last message was received (Unix seconds; 0 before the first).', () => watch.lastMessageSeconds);
  gauge('rexi_live_output_paused', '1 while an output is behind and the stream is paused for it, else 0.', () => (watch.outputPaused ? 1 : 0));
  gauge('rexi_live_publish_pending', 'Publishes waiting for their acknowledgement or queued.', () => {
    const w = watch.parts;
    return w === undefined ? 0 : sum(outputs(w), 'pending');
  });
  gauge('rexi_live_state_keys', 'Dedupe keys and multi-call token windows held.', () => {
    const w = watch.parts;
    return w === undefined ? 0 : sum(stages(w), 'keys');
  });
}

/** Binds the listener (a usage error when it cannot be) and logs where it is. */
export async function startRunMetrics(address: MetricsAddress, stallAfterMs: number, logger: Logger): Promise<RunMetrics> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const watch = new RunWatch(stallAfterMs);
  registerRunMetrics(registry, watch);
  const listener = await listenMetrics(address, {
    metrics: () => registry.metrics(),
    contentType: registry.contentType,
    notReady: () => watch.notReady(),
  });
  logger.info(`metrics on ${listener.url}`);
  return { watch, url: listener.url, close: () => closeAll(listener, watch) };
}

async function closeAll(listener: MetricsListener, watch: RunWatch): Promise<void> {
  watch.detach();
  await listener.close();
}
