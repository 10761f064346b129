// Row budget for the dashboard. The live region must stay shorter than the terminal: when Ink's
// output reaches the terminal height it falls back to clearing the screen and redrawing the whole
// frame every update, which flickers. So everything is sized from `rows - 1`.

export interface Layout {
  /** Total lines the frame occupies (always rows - 1, at least 1). */
  height: number;
  header: number;
  stats: number;
  chart: number;
  errors: number;
  panes: number;
  footer: number;
  /** Lines of the help overlay when open (it replaces stats, chart, errors and panes). */
  help: number;
}

export const HEADER_LINES = 2;
export const STATS_LINES = 4;
export const FOOTER_LINES = 1;
const MIN_CHART = 5;
const MAX_CHART = 14;
const MIN_PANES = 2;
/** A pane's status line and two lines of text (StreamPanes' preferred height). */
const PANE_ROW = 3;

/** The footer may take two lines (80 columns cannot hold every key on one) from this height up. */
export const TWO_LINE_FOOTER_MIN_ROWS = 20;

export function computeLayout(opts: {
  rows: number;
  errorGroups: number;
  helpOpen: boolean;
  /** Lines the footer needs (1 or 2). */
  footerLines?: number;
  /** Lines the statistics table needs (several targets: a row per mode and target). */
  statsLines?: number;
}): Layout {
  const height = Math.max(1, opts.rows - 1);
  const footer = height >= 2 ? Math.min(opts.footerLines ?? FOOTER_LINES, height - 1) : 0;
  const header = Math.min(HEADER_LINES, height - footer);
  let rem = height - header - footer;
  const body = rem;
  if (opts.helpOpen) return { height, header, stats: 0, chart: 0, errors: 0, panes: 0, footer, help: body };
  // Priority when space runs out: stats, then chart, then errors, then panes.
  const statsLines = opts.statsLines ?? STATS_LINES;
  const stats = rem >= statsLines ? statsLines : 0;
  rem -= stats;
  let chart = rem >= MIN_CHART + MIN_PANES ? Math.min(MAX_CHART, Math.max(MIN_CHART, Math.floor(rem * 0.45))) : 0;
  // Several targets: panes come in rows of PANE_ROW lines, so lines left over below the last row
  // go to the chart, whose lines overlay every target's.
  if (opts.statsLines !== undefined && chart > 0) {
    const spare = (rem - chart) % PANE_ROW;
    if (chart + spare <= MAX_CHART) chart += spare;
  }
  rem -= chart;
  const maxErrors = height >= 39 ? 5 : 3;
  const errors = Math.max(0, Math.min(opts.errorGroups, maxErrors, rem - MIN_PANES));
  rem -= errors;
  return { height, header, stats, chart, errors, panes: Math.max(0, rem), footer, help: 0 };
}
