// The `?` overlay: every binding from the keymap, with what it does and when it is available.
// It replaces the dashboard body (not a floating box) so it never pushes the frame past the
// terminal height.
import { Box } from 'ink';
import type { EngineSnapshot, TargetInfo } from '../engine/types.ts';
import type { DashboardCommands } from '../ui/dashboard-commands.ts';
import { KEYMAP, RATE_FACTOR, isAvailable } from '../ui/keymap.ts';
import type { KeyBinding, TargetSelection } from '../ui/keymap.ts';
import { padEnd } from '../ui/format.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';

export interface HelpOverlayProps {
  snapshot: EngineSnapshot;
  commands: DashboardCommands;
  target: TargetInfo;
  width: number;
  height: number;
  /** With several targets: the help says which target each key acts on. */
  targets?: TargetSelection;
}

const KEYS_WIDTH = 11;
const MIN_COLUMN_WIDTH = 48;
const COLUMN_GAP = 2;

export function HelpOverlay({ snapshot, commands, target, width, height, targets }: HelpOverlayProps): React.JSX.Element | null {
  if (height <= 0) return null;
  const ctx = { snapshot, commands, target, ...(targets !== undefined ? { targets } : {}) };
  const several = targets !== undefined && targets.names.length > 1;
  const bindings = several ? KEYMAP : KEYMAP.filter((b) => b.onlyWithTargets !== true);
  const bodyLines = Math.max(1, height - 2);
  // Two columns when one would not fit and the terminal is wide enough for two.
  const columns = bindings.length > bodyLines && width >= MIN_COLUMN_WIDTH * 2 + COLUMN_GAP ? 2 : 1;
  const perColumn = Math.ceil(bindings.length / columns);
  const colWidth = Math.floor((width - COLUMN_GAP * (columns - 1)) / columns);
  const groups: KeyBinding[][] = [];
  for (let c = 0; c < columns; c++) groups.push(bindings.slice(c * perColumn, (c + 1) * perColumn).slice(0, bodyLines));

  const line = (b: KeyBinding): Span[] => {
    const ok = isAvailable(b, ctx);
    const note = !ok && b.availability !== undefined ? ` (${b.availability})` : '';
    const scope = !several || b.targetScope === undefined ? '' : b.targetScope === 'every' ? ' [every target]' : ` [${targets?.names[targets.selected] ?? 'selected target'}]`;
    return [
      { text: padEnd(b.keys, KEYS_WIDTH), bold: true, dim: !ok, ...(ok ? { role: 'key' as const } : {}) },
      { text: `${b.description}${scope}${note}`, dim: !ok },
    ];
  };

  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <StyledLine
        spans={[{ text: `keys  (pool 1..10000; stream share in 10% steps; rate ×/÷${RATE_FACTOR})`, bold: true }]}
        width={width}
      />
      {height >= 2 ? (
        <Box height={Math.min(bodyLines, perColumn)} flexShrink={0}>
          {groups.map((g, c) => (
            <Box key={c} flexDirection="column" width={colWidth} marginLeft={c > 0 ? COLUMN_GAP : 0} flexShrink={0}>
              {g.map((b) => (
                <StyledLine key={b.id} spans={line(b)} width={colWidth} />
              ))}
            </Box>
          ))}
        </Box>
      ) : null}
      {height >= 3 ? <StyledLine spans={[{ text: 'press ? or esc to close', dim: true }]} width={width} /> : null}
    </Box>
  );
}
