// Small, fast, seedable randomness. Math.random cannot be seeded, and the simulator promises the
// same text and the same timing draws for the same seed, so everything random goes through here.

/** A PRNG: returns floats uniformly in [0, 1). */
export type Rng = () => number;

/** mulberry32: 32-bit state, good enough statistically for text and jitter, and very cheap. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over UTF-16 code units, folded with `init` so several strings hash as one sequence. */
export function fnv1a(text: string, init = 0x811c9dc5): number {
  let h = init >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Mixes two 32-bit values into a well-spread seed (splitmix-style finaliser). */
export function mixSeeds(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ (b >>> 0)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Standard normal draw (Box-Muller; the second value is discarded to keep the generator stateless). */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1], so log() is finite
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Multiplier with mean 1 and coefficient of variation `cv`, lognormally distributed: latencies are
 * positive and right-skewed, which a normal spread would not give. cv 0 returns exactly 1.
 */
export function lognormalFactor(rng: Rng, cv: number): number {
  if (cv <= 0) return 1;
  const sigma2 = Math.log(1 + cv * cv);
  return Math.exp(-sigma2 / 2 + Math.sqrt(sigma2) * normal(rng));
}
