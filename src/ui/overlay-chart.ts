// Pure layout of the multi-target chart: every target's p50 and p95 of one metric on one plot.
// asciichart draws one glyph set per plot and colours lines with raw codes, so overlaid lines of
// several targets could only be told apart by colour (and not at all under NO_COLOR). Here each
// cell remembers which target drew it (the component colours it), p95 lines are dashed, and each
// line ends in its target's tag, so a plain-text capture still says which line is whose.
import type { SeriesPoint } from '../engine/types.ts';
import { AXIS_LABEL_WIDTH } from './chart.ts';
import { formatMs, padStart } from './format.ts';

export type OverlayStat = 'p50' | 'p95';

export interface OverlayLine {
  /** Index of the target (its colour and tag). */
  target: number;
  stat: OverlayStat;
  /** One value per column, oldest first, right-aligned with the other lines; undefined: no data. */
  values: readonly (number | undefined)[];
}

export interface OverlayCell {
  ch: string;
  /** The target whose line this is; undefined for the axis, labels and blanks. */
  target?: number;
}

/** Label, one space, the axis: the columns before the first point. */
const OVERHEAD = AXIS_LABEL_WIDTH + 2;

interface Glyphs {
  flat: string;
  up: readonly [string, string];
  down: readonly [string, string];
  vertical: string;
}
// up: [lower corner, upper corner] of a rise; down: [upper corner, lower corner] of a fall.
const SOLID: Glyphs = { flat: '─', up: ['╯', '╭'], down: ['╮', '╰'], vertical: '│' };
const DASHED: Glyphs = { flat: '╌', up: ['╯', '╭'], down: ['╮', '╰'], vertical: '╎' };

/** Points per line that fit `width` (one column is kept free for the tags at the right end). */
export function overlayPoints(width: number): number {
  return Math.max(0, width - OVERHEAD);
}

/**
 * Right-aligned values of one statistic of a target's points: the newest `n`, a point without
 * samples as a gap (not a dive to 0).
 */
export function alignedValues(points: readonly SeriesPoint[], stat: OverlayStat, n: number): (number | undefined)[] {
  const tail = points.slice(-n);
  const out: (number | undefined)[] = Array.from({ length: n - tail.length }, () => undefined);
  for (const p of tail) out.push(p.count > 0 && Number.isFinite(p[stat]) ? p[stat] : undefined);
  return out;
}

/**
 * A short tag per target for the line ends: the first character of each name when those differ,
 * else the target's number (1 for the reference).
 */
export function targetTags(names: readonly string[]): string[] {
  const firsts = names.map((n) => Array.from(n)[0] ?? '?');
  return new Set(firsts).size === firsts.length ? firsts : names.map((_, i) => String((i + 1) % 10));
}

/**
 * `height + 1` rows of `width` cells: y-axis labels, the axis, and the lines. Null when no line
 * has a value yet. Later lines are drawn over earlier ones: pass the ones to keep on top last.
 */
export function renderOverlay(lines: readonly OverlayLine[], opts: { width: number; height: number; tags: readonly string[] }): OverlayCell[][] | null {
  const { width, height } = opts;
  if (height < 1 || width <= OVERHEAD + 1) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const l of lines) for (const v of l.values) if (v !== undefined) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min === Infinity) return null;
  // A flat line gets a band, so the plot keeps its height and its labels mean something.
  if (max - min < 1e-6) max = min + Math.max(1, Math.abs(min) * 0.1);
  const range = max - min;
  const rowOf = (v: number): number => height - Math.round(((v - min) / range) * height);

  const grid: OverlayCell[][] = Array.from({ length: height + 1 }, () => Array.from({ length: width }, () => ({ ch: ' ' })));
  const put = (row: number, col: number, ch: string, target?: number): void => {
    const r = grid[row];
    if (r === undefined || col < 0 || col >= width) return;
    r[col] = target === undefined ? { ch } : { ch, target };
  };
  for (let row = 0; row <= height; row++) {
    const label = padStart(formatMs(max - (row * range) / height), AXIS_LABEL_WIDTH);
    Array.from(label).forEach((ch, i) => put(row, i, ch));
    put(row, OVERHEAD - 1, '┤');
  }
  for (const line of lines) {
    const g = line.stat === 'p95' ? DASHED : SOLID;
    const vs = line.values;
    let last = -1;
    for (let x = 0; x < vs.length; x++) {
      const v0 = vs[x];
      if (v0 === undefined) continue;
      last = x;
      const v1 = vs[x + 1];
      if (v1 === undefined) continue;
      const col = OVERHEAD + x;
      const r0 = rowOf(v0);
      const r1 = rowOf(v1);
      if (r0 === r1) {
        put(r0, col, g.flat, line.target);
        continue;
      }
      const rising = r1 < r0;
      // asciichart's shape: the corner at the old value turns toward the new one, a vertical between.
      const [at0, at1] = rising ? g.up : g.down;
      put(r0, col, at0, line.target);
      put(r1, col, at1, line.target);
      for (let r = Math.min(r0, r1) + 1; r < Math.max(r0, r1); r++) put(r, col, g.vertical, line.target);
    }
    const end = last >= 0 ? vs[last] : undefined;
    if (end !== undefined) put(rowOf(end), OVERHEAD + last, opts.tags[line.target] ?? '?', line.target);
  }
  return grid;
}
