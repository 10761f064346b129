// The statistics of a multi-target run: a row per mode and target (the targets of one mode next
// to each other, the reference first, so a column reads as a comparison), and a Δ column after
// each p50: the target's p50 minus the reference's, in milliseconds. A signed "+50ms" is read at
// a glance and is what the question "how much slower is the gateway?" asks for; a percentage
// would hide whether 10% is 5 ms or 5 s. The verdict at the end is paired (per request); the Δ
// here compares the running distributions, which agree with it once enough requests finished.
import { Box } from 'ink';
import type { EngineSnapshot, MetricSummary, ModeStats } from '../engine/types.ts';
import { MODES } from '../engine/types.ts';
import { formatCount, formatDeltaMs, formatLatency, formatRate, padEnd, padStart } from '../ui/format.ts';
import { modeRole, useTheme } from '../ui/theme.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';
import { MODE_LABEL, groupLine, type Group } from './StatsTable.tsx';

export interface TargetsStatsTableProps {
  names: readonly string[];
  /** Every target's snapshot, the reference first. */
  snapshots: readonly EngineSnapshot[];
  width: number;
}

type Metric = 'ttft' | 'ttfo' | 'itl' | 'e2e';

interface Column {
  group: Group;
  header: string;
  width: number;
  /** Lower survives longer when the table must shrink. */
  priority: number;
  /** `ref`: the reference's stats of the same mode; undefined on the reference's own row. */
  cell: (m: ModeStats, ref: ModeStats | undefined) => string;
  delta?: boolean;
}

const GROUP: Record<Metric, Group> = { ttft: 'TTFT', ttfo: 'TTFO', itl: 'ITL', e2e: 'E2E' };
const MAX_NAME = 10;

function latency(metric: Metric, stat: keyof Omit<MetricSummary, 'count'>, priority: number): Column {
  return { group: GROUP[metric], header: stat, width: 6, priority, cell: (m) => formatLatency(m[metric][stat], m[metric].count) };
}

/** The target's p50 minus the reference's; `ref` on the reference's row, `-` without samples on either side. */
export function deltaCell(metric: Metric, m: ModeStats, ref: ModeStats | undefined): string {
  if (ref === undefined) return m[metric].count > 0 ? 'ref' : '-';
  if (m[metric].count === 0 || ref[metric].count === 0) return '-';
  return formatDeltaMs(m[metric].p50 - ref[metric].p50);
}

function delta(metric: Metric, priority: number): Column {
  return { group: GROUP[metric], header: 'Δp50', width: 7, priority, delta: true, cell: (m, ref) => deltaCell(metric, m, ref) };
}

// In display order; `priority` decides what goes first when space runs out. TTFT and its Δ stay
// longest: the first token is what a gateway or a slower model changes first.
const COLUMNS: readonly Column[] = [
  { group: 'requests', header: 'req', width: 6, priority: 0, cell: (m) => formatCount(m.requests) },
  { group: 'requests', header: 'ok', width: 6, priority: 4, cell: (m) => formatCount(m.succeeded) },
  { group: 'requests', header: 'fail', width: 6, priority: 0, cell: (m) => formatCount(m.failed + m.earlyStopped) },
  latency('ttft', 'p50', 0),
  delta('ttft', 0),
  latency('ttft', 'p95', 1),
  latency('ttft', 'p99', 5),
  latency('ttfo', 'p50', 1),
  delta('ttfo', 1),
  latency('itl', 'p50', 2),
  delta('itl', 4),
  latency('itl', 'p95', 6),
  latency('e2e', 'p50', 1),
  delta('e2e', 1),
  latency('e2e', 'p95', 2),
  latency('e2e', 'p99', 5),
  { group: '', header: 'tok/s', width: 7, priority: 3, cell: (m) => formatRate(m.outputTokensPerSec) },
];

/** Columns that fit `budget` characters, in display order; TTFO only once a response reasoned. */
export function targetColumns(budget: number, reasoning: boolean): Column[] {
  const all = COLUMNS.filter((c) => reasoning || c.group !== 'TTFO');
  const chosen = new Set<Column>();
  let used = 0;
  for (const c of [...all].sort((a, b) => a.priority - b.priority)) {
    if (used + c.width > budget) continue;
    chosen.add(c);
    used += c.width;
  }
  return all.filter((c) => chosen.has(c));
}

/** Lines the table takes: the group line, the header, a row per mode and target. */
export function targetsStatsLines(targets: number): number {
  return 2 + MODES.length * targets;
}

export function TargetsStatsTable({ names, snapshots, width }: TargetsStatsTableProps): React.JSX.Element {
  const theme = useTheme();
  const nameWidth = Math.min(MAX_NAME, Math.max(6, ...names.map((n) => Array.from(n).length)));
  const labelWidth = MODE_LABEL.nonstream.length + 1 + nameWidth + 1;
  const reasoning = snapshots.some((s) => s.byMode.stream.reasoningRequests + s.byMode.nonstream.reasoningRequests > 0);
  const cols = targetColumns(width - labelWidth, reasoning);
  const groups: Span[] = [{ text: ' '.repeat(labelWidth) }];
  for (const g of groupLine(cols)) groups.push({ text: g.text, dim: true, bold: g.group === 'TTFT' || g.group === 'TTFO' });
  const headers: Span[] = [{ text: padEnd('mode', MODE_LABEL.nonstream.length + 1) + padEnd('target', nameWidth + 1) + cols.map((c) => padStart(c.header, c.width)).join(''), bold: true }];
  const rows: Span[][] = [];
  const ref = snapshots[0];
  for (const mode of MODES) {
    snapshots.forEach((s, t) => {
      const m = s.byMode[mode];
      const refStats = t === 0 || ref === undefined ? undefined : ref.byMode[mode];
      const color = theme.targetColor(t);
      rows.push([
        { text: padEnd(t === 0 ? MODE_LABEL[mode] : '', MODE_LABEL.nonstream.length + 1), role: modeRole(mode) },
        { text: padEnd(names[t] ?? String(t), nameWidth + 1), bold: true, ...(color !== undefined ? { color } : {}) },
        ...cols.map((c): Span => {
          const text = padStart(c.cell(m, refStats), c.width);
          if (c.header === 'fail' && m.failed + m.earlyStopped > 0) return { text, role: 'error' };
          if (c.delta === true) return { text, bold: true, ...(refStats === undefined ? { dim: true } : {}) };
          return { text, bold: c.group === 'TTFT' || c.group === 'TTFO' };
        }),
      ]);
    });
  }
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
