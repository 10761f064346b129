// One terminal line of exactly `width` columns. Ink lays out and measures a constant string of
// spaces (one cache entry per width, however often the content changes) and the real, styled
// line replaces it when Ink writes the frame. See src/ui/styled.ts for why.
import { Transform } from 'ink';
import type { LineSpec } from '../ui/styled.ts';
import { renderLine } from '../ui/styled.ts';
import { useTheme } from '../ui/theme.ts';

export interface StyledLineProps {
  spans: LineSpec;
  /** Must not exceed the width of the containing box, or Ink would wrap the placeholder. */
  width: number;
}

const blanks = new Map<number, string>();
function blank(width: number): string {
  let s = blanks.get(width);
  if (s === undefined) {
    s = ' '.repeat(width);
    blanks.set(width, s);
  }
  return s;
}

export function StyledLine({ spans, width }: StyledLineProps): React.JSX.Element | null {
  const theme = useTheme();
  if (width <= 0) return null;
  const line = renderLine(spans, width, theme);
  return <Transform transform={() => line}>{blank(width)}</Transform>;
}
