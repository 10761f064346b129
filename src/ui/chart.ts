// Pure chart layout: series points -> fixed-size text lines. Kept out of the component so the
// arithmetic (slicing to width, marker columns) is testable without rendering.
import asciichart from 'asciichart';
import type { ChartKey, SeriesPoint } from '../engine/types.ts';
import { formatMs, padStart } from './format.ts';

/** Width of the y-axis labels; formatMs never exceeds 6 characters. */
export const AXIS_LABEL_WIDTH = 6;
/** asciichart draws `label`, one space, the axis, then one column per point. */
const AXIS_OVERHEAD = AXIS_LABEL_WIDTH + 2;
export const MARKER = '▲';
const MARKER_LABEL = 'load change';

export const SERIES_NAMES = ['mean', 'p50', 'p95', 'p99'] as const;

export function chartTitle(key: ChartKey): string {
  const [metric, mode] = key.split('.') as [string, string];
  return `${metric.toUpperCase()} ${mode === 'stream' ? 'stream' : 'non-stream'}`;
}

/** How many points fit in `width` columns. */
export function pointsForWidth(width: number): number {
  return Math.max(0, width - AXIS_OVERHEAD);
}

export interface ChartLines {
  /** Exactly `height + 1` lines of plot (asciichart draws height+1 rows). */
  plot: string[];
  /** The row under the plot: time span on the left, a marker under each load change. */
  markers: string;
  /** Points plotted (after slicing to width). */
  visible: SeriesPoint[];
}

/** Column (in the plot line) of each phase mark inside the visible window. */
export function markerColumns(visible: readonly SeriesPoint[], marksMs: readonly number[]): number[] {
  const first = visible[0];
  const last = visible[visible.length - 1];
  if (first === undefined || last === undefined) return [];
  const cols: number[] = [];
  for (const mark of marksMs) {
    // A mark older than the window has scrolled off; one newer than the last point is drawn at
    // the right edge, where the next point will land.
    if (mark < first.tMs) continue;
    let idx = visible.findIndex((p) => p.tMs >= mark);
    if (idx < 0) idx = visible.length - 1;
    // asciichart draws point i in the column right of the label and the space, on the axis for i=0.
    cols.push(AXIS_LABEL_WIDTH + 1 + idx);
  }
  return cols;
}

/**
 * Renders points as a plot of the four series sized to `width` x (`height` + 2) lines, or null when
 * there is nothing to plot yet (asciichart throws on empty series).
 */
export function renderChart(
  points: readonly SeriesPoint[],
  opts: { width: number; height: number; colors: readonly string[]; phaseMarksMs: readonly number[] },
): ChartLines | null {
  const n = pointsForWidth(opts.width);
  // A point with no samples in its window is "no data", not a latency of 0 ms: drop it rather
  // than draw a dive to zero.
  const visible = points
    .filter((p) => p.count > 0 && [p.mean, p.p50, p.p95, p.p99].every((v) => Number.isFinite(v)))
    .slice(-n);
  if (n < 2 || opts.height < 1 || visible.length === 0) return null;
  const series = [
    visible.map((p) => p.mean),
    visible.map((p) => p.p50),
    visible.map((p) => p.p95),
    visible.map((p) => p.p99),
  ];
  let min = Infinity;
  let max = -Infinity;
  for (const s of series) for (const v of s) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  // A flat line would make asciichart collapse to a single row; give it a band so the chart keeps
  // its height and the labels stay meaningful.
  if (max - min < 1e-6) max = min + Math.max(1, Math.abs(min) * 0.1);
  const text = asciichart.plot(series, {
    min,
    max,
    height: opts.height,
    colors: opts.colors,
    format: (v) => padStart(formatMs(v), AXIS_LABEL_WIDTH),
  });
  const plot = text.split('\n').slice(0, opts.height + 1);
  while (plot.length < opts.height + 1) plot.push('');

  const cells = Array.from({ length: opts.width }, () => ' ');
  const first = visible[0];
  const newest = visible[visible.length - 1];
  if (first !== undefined && newest !== undefined && newest.tMs > first.tMs) {
    const span = padStart(`-${Math.round((newest.tMs - first.tMs) / 1000)}s`, AXIS_LABEL_WIDTH);
    Array.from(span).forEach((c, i) => (cells[i] = c));
  }
  const cols = markerColumns(visible, opts.phaseMarksMs).filter((c) => c < cells.length);
  for (const col of cols) cells[col] = MARKER;
  // Explain the marker on its own row (the legend line is full at 80 columns): right-aligned when
  // that stretch is free, otherwise right after the last marker, otherwise not at all.
  const last = cols.length > 0 ? Math.max(...cols) : -1;
  if (last >= 0) {
    const label = Array.from(MARKER_LABEL);
    const rightStart = cells.length - label.length;
    const start = rightStart > last + 1 ? rightStart : last + 2;
    if (start + label.length <= cells.length && !cols.some((c) => c >= start)) {
      label.forEach((ch, i) => (cells[start + i] = ch));
    }
  }
  return { plot, markers: cells.join('').trimEnd(), visible };
}
