// Requests-per-minute and tokens-per-minute limits as token buckets that refill continuously,
// the way hosted APIs describe theirs. O(1) per request, no per-request history to keep.

export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    private readonly perMinute: number,
    now = performance.now(),
  ) {
    this.level = perMinute;
    this.last = now;
  }

  /** Takes `amount` if available; else returns the ms until it would be. 0 means taken. */
  take(amount: number, now = performance.now()): number {
    const ratePerMs = this.perMinute / 60_000;
    this.level = Math.min(this.perMinute, this.level + (now - this.last) * ratePerMs);
    this.last = now;
    // A request bigger than the whole bucket can never pass; let it through once the bucket is full
    // rather than rejecting it forever.
    const need = Math.min(amount, this.perMinute);
    if (this.level >= need) {
      this.level -= amount;
      return 0;
    }
    return (need - this.level) / ratePerMs;
  }
}

export class RateLimiter {
  private rpmBucket: TokenBucket | undefined;
  private tpmBucket: TokenBucket | undefined;
  private rpm = 0;
  private tpm = 0;

  /** Rebuilds the buckets when the limits change (start-up and POST /admin/config). */
  configure(rpm: number, tpm: number): void {
    if (rpm !== this.rpm) this.rpmBucket = rpm > 0 ? new TokenBucket(rpm) : undefined;
    if (tpm !== this.tpm) this.tpmBucket = tpm > 0 ? new TokenBucket(tpm) : undefined;
    this.rpm = rpm;
    this.tpm = tpm;
  }

  /** Returns undefined when admitted, else which limit and the ms to wait. */
  admit(tokens: number): { limit: 'requests' | 'tokens'; waitMs: number } | undefined {
    const now = performance.now();
    const r = this.rpmBucket?.take(1, now) ?? 0;
    if (r > 0) return { limit: 'requests', waitMs: r };
    const t = this.tpmBucket?.take(tokens, now) ?? 0;
    if (t > 0) return { limit: 'tokens', waitMs: t };
    return undefined;
  }
}
