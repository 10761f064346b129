/**
 * Seeded PRNG (mulberry32). Runs repeat: the stream/non-stream mix, Poisson arrivals, backoff
 * jitter and prompt choice all draw from generators seeded from --seed.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    // Spread small seeds (0, 1, 2...) over the state space so neighbouring seeds diverge at once.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Exponentially distributed with the given mean (Poisson inter-arrival gaps). */
  exponential(mean: number): number {
    // 1 - u is in (0, 1], so the log is finite.
    return -Math.log(1 - this.next()) * mean;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** A child generator with an independent stream, so adding draws in one place never shifts another. */
  fork(salt: number): Prng {
    return new Prng((Math.floor(this.next() * 2 ** 31) ^ Math.imul(salt, 0x27d4eb2d)) >>> 0);
  }
}
