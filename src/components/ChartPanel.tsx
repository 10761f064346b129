// One chart: a legend line, the asciichart plot of mean / p50 / p95 / p99 over time, and a marker
// row with a ▲ under each load change. It always takes exactly `height` lines so the layout above
// and below never moves as data arrives.
import { Box, Text } from 'ink';
import type { ChartKey, SeriesPoint } from '../engine/types.ts';
import { SERIES_NAMES, chartTitle, renderChart } from '../ui/chart.ts';
import { fitSegments, formatMs } from '../ui/format.ts';
import { useTheme } from '../ui/theme.ts';

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
  if (height < 1 || width < 1) return null;
  const plotHeight = height - 3;
  const chart =
    plotHeight >= 1 ? renderChart(points, { width, height: plotHeight, colors: theme.chartSgr, phaseMarksMs }) : null;
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
  const legend = fitSegments(items, width, 2);

  const body: React.JSX.Element[] = [];
  if (height >= 2) {
    if (chart === null) {
      body.push(
        <Text key="wait" dimColor wrap="truncate-end">
          {plotHeight >= 1 ? '  waiting for data…' : ''}
        </Text>,
      );
      for (let i = 1; i < height - 1; i++) body.push(<Text key={`pad${i}`}> </Text>);
    } else {
      chart.plot.forEach((line, i) =>
        body.push(
          <Text key={`p${i}`} wrap="truncate-end">
            {line}
          </Text>,
        ),
      );
      body.push(
        <Text key="markers" dimColor wrap="truncate-end">
          {chart.markers === '' ? ' ' : chart.markers}
        </Text>,
      );
    }
  }

  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      <Text wrap="truncate-end">
        {legend.map((item, i) => (
          <Text key={item.text}>
            {i > 0 ? '  ' : ''}
            <Text
              bold={i === 0}
              color={item.colorIndex === undefined ? undefined : theme.chartColor(item.colorIndex)}
            >
              {item.text}
            </Text>
          </Text>
        ))}
      </Text>
      {body}
    </Box>
  );
}
