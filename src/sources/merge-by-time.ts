/**
 * A k-way merge of sources that each come in their own order (a capture in arrival order, a
 * stream in sequence order) into one, by time: the earliest next item first; on equal times the
 * source given first, and within a source its own order. So the order of the sources does not
 * matter, overlapping captures (two writers of one feed) interleave, and captures of consecutive
 * days follow each other. Items travel in batches with their times beside them (no object per
 * item); only the sources' heads are compared, in a binary heap.
 */

/** Items of one source in its order, `times[i]` the time of `items[i]` (epoch ms). */
export interface TimedBatch<T> {
  items: T[];
  times: number[];
}

interface Cursor<T> {
  readonly index: number;
  readonly iterator: AsyncIterator<TimedBatch<T>>;
  batch: TimedBatch<T>;
  at: number;
}

/** Whether cursor a's head goes before cursor b's. */
const before = <T>(a: Cursor<T>, b: Cursor<T>): boolean => {
  const ta = a.batch.times[a.at]!;
  const tb = b.batch.times[b.at]!;
  return ta < tb || (ta === tb && a.index < b.index);
};

/** The next non-empty batch of a cursor; false when its source has ended. */
async function advance<T>(cursor: Cursor<T>): Promise<boolean> {
  for (;;) {
    const next = await cursor.iterator.next();
    if (next.done) return false;
    if (next.value.items.length > 0) {
      cursor.batch = next.value;
      cursor.at = 0;
      return true;
    }
  }
}

export async function* mergeByTime<T>(sources: ReadonlyArray<AsyncIterable<TimedBatch<T>>>, maxBatch = 4096): AsyncGenerator<TimedBatch<T>> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const heap: Cursor<T>[] = [];
  try {
    const empty: TimedBatch<T> = { items: [], times: [] };
    const cursors = iterators.map((iterator, index): Cursor<T> => ({ index, iterator, batch: empty, at: 0 }));
    const started = await Promise.all(cursors.map(advance));
    cursors.forEach((c, i) => started[i] && push(heap, c));

    let out: TimedBatch<T> = { items: [], times: [] };
    while (heap.length > 0) {
      const cursor = pop(heap);
      const rival = heap[0];
      // Take from this source for as long as it stays first: one heap step per run, not per item
      // (consecutive captures never interleave, so a whole file is one run).
      for (;;) {
        out.items.push(cursor.batch.items[cursor.at]!);
        out.times.push(cursor.batch.times[cursor.at]!);
        cursor.at++;
        if (cursor.at === cursor.batch.items.length) {
          // Hand on what is merged before waiting for a read, so memory stays a batch or two.
          if (out.items.length > 0) {
            yield out;
            out = { items: [], times: [] };
          }
          if (!(await advance(cursor))) break;
        } else if (out.items.length >= maxBatch) {
          yield out;
          out = { items: [], times: [] };
        }
        if (rival !== undefined && !before(cursor, rival)) {
          push(heap, cursor);
          break;
        }
      }
    }
    if (out.items.length > 0) yield out;
  } finally {
    // Ended early (an error, a consumer that stopped): every source still open is told.
    await Promise.all(iterators.map((it) => it.return?.().catch(() => undefined)));
  }
}

function push<T>(heap: Cursor<T>[], cursor: Cursor<T>): void {
  heap.push(cursor);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function pop<T>(heap: Cursor<T>[]): Cursor<T> {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}
