// The header of a multi-target run. Line 1: the targets, the reference, and the selected target
// (the one the pool keys act on) with its endpoint; the run's state on the right. Line 2: each
// target's pool (the selected one marked ▸), then what the targets share and their totals.
import { Box } from 'ink';
import type { EngineSnapshot, NamedTarget, RunState } from '../engine/types.ts';
import { formatCount, formatDuration, formatPercent, formatRate } from '../ui/format.ts';
import { spinnerFrame } from '../ui/spinner.ts';
import { runStateRole } from '../ui/theme.ts';
import { displayWidth, fitWidth } from '../ui/styled.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';
import { segmentLine, type Segment } from './Header.tsx';

export interface TargetsHeaderProps {
  targets: readonly NamedTarget[];
  snapshots: readonly EngineSnapshot[];
  selected: number;
  width: number;
}

const ORDER: readonly RunState[] = ['starting', 'running', 'paused', 'stopping', 'done'];

/** The run's state: the least advanced target's (a run is done when every target is). */
export function combinedState(snapshots: readonly EngineSnapshot[]): RunState {
  let least: RunState = 'done';
  for (const s of snapshots) if (ORDER.indexOf(s.state) < ORDER.indexOf(least)) least = s.state;
  return least;
}

/** `a=8 ▸b=9`: one value per target, the selected one marked. */
export function perTarget(names: readonly string[], values: readonly (string | number)[], selected: number): string {
  return names.map((n, i) => `${i === selected ? '▸' : ''}${n}=${values[i] ?? '-'}`).join(' ');
}

export function targetsLoadSegments(names: readonly string[], snaps: readonly EngineSnapshot[], selected: number): Segment[] {
  const ref = snaps[0];
  if (ref === undefined) return [];
  const sum = (f: (s: EngineSnapshot) => number): number => snaps.reduce((n, s) => n + f(s), 0);
  const errors = sum((s) => s.errorsTotal);
  const pools = perTarget(names, snaps.map((s) => s.concurrency), selected);
  const segments: Segment[] =
    ref.loadMode === 'open'
      ? [
          { text: `open loop ${formatRate(ref.rate ?? 0)}/s`, priority: 0, role: 'accent' },
          { text: `cap ${pools}`, priority: 0 },
          { text: `queued ${formatCount(sum((s) => s.queued))}`, priority: 1, role: sum((s) => s.queued) > 0 ? 'warn' : undefined },
        ]
      : [{ text: `closed loop N ${pools}`, priority: 0, role: 'accent' }];
  segments.push(
    { text: `in flight ${sum((s) => s.inFlight)}`, priority: 2 },
    { text: `stream ${formatPercent(ref.streamRatio)}`, priority: 2 },
    { text: `${formatRate(sum((s) => s.requestsPerSec))} req/s`, priority: 1 },
    { text: `${formatRate(sum((s) => s.outputTokensPerSec))} tok/s`, priority: 3 },
    { text: `errors ${perTarget(names, snaps.map((s) => formatCount(s.errorsTotal)), -1)}`, priority: 0, role: errors > 0 ? 'error' : undefined },
  );
  if (ref.earlyStopEnabled) segments.push({ text: 'early stop on', priority: 3, role: 'warn' });
  if (ref.loadMode === 'closed') segments.push({ text: 'pairs start together', priority: 4 });
  return segments;
}

export function TargetsHeader({ targets, snapshots, selected, width }: TargetsHeaderProps): React.JSX.Element {
  const state = combinedState(snapshots);
  const elapsed = Math.max(0, ...snapshots.map((s) => s.elapsedMs));
  const status = ` ${state.toUpperCase()} ${formatDuration(elapsed)} `;
  const statusWidth = displayWidth(status);
  const names = targets.map((t) => t.name);
  const sel = targets[selected];
  const selText = sel !== undefined ? `  ▸ ${sel.name}: ${sel.info.label} · ${sel.info.api} · ${sel.info.model}` : '';
  // The reference comes first ("a vs b": b is compared to a); a long list gives way to a count.
  const vs = names.join(' vs ');
  const which = displayWidth(vs) <= 32 ? vs : `${targets.length} targets, ref ${names[0] ?? ''}`;
  const leftFull = `${spinnerFrame(elapsed, state)} streamtop  ${which}${selText}`;
  const room = Math.max(0, width - statusWidth - 1);
  const left = displayWidth(leftFull) <= room ? leftFull : `${fitWidth(leftFull, Math.max(0, room - 1))}…`;
  const pad = ' '.repeat(Math.max(1, width - displayWidth(left) - statusWidth));
  const line1: Span[] = [
    { text: left, bold: true },
    { text: pad },
    { text: status, role: runStateRole(state), bold: true, inverse: state !== 'running' },
  ];
  const line2 = segmentLine(targetsLoadSegments(names, snapshots, selected), width);
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <StyledLine spans={line1} width={width} />
      <StyledLine spans={line2} width={width} />
    </Box>
  );
}
