// One chart: a legend line, the asciichart plot of mean / p50 / p95 / p99 over time, and a marker
// row with a ▲ under each load change. It always takes exactly `height` lines so the layout above
// and below never moves as data arrives.
import { useMemo } from 'react';
import { Box } from 'ink';
import type { ChartKey, SeriesPoint } from '../engine/types.ts';
import { SERIES_NAMES, chartTitle, renderChart } from '../ui/chart.ts';
import { fitSegments, formatMs } from '../ui/format.ts';
import type { Span } from '../ui/styled.ts';
import { useTheme } from '../ui/theme.ts';
import { StyledLine } from './StyledLine.tsx';

export interface ChartPanelProps {
  chartKey: ChartKey;
  points: readonly SeriesPoint[];
  phaseMarksMs: readonly number[];
  width: number;
  /** Total lines: legend + plot + marker row. Below 4 only the legend shows. */
  height: number;
}

interface LegendItem {
  text: string;
  priority: number;
  colorIndex?: number;
}

export function ChartPanel({ chartKey, points, phaseMarksMs, width, height }: ChartPanelProps): React.JSX.Element | null {
  const theme = useTheme();
  const plotHeight = height - 3;
  // Points arrive once a second but snapshots ten times: each snapshot carries fresh arrays with
  // the same content, so plot again only when the newest point, the marks or the size change.
  const last = points[points.length - 1];
  const chart = useMemo(
    () =>
      plotHeight >= 1 && width >= 1
        ? renderChart(points, { width, height: plotHeight, colors: theme.chartSgr, phaseMarksMs })
        : null,
    // `points` and the marks are new arrays every snapshot: their newest point, lengths and the
    // size say whether anything changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [last?.tMs, last?.count, points.length, phaseMarksMs.length, width, plotHeight, theme.chartSgr],
  );
  if (height < 1 || width < 1) return null;
  let latest: SeriesPoint | undefined = chart?.visible[chart.visible.length - 1];
  for (let i = points.length - 1; latest === undefined && i >= 0; i--) {
    const p = points[i];
    if (p !== undefined && p.count > 0) latest = p;
  }

  // No "(ms)" in the title: every axis label and legend value carries its own unit (ms or s).
  const items: LegendItem[] = [{ text: chartTitle(chartKey), priority: 0 }];
  SERIES_NAMES.forEach((name, i) => {
    const value = latest === undefined ? '' : ` ${formatMs(latest[name])}`;
    items.push({ text: `━ ${name}${value}`, priority: i === 0 ? 2 : 1, colorIndex: i });
  });
  const legend: Span[] = [];
  fitSegments(items, width, 2).forEach((item, i) => {
    if (i > 0) legend.push({ text: '  ' });
    const color = item.colorIndex === undefined ? undefined : theme.chartColor(item.colorIndex);
    legend.push({ text: item.text, bold: i === 0, ...(color === undefined ? {} : { color }) });
  });

  const lines: Span[][] = [legend];
  if (height >= 2) {
    if (chart === null) {
      lines.push([{ text: plotHeight >= 1 ? '  waiting for data…' : '', dim: true }]);
      while (lines.length < height) lines.push([]);
    } else {
      for (const line of chart.plot) lines.push([{ text: line, raw: true }]);
      lines.push([{ text: chart.markers, dim: true }]);
    }
  }

  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {lines.slice(0, height).map((spans, i) => (
        <StyledLine key={i} spans={spans} width={width} />
      ))}
    </Box>
  );
}
