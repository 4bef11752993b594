/**
 * A function remembered over the distinct values it was last asked about: the human formats print
 * the same callers, platforms, seconds and amounts over and over, and formatting, sanitizing,
 * fitting and colouring a value costs far more than looking it up. Bounded: when `limit` values
 * are held the memory is dropped whole and refilled, which costs a stream of all-new values one
 * Map insertion each and needs no recency bookkeeping per lookup.
 */
export function memo<K, V>(compute: (key: K) => V, limit = 2048): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      if (known.size >= limit) known.clear();
      known.set(key, value);
    }
    return value;
  };
}
