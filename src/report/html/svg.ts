import { escapeHtml } from './escape.ts';

/**
 * Two small charts drawn as SVG when the page is written: grouped bars (comparisons) and a
 * throughput-latency curve (sweeps). Neither fits uPlot well (categories; an x that is not
 * sorted, since throughput can fall past saturation), both have a handful of points, and SVG needs
 * no script: each mark carries a <title>, the browser's tooltip.
 */

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
/** Axis ticks are round numbers: no trailing zeros. */
const tickText = (v: number): string => String(Number(v.toPrecision(3)));

/** Round tick steps (1, 2, 5 x 10^k) covering 0..max. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number(((ticks.at(-1) ?? 0) + step).toPrecision(12)));
  return ticks;
}

export interface Bar {
  label: string;
  color: string;
  value: number;
  /** Upper end of the whisker, drawn when above the bar. */
  high?: number;
  /**
   * Lower end of the whisker: with it, the whisker is an interval from `low` to `high` drawn
   * across the bar's end (a confidence interval), rather than a spread above it.
   */
  low?: number;
}

export interface BarGroup {
  title: string;
  bars: Bar[];
}

/** Horizontal grouped bars with whiskers; `unit` follows every value. */
export function barChartSvg(id: string, groups: BarGroup[], unit: string, description: string): string {
  const labelW = 150;
  const plotW = 560;
  const rowH = 22;
  const groupGap = 14;
  const titleH = 18;
  const max = Math.max(0, ...groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.high ?? 0))));
  const ticks = niceTicks(max);
  const top = ticks.at(-1) ?? 1;
  const x = (v: number): number => labelW + (Math.max(0, v) / top) * plotW;
  const parts: string[] = [];
  let y = 4;
  for (const g of groups) {
    parts.push(`<text x="0" y="${y + 13}" class="svg-group">${escapeHtml(g.title)}</text>`);
    y += titleH;
    for (const b of g.bars) {
      const w = Math.max(1, x(b.value) - labelW);
      const cy = y + rowH / 2;
      const tip =
        b.low !== undefined && b.high !== undefined
          ? `${b.label}: ${fmt(b.value)} ${unit}, interval ${fmt(b.low)} to ${fmt(b.high)} ${unit}`
          : `${b.label}: ${fmt(b.value)} ${unit}${b.high !== undefined ? `, up to ${fmt(b.high)} ${unit}` : ''}`;
      parts.push(`<g><title>${escapeHtml(`${g.title}, ${tip}`)}</title>`);
      parts.push(`<text x="${labelW - 8}" y="${cy + 4}" text-anchor="end">${escapeHtml(b.label)}</text>`);
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${b.color}" rx="2"/>`);
      let end = labelW + w;
      if (b.low !== undefined && b.high !== undefined) {
        const lx = x(b.low);
        const hx = x(b.high);
        parts.push(`<line x1="${lx.toFixed(1)}" y1="${cy}" x2="${hx.toFixed(1)}" y2="${cy}" class="svg-whisker"/>`);
        for (const cx of [lx, hx]) parts.push(`<line x1="${cx.toFixed(1)}" y1="${cy - 6}" x2="${cx.toFixed(1)}" y2="${cy + 6}" class="svg-whisker"/>`);
        end = Math.max(end, hx);
      } else if (b.high !== undefined && b.high > b.value) {
        const hx = x(b.high);
        parts.push(`<line x1="${end.toFixed(1)}" y1="${cy}" x2="${hx.toFixed(1)}" y2="${cy}" class="svg-whisker"/>`);
        parts.push(`<line x1="${hx.toFixed(1)}" y1="${cy - 6}" x2="${hx.toFixed(1)}" y2="${cy + 6}" class="svg-whisker"/>`);
        end = hx;
      }
      parts.push(`<text x="${(end + 6).toFixed(1)}" y="${cy + 4}" class="svg-value">${escapeHtml(fmt(b.value))}</text>`);
      parts.push('</g>');
      y += rowH;
    }
    y += groupGap;
  }
  const axisY = y;
  for (const t of ticks) {
    const tx = x(t).toFixed(1);
    parts.push(`<line x1="${tx}" y1="4" x2="${tx}" y2="${axisY}" class="svg-grid"/>`);
    parts.push(`<text x="${tx}" y="${axisY + 14}" text-anchor="middle" class="svg-tick">${tickText(t)}</text>`);
  }
  parts.push(`<text x="${labelW + plotW / 2}" y="${axisY + 30}" text-anchor="middle" class="svg-tick">${escapeHtml(unit)}</text>`);
  const h = axisY + 36;
  const width = labelW + plotW + 60;
  return `<svg id="${escapeHtml(id)}" class="svg-chart" viewBox="0 0 ${width} ${h}" role="img" aria-label="${escapeHtml(description)}">${parts.join('')}</svg>`;
}

export interface CurvePoint {
  x: number;
  y: number;
  /** Shown beside the point (a pool size or a rate). */
  tag: string;
}

export interface Curve {
  label: string;
  color: string;
  points: CurvePoint[];
}

/** Lines through points in the order given (not sorted by x), each point tagged; `highlight` rings one tag. */
export function curveChartSvg(
  id: string,
  curves: Curve[],
  axes: { x: string; y: string },
  highlight: { tag: string; label: string } | undefined,
  description: string,
): string {
  const left = 64;
  const right = 24;
  // Room above the plot for the legend, so it never covers a point.
  const topPad = 30;
  const plotW = 640;
  const plotH = 300;
  const all = curves.flatMap((c) => c.points);
  const xt = niceTicks(Math.max(0, ...all.map((p) => p.x)));
  const yt = niceTicks(Math.max(0, ...all.map((p) => p.y)));
  const xMax = xt.at(-1) ?? 1;
  const yMax = yt.at(-1) ?? 1;
  const px = (v: number): number => left + (v / xMax) * plotW;
  const py = (v: number): number => topPad + plotH - (v / yMax) * plotH;
  const parts: string[] = [];
  for (const t of yt) {
    parts.push(`<line x1="${left}" y1="${py(t).toFixed(1)}" x2="${left + plotW}" y2="${py(t).toFixed(1)}" class="svg-grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" class="svg-tick">${tickText(t)}</text>`);
  }
  for (const t of xt) {
    parts.push(`<line x1="${px(t).toFixed(1)}" y1="${topPad}" x2="${px(t).toFixed(1)}" y2="${topPad + plotH}" class="svg-grid"/>`);
    parts.push(`<text x="${px(t).toFixed(1)}" y="${topPad + plotH + 16}" text-anchor="middle" class="svg-tick">${tickText(t)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${topPad + plotH + 34}" text-anchor="middle">${escapeHtml(axes.x)}</text>`);
  parts.push(`<text transform="translate(14 ${topPad + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(axes.y)}</text>`);
  for (const c of curves) {
    const d = c.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)} ${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${c.color}" stroke-width="2"/>`);
    for (const p of c.points) {
      const tip = `${c.label} at ${p.tag}: ${fmt(p.y)} (${axes.y}), ${fmt(p.x)} (${axes.x})`;
      parts.push(`<g><title>${escapeHtml(tip)}</title><circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${c.color}"/>`);
      parts.push(`<text x="${(px(p.x) + 6).toFixed(1)}" y="${(py(p.y) - 6).toFixed(1)}" class="svg-tick">${escapeHtml(p.tag)}</text></g>`);
      if (highlight && p.tag === highlight.tag) {
        parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="9" class="svg-highlight"/>`);
      }
    }
  }
  if (highlight) {
    const first = curves[0]?.points.find((p) => p.tag === highlight.tag);
    if (first) {
      // Right of the point, or left of it when the point is near the right edge.
      const nearRight = px(first.x) > left + plotW * 0.7;
      const tx = nearRight ? px(first.x) - 12 : px(first.x) + 12;
      parts.push(`<text x="${tx.toFixed(1)}" y="${(py(first.y) + 22).toFixed(1)}" text-anchor="${nearRight ? 'end' : 'start'}" class="svg-callout">${escapeHtml(highlight.label)}</text>`);
    }
  }
  const legend = curves
    .map((c, i) => `<g transform="translate(${left + i * 150} 4)"><rect width="14" height="4" y="4" fill="${c.color}"/><text x="20" y="10">${escapeHtml(c.label)}</text></g>`)
    .join('');
  const h = topPad + plotH + 44;
  return `<svg id="${escapeHtml(id)}" class="svg-chart" viewBox="0 0 ${left + plotW + right} ${h}" role="img" aria-label="${escapeHtml(description)}">${parts.join('')}${legend}</svg>`;
}
