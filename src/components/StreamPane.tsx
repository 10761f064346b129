// One in-flight request: a status line and the tail of its text. Non-streaming requests have no
// text until the body arrives, then show it whole; the engine decides that, the pane just draws.
import { Box } from 'ink';
import type { PaneSnapshot, PaneState } from '../engine/types.ts';
import { fitSegments, formatElapsed, formatRate, tailLines } from '../ui/format.ts';
import { modeRole, paneStateRole, useTheme } from '../ui/theme.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';
import type { Role } from '../ui/theme.ts';

export interface StreamPaneProps {
  pane: PaneSnapshot;
  width: number;
  /** Total lines: the status line plus `height - 1` lines of text. */
  height: number;
  /** With several targets: the target the request was sent to (its name first, in its colour). */
  target?: { name: string; index: number };
}

export function stateLabel(pane: Pick<PaneSnapshot, 'state' | 'mode'>): string {
  if (pane.state === 'waiting') return pane.mode === 'stream' ? 'first token…' : 'awaiting body';
  return pane.state;
}

const PLACEHOLDER: Record<PaneState, string> = {
  queued: 'queued for a slot',
  connecting: 'connecting…',
  waiting: 'waiting for first token…',
  thinking: 'thinking…',
  streaming: '',
  done: '(empty response)',
  failed: '',
};

function placeholder(pane: PaneSnapshot): string {
  if (pane.state === 'waiting' && pane.mode === 'nonstream') return 'waiting for the whole response…';
  if (pane.state === 'failed') return pane.errorCode ?? 'failed';
  // Tokens counted but no text: the engine did not keep a tail for it; do not claim it was empty.
  if (pane.state === 'done' && pane.tokens > 0) return '(complete)';
  return PLACEHOLDER[pane.state];
}

interface Segment {
  text: string;
  priority: number;
  role?: Role;
  color?: string;
}

export function StreamPane({ pane, width, height, target }: StreamPaneProps): React.JSX.Element | null {
  const theme = useTheme();
  if (height < 1 || width < 1) return null;
  const targetColor = target !== undefined ? theme.targetColor(target.index) : undefined;
  const segments: Segment[] = [
    // Which endpoint this stream is from stays as long as the state does.
    ...(target !== undefined ? [{ text: `[${target.name}]`, priority: 0, ...(targetColor !== undefined ? { color: targetColor } : {}) }] : []),
    { text: `#${pane.id}`, priority: 2, role: 'muted' },
    { text: pane.mode === 'stream' ? 'stream' : 'non-stream', priority: 1, role: modeRole(pane.mode) },
    { text: stateLabel(pane), priority: 0, role: paneStateRole(pane.state) },
    { text: formatElapsed(pane.elapsedMs), priority: 1 },
  ];
  if (pane.session !== undefined) {
    const s = pane.session;
    segments.push({ text: `session ${s.session} · turn ${s.turn}/${s.turns}`, priority: 3, role: 'muted' });
  }
  if (pane.tokens > 0) {
    segments.push({ text: `${pane.tokens} tok`, priority: 3 });
    segments.push({ text: `${formatRate(pane.tokensPerSec)} tok/s`, priority: 4 });
  }
  if (pane.state === 'failed' && pane.errorCode !== undefined) {
    segments.push({ text: pane.errorCode, priority: 2, role: 'error' });
  }
  const status: Span[] = [];
  fitSegments(segments, width, 1).forEach((seg, i) => {
    if (i > 0) status.push({ text: ' ' });
    status.push({ text: seg.text, bold: seg.priority === 0, ...(seg.role === undefined ? {} : { role: seg.role }), ...(seg.color === undefined ? {} : { color: seg.color }) });
  });
  const textLines = height - 1;
  // Reasoning comes first, dimmed, and scrolls away as the answer fills the pane; a tool call's
  // line (⚙ name(args…)) stands out.
  const reasoning = pane.reasoning === undefined ? [] : tailLines(pane.reasoning, width, textLines);
  const answer = tailLines(pane.text, width, textLines);
  const finished = pane.state === 'done';
  const lines: Span[] = [
    ...reasoning.map((text): Span => ({ text, dim: true })),
    ...answer.map((text): Span => (text.startsWith('⚙ ') ? { text, dim: finished, role: 'accent' } : { text, dim: finished })),
  ].slice(-Math.max(1, textLines));
  const shown: Span[] = lines.length === 0 ? [{ text: placeholder(pane), dim: true }] : lines;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <StyledLine spans={status} width={width} />
      {shown.slice(0, Math.max(0, textLines)).map((line, i) => (
        <StyledLine key={i} spans={[line]} width={width} />
      ))}
    </Box>
  );
}
