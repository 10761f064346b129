// A row per mode. Columns are dropped by priority as the terminal narrows (TTFT last: the
// stream / non-stream TTFT contrast is the point of the table); at 105+ columns every one shows.
// Once any response has reasoned, TTFO (first answer or tool-call token) sits next to TTFT: for a
// reasoning model the first token is a thought, and the wait for the answer is the other number.
import { Box } from 'ink';
import type { EngineSnapshot, MetricSummary, Mode, ModeStats } from '../engine/types.ts';
import { MODES } from '../engine/types.ts';
import { formatCount, formatLatency, formatRate, padEnd, padStart } from '../ui/format.ts';
import { modeRole } from '../ui/theme.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';

export interface StatsTableProps {
  snapshot: EngineSnapshot;
  width: number;
}

export type Group = 'requests' | 'TTFT' | 'TTFO' | 'ITL' | 'E2E' | '';

interface Column {
  group: Group;
  header: string;
  width: number;
  /** Lower survives longer when the table must shrink. */
  priority: number;
  cell: (m: ModeStats) => string;
}

const MODE_WIDTH = 10;
export const MODE_LABEL: Record<Mode, string> = { stream: 'stream', nonstream: 'non-stream' };

const GROUP: Record<'ttft' | 'ttfo' | 'itl' | 'e2e', Group> = { ttft: 'TTFT', ttfo: 'TTFO', itl: 'ITL', e2e: 'E2E' };

function latency(metric: 'ttft' | 'ttfo' | 'itl' | 'e2e', stat: keyof Omit<MetricSummary, 'count'>, priority: number): Column {
  const group = GROUP[metric];
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
  latency('ttfo', 'p50', 1),
  latency('ttfo', 'p95', 2),
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

/** Share of prompt tokens the server served from its prefix cache; shown once any were reported. */
const CACHE_COLUMN: Column = {
  group: '',
  header: 'cache',
  width: 7,
  priority: 3,
  cell: (m) => (m.inputTokens > 0 ? `${Math.round((100 * m.cachedTokens) / m.inputTokens)}%` : '-'),
};

/**
 * The columns that fit `width` (after the mode column), in display order: TTFO only once a
 * response reasoned, the cache-hit column only once cached tokens were reported.
 */
export function visibleColumns(width: number, extra: { reasoning?: boolean; cache?: boolean } = {}): Column[] {
  const budget = width - MODE_WIDTH;
  const chosen = new Set<Column>();
  let used = 0;
  const all = extra.cache === true ? [...COLUMNS, CACHE_COLUMN] : COLUMNS;
  const byPriority = all.filter((c) => extra.reasoning === true || c.group !== 'TTFO').sort((a, b) => a.priority - b.priority);
  for (const c of byPriority) {
    if (used + c.width > budget) continue;
    chosen.add(c);
    used += c.width;
  }
  return all.filter((c) => chosen.has(c));
}

/** " TTFT ─────" over each run of columns of one group. */
export function groupLine(cols: readonly { group: Group; width: number }[]): { text: string; group: Group }[] {
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
  const reasoning = snapshot.byMode.stream.reasoningRequests + snapshot.byMode.nonstream.reasoningRequests > 0;
  const cols = visibleColumns(width, { reasoning, cache: MODES.some((m) => snapshot.byMode[m].cachedTokens > 0) });
  const groups: Span[] = [{ text: ' '.repeat(MODE_WIDTH) }];
  for (const g of groupLine(cols)) groups.push({ text: g.text, dim: true, bold: g.group === 'TTFT' || g.group === 'TTFO' });
  const headers: Span[] = [{ text: padEnd('mode', MODE_WIDTH) + cols.map((c) => padStart(c.header, c.width)).join(''), bold: true }];
  const rows = MODES.map((mode): Span[] => {
    const m = snapshot.byMode[mode];
    return [
      { text: padEnd(MODE_LABEL[mode], MODE_WIDTH), role: modeRole(mode) },
      ...cols.map((c): Span => ({
        text: padStart(c.cell(m), c.width),
        bold: c.group === 'TTFT' || c.group === 'TTFO',
        ...(c.header === 'fail' && m.failed + m.earlyStopped > 0 ? { role: 'error' as const } : {}),
      })),
    ];
  });
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <StyledLine spans={groups} width={width} />
      <StyledLine spans={headers} width={width} />
      {rows.map((spans, i) => (
        <StyledLine key={i} spans={spans} width={width} />
      ))}
    </Box>
  );
}
