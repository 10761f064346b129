// One chart: a legend line, the asciichart plot of mean / p50 / p95 / p99 over time, and a marker
// row with a ▲ under each load change. It always takes exactly `height` lines so the layout above
// and below never moves as data arrives.
import { useMemo } from 'react';
import { Box } from 'ink';
import type { ChartKey, SeriesPoint } from '../engine/types.ts';
import { chartLegend, chartTitle, renderChart } from '../ui/chart.ts';
import type { Span } from '../ui/styled.ts';
import { useTheme } from '../ui/theme.ts';
import { StyledLine } from './StyledLine.tsx';

export interface ChartPanelProps {
  chartKey: ChartKey;
  points: readonly SeriesPoint[];
  segmentMarksMs: readonly number[];
  width: number;
  /** Total lines: legend + plot + marker row. Below 4 only the legend shows. */
  height: number;
}

export function ChartPanel({ chartKey, points, segmentMarksMs, width, height }: ChartPanelProps): React.JSX.Element | null {
  const theme = useTheme();
  const plotHeight = height - 3;
  const title = chartTitle(chartKey);
  // Only the names decide whether the chart can be drawn; the values shown come later.
  const legendFits = chartLegend(title, undefined, width) !== null;
  // Points arrive once a second but snapshots ten times: each snapshot carries fresh arrays with
  // the same content, so plot again only when the newest point, the marks or the size change.
  const last = points[points.length - 1];
  const chart = useMemo(
    () =>
      plotHeight >= 1 && width >= 1 && legendFits
        ? renderChart(points, { width, height: plotHeight, colors: theme.chartSgr, segmentMarksMs })
        : null,
    // `points` and the marks are new arrays every snapshot: their newest point, lengths and the
    // size say whether anything changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [last?.tMs, last?.count, points.length, segmentMarksMs.length, width, plotHeight, theme.chartSgr, legendFits],
  );
  if (height < 1 || width < 1) return null;
  let latest: SeriesPoint | undefined = chart?.visible[chart.visible.length - 1];
  for (let i = points.length - 1; latest === undefined && i >= 0; i--) {
    const p = points[i];
    if (p !== undefined && p.count > 0) latest = p;
  }

  // No "(ms)" in the title: every axis label and legend value carries its own unit (ms or s).
  const fitted = chartLegend(title, latest, width);
  const legend: Span[] = [];
  if (fitted === null) {
    legend.push({ text: title, bold: true });
  } else {
    fitted.entries.forEach((entry, i) => {
      if (i > 0) legend.push({ text: ' '.repeat(fitted.gap) });
      const color = entry.series === undefined ? undefined : theme.chartColor(entry.series);
      legend.push({ text: entry.text, bold: i === 0, ...(color === undefined ? {} : { color }) });
    });
  }

  const lines: Span[][] = [legend];
  if (height >= 2) {
    if (chart === null) {
      const why = !legendFits ? '  too narrow to draw' : plotHeight >= 1 ? '  waiting for data…' : '';
      lines.push([{ text: why, dim: true }]);
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
