// The `?` overlay: every binding from the keymap, with what it does and when it is available.
// It replaces the dashboard body (not a floating box) so it never pushes the frame past the
// terminal height.
import { Box, Text } from 'ink';
import type { DashboardCommands, EngineSnapshot, TargetInfo } from '../engine/types.ts';
import { KEYMAP, RATE_FACTOR, isAvailable } from '../ui/keymap.ts';
import type { KeyBinding } from '../ui/keymap.ts';
import { padEnd } from '../ui/format.ts';
import { useTheme } from '../ui/theme.ts';

export interface HelpOverlayProps {
  snapshot: EngineSnapshot;
  commands: DashboardCommands;
  target: TargetInfo;
  width: number;
  height: number;
}

const KEYS_WIDTH = 11;
const MIN_COLUMN_WIDTH = 48;

export function HelpOverlay({ snapshot, commands, target, width, height }: HelpOverlayProps): React.JSX.Element | null {
  const theme = useTheme();
  if (height <= 0) return null;
  const ctx = { snapshot, commands, target };
  const bodyLines = Math.max(1, height - 2);
  // Two columns when one would not fit and the terminal is wide enough for two.
  const columns = KEYMAP.length > bodyLines && width >= MIN_COLUMN_WIDTH * 2 + 2 ? 2 : 1;
  const perColumn = Math.ceil(KEYMAP.length / columns);
  const colWidth = Math.floor((width - 2 * (columns - 1)) / columns);
  const groups: KeyBinding[][] = [];
  for (let c = 0; c < columns; c++) groups.push(KEYMAP.slice(c * perColumn, (c + 1) * perColumn));

  const line = (b: KeyBinding): React.JSX.Element => {
    const ok = isAvailable(b, ctx);
    return (
      <Text key={b.id} wrap="truncate-end" dimColor={!ok}>
        <Text color={ok ? theme.color('key') : undefined} bold>
          {padEnd(b.keys, KEYS_WIDTH)}
        </Text>
        {b.description}
        {!ok && b.availability !== undefined ? ` (${b.availability})` : ''}
      </Text>
    );
  };

  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      <Text bold wrap="truncate-end">
        {`keys  (pool 1..10000; stream share in 10% steps; rate ×/÷${RATE_FACTOR})`}
      </Text>
      <Box height={Math.min(bodyLines, perColumn)} overflow="hidden">
        {groups.map((g, c) => (
          <Box key={c} flexDirection="column" width={colWidth} marginLeft={c > 0 ? 2 : 0} flexShrink={0}>
            {g.map(line)}
          </Box>
        ))}
      </Box>
      {height >= 2 ? (
        <Text dimColor wrap="truncate-end">
          press ? or esc to close
        </Text>
      ) : null}
    </Box>
  );
}
