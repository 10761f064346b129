// Two lines: who we are talking to and the run's state, then the load and its throughput.
import { Box } from 'ink';
import type { EngineSnapshot, TargetInfo } from '../engine/types.ts';
import { fitSegments, formatCount, formatDuration, formatLatency, formatPercent, formatRate } from '../ui/format.ts';
import { spinnerFrame } from '../ui/spinner.ts';
import { runStateRole } from '../ui/theme.ts';
import { displayWidth, fitWidth } from '../ui/styled.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';
import type { Role } from '../ui/theme.ts';

export interface HeaderProps {
  snapshot: EngineSnapshot;
  target: TargetInfo;
  width: number;
}

/** A piece of the header's second line; the lowest priorities go first when the line is too narrow. */
export interface Segment {
  text: string;
  priority: number;
  role?: Role;
}

const SEP = ' │ ';

/** The header's second line: the segments that fit the width, by priority, between dim separators. */
export function segmentLine(segments: readonly Segment[], width: number): Span[] {
  const line: Span[] = [];
  fitSegments(segments, width, SEP.length).forEach((seg, i) => {
    if (i > 0) line.push({ text: SEP, dim: true });
    line.push({ text: seg.text, ...(seg.role === undefined ? {} : { role: seg.role }) });
  });
  return line;
}

export function loadSegments(s: EngineSnapshot): Segment[] {
  const errRole: Role | undefined = s.errorsTotal > 0 ? 'error' : undefined;
  const segments: Segment[] =
    s.loadMode === 'open'
      ? [
          s.replay !== undefined
            ? { text: `replay ${s.replay.speed}x ${formatCount(s.replay.released)}/${formatCount(s.replay.total)}`, priority: 0, role: 'accent' }
            : { text: `open loop ${formatRate(s.rate ?? 0)}/s`, priority: 0, role: 'accent' },
          { text: `in flight ${s.inFlight}/${s.concurrency}`, priority: 1 },
          { text: `queued ${formatCount(s.queued)}`, priority: 0, role: s.queued > 0 ? 'warn' : undefined },
        ]
      : [
          { text: `closed loop N=${s.concurrency}`, priority: 0, role: 'accent' },
          { text: `in flight ${s.inFlight}`, priority: 1 },
        ];
  segments.push(
    { text: `stream ${formatPercent(s.streamRatio)}`, priority: 2 },
    { text: `${formatRate(s.requestsPerSec)} req/s`, priority: 0 },
    { text: `${formatRate(s.outputTokensPerSec)} tok/s`, priority: 1 },
    { text: `errors ${formatCount(s.errorsTotal)}`, priority: 0, role: errRole },
    { text: `segment ${s.segment}`, priority: 4 },
  );
  if (s.earlyStopEnabled) segments.push({ text: 'early stop on', priority: 3, role: 'warn' });
  if (s.loadMode === 'closed') {
    // Closed-loop latency is service time (no coordinated-omission correction); say so.
    segments.push({ text: 'latency = service time', priority: 5 });
  } else {
    const q = s.byMode.stream.queue.count > 0 ? s.byMode.stream.queue : s.byMode.nonstream.queue;
    segments.push({ text: `queue p95 ${formatLatency(q.p95, q.count)}`, priority: 3 });
  }
  return segments;
}

export function Header({ snapshot, target, width }: HeaderProps): React.JSX.Element {
  const status = ` ${snapshot.state.toUpperCase()} ${formatDuration(snapshot.elapsedMs)} `;
  const statusWidth = displayWidth(status);
  const workload = target.workload !== undefined ? ` · ${target.workload}` : '';
  const leftFull = `${spinnerFrame(snapshot.elapsedMs, snapshot.state)} streamtop  ${target.label} · ${target.api} · ${target.model}${workload}`;
  const room = Math.max(0, width - statusWidth - 1);
  const left = displayWidth(leftFull) <= room ? leftFull : `${fitWidth(leftFull, Math.max(0, room - 1))}…`;
  const pad = ' '.repeat(Math.max(1, width - displayWidth(left) - statusWidth));
  const line1: Span[] = [
    { text: left, bold: true },
    { text: pad },
    { text: status, role: runStateRole(snapshot.state), bold: true, inverse: snapshot.state !== 'running' },
  ];
  const line2 = segmentLine(loadSegments(snapshot), width);
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <StyledLine spans={line1} width={width} />
      <StyledLine spans={line2} width={width} />
    </Box>
  );
}
