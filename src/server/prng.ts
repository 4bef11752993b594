/**
 * A small seeded PRNG, so `serve --seed n` replays the same feed on every machine and Node
 * version (Math.random cannot be seeded). sfc32 is fast, passes PractRand and needs 4 words of
 * state; splitmix32 spreads a user's seed (often 1, 2, 3...) over those words so nearby seeds
 * give unrelated streams.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A standard normal deviate (Box-Muller). */
  normal(): number;
}

function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const whole = Math.trunc(seed);
  // Both halves of seeds up to 2^53 matter: 1 and 2^32 + 1 must not collide.
  const mix = splitmix32((whole >>> 0) ^ Math.imul(Math.floor(whole / 2 ** 32) >>> 0, 0x85ebca6b));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();

  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of sfc32 still echo the seed; the reference implementation discards them.
  for (let i = 0; i < 12; i++) u32();

  const next = (): number => u32() / 2 ** 32;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    normal: () => {
      const u = 1 - next(); // (0, 1]: log(0) would be -Infinity
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
