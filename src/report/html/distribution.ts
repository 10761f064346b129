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

/** A metric's histogram for one mode, when the report has it (TTFO only in newer reports). */
function encodedOf(r: Report, mode: 'stream' | 'nonstream', metric: string): EncodedHistogram | undefined {
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

export function distributionCharts(r: Report): DistributionChart[] {
  const charts: DistributionChart[] = [];
  // Without reasoning the TTFO curve would be the TTFT curve again.
  const metrics = DISTRIBUTION_METRICS.filter((m) => m.key !== 'ttfo' || anyReasoning(r));
  for (const metric of metrics) {
    const curves: { label: string; color: string; dash?: number[]; values: (number | null)[]; rows: string[] }[] = [];
    for (const m of MODE_SERIES) {
      const enc = encodedOf(r, m.mode, metric.key);
      if (!enc) continue;
      const h = LatencyHistogram.decode(enc);
      try {
        curves.push({
          label: m.label,
          color: m.color,
          ...(m.mode === 'nonstream' ? { dash: NONSTREAM_DASH } : {}),
          values: percentileCurve(h),
          rows: [String(h.count), ...TABLE_PERCENTILES.map((p) => fmtMs(h.percentile(p))), fmtMs(h.maxMs)],
        });
      } finally {
        h.dispose();
      }
    }
    if (curves.length === 0) continue;
    // The grid ends where the longest curve does (its max), so the axis has no empty decades.
    const used = Math.max(...curves.map((c) => c.values.findLastIndex((v) => v !== null))) + 1;
    for (const c of curves) c.values = c.values.slice(0, used);
    const id = `dist-${metric.key}`;
    const head = ['', ...curves.map((c) => `${c.label} (ms)`)];
    const rowNames = ['samples', ...TABLE_PERCENTILES.map((p) => `p${p}`), 'max'];
    charts.push({
      title: metric.title,
      spec: {
        id,
        xKind: 'percentile',
        xLog: 10,
        xLabel: 'percentile',
        yLabel: 'ms',
        yUnit: 'ms',
        x: GRID.slice(0, used),
        series: curves.map((c) => ({ label: c.label, color: c.color, values: c.values, ...(c.dash ? { dash: c.dash } : {}) })),
        markers: [],
      },
      table: {
        caption: `${metric.title} by percentile, from the run's HdrHistograms`,
        head,
        rows: rowNames.map((name, i) => [name, ...curves.map((c) => c.rows[i] ?? '-')]),
      },
    });
  }
  return charts;
}

/** Exposed for tests: the x grid (1/(1-p)). */
export const PERCENTILE_GRID: readonly number[] = GRID;
