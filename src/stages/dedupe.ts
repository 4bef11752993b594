import { DEFAULT_STATE_MAX, SeenKeys } from './bounded-map.js';
import { dedupeKey, type DedupeKind } from './identity.js';
import type { Batch } from '../wire/message.js';
import type { Stage } from '../pipeline/stage.js';

/**
 * --dedupe call|caller|token (and --first-call, which is `token`): a call whose key was already
 * output within the TTL is dropped and counted. Signals and other messages pass untouched: dedupe
 * thins the calls, --cooldown thins the signals.
 *
 * A key is remembered only once its line was written (written()), so a call that never reached the
 * outputs (a --count stop, an output error) is not held against the next run. Within one batch the
 * first of two equal calls passes and the second is dropped.
 */

export interface DedupeOptions {
  kind: DedupeKind;
  /** How long a key is remembered, from its first sighting. */
  ttlMs: number;
  /** At most this many keys held, when `store` is not given (--state-max). */
  stateMax?: number;
  /** The keys, shared with a state file; by default a new store of `stateMax` keys. */
  store?: SeenKeys;
}

/** What the options decide; the store is lent by the caller. */
export type DedupeSpec = Pick<DedupeOptions, 'kind' | 'ttlMs'>;

export interface DedupeStage extends Stage {
  readonly deduped: number;
  readonly store: SeenKeys;
}

export function createDedupeStage(options: DedupeOptions): DedupeStage {
  const key = dedupeKey(options.kind);
  const store = options.store ?? new SeenKeys({ max: options.stateMax ?? DEFAULT_STATE_MAX, ttlMs: options.ttlMs });
  /**
   * Keys passed in the current batch, not yet written, and when. A replay's batch may span more
   * than the TTL, so a key in it expires as one in the store does.
   */
  const inBatch = new Map<string, number>();
  const { ttlMs } = options;
  /** The last batch output and its calls' keys by index, so written() does not build them again. */
  let lastOut: Batch = [];
  const lastKeys: (string | undefined)[] = [];
  let deduped = 0;

  return {
    store,
    get deduped() {
      return deduped;
    },

    transform(batch: Batch): Batch {
      inBatch.clear();
      lastKeys.length = 0;
      let out: Batch | undefined;
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        let k: string | undefined;
        if (m.kind === 'call') {
          k = key(m);
          const passedAt = inBatch.get(k);
          if ((passedAt !== undefined && m.receivedAt - passedAt < ttlMs) || store.has(k, m.receivedAt)) {
            deduped++;
            // Copy on the first drop only: a batch without duplicates goes through as it is.
            out ??= batch.slice(0, i);
            continue;
          }
          inBatch.set(k, m.receivedAt);
        }
        lastKeys.push(k);
        out?.push(m);
      }
      lastOut = out ?? batch;
      return lastOut;
    },

    written(batch: Batch): void {
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        if (m.kind !== 'call') continue;
        // The outputs took what transform() returned, or the start of it (a --count stop).
        const k = lastOut[i] === m ? lastKeys[i] : undefined;
        store.add(k ?? key(m), m.receivedAt);
      }
      inBatch.clear();
      lastKeys.length = 0;
      lastOut = [];
    },

    summary(): string {
      const forgotten = store.evictions;
      return forgotten > 0 ? `deduped ${deduped} (forgotten ${forgotten})` : `deduped ${deduped}`;
    },

    tally: () => ({ deduped, keys: store.size }),
  };
}
