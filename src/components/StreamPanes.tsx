// The grid of stream panes. Its size comes from the space the layout gives it: columns of ~40
// characters, and as many rows as fit; with few requests in flight each pane gets more lines.
import { Box } from 'ink';
import type { PaneSnapshot } from '../engine/types.ts';
import { StreamPane } from './StreamPane.tsx';
import { StyledLine } from './StyledLine.tsx';

export interface StreamPanesProps {
  panes: readonly PaneSnapshot[];
  width: number;
  height: number;
  /**
   * With several targets: the target of each pane (parallel to `panes`) and the targets' names;
   * each pane then says which target it belongs to.
   */
  targetOf?: readonly number[];
  names?: readonly string[];
}

const MIN_PANE_WIDTH = 38;
const MAX_PANE_COLUMNS = 4;
const GAP = 1;
/** Status line + 2 lines of text: enough to read a stream go by. */
const PREFERRED_PANE_HEIGHT = 3;
const MAX_PANE_HEIGHT = 6;

export interface PaneGrid {
  columns: number;
  rows: number;
  paneWidth: number;
  paneHeight: number;
}

export function paneGrid(count: number, width: number, height: number): PaneGrid {
  const columns = Math.max(1, Math.min(MAX_PANE_COLUMNS, Math.floor((width + GAP) / (MIN_PANE_WIDTH + GAP))));
  const paneWidth = Math.floor((width - GAP * (columns - 1)) / columns);
  if (height < 2) return { columns, rows: 0, paneWidth, paneHeight: 0 };
  const rowsNeeded = Math.max(1, Math.ceil(count / columns));
  // Share the height between the rows we need, but keep at least the preferred pane height when
  // there are more requests than fit (more panes beat taller panes), and never below 2 lines.
  const fair = Math.floor(height / rowsNeeded);
  const paneHeight = Math.min(MAX_PANE_HEIGHT, Math.max(Math.min(PREFERRED_PANE_HEIGHT, height), fair, 2));
  const rows = Math.min(rowsNeeded, Math.floor(height / paneHeight));
  return { columns, rows, paneWidth, paneHeight };
}

export function StreamPanes({ panes, width, height, targetOf, names }: StreamPanesProps): React.JSX.Element | null {
  if (height <= 0) return null;
  if (panes.length === 0) {
    return (
      <Box width={width} height={height} flexShrink={0}>
        <StyledLine spans={[{ text: 'no requests in flight', dim: true }]} width={width} />
      </Box>
    );
  }
  const grid = paneGrid(panes.length, width, height);
  const items = panes.map((pane, i) => {
    const t = targetOf?.[i];
    return { pane, target: t !== undefined && names !== undefined ? { name: names[t] ?? String(t), index: t } : undefined };
  });
  const rows: (typeof items)[] = [];
  for (let r = 0; r < grid.rows; r++) rows.push(items.slice(r * grid.columns, (r + 1) * grid.columns));
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {rows.map((row, r) => (
        <Box key={r} height={grid.paneHeight} flexShrink={0}>
          {row.map(({ pane, target }, c) => (
            <Box key={target === undefined ? pane.id : `${target.index}-${pane.id}`} marginLeft={c > 0 ? GAP : 0} width={grid.paneWidth} flexShrink={0}>
              <StreamPane pane={pane} width={grid.paneWidth} height={grid.paneHeight} {...(target !== undefined ? { target } : {})} />
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}
