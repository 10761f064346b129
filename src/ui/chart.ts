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
export type SeriesName = (typeof SERIES_NAMES)[number];

/** One legend entry: the title (no colour) or a series, coloured like its line. */
export interface LegendEntry {
  text: string;
  /** Index into SERIES_NAMES, i.e. the line's colour; absent for the title. */
  series?: number;
}

export interface Legend {
  entries: LegendEntry[];
  /** Spaces between entries. */
  gap: number;
}

/** Values go first when space runs short, least read first: the tail and the median stay longest. */
const VALUE_DROP_ORDER: readonly SeriesName[] = ['mean', 'p50', 'p99', 'p95'];

function legendWidth(l: Legend): number {
  return l.entries.reduce((n, e) => n + Array.from(e.text).length, 0) + (l.entries.length - 1) * l.gap;
}

/**
 * The legend line for `width` columns. Every plotted line keeps its name, so a reader can always
 * tell which line is which: values are dropped one by one first, then the spacing tightens.
 * Returns null when not even the names fit; the chart is then not drawn at all.
 */
export function chartLegend(title: string, latest: SeriesPoint | undefined, width: number): Legend | null {
  const build = (withValue: ReadonlySet<SeriesName>, gap: number, glyph: string): Legend => ({
    gap,
    entries: [
      { text: title },
      ...SERIES_NAMES.map((name, series) => ({
        text: `${glyph}${name}${latest !== undefined && withValue.has(name) ? ` ${formatMs(latest[name])}` : ''}`,
        series,
      })),
    ],
  });
  const shown = new Set<SeriesName>(SERIES_NAMES);
  const candidates = [build(shown, 2, '━ ')];
  for (const name of VALUE_DROP_ORDER) {
    shown.delete(name);
    candidates.push(build(shown, 2, '━ '));
  }
  candidates.push(build(shown, 1, '━'));
  return candidates.find((l) => legendWidth(l) <= width) ?? null;
}

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

/** Column (in the plot line) of each segment mark inside the visible window. */
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
  opts: { width: number; height: number; colors: readonly string[]; segmentMarksMs: readonly number[] },
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
  const cols = markerColumns(visible, opts.segmentMarksMs).filter((c) => c < cells.length);
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
