import type { JsMsg } from '@nats-io/jetstream';
import type { Batch } from '../wire/message.js';

/**
 * A durable reader's acknowledgement bookkeeping: what it took in and has not acknowledged (a
 * redelivery of the same sequence joins its entry), what it acknowledged lately (so a late
 * redelivery is recognised), which sequences each yielded batch stands for, and what it fetched
 * but never yielded (handed back at the end).
 */

/** Sequences of acknowledged messages remembered, to recognise late redeliveries. */
const ACKED_MEMORY = 100_000;

/** A set of numbers that forgets its oldest entries past a bound. */
class RecentSet {
  private readonly set = new Set<number>();
  private readonly order: number[] = [];
  private head = 0;
  constructor(private readonly max: number) {}
  has(n: number): boolean {
    return this.set.has(n);
  }
  add(n: number): void {
    if (this.set.has(n)) return;
    this.set.add(n);
    this.order.push(n);
    if (this.set.size > this.max) {
      this.set.delete(this.order[this.head++]!);
      if (this.head > this.max) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
  }
}

export class AckBook {
  /** Taken in, not yet acknowledged. */
  private readonly held = new Map<number, JsMsg[]>();
  private readonly acked = new RecentSet(ACKED_MEMORY);
  /** The sequences a batch took in, and for each of its messages how many of them lead up to it. */
  private readonly batchSeqs = new WeakMap<Batch, { seqs: number[]; ends: number[] }>();
  /** Fetched, never yielded; refused at the end. */
  private readonly returned: JsMsg[] = [];

  get heldCount(): number {
    return this.held.size;
  }

  /** Whether a fetched message is new; a redelivery of one acknowledged is acknowledged again, of one held joins it. */
  admit(m: JsMsg): boolean {
    const seq = m.seq;
    if (this.acked.has(seq)) {
      m.ack();
      return false;
    }
    const copies = this.held.get(seq);
    if (copies !== undefined) {
      copies.push(m);
      return false;
    }
    this.held.set(seq, [m]);
    return true;
  }

  /** A batch about to be yielded stands for these sequences; one with nothing to write is acknowledged now. */
  took(batch: Batch, seqs: number[], ends: number[]): void {
    if (batch.length === 0) this.ack(seqs);
    else this.batchSeqs.set(batch, { seqs, ends });
  }

  /** The first `count` messages of `batch` were written: acknowledge what they stand for. */
  written(batch: Batch, count: number): void {
    const taken = this.batchSeqs.get(batch);
    if (taken === undefined) return;
    this.batchSeqs.delete(batch);
    const { seqs, ends } = taken;
    this.ack(count >= batch.length ? seqs : seqs.slice(0, count > 0 ? ends[count - 1]! : 0));
  }

  private ack(seqs: number[]): void {
    for (const seq of seqs) {
      const copies = this.held.get(seq);
      if (copies !== undefined) for (const m of copies) m.ack();
      this.held.delete(seq);
      this.acked.add(seq);
    }
  }

  /** Fetched but not to be written: goes back to the stream at the end. */
  handBack(msgs: readonly JsMsg[]): void {
    for (const m of msgs) if (!this.held.has(m.seq) && !this.acked.has(m.seq)) this.returned.push(m);
  }

  /**
   * The end: everything held or handed back is refused (nak) all together, in stream order,
   * because the server redelivers in the order it got the refusals.
   */
  refuseAll(): void {
    const back = this.returned.splice(0);
    for (const copies of this.held.values()) back.push(...copies);
    this.held.clear();
    back.sort((a, b) => a.seq - b.seq);
    for (const m of back) m.nak();
  }

  /** Keeps the ack wait from running out on what a slow pipeline still holds (and `queued`). */
  progress(queued: readonly JsMsg[]): void {
    for (const copies of this.held.values()) for (const m of copies) m.working();
    for (const m of queued) m.working();
  }
}
