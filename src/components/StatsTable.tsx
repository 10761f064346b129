// A row per mode. Columns are dropped by priority as the terminal narrows (TTFT last: the
// stream / non-stream TTFT contrast is the point of the table); at 105+ columns every one shows.
import { Box, Text } from 'ink';
import type { EngineSnapshot, MetricSummary, Mode, ModeStats } from '../engine/types.ts';
import { MODES } from '../engine/types.ts';
import { formatCount, formatLatency, formatRate, padEnd, padStart } from '../ui/format.ts';
import { modeRole, useTheme } from '../ui/theme.ts';

export interface StatsTableProps {
  snapshot: EngineSnapshot;
  width: number;
}

type Group = 'requests' | 'TTFT' | 'ITL' | 'E2E' | '';

interface Column {
  group: Group;
  header: string;
  width: number;
  /** Lower survives longer when the table must shrink. */
  priority: number;
  cell: (m: ModeStats) => string;
}

const MODE_WIDTH = 10;
const MODE_LABEL: Record<Mode, string> = { stream: 'stream', nonstream: 'non-stream' };

function latency(metric: 'ttft' | 'itl' | 'e2e', stat: keyof Omit<MetricSummary, 'count'>, priority: number): Column {
  const group: Group = metric === 'ttft' ? 'TTFT' : metric === 'itl' ? 'ITL' : 'E2E';
  return {
    group,
    header: stat,
    width: 6,
    priority,
    cell: (m) => formatLatency(m[metric][stat], m[metric].count),
  };
}

// In display order; `priority` decides what goes first when space runs out.
const COLUMNS: readonly Column[] = [
  { group: 'requests', header: 'req', width: 6, priority: 0, cell: (m) => formatCount(m.requests) },
  { group: 'requests', header: 'ok', width: 6, priority: 0, cell: (m) => formatCount(m.succeeded) },
  { group: 'requests', header: 'fail', width: 6, priority: 0, cell: (m) => formatCount(m.failed + m.earlyStopped) },
  latency('ttft', 'mean', 2),
  latency('ttft', 'p50', 1),
  latency('ttft', 'p95', 2),
  latency('ttft', 'p99', 1),
  latency('itl', 'mean', 6),
  latency('itl', 'p50', 3),
  latency('itl', 'p95', 5),
  latency('itl', 'p99', 4),
  latency('e2e', 'mean', 6),
  latency('e2e', 'p50', 2),
  latency('e2e', 'p95', 5),
  latency('e2e', 'p99', 3),
  { group: '', header: 'tok/s', width: 7, priority: 3, cell: (m) => formatRate(m.outputTokensPerSec) },
];

/** The columns that fit `width` (after the mode column), in display order. */
export function visibleColumns(width: number): Column[] {
  const budget = width - MODE_WIDTH;
  const chosen = new Set<Column>();
  let used = 0;
  const byPriority = [...COLUMNS].sort((a, b) => a.priority - b.priority);
  for (const c of byPriority) {
    if (used + c.width > budget) continue;
    chosen.add(c);
    used += c.width;
  }
  return COLUMNS.filter((c) => chosen.has(c));
}

/** " TTFT ─────" over each run of columns of one group. */
function groupLine(cols: readonly Column[]): { text: string; group: Group }[] {
  const out: { text: string; group: Group; width: number }[] = [];
  for (const c of cols) {
    const last = out[out.length - 1];
    if (last !== undefined && last.group === c.group) last.width += c.width;
    else out.push({ text: '', group: c.group, width: c.width });
  }
  return out.map((g) => ({
    group: g.group,
    text:
      g.group === ''
        ? ' '.repeat(g.width)
        : padEnd(` ${g.group} ${'─'.repeat(Math.max(0, g.width - g.group.length - 2))}`, g.width),
  }));
}

export function StatsTable({ snapshot, width }: StatsTableProps): React.JSX.Element {
  const theme = useTheme();
  const cols = visibleColumns(width);
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <Text wrap="truncate-end" dimColor>
        {' '.repeat(MODE_WIDTH)}
        {groupLine(cols).map((g, i) => (
          <Text key={i} bold={g.group === 'TTFT'}>
            {g.text}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate-end" bold>
        {padEnd('mode', MODE_WIDTH)}
        {cols.map((c) => padStart(c.header, c.width)).join('')}
      </Text>
      {MODES.map((mode) => {
        const m = snapshot.byMode[mode];
        return (
          <Text key={mode} wrap="truncate-end">
            <Text color={theme.color(modeRole(mode))}>{padEnd(MODE_LABEL[mode], MODE_WIDTH)}</Text>
            {cols.map((c, i) => (
              <Text key={i} bold={c.group === 'TTFT'} color={c.header === 'fail' && m.failed > 0 ? theme.color('error') : undefined}>
                {padStart(c.cell(m), c.width)}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
