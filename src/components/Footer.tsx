// The notice (if any) and the keys that work right now, read from the keymap. The keys wrap onto
// a second line when the layout allows it (80 columns need two); otherwise they drop by priority,
// and `q quit` and `? help` always survive.
import { Box } from 'ink';
import type { EngineSnapshot, TargetInfo } from '../engine/types.ts';
import type { DashboardCommands } from '../ui/dashboard-commands.ts';
import { KEYMAP, isAvailable, type TargetSelection } from '../ui/keymap.ts';
import { flattenText, truncate } from '../ui/format.ts';
import { displayWidth } from '../ui/styled.ts';
import type { Span } from '../ui/styled.ts';
import { StyledLine } from './StyledLine.tsx';

export interface FooterProps {
  snapshot: EngineSnapshot;
  commands: DashboardCommands;
  target: TargetInfo;
  width: number;
  /** Lines the footer may use (1 or 2). */
  maxLines?: number;
  helpOpen?: boolean;
  targets?: TargetSelection;
}

type Ctx = Pick<FooterProps, 'snapshot' | 'commands' | 'target' | 'helpOpen' | 'targets'>;

interface Item {
  keys: string;
  label: string;
  priority: number;
  notice?: boolean;
}

const ITEM_GAP = 2;

function itemWidth(item: Item): number {
  return displayWidth(item.keys) + 1 + displayWidth(item.label);
}

export function footerItems(ctx: Ctx, width: number): Item[] {
  const items: Item[] = [];
  const notice = ctx.snapshot.notice === undefined ? '' : flattenText(ctx.snapshot.notice).trim();
  // The notice gets at most half a line so keys stay visible; it goes first, where eyes land.
  if (notice !== '') items.push({ keys: '»', label: truncate(notice, Math.floor(width / 2)), priority: 0, notice: true });
  if (ctx.helpOpen === true) {
    items.push({ keys: '?/esc', label: 'close help', priority: 0 }, { keys: 'q', label: 'quit', priority: 0 });
    return items;
  }
  for (const b of KEYMAP) {
    if (b.footer === undefined || !isAvailable(b, ctx)) continue;
    // Toggles show their current state, so the footer doubles as a status line for them.
    let label = b.footer.label;
    if (b.id === 'pause' && ctx.snapshot.state === 'paused') label = 'resume';
    if (b.id === 'earlyStop') label = `${label}:${ctx.snapshot.earlyStopEnabled ? 'on' : 'off'}`;
    items.push({ keys: b.footer.keys, label, priority: b.footer.priority });
  }
  return items;
}

/** Greedy packing of items into lines of `width`, in keymap order. */
function pack(items: readonly Item[], width: number): Item[][] {
  const lines: Item[][] = [];
  let line: Item[] = [];
  let used = 0;
  for (const item of items) {
    const w = itemWidth(item);
    const need = line.length === 0 ? w : used + ITEM_GAP + w;
    if (line.length > 0 && need > width) {
      lines.push(line);
      line = [item];
      used = w;
    } else {
      line.push(item);
      used = need;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** The footer's lines: as many keys as fit in `maxLines`, dropping the least important first. */
export function footerLines(ctx: Ctx, width: number, maxLines: number): Item[][] {
  const items = footerItems(ctx, width);
  for (;;) {
    const lines = pack(items, width);
    if (lines.length <= maxLines || items.length <= 1) return lines.slice(0, Math.max(1, maxLines));
    let worst = 0;
    items.forEach((it, i) => {
      const w = items[worst];
      if (w !== undefined && it.priority >= w.priority) worst = i;
    });
    items.splice(worst, 1);
  }
}

export function Footer({ snapshot, commands, target, width, maxLines = 1, helpOpen = false, targets }: FooterProps): React.JSX.Element {
  const lines = footerLines({ snapshot, commands, target, helpOpen, ...(targets !== undefined ? { targets } : {}) }, width, maxLines).map((line) => {
    const spans: Span[] = [];
    line.forEach((item, i) => {
      if (i > 0) spans.push({ text: ' '.repeat(ITEM_GAP) });
      if (item.notice === true) spans.push({ text: `${item.keys} ${item.label}`, role: 'warn', bold: true });
      else spans.push({ text: item.keys, role: 'key', bold: true }, { text: ` ${item.label}`, dim: true });
    });
    return spans;
  });
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((spans, l) => (
        <StyledLine key={l} spans={spans} width={width} />
      ))}
    </Box>
  );
}
