import { DEFAULT_STATE_MAX, grown, SeenKeys } from './bounded-map.js';
import { Hasher } from './hash64.js';
import type { DedupeKind } from './identity.js';
import { identityHash } from './identity-hash.js';
import type { Batch } from '../wire/message.js';
import type { Stage } from '../pipeline/stage.js';

/**
 * --dedupe call|caller|token (and --first-call, which is `token`): a call whose key was already
 * output within the TTL is dropped and counted. Signals and other messages pass untouched: dedupe
 * thins the calls, --cooldown thins the signals.
 *
 * Keys go into the store as their calls pass, in the batch's order, so a key seen again counts as
 * more recent than the keys first seen before it in the same batch (the least recently seen are
 * forgotten first, even when --state-max is smaller than a batch). A key is remembered only once
 * its line was written: written() forgets the keys of calls the outputs never took (a --count
 * stop), and the store saves a key to a state file only once the outputs are known to have kept
 * its line (SeenKeys.commit()). Within one batch the first of two equal calls passes and the
 * second is dropped.
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
  const hash = identityHash(options.kind);
  const h = new Hasher();
  const store = options.store ?? new SeenKeys({ max: options.stateMax ?? DEFAULT_STATE_MAX, ttlMs: options.ttlMs });
  /**
   * The keys transform() added since the last written(): their hashes, addition numbers and where
   * their calls are in what the outputs are given (the batches since then, end to end). Typed
   * arrays, reused: nothing is allocated per call.
   */
  let addedHi = new Int32Array(256);
  let addedLo = new Int32Array(256);
  let addedSeq = new Float64Array(256);
  let addedOut = new Int32Array(256);
  let added = 0;
  let outputSoFar = 0;
  let deduped = 0;

  function grow(): void {
    addedHi = grown(addedHi, addedHi.length * 2);
    addedLo = grown(addedLo, addedLo.length * 2);
    addedSeq = grown(addedSeq, addedSeq.length * 2);
    addedOut = grown(addedOut, addedOut.length * 2);
  }

  return {
    store,
    get deduped() {
      return deduped;
    },

    transform(batch: Batch): Batch {
      let out: Batch | undefined;
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        if (m.kind === 'call') {
          hash(m, h);
          const seq = store.see(h.hi, h.lo, m.receivedAt);
          if (seq === 0) {
            deduped++;
            // Copy on the first drop only: a batch without duplicates goes through as it is.
            out ??= batch.slice(0, i);
            continue;
          }
          if (added === addedSeq.length) grow();
          addedHi[added] = h.hi;
          addedLo[added] = h.lo;
          addedSeq[added] = seq;
          addedOut[added] = outputSoFar + (out === undefined ? i : out.length);
          added++;
        }
        out?.push(m);
      }
      const result = out ?? batch;
      outputSoFar += result.length;
      return result;
    },

    written(batch: Batch): void {
      // The outputs took the start of what transform() returned: the calls after it never reached
      // them (a --count stop).
      for (let j = added - 1; j >= 0 && addedOut[j]! >= batch.length; j--) store.forgetHash(addedHi[j]!, addedLo[j]!, addedSeq[j]!);
      added = 0;
      outputSoFar = 0;
    },

    summary(): string {
      const forgotten = store.evictions;
      return forgotten > 0 ? `deduped ${deduped} (forgotten ${forgotten})` : `deduped ${deduped}`;
    },

    tally: () => ({ deduped, keys: store.size }),
  };
}
