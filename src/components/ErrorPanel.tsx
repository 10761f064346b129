// Failures grouped by stable error code, most frequent first, each with its latest message.
import { Box, Text } from 'ink';
import type { ErrorGroup } from '../engine/types.ts';
import { flattenText, formatCount, padEnd } from '../ui/format.ts';
import { useTheme } from '../ui/theme.ts';

export interface ErrorPanelProps {
  errors: readonly ErrorGroup[];
  width: number;
  /** Lines available; with more codes than lines the last line summarises the rest. */
  maxLines: number;
}

const CODE_WIDTH = 20;

export function ErrorPanel({ errors, width, maxLines }: ErrorPanelProps): React.JSX.Element | null {
  const theme = useTheme();
  if (errors.length === 0 || maxLines <= 0) return null;
  const sorted = [...errors].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const overflow = sorted.length > maxLines;
  const shown = overflow ? sorted.slice(0, maxLines - 1) : sorted;
  const rest = sorted.slice(shown.length);
  const restCount = rest.reduce((n, e) => n + e.count, 0);
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {shown.map((e) => (
        <Text key={e.code} wrap="truncate-end">
          <Text color={theme.color('error')} bold>
            {'✗ '}
            {padEnd(e.code, CODE_WIDTH)}
          </Text>
          <Text>{padEnd(`×${formatCount(e.count)}`, 8)}</Text>
          <Text dimColor>{flattenText(e.lastMessage)}</Text>
        </Text>
      ))}
      {overflow ? (
        <Text wrap="truncate-end" dimColor>
          {`  +${rest.length} more codes (${formatCount(restCount)} errors)`}
        </Text>
      ) : null}
    </Box>
  );
}
