/**
 * A Prometheus histogram for the one series that gets a sample per token: inter-token gaps.
 *
 * prom-client's Histogram costs ~0.4 µs an observation (label validation and hashing each time).
 * For ITL that is one call per token, and the engine emits a record's gaps all at once when the
 * request ends: 64 streams finishing together meant ~3,000 calls in a burst on the engine's
 * thread, and that moved TTFT p50 by 3-4 ms (bench/prometheus-scrape.ts, with the exporter on and
 * nobody scraping). Here a record's gaps cost a search over 16 bounds each, into typed arrays,
 * and the text is written only when scraped, in the exposition format prom-client writes.
 */

/** A label value as the text format escapes it: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value: Go's float syntax, with +Inf for infinity. */
function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

export interface GapSeries {
  /** Counts per bucket, not cumulative; the last slot is above the highest bound. */
  counts: Float64Array;
  sumMs: number;
  count: number;
}

export class GapHistogram {
  /** Upper bounds in ms, so that a gap (ms) is compared without a division. */
  private readonly boundsMs: Float64Array;
  private readonly series = new Map<string, GapSeries>();

  constructor(
    readonly name: string,
    private readonly help: string,
    /** Upper bounds in seconds, increasing. */
    private readonly bounds: readonly number[],
    /** The label names of every series, in order (e.g. target, mode). */
    private readonly labelNames: readonly string[],
  ) {
    this.boundsMs = Float64Array.from(bounds, (b) => b * 1000);
  }

  /** The series for these label values (in labelNames order), made once and kept. */
  seriesFor(values: readonly string[]): GapSeries {
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (s === undefined) {
      s = { counts: new Float64Array(this.boundsMs.length + 1), sumMs: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  /** Observes every gap (ms) of one request: the hot path, one binary search each. */
  addMs(s: GapSeries, gapsMs: readonly number[]): void {
    const b = this.boundsMs;
    for (const g of gapsMs) {
      let lo = 0;
      let hi = b.length;
      // The first bound >= g (le is inclusive); b.length when above every bound.
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((b[mid] as number) < g) lo = mid + 1;
        else hi = mid;
      }
      s.counts[lo] = (s.counts[lo] as number) + 1;
      s.sumMs += g;
    }
    s.count += gapsMs.length;
  }

  /** The family in the text format: HELP, TYPE, then per series cumulative buckets, sum and count. */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.series) {
      const values = key.split('\u0000');
      const labels = this.labelNames.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`).join(',');
      let acc = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        acc += s.counts[i] as number;
        const le = i < this.bounds.length ? num(this.bounds[i] as number) : '+Inf';
        lines.push(`${this.name}_bucket{le="${le}",${labels}} ${acc}`);
      }
      lines.push(`${this.name}_sum{${labels}} ${num(s.sumMs / 1000)}`, `${this.name}_count{${labels}} ${s.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
