// Failures grouped by stable error code, most frequent first, each with its latest message.
import { Box } from 'ink';
import type { ErrorGroup } from '../engine/types.ts';
import { flattenText, formatCount, padEnd } from '../ui/format.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';

export interface ErrorPanelProps {
  errors: readonly ErrorGroup[];
  width: number;
  /** Lines available; with more codes than lines the last line summarises the rest. */
  maxLines: number;
}

const CODE_WIDTH = 20;

export function ErrorPanel({ errors, width, maxLines }: ErrorPanelProps): React.JSX.Element | null {
  if (errors.length === 0 || maxLines <= 0) return null;
  const sorted = [...errors].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const overflow = sorted.length > maxLines;
  const shown = overflow ? sorted.slice(0, maxLines - 1) : sorted;
  const rest = sorted.slice(shown.length);
  const restCount = rest.reduce((n, e) => n + e.count, 0);
  const lines: Span[][] = shown.map((e) => [
    { text: `✗ ${padEnd(e.code, CODE_WIDTH)}`, role: 'error', bold: true },
    { text: padEnd(`×${formatCount(e.count)}`, 8) },
    { text: flattenText(e.lastMessage), dim: true },
  ]);
  if (overflow) lines.push([{ text: `  +${rest.length} more codes (${formatCount(restCount)} errors)`, dim: true }]);
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((spans, i) => (
        <StyledLine key={i} spans={spans} width={width} />
      ))}
    </Box>
  );
}
