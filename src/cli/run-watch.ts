import type { NatsStatus } from '../nats/connect.js';
import type { PumpCounts, Pipeline } from '../pipeline/pump.js';
import type { Source } from '../pipeline/source.js';
import type { Stage } from '../pipeline/stage.js';
import type { Status, StatusListener } from '../stream/status.js';

/**
 * What --metrics and /readyz need to know of a run beyond its counters: whether its links are up,
 * whether an output has been behind for long, when the last message came. Fed by the statuses the
 * CLI already logs and read at scrape time; the only thing on the message path is one stage that
 * notes the time of each batch's last message.
 */

/** How often the outputs are looked at for a stall: the stall's length is known to this. */
const STALL_SAMPLE_MS = 500;

type Link = { up: boolean; why: string };

/** The run's parts, once they exist. */
export interface Watched {
  source: Source;
  pipeline: Pipeline;
  counts: PumpCounts;
}

export class RunWatch {
  private readonly links = new Map<string, Link>();
  private watched: Watched | undefined;
  private stalledSince: number | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private lastMessageAt = 0;

  /** `stallAfterMs`: an output behind for longer than this is stalled (--pong-timeout). */
  constructor(private readonly stallAfterMs: number) {}

  /** The service link's statuses (tail, demo). */
  serviceLink(): StatusListener {
    const link: Link = { up: false, why: 'connecting' };
    this.links.set('service', link);
    return (status: Status) => {
      if (status.type === 'connected') link.up = true;
      else if (status.type === 'reconnecting') {
        link.up = false;
        link.why = `reconnecting: ${status.cause.replace(/_/g, ' ')}`;
      }
    };
  }

  /** A NATS link's statuses: the JetStream source, or the publisher. */
  natsLink(role: 'nats-source' | 'publish'): (status: NatsStatus) => void {
    const link: Link = { up: false, why: 'connecting to NATS' };
    this.links.set(role, link);
    return (status) => {
      if (status.type === 'connected') link.up = true;
      else if (status.type === 'disconnected' || status.type === 'reconnecting') {
        link.up = false;
        link.why = 'reconnecting to NATS';
      }
    };
  }

  /** The run's parts are built: counted from now, and a stage notes each batch's last message. */
  attach(watched: Watched): void {
    this.watched = watched;
    const tap: Stage = {
      transform: (batch) => {
        // The pump hands stages non-empty batches only.
        this.lastMessageAt = batch[batch.length - 1]!.receivedAt;
        return batch;
      },
    };
    watched.pipeline.stages.unshift(tap);
    this.sampler = setInterval(() => this.sample(), STALL_SAMPLE_MS).unref();
  }

  /** The run is over: nothing is sampled any more, and the run is not ready. */
  detach(): void {
    clearInterval(this.sampler);
    this.links.set('run', { up: false, why: 'stopping' });
  }

  get parts(): Watched | undefined {
    return this.watched;
  }

  /** Every link the run depends on is up. */
  get connected(): boolean {
    if (this.links.size === 0) return false;
    for (const link of this.links.values()) if (!link.up) return false;
    return true;
  }

  get outputPaused(): boolean {
    return this.watched?.pipeline.outputs.some((o) => o.behind) ?? false;
  }

  /** Seconds since the epoch; 0 before the first message. */
  get lastMessageSeconds(): number {
    return this.lastMessageAt / 1000;
  }

  /** Why the run is not ready, or undefined when it is. */
  notReady(now = Date.now()): string | undefined {
    // A link still connecting says so, also while the rest of the run is being set up.
    for (const link of this.links.values()) if (!link.up) return link.why;
    if (this.watched === undefined) return 'starting';
    this.sample(now);
    if (this.stalledSince !== undefined && now - this.stalledSince > this.stallAfterMs) {
      return `output stalled ${Math.floor((now - this.stalledSince) / 1000)}s`;
    }
    return undefined;
  }

  private sample(now = Date.now()): void {
    if (!this.outputPaused) this.stalledSince = undefined;
    else this.stalledSince ??= now;
  }
}

/** Both listeners, the second when there is one. */
export function alsoTo<T>(first: (value: T) => void, second: ((value: T) => void) | undefined): (value: T) => void {
  return second === undefined ? first : (value) => {
    first(value);
    second(value);
  };
}
