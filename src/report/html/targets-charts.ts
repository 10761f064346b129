import type { Report, TargetReport } from '../report.ts';
import { anyReasoning, fmtMs, fmtNum } from '../text.ts';
import { COLORS, PALETTE, type ChartSeries } from './chart-spec.ts';
import { distributionChart, distributionMetrics, modeCurves, type DistributionChart } from './distribution.ts';
import type { DataTable } from './page.ts';
import { latencySeries, loadMarkers, perSecond, pickLatency, windowWords, type TimelineChart, type TimelineEntry } from './timeline.ts';

/**
 * The charts of a multi-target run (--target), built from the single-run page's pieces
 * (timeline.ts, distribution.ts) with each target as a series source: per metric and mode one
 * chart with every target overlaid, one colour per target (the bars' colours), so a gateway and
 * the endpoint behind it read side by side.
 *
 * Each engine ticks its timeline once a second from its own start; the targets start together, so
 * entries are aligned on the nearest whole second. Where two entries of one target fall on the
 * same second (the partial one written at the stop), the later stands.
 */

export const targetColor = (i: number): string => PALETTE[i % PALETTE.length] ?? PALETTE[0];

/** p95 dashed, so it differs from p50 in more than the shade (the colour is the target's). */
export const P95_DASH = [3, 3];

interface Track {
  name: string;
  color: string;
  tl: TimelineEntry[];
  /** For each second of the shared x axis, the index into `tl`, if this target has it. */
  at: (number | undefined)[];
}

function align(targets: readonly TargetReport[]): { x: number[]; tracks: Track[] } {
  const second = (e: TimelineEntry): number => Math.round(e.tMs / 1000);
  const all = new Set<number>();
  for (const t of targets) for (const e of t.timeline) all.add(second(e));
  const x = [...all].sort((a, b) => a - b);
  const tracks = targets.map((t, i) => {
    const bySecond = new Map<number, number>();
    t.timeline.forEach((e, k) => bySecond.set(second(e), k));
    return { name: t.name, color: targetColor(i), tl: t.timeline, at: x.map((s) => bySecond.get(s)) };
  });
  return { x, tracks };
}

/** A target's values (one per entry of its own timeline) on the shared axis. */
const spread = (t: Track, values: readonly (number | null)[]): (number | null)[] => t.at.map((k) => (k === undefined ? null : (values[k] ?? null)));

function table(caption: string, x: readonly number[], series: readonly ChartSeries[], fmt: (v: number) => string): DataTable {
  return {
    caption,
    head: ['t (s)', ...series.map((s) => s.label)],
    rows: x.map((t, i) => [String(t), ...series.map((s) => (s.values[i] == null ? '-' : fmt(s.values[i] ?? 0)))]),
  };
}

function latencyCharts(r: Report, targets: readonly TargetReport[], x: number[], tracks: Track[]): TimelineChart[] {
  const markers = loadMarkers(r);
  // TTFO when any target's responses reasoned; a target without it simply has no series there.
  const reasoned = targets.some((t) => anyReasoning(t));
  const charts = new Map<string, TimelineChart>();
  for (const t of tracks) {
    for (const m of latencySeries(t.tl, windowWords(r.settings), reasoned)) {
      const chart: TimelineChart = charts.get(m.id) ?? {
        title: m.title,
        note: `${m.note} One colour per target: p50 solid, p95 dashed.`,
        spec: { id: m.id, xKind: 'seconds', xLabel: 'seconds into the run', yLabel: 'ms', yUnit: 'ms', x, series: [], markers },
        table: { caption: '', head: [], rows: [] },
      };
      chart.spec.series.push(
        { label: `${t.name} p50`, color: t.color, values: spread(t, pickLatency(m.points, (p) => p.p50)) },
        { label: `${t.name} p95`, color: t.color, dash: P95_DASH, values: spread(t, pickLatency(m.points, (p) => p.p95)) },
      );
      charts.set(m.id, chart);
    }
  }
  for (const c of charts.values()) c.table = table(`${c.title} (ms) by target, one row per second`, x, c.spec.series, fmtMs);
  return [...charts.values()];
}

function countCharts(r: Report, x: number[], tracks: Track[]): TimelineChart[] {
  const markers = loadMarkers(r);
  const spec = (id: string, yLabel: string, yUnit: string, series: ChartSeries[]): TimelineChart['spec'] => ({ id, xKind: 'seconds', xLabel: 'seconds into the run', yLabel, yUnit, x, series, markers });
  const load: ChartSeries[] = tracks.map((t) => ({ label: `${t.name} in flight`, color: t.color, values: spread(t, t.tl.map((e) => e.inFlight)) }));
  // The load plan is the same for every target: its setting drawn once, from the reference.
  const ref = tracks[0];
  if (ref !== undefined) {
    const openLoop = ref.tl.some((e) => e.rate !== undefined);
    load.push(
      openLoop
        ? { label: 'arrival rate (req/s)', color: COLORS.muted, stepped: true, dash: [4, 3], values: spread(ref, ref.tl.map((e) => e.rate ?? null)) }
        : { label: 'pool size', color: COLORS.muted, stepped: true, dash: [4, 3], values: spread(ref, ref.tl.map((e) => e.concurrency)) },
    );
  }
  const tput: ChartSeries[] = tracks.flatMap((t) => [
    { label: `${t.name} completed/s`, color: t.color, values: spread(t, perSecond(t.tl, (e) => e.completions)) },
    { label: `${t.name} errors/s`, color: t.color, dash: P95_DASH, values: spread(t, perSecond(t.tl, (e) => e.errors)) },
  ]);
  const tokens: ChartSeries[] = tracks.map((t) => ({ label: `${t.name} output tokens/s`, color: t.color, values: spread(t, perSecond(t.tl, (e) => e.outputTokens)) }));
  return [
    { title: 'Load: requests in flight', spec: spec('tl-load', 'requests', '', load), table: table('Requests in flight at each second by target, and the load setting', x, load, (v) => fmtNum(v)) },
    {
      title: 'Throughput and errors',
      note: 'One colour per target: completed requests solid, errors dashed.',
      spec: spec('tl-throughput', 'per second', '/s', tput),
      table: table('Requests completed and failed per second in each interval, by target', x, tput, (v) => fmtNum(v, 2)),
    },
    { title: 'Output tokens per second', spec: spec('tl-tokens', 'tokens/s', 'tok/s', tokens), table: table('Output tokens received per second in each interval, by target', x, tokens, (v) => fmtNum(v)) },
  ];
}

/** The targets over time, overlaid: latency per metric and mode, then load, throughput and tokens. */
export function targetsTimelineCharts(r: Report): TimelineChart[] {
  const targets = r.targets ?? [];
  const { x, tracks } = align(targets);
  if (x.length === 0) return [];
  return [...latencyCharts(r, targets, x, tracks), ...countCharts(r, x, tracks)];
}

/** Per metric, every target's percentile curves (stream solid, non-stream dashed) in its colour. */
export function targetsDistributionCharts(r: Report): DistributionChart[] {
  const targets = r.targets ?? [];
  return distributionMetrics(targets.some((t) => anyReasoning(t)))
    .map((metric) =>
      distributionChart(
        metric,
        targets.flatMap((t, i) => modeCurves(t, metric.key, { name: t.name, color: targetColor(i) })),
        "each target's HdrHistograms",
      ),
    )
    .filter((c): c is DistributionChart => c !== undefined);
}
