// What the proxy (`sim --proxy-to`) counts, for GET /admin/stats: how many requests it forwarded,
// how they ended, and how precisely it kept its added latency.

/** Count, mean, min and max of a series of milliseconds, without keeping the samples. */
class MsSummary {
  count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  add(ms: number): void {
    this.count += 1;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  toJSON(): { count: number; mean: number | null; min: number | null; max: number | null } {
    if (this.count === 0) return { count: 0, mean: null, min: null, max: null };
    const r = (v: number): number => Math.round(v * 1000) / 1000;
    return { count: this.count, mean: r(this.sum / this.count), min: r(this.min), max: r(this.max) };
  }
}

export class ProxyStats {
  /** Requests to forward (every path but /health and the proxy's own /admin/ routes). */
  received = 0;
  inFlight = 0;
  /** Responses whose whole body reached the client. */
  completed = 0;
  /** Clients gone before the end (the upstream request is aborted with them). */
  clientAborts = 0;
  /** Upstreams that could not be reached or broke off mid-response (502, or a cut stream). */
  upstreamErrors = 0;
  /** HTTP status sent to the client, by code: the upstream's, or the proxy's own 413 / 502. */
  byStatus: Record<string, number> = {};
  /** Body pieces and bytes written on to clients. */
  chunks = 0;
  bytes = 0;
  /** The added latency drawn per request. */
  addedLatencyMs = new MsSummary();
  /** How much later than drawn each request actually went upstream (timer precision). */
  lateMs = new MsSummary();

  status(code: number): void {
    const key = String(code);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
  }

  reset(): void {
    this.received = this.completed = this.clientAborts = this.upstreamErrors = this.chunks = this.bytes = 0;
    this.byStatus = {};
    this.addedLatencyMs = new MsSummary();
    this.lateMs = new MsSummary();
  }

  snapshot(upstream: string): Record<string, unknown> {
    return {
      mode: 'proxy',
      upstream,
      received: this.received,
      inFlight: this.inFlight,
      completed: this.completed,
      clientAborts: this.clientAborts,
      upstreamErrors: this.upstreamErrors,
      byStatus: { ...this.byStatus },
      chunks: this.chunks,
      bytes: this.bytes,
      addedLatencyMs: this.addedLatencyMs.toJSON(),
      lateMs: this.lateMs.toJSON(),
    };
  }
}
