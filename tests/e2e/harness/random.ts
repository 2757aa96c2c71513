/**
 * A small seeded PRNG (mulberry32), so a randomised test can print its seed and be replayed
 * exactly with it.
 * @module
 */

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] from `random`. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** The seed named by environment variable `name`, or a fresh one. */
export function seedFrom(name: string): number {
  const given = process.env[name];
  return given !== undefined && /^\d+$/.test(given) ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}
