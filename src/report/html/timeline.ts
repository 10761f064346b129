import { z } from 'zod';
import type { SegmentReport, Report } from '../report.ts';
import type { Mode } from '../../engine/types.ts';
import { anyReasoning, fmtMs, fmtNum } from '../text.ts';
import { COLORS, type ChartMarker, type ChartSeries, type ChartSpec } from './chart-spec.ts';
import type { DataTable } from './page.ts';

/**
 * The run over time, from the report's per-second `timeline`: latency percentiles and means per
 * mode, load, throughput and errors, with each load change marked where it happened.
 *
 * Only what the timeline holds is drawn: TTFT and E2E per mode, TTFO and ITL for streams, each
 * from the entries' `byMode`. A report without `byMode` (older files, merges of them) has p50/p95/p99
 * of TTFT and E2E for both modes together, and those are drawn instead.
 */

const percentiles = z.looseObject({ p50: z.number(), p95: z.number(), p99: z.number(), mean: z.number().optional() });
export type Percentiles = z.output<typeof percentiles>;

export type TimelineEntry = Report['timeline'][number];
type Entry = TimelineEntry;
type MetricKey = 'ttftMs' | 'ttfoMs' | 'itlMs' | 'e2eMs';

/** One latency chart's worth of a timeline: its id and title, and one point per entry. */
export interface LatencySeries {
  id: string;
  title: string;
  note: string;
  points: (Percentiles | undefined)[];
}

const METRICS: readonly { key: MetricKey; name: string; modes: readonly Mode[] }[] = [
  { key: 'ttftMs', name: 'TTFT', modes: ['stream', 'nonstream'] },
  { key: 'ttfoMs', name: 'TTFO', modes: ['stream'] },
  { key: 'itlMs', name: 'ITL', modes: ['stream'] },
  { key: 'e2eMs', name: 'E2E', modes: ['stream', 'nonstream'] },
];

const MODE_WORDS: Record<Mode, string> = { stream: 'streaming', nonstream: 'non-streaming' };

export interface TimelineChart {
  spec: ChartSpec;
  title: string;
  table: DataTable;
  note?: string;
}

function parsed(v: unknown): Percentiles | undefined {
  const p = percentiles.safeParse(v);
  return p.success ? p.data : undefined;
}

function modeMetric(entry: Entry, mode: Mode, key: MetricKey): Percentiles | undefined {
  return parsed(entry.byMode?.[mode]?.[key]);
}

/** What to draw: per mode when the timeline has `byMode`, else the both-modes percentiles. */
export function latencySeries(tl: readonly Entry[], window: string, reasoned: boolean): LatencySeries[] {
  const out: LatencySeries[] = [];
  const perMode = tl.some((e) => e.byMode !== undefined);
  // Without reasoning TTFO over time is TTFT over time again.
  for (const metric of METRICS.filter((m) => m.key !== 'ttfoMs' || reasoned)) {
    if (perMode) {
      for (const mode of metric.modes) {
        const points = tl.map((e) => modeMetric(e, mode, metric.key));
        if (points.every((p) => p === undefined)) continue;
        out.push({
          id: `tl-${metric.key}-${mode}`,
          title: `${metric.name} over time, ${MODE_WORDS[mode]}`,
          note: `Percentiles and mean over the last ${window} at each second, ${MODE_WORDS[mode]} requests only.`,
          points,
        });
      }
      continue;
    }
    const points = tl.map((e) => parsed((e as Record<string, unknown>)[metric.key]));
    if (points.every((p) => p === undefined)) continue;
    out.push({
      id: `tl-${metric.key}`,
      title: `${metric.name} over time`,
      note: `Percentiles over the last ${window} at each second, streaming and non-streaming requests together (this report's timeline does not split them by mode).`,
      points,
    });
  }
  return out;
}

export function markerLabel(p: SegmentReport): string {
  switch (p.reason) {
    case 'concurrency':
      return `c=${p.concurrency}`;
    case 'rate':
      return `${fmtNum(p.rate ?? 0)} req/s`;
    case 'stream-ratio':
      return `stream ${Math.round(p.streamRatio * 100)}%`;
    default:
      return `${p.reason}: ${p.rate !== undefined ? `${fmtNum(p.rate)} req/s` : `c=${p.concurrency}`}`;
  }
}

/** A marker at every load change (the first segment is the start, not a change). */
export function loadMarkers(r: Pick<Report, 'segments'>): ChartMarker[] {
  return r.segments.filter((p) => p.index > 0).map((p) => ({ x: p.startMs / 1000, label: markerLabel(p) }));
}

export const secs = (tMs: number): string => (tMs / 1000).toFixed(1);

/** How long the window behind each second's percentiles is, in words. */
export function windowWords(settings: Report['settings']): string {
  return typeof settings.windowSeconds === 'number' ? `${settings.windowSeconds} s` : 'a few seconds';
}

/** One number from each point; a second with no completion in the window (percentiles of 0) is a gap, not a zero latency. */
export function pickLatency(points: readonly (Percentiles | undefined)[], f: (p: Percentiles) => number | undefined): (number | null)[] {
  return points.map((p) => {
    const v = p === undefined ? undefined : f(p);
    return v === undefined || !(v > 0) ? null : v;
  });
}

/** Counts per timeline interval, turned into rates over that interval (the last one is partial). */
export function perSecond(tl: readonly Entry[], f: (e: Entry) => number): (number | null)[] {
  return tl.map((e, i) => {
    const dt = (e.tMs - (i > 0 ? (tl[i - 1]?.tMs ?? 0) : 0)) / 1000;
    return dt > 0 ? f(e) / dt : null;
  });
}

export function timelineCharts(r: Report): TimelineChart[] {
  const tl = r.timeline;
  if (tl.length === 0) return [];
  const x = tl.map((e) => Number((e.tMs / 1000).toFixed(3)));
  const markers = loadMarkers(r);
  const charts: TimelineChart[] = [];
  const window = windowWords(r.settings);

  for (const metric of latencySeries(tl, window, anyReasoning(r))) {
    const pick = (f: (p: Percentiles) => number | undefined): (number | null)[] => pickLatency(metric.points, f);
    const series: ChartSeries[] = [
      { label: 'p50', color: COLORS.p50, values: pick((p) => p.p50) },
      { label: 'p95', color: COLORS.p95, values: pick((p) => p.p95) },
      { label: 'p99', color: COLORS.p99, values: pick((p) => p.p99) },
    ];
    if (metric.points.some((p) => p?.mean !== undefined)) series.push({ label: 'mean', color: COLORS.mean, values: pick((p) => p.mean) });
    charts.push({
      title: metric.title,
      note: metric.note,
      spec: { id: metric.id, xKind: 'seconds', xLabel: 'seconds into the run', yLabel: 'ms', yUnit: 'ms', x, series, markers },
      table: {
        caption: `${metric.title} (ms), one row per second`,
        head: ['t (s)', ...series.map((s) => s.label)],
        rows: tl.map((e, i) => [secs(e.tMs), ...series.map((s) => (s.values[i] == null ? '-' : fmtMs(s.values[i] ?? 0)))]),
      },
    });
  }

  const rate = (f: (e: Entry) => number): (number | null)[] => perSecond(tl, f);

  const openLoop = tl.some((e) => e.rate !== undefined);
  const load: ChartSeries[] = [{ label: 'in flight', color: COLORS.a, values: tl.map((e) => e.inFlight) }];
  if (openLoop) load.push({ label: 'arrival rate (req/s)', color: COLORS.c, values: tl.map((e) => e.rate ?? null), stepped: true });
  else load.push({ label: 'pool size', color: COLORS.muted, values: tl.map((e) => e.concurrency), stepped: true, dash: [4, 3] });
  charts.push({
    title: 'Load: requests in flight',
    spec: { id: 'tl-load', xKind: 'seconds', xLabel: 'seconds into the run', yLabel: 'requests', yUnit: '', x, series: load, markers },
    table: {
      caption: 'Requests in flight at each second, and the load setting',
      head: ['t (s)', ...load.map((s) => s.label)],
      rows: tl.map((e, i) => [secs(e.tMs), ...load.map((s) => fmtNum(s.values[i] ?? 0))]),
    },
  });

  const tput: ChartSeries[] = [
    { label: 'completed/s', color: COLORS.d, values: rate((e) => e.completions) },
    { label: 'errors/s', color: COLORS.error, values: rate((e) => e.errors) },
  ];
  charts.push({
    title: 'Throughput and errors',
    spec: { id: 'tl-throughput', xKind: 'seconds', xLabel: 'seconds into the run', yLabel: 'per second', yUnit: '/s', x, series: tput, markers },
    table: {
      caption: 'Requests completed and failed in each interval, per second',
      head: ['t (s)', 'completed', 'errors', 'completed/s', 'errors/s'],
      rows: tl.map((e, i) => [secs(e.tMs), String(e.completions), String(e.errors), fmtNum(tput[0]?.values[i] ?? 0, 2), fmtNum(tput[1]?.values[i] ?? 0, 2)]),
    },
  });

  const tokens: ChartSeries[] = [{ label: 'output tokens/s', color: COLORS.c, values: rate((e) => e.outputTokens) }];
  charts.push({
    title: 'Output tokens per second',
    spec: { id: 'tl-tokens', xKind: 'seconds', xLabel: 'seconds into the run', yLabel: 'tokens/s', yUnit: 'tok/s', x, series: tokens, markers },
    table: {
      caption: 'Output tokens received in each interval, per second',
      head: ['t (s)', 'tokens', 'tokens/s'],
      rows: tl.map((e, i) => [secs(e.tMs), String(e.outputTokens), fmtNum(tokens[0]?.values[i] ?? 0)]),
    },
  });
  return charts;
}
