/**
 * What the page's script draws with uPlot: plain data, embedded as JSON. Everything that decides
 * what a chart shows is computed here in typed code; the browser side only draws.
 */

/** How the x values read: seconds into the run, a percentile (stored as 1/(1-p)), or a plain number. */
export type XKind = 'seconds' | 'percentile' | 'level';

export interface ChartSeries {
  label: string;
  /** One value per x; null where there is no sample (drawn as a gap). */
  values: (number | null)[];
  color: string;
  dash?: number[];
  /** Draw each point as a dot too (sparse series such as sweep levels). */
  points?: boolean;
  /** A step line (a setting that holds until it changes). */
  stepped?: boolean;
}

/** A vertical line with a label: a load change, a recommended level. */
export interface ChartMarker {
  x: number;
  label: string;
}

export interface ChartSpec {
  id: string;
  xKind: XKind;
  xLabel: string;
  yLabel: string;
  /** Unit shown after each value in the tooltip. */
  yUnit: string;
  /** Log base for the x axis (percentile plots use 10, pool sizes 2). */
  xLog?: 2 | 10;
  x: number[];
  series: ChartSeries[];
  markers: ChartMarker[];
}

/**
 * Colours readable on the light and the dark background alike (mid lightness); the page's CSS
 * uses the same values for its legends.
 */
export const COLORS = {
  p50: '#3b82f6',
  p95: '#f59e0b',
  p99: '#ef4444',
  mean: '#10b981',
  a: '#3b82f6',
  b: '#f59e0b',
  c: '#a855f7',
  d: '#10b981',
  muted: '#8b95a5',
  error: '#ef4444',
} as const;

/** The series palette for things compared side by side (variants, modes). */
export const PALETTE = [COLORS.a, COLORS.b, COLORS.c, COLORS.d] as const;

/** Non-streaming series are dashed, so modes differ in more than colour. */
export const NONSTREAM_DASH = [6, 4];
