// The charts of a multi-target run: one metric, every target's p50 (solid) and p95 (dashed)
// overlaid in the target's colour, a legend naming each target with its latest values. On wide
// terminals the next metric in the cycle sits beside it, as in the single-target view.
import { useMemo } from 'react';
import { Box } from 'ink';
import type { ChartKey, SeriesPoint } from '../engine/types.ts';
import { chartTitle } from '../ui/chart.ts';
import { formatMs } from '../ui/format.ts';
import { alignedValues, overlayPoints, renderOverlay, targetTags, type OverlayCell, type OverlayLine } from '../ui/overlay-chart.ts';
import { displayWidth } from '../ui/styled.ts';
import type { Span } from '../ui/styled.ts';
import { useTheme, type Theme } from '../ui/theme.ts';
import { StyledLine } from './StyledLine.tsx';
import { TWO_CHART_MIN_WIDTH } from './ChartArea.tsx';

export interface TargetSeries {
  name: string;
  points: readonly SeriesPoint[];
}

export interface TargetsChartPanelProps {
  chartKey: ChartKey;
  /** Every target's points of this metric, the reference first. */
  series: readonly TargetSeries[];
  width: number;
  /** Total lines: legend + plot (height - 2 + 1 rows) + time row. */
  height: number;
}

interface LegendPart {
  text: string;
  /** Target index, for its colour. */
  target?: number;
  bold?: boolean;
  dim?: boolean;
}

const GAP = '  ';

function latest(points: readonly SeriesPoint[]): SeriesPoint | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p !== undefined && p.count > 0) return p;
  }
  return undefined;
}

/**
 * The legend for `width`: the title, the line styles, then each target's tag, name and latest
 * p50/p95. Values go first when space runs short, then the style key; names stay.
 */
export function targetsLegend(title: string, series: readonly TargetSeries[], width: number): LegendPart[] {
  const tags = targetTags(series.map((s) => s.name));
  const build = (values: boolean, styles: boolean): LegendPart[] => {
    const parts: LegendPart[] = [{ text: title, bold: true }];
    if (styles) parts.push({ text: `${GAP}─ p50 ╌ p95`, dim: true });
    series.forEach((s, target) => {
      const p = latest(s.points);
      const tag = tags[target] ?? '?';
      const label = tag === Array.from(s.name)[0] ? s.name : `${tag}=${s.name}`;
      const v = values && p !== undefined ? ` ${formatMs(p.p50)}/${formatMs(p.p95)}` : '';
      parts.push({ text: `${GAP}━ ${label}${v}`, target });
    });
    return parts;
  };
  const fits = (parts: LegendPart[]): boolean => parts.reduce((n, p) => n + displayWidth(p.text), 0) <= width;
  for (const [values, styles] of [
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ] as const) {
    const parts = build(values, styles);
    if (fits(parts)) return parts;
  }
  return build(false, false);
}

function cellSpans(row: readonly OverlayCell[], theme: Theme): Span[] {
  const spans: Span[] = [];
  let text = '';
  let owner: number | undefined;
  const flush = (): void => {
    if (text === '') return;
    const color = owner === undefined ? undefined : theme.targetColor(owner);
    spans.push({ text, ...(color !== undefined ? { color } : {}), ...(owner === undefined ? { dim: true } : {}) });
    text = '';
  };
  for (const cell of row) {
    if (cell.target !== owner) {
      flush();
      owner = cell.target;
    }
    text += cell.ch;
  }
  flush();
  return spans;
}

export function TargetsChartPanel({ chartKey, series, width, height }: TargetsChartPanelProps): React.JSX.Element | null {
  const theme = useTheme();
  const plotHeight = height - 3;
  // Redraw only when a target's newest point or the size changes (snapshots come 10x a second,
  // points once a second).
  const stamp = series.map((s) => `${s.points.length}:${s.points[s.points.length - 1]?.tMs ?? -1}`).join(',');
  const grid = useMemo(() => {
    if (plotHeight < 1) return null;
    const n = overlayPoints(width);
    const lines: OverlayLine[] = [];
    // p95 first, then p50 over them; the reference last, so it stays on top where lines cross.
    for (const stat of ['p95', 'p50'] as const)
      for (let t = series.length - 1; t >= 0; t--) lines.push({ target: t, stat, values: alignedValues(series[t]?.points ?? [], stat, n) });
    return renderOverlay(lines, { width, height: plotHeight, tags: targetTags(series.map((s) => s.name)) });
    // `series` is a new array every snapshot; `stamp` says whether its points changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp, width, plotHeight]);
  if (height < 1 || width < 1) return null;

  const legend: Span[] = targetsLegend(chartTitle(chartKey), series, width).map((p) => {
    const color = p.target === undefined ? undefined : theme.targetColor(p.target);
    return { text: p.text, ...(p.bold === true ? { bold: true } : {}), ...(p.dim === true ? { dim: true } : {}), ...(color !== undefined ? { color } : {}) };
  });
  const out: Span[][] = [legend];
  if (grid === null) {
    if (height >= 2) out.push([{ text: plotHeight >= 1 ? '  waiting for data…' : '', dim: true }]);
  } else {
    for (const row of grid) out.push(cellSpans(row, theme));
    const ref = series[0]?.points ?? [];
    const shown = ref.slice(-overlayPoints(width));
    const first = shown[0];
    const newest = shown[shown.length - 1];
    const span = first !== undefined && newest !== undefined && newest.tMs > first.tMs ? `-${Math.round((newest.tMs - first.tMs) / 1000)}s` : '';
    out.push([{ text: span.padStart(6), dim: true }]);
  }
  while (out.length < height) out.push([]);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {out.slice(0, height).map((spans, i) => (
        <StyledLine key={i} spans={spans} width={width} />
      ))}
    </Box>
  );
}

export interface TargetsChartAreaProps {
  names: readonly string[];
  /** Every target's charts, the reference first. */
  charts: readonly Readonly<Record<ChartKey, SeriesPoint[]>>[];
  chartKey: ChartKey;
  /** The metric beside it on wide terminals. */
  nextKey: ChartKey;
  width: number;
  height: number;
}

const AREA_GAP = 2;

export function TargetsChartArea({ names, charts, chartKey, nextKey, width, height }: TargetsChartAreaProps): React.JSX.Element | null {
  if (height <= 0) return null;
  const keys = width >= TWO_CHART_MIN_WIDTH && nextKey !== chartKey ? [chartKey, nextKey] : [chartKey];
  const each = Math.floor((width - AREA_GAP * (keys.length - 1)) / keys.length);
  return (
    <Box width={width} height={height} flexShrink={0}>
      {keys.map((key, i) => (
        <Box key={key} marginLeft={i > 0 ? AREA_GAP : 0} width={each} flexShrink={0}>
          <TargetsChartPanel
            chartKey={key}
            series={names.map((name, t) => ({ name, points: charts[t]?.[key] ?? [] }))}
            width={each}
            height={height}
          />
        </Box>
      ))}
    </Box>
  );
}
