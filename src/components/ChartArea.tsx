// The chart area: the selected metric, and on wide terminals the next one in the cycle beside it
// (from the default TTFT stream, that is TTFT non-stream: the contrast the tool exists to show).
import { Box } from 'ink';
import type { ChartKey, EngineSnapshot } from '../engine/types.ts';
import { CHART_KEYS } from '../engine/types.ts';
import { ChartPanel } from './ChartPanel.tsx';

/** Terminals at least this wide show two charts side by side. */
export const TWO_CHART_MIN_WIDTH = 120;
const GAP = 2;

export interface ChartAreaProps {
  snapshot: EngineSnapshot;
  chartKey: ChartKey;
  width: number;
  height: number;
}

export function nextChartKey(key: ChartKey): ChartKey {
  const i = CHART_KEYS.indexOf(key);
  return CHART_KEYS[(i + 1) % CHART_KEYS.length] ?? key;
}

export function ChartArea({ snapshot, chartKey, width, height }: ChartAreaProps): React.JSX.Element | null {
  if (height <= 0) return null;
  const keys = width >= TWO_CHART_MIN_WIDTH ? [chartKey, nextChartKey(chartKey)] : [chartKey];
  const each = Math.floor((width - GAP * (keys.length - 1)) / keys.length);
  return (
    <Box width={width} height={height} flexShrink={0}>
      {keys.map((key, i) => (
        <Box key={key} marginLeft={i > 0 ? GAP : 0} width={each} flexShrink={0}>
          <ChartPanel
            chartKey={key}
            points={snapshot.charts[key]}
            segmentMarksMs={snapshot.segmentMarksMs}
            width={each}
            height={height}
          />
        </Box>
      ))}
    </Box>
  );
}
