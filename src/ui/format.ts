// Number and text formatting for the dashboard. Every formatter returns a short string of bounded
// width, because the table and chart columns are sized from these widths: a value that grows a
// character wider shifts every column to its right.
import { wrapWidth } from './styled.ts';

/** Milliseconds with sensible precision: `0.8ms`, `12ms`, `1.24s`, `12.3s`, `123s`. At most 6 chars. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const neg = ms < 0 ? '-' : '';
  const v = Math.abs(ms);
  // Thresholds sit just below the next unit's rounding point so `9.96` never prints as `10.0ms`.
  if (v < 9.95) return `${neg}${v.toFixed(1)}ms`;
  if (v < 999.5) return `${neg}${Math.round(v)}ms`;
  const s = v / 1000;
  if (s < 9.995) return `${neg}${s.toFixed(2)}s`;
  if (s < 99.95) return `${neg}${s.toFixed(1)}s`;
  return `${neg}${Math.round(s)}s`;
}

/** A signed difference of milliseconds: `+50ms`, `-3.2ms`, `+1.20s`. At most 7 chars. */
export function formatDeltaMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms < 0 ? formatMs(ms) : `+${formatMs(ms)}`;
}

/** A latency cell: `-` when the distribution is empty, so "no samples" never reads as "0ms". */
export function formatLatency(ms: number, count: number): string {
  return count > 0 ? formatMs(ms) : '-';
}

/** Elapsed time as `mm:ss`, or `h:mm:ss` past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Short elapsed time for panes: `0.4s`, `12.3s`, `2m05s`. */
export function formatElapsed(ms: number): string {
  const v = Math.max(0, Number.isFinite(ms) ? ms : 0);
  if (v < 59_950) return `${(v / 1000).toFixed(1)}s`;
  const total = Math.floor(v / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

/** A rate (per second) in at most 6 chars: `0.42`, `12.3`, `842`, `12.4k`, `1.2M`. */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec <= 0) return '0';
  if (perSec < 9.995) return perSec.toFixed(2);
  if (perSec < 99.95) return perSec.toFixed(1);
  if (perSec < 9_999.5) return String(Math.round(perSec));
  if (perSec < 999_950) return `${(perSec / 1000).toFixed(1)}k`;
  return `${(perSec / 1_000_000).toFixed(1)}M`;
}

/** A count in at most 5 chars for anything below 100 million: `999`, `12345`, `123k`, `12.3M`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const v = Math.round(n);
  if (Math.abs(v) < 99_999.5) return String(v);
  if (Math.abs(v) < 999_500) return `${Math.round(v / 1000)}k`;
  return `${(v / 1_000_000).toFixed(1)}M`;
}

/** A 0..1 ratio as a whole percentage. */
export function formatPercent(ratio: number): string {
  return `${Math.round((Number.isFinite(ratio) ? ratio : 0) * 100)}%`;
}

// C0 and C1 control characters, DEL, and ANSI escape sequences: model output is untrusted text,
// and an escape sequence in it would move the cursor or recolour the terminal under Ink's feet.
// eslint-disable-next-line no-control-regex
const ANSI_SEQUENCE = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

/** Flattens text to one safe line: escapes removed, newlines and other controls become spaces. */
export function flattenText(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(CONTROL, ' ').replace(/ {2,}/g, ' ');
}

/**
 * The last `lines` lines of `text` wrapped hard at `width` characters (code points), after
 * flattening. The tail is what a reader of a live stream wants: the newest tokens.
 */
export function tailLines(text: string, width: number, lines: number): string[] {
  if (width <= 0 || lines <= 0) return [];
  // Wrapped from the start of the tail so earlier lines do not reflow as tokens arrive: the last
  // line fills up, then everything scrolls by one line. Wide (CJK) characters count double.
  return wrapWidth(flattenText(text).trimStart(), width).slice(-lines);
}

/** Truncates to `width` characters with a trailing ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width === 1) return '…';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** Pads (or truncates) to exactly `width` characters, right-aligned. */
export function padStart(text: string, width: number): string {
  const t = truncate(text, width);
  return ' '.repeat(Math.max(0, width - Array.from(t).length)) + t;
}

/** Pads (or truncates) to exactly `width` characters, left-aligned. */
export function padEnd(text: string, width: number): string {
  const t = truncate(text, width);
  return t + ' '.repeat(Math.max(0, width - Array.from(t).length));
}

/**
 * Joins segments with `sep`, dropping the lowest-priority ones (highest number) until the line
 * fits `width`. Order on screen stays the order given. Used for header and footer lines, where
 * dropping a whole item reads better than cutting one in half.
 */
export function fitSegments<T extends { text: string; priority: number }>(
  segments: readonly T[],
  width: number,
  sepWidth: number,
): T[] {
  const kept = [...segments];
  const len = (xs: readonly T[]): number =>
    xs.reduce((n, s) => n + Array.from(s.text).length, 0) + Math.max(0, xs.length - 1) * sepWidth;
  while (kept.length > 1 && len(kept) > width) {
    let worst = 0;
    for (let i = 1; i < kept.length; i++) {
      const a = kept[i];
      const b = kept[worst];
      if (a !== undefined && b !== undefined && a.priority >= b.priority) worst = i;
    }
    kept.splice(worst, 1);
  }
  return kept;
}
