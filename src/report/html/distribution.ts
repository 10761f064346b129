import { LatencyHistogram, type EncodedHistogram } from '../../engine/histogram.ts';
import { encodedHistogramSchema } from '../schema.ts';
import { anyReasoning, fmtMs } from '../text.ts';
import type { Report } from '../report.ts';
import { COLORS, NONSTREAM_DASH, type ChartSpec } from './chart-spec.ts';
import type { DataTable } from './page.ts';

/**
 * Latency distributions from the report's serialised HdrHistograms, drawn the way HdrHistogram's
 * own plotter does: value against percentile, the percentile axis logarithmic in 1/(1-p), so the
 * tail (99 %, 99.9 %, ...) gets as much room as the body.
 */

/** Grid of x = 1/(1-p), ten points per decade from p = 0 to p = 99.999 %. */
const GRID = Array.from({ length: 51 }, (_, k) => Number((10 ** (k / 10)).toPrecision(6)));
const TABLE_PERCENTILES = [50, 90, 95, 99, 99.9] as const;

export const DISTRIBUTION_METRICS = [
  { key: 'ttft', title: 'TTFT' },
  { key: 'ttfo', title: 'TTFO (time to first output token)' },
  { key: 'itl', title: 'ITL (inter-token latency)' },
  { key: 'e2e', title: 'E2E (whole answer)' },
] as const;

const MODE_SERIES = [
  { mode: 'stream', label: 'stream', color: COLORS.a },
  { mode: 'nonstream', label: 'non-stream', color: COLORS.b },
] as const;

export interface DistributionChart {
  spec: ChartSpec;
  title: string;
  table: DataTable;
}

/** One percentile curve, and its column of the chart's table. */
export interface Curve {
  label: string;
  color: string;
  dash?: number[];
  values: (number | null)[];
  rows: string[];
}

/** Where the curves come from: a single-target report, or one entry of a multi-target report's `targets`. */
export type HistogramSource = Pick<Report, 'histograms'>;

/** A metric's histogram for one mode, when the report has it (TTFO only in newer reports). */
function encodedOf(r: HistogramSource, mode: 'stream' | 'nonstream', metric: string): EncodedHistogram | undefined {
  const all = r.histograms[mode].histograms as Record<string, unknown>;
  const parsed = encodedHistogramSchema.safeParse(all[metric]);
  return parsed.success && parsed.data.count > 0 ? parsed.data : undefined;
}

/** The points of one percentile curve: values up to the resolution the sample count allows, then the max. */
export function percentileCurve(h: LatencyHistogram): (number | null)[] {
  const out: (number | null)[] = [];
  let done = false;
  for (const x of GRID) {
    if (done) {
      out.push(null);
      continue;
    }
    if (x >= h.count) {
      // Past 1 - 1/count the histogram can only say "the largest sample".
      out.push(h.maxMs);
      done = true;
    } else {
      out.push(h.percentile(100 * (1 - 1 / x)));
    }
  }
  return out;
}

/**
 * A source's curves for one metric, one per mode it has: stream solid, non-stream dashed.
 * `name` prefixes the labels and `color` overrides the per-mode colours (one colour per target).
 */
export function modeCurves(r: HistogramSource, metric: string, o: { name?: string; color?: string } = {}): Curve[] {
  const curves: Curve[] = [];
  for (const m of MODE_SERIES) {
    const enc = encodedOf(r, m.mode, metric);
    if (!enc) continue;
    const h = LatencyHistogram.decode(enc);
    try {
      curves.push({
        label: o.name !== undefined ? `${o.name} ${m.label}` : m.label,
        color: o.color ?? m.color,
        ...(m.mode === 'nonstream' ? { dash: NONSTREAM_DASH } : {}),
        values: percentileCurve(h),
        rows: [String(h.count), ...TABLE_PERCENTILES.map((p) => fmtMs(h.percentile(p))), fmtMs(h.maxMs)],
      });
    } finally {
      h.dispose();
    }
  }
  return curves;
}

/** One distribution chart of the given curves (none: no chart), with their numbers as a table. */
export function distributionChart(metric: (typeof DISTRIBUTION_METRICS)[number], curves: Curve[], source: string): DistributionChart | undefined {
  if (curves.length === 0) return undefined;
  // The grid ends where the longest curve does (its max), so the axis has no empty decades.
  const used = Math.max(...curves.map((c) => c.values.findLastIndex((v) => v !== null))) + 1;
  const rowNames = ['samples', ...TABLE_PERCENTILES.map((p) => `p${p}`), 'max'];
  return {
    title: metric.title,
    spec: {
      id: `dist-${metric.key}`,
      xKind: 'percentile',
      xLog: 10,
      xLabel: 'percentile',
      yLabel: 'ms',
      yUnit: 'ms',
      x: GRID.slice(0, used),
      series: curves.map((c) => ({ label: c.label, color: c.color, values: c.values.slice(0, used), ...(c.dash ? { dash: c.dash } : {}) })),
      markers: [],
    },
    table: {
      caption: `${metric.title} by percentile, from ${source}`,
      head: ['', ...curves.map((c) => `${c.label} (ms)`)],
      rows: rowNames.map((name, i) => [name, ...curves.map((c) => c.rows[i] ?? '-')]),
    },
  };
}

/** The metrics worth a chart: without reasoning the TTFO curve would be the TTFT curve again. */
export function distributionMetrics(reasoned: boolean): (typeof DISTRIBUTION_METRICS)[number][] {
  return DISTRIBUTION_METRICS.filter((m) => m.key !== 'ttfo' || reasoned);
}

export function distributionCharts(r: Report): DistributionChart[] {
  return distributionMetrics(anyReasoning(r))
    .map((metric) => distributionChart(metric, modeCurves(r, metric.key), "the run's HdrHistograms"))
    .filter((c): c is DistributionChart => c !== undefined);
}

/** Exposed for tests: the x grid (1/(1-p)). */
export const PERCENTILE_GRID: readonly number[] = GRID;
