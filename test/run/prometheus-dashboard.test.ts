import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { METRIC_NAMES } from '../../src/run/prometheus.ts';

/**
 * examples/grafana-dashboard.json queries the exporter by name: every metric and label in its
 * expressions must be one the exporter writes, so a rename cannot leave the dashboard blank.
 */
interface Panel {
  title?: string;
  type: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../examples/grafana-dashboard.json', import.meta.url), 'utf8')) as {
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: unknown; definition?: string }[] };
};

const allPanels = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const exprs = [
  ...allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? p.type, expr: t.expr ?? '' }))),
  ...dashboard.templating.list.filter((v) => v.definition !== undefined).map((v) => ({ panel: `variable ${v.name}`, expr: v.definition ?? '' })),
];

const HISTOGRAMS = new Set<string>([METRIC_NAMES.ttft, METRIC_NAMES.ttfo, METRIC_NAMES.itl, METRIC_NAMES.e2e]);
const LABELS = new Set(['target', 'mode', 'outcome', 'error_code', 'le', 'run_id', 'version', 'model', 'api']);

/** The exporter's family a series name belongs to (a histogram's _bucket, _sum and _count series). */
function familyOf(name: string): string {
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  return m?.[1] !== undefined && HISTOGRAMS.has(m[1]) ? m[1] : name;
}

test('the Grafana dashboard uses only metric names the exporter registers', () => {
  const registered = new Set<string>(Object.values(METRIC_NAMES));
  const used = new Set<string>();
  for (const { panel, expr } of exprs) {
    assert.notEqual(expr, '', `${panel}: an empty expression`);
    const names = expr.match(/\bstreamtop_[a-z0-9_]+/g) ?? [];
    assert.ok(names.length > 0, `${panel}: no streamtop metric in ${expr}`);
    for (const n of names) {
      assert.ok(registered.has(familyOf(n)), `${panel}: ${n} is not a metric the exporter registers`);
      used.add(familyOf(n));
    }
  }
  // Every panel the issue asks for has its metric.
  for (const n of [METRIC_NAMES.ttft, METRIC_NAMES.requests, METRIC_NAMES.inFlight, METRIC_NAMES.poolSize, METRIC_NAMES.outputTokens]) assert.ok(used.has(n), `${n} has no panel`);
});

test('the Grafana dashboard: its label names are the exporter\'s, and every expression is balanced', () => {
  for (const { panel, expr } of exprs) {
    // Strip quoted strings first: a regex value may hold any character.
    const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const stack: string[] = [];
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    for (const c of bare) {
      if (c === '(' || c === '[' || c === '{') stack.push(c);
      else if (c in pairs) assert.equal(stack.pop(), pairs[c], `${panel}: unbalanced ${c} in ${expr}`);
    }
    assert.equal(stack.length, 0, `${panel}: unclosed ${stack.join('')} in ${expr}`);
    for (const m of bare.matchAll(/\{([^}]*)\}/g)) {
      for (const matcher of (m[1] ?? '').split(',').filter((s) => s.trim() !== '')) {
        const label = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/.exec(matcher)?.[1];
        assert.ok(label !== undefined && LABELS.has(label), `${panel}: matcher ${matcher} in ${expr}`);
      }
    }
    for (const m of bare.matchAll(/\bby\s*\(([^)]*)\)/g))
      for (const label of (m[1] ?? '').split(',').map((s) => s.trim()))
        assert.ok(LABELS.has(label), `${panel}: by (${label}) in ${expr}`);
  }
});
