import { chartLibrary } from './assets.ts';
import type { ChartSpec } from './chart-spec.ts';
import { CLIENT_JS } from './client.ts';
import { escapeHtml, jsonForScript } from './escape.ts';

/**
 * The page skeleton every HTML report shares: inline styles (light and dark), the inlined chart
 * library, the chart data as JSON, and building blocks for sections, tables and charts. Nothing on
 * the page is fetched: no external script, style, font or image.
 */

/** A table of numbers; every chart has one (its text alternative). Cells are plain text. */
export interface DataTable {
  caption: string;
  head: string[];
  rows: string[][];
  /** Extra attributes per row (values are escaped here). */
  rowAttrs?: Record<string, string>[];
  /** Columns holding prose (left-aligned, wrapping) rather than numbers. */
  textCols?: number[];
}

export function tableHtml(t: DataTable, attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join('');
  const head = t.head.map((h, i) => `<th scope="col"${i > 0 && !t.textCols?.includes(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const rows = t.rows
    .map((r, ri) => {
      const ra = Object.entries(t.rowAttrs?.[ri] ?? {}).map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join('');
      const cells = r
        .map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td class="${t.textCols?.includes(i) ? 'msg' : 'num'}">${escapeHtml(c)}</td>`))
        .join('');
      return `<tr${ra}>${cells}</tr>`;
    })
    .join('\n');
  return `<table${a}><caption>${escapeHtml(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/**
 * A chart drawn by the page script, with its numbers in a table right under it (collapsed, since
 * a 10-minute timeline is 600 rows); the chart points screen readers at the table.
 */
export function chartBlock(spec: ChartSpec, title: string, table: DataTable, note?: string): string {
  const tableId = `${spec.id}-table`;
  return `<figure class="chart-block">
<figcaption><h3>${escapeHtml(title)}</h3>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}</figcaption>
<div class="chart" data-chart="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(`${title}: chart; its numbers are in the table below`)}" aria-describedby="${tableId}"></div>
<details><summary>Numbers for this chart</summary><div class="table-wrap">${tableHtml(table, { id: tableId })}</div></details>
</figure>`;
}

/** A chart drawn here as SVG, with its table beside it (shown: these tables are short). */
export function svgBlock(svg: string, title: string, table: DataTable, note?: string): string {
  return `<figure class="chart-block">
<figcaption><h3>${escapeHtml(title)}</h3>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}</figcaption>
<div class="svg-wrap">${svg}</div>
<div class="table-wrap">${tableHtml(table)}</div>
</figure>`;
}

export function section(title: string, body: string, id?: string): string {
  return `<section${id ? ` id="${escapeHtml(id)}"` : ''}><h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

/** A definition list of header facts (label, value). */
export function factsHtml(facts: [string, string][]): string {
  return `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

export function paragraph(text: string, cls?: string): string {
  return `<p${cls ? ` class="${escapeHtml(cls)}"` : ''}>${escapeHtml(text)}</p>`;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2937; --muted: #6b7280; --grid: rgba(107,114,128,0.22);
  --panel: #f6f7f9; --border: #d9dde3; --marker: #6b7280; --accent: #2563eb; --good: #15803d; --bad: #b91c1c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111418; --fg: #e5e7eb; --muted: #9ca3af; --grid: rgba(156,163,175,0.2);
    --panel: #1a1f26; --border: #2d3440; --marker: #9ca3af; --accent: #60a5fa; --good: #4ade80; --bad: #f87171; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 0; }
.sub { color: var(--muted); margin: 0 0 16px; }
.note { color: var(--muted); margin: 2px 0 6px; font-size: 13px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 6px 18px; margin: 0;
  background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 12px 14px; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.callout { background: var(--panel); border: 1px solid var(--border); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; font-size: 15px; }
.warn { border-left-color: var(--bad); }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: 12px; padding: 2px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--border); text-align: left; white-space: nowrap; }
thead th { font-weight: 600; border-bottom-width: 2px; }
tbody th { font-weight: 500; }
.num { text-align: right; }
td.msg { white-space: normal; text-align: left; overflow-wrap: anywhere; max-width: 640px; }
.table-wrap { overflow-x: auto; }
.chart-block { margin: 18px 0 8px; padding: 0; }
.chart { width: 100%; min-height: 260px; position: relative; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 0 24px; }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; margin: 4px 0; }
.chart-tip { position: absolute; display: none; pointer-events: none; z-index: 10; background: var(--panel); color: var(--fg);
  border: 1px solid var(--border); border-radius: 4px; padding: 4px 8px; font-size: 12px; white-space: nowrap; box-shadow: 0 2px 6px rgba(0,0,0,0.2); }
.u-legend { color: var(--fg); font-size: 12px; }
.u-select { background: rgba(96,165,250,0.15); }
.svg-wrap { max-width: 820px; }
.svg-chart { width: 100%; height: auto; font: 12px system-ui, sans-serif; fill: var(--fg); }
.svg-chart text { fill: var(--fg); }
.svg-chart .svg-tick { fill: var(--muted); font-size: 11px; }
.svg-chart .svg-group { font-weight: 600; }
.svg-grid { stroke: var(--grid); stroke-width: 1; }
.svg-whisker { stroke: var(--fg); stroke-width: 1.5; }
.svg-highlight { fill: none; stroke: var(--accent); stroke-width: 2.5; }
.svg-callout { font-weight: 600; fill: var(--accent) !important; }
.pass { color: var(--good); font-weight: 600; }
.fail { color: var(--bad); font-weight: 600; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

export interface PageInput {
  title: string;
  subtitle: string;
  body: string[];
  charts: ChartSpec[];
  /** Which kind of page: the browser test and styling key off it. */
  kind: 'run' | 'sweep' | 'comparison' | 'targets';
  toolVersion: string;
}

export function renderPage(p: PageInput): string {
  const lib = chartLibrary();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="streamtop ${escapeHtml(p.toolVersion)}">
<title>${escapeHtml(p.title)}</title>
<style>${lib.style}</style>
<style>${STYLE}</style>
</head>
<body data-page="${p.kind}">
<main>
<header><h1>${escapeHtml(p.title)}</h1><p class="sub">${escapeHtml(p.subtitle)}</p></header>
${p.body.join('\n')}
<footer>Written by streamtop ${escapeHtml(p.toolVersion)}. Charts: uPlot ${escapeHtml(lib.version)} (MIT), inlined; drag across a chart to zoom, double-click to reset. This file loads nothing from the network.</footer>
</main>
<script type="application/json" id="streamtop-data">${jsonForScript({ charts: p.charts })}</script>
<script>${lib.script}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
