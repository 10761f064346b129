import { UsageError } from '../shared/usage-error.ts';
import { ModeAccumulator, type EncodedModeAccumulator, type TimelineEntry, type TimelineModeEntry as TimelineMode, type WindowSummary } from '../engine/stats.ts';
import { MODES, type ErrorCode, type Mode } from '../engine/types.ts';
import { REPORT_SCHEMA, modeReport, totalsOf, type ModeReport, type SegmentReport, type Report, type TargetReport } from './report.ts';
import { redactUrl } from '../shared/url-secrets.ts';

/**
 * `streamtop merge`: runs made on several processes or machines against the same target become
 * one report. Latency is exact, not an average of percentiles: each run carries its
 * HdrHistograms, and merged histograms give the percentiles one process would have measured
 * had it sent every request itself.
 *
 * Wall time: the inputs are taken to have run at the same time (that is why one splits a load
 * test over machines), so the merged run lasted as long as the longest input, and throughput is
 * all completions over that window. Summing durations would be right for runs made one after the
 * other, and would understate throughput N times for parallel ones.
 */

export interface MergedSegment extends SegmentReport {
  /** Index of the input report (in merge order) the segment came from. */
  source: number;
}

export function mergeReports(reports: readonly Report[], labels?: readonly string[]): Report {
  const first = reports[0];
  if (first === undefined) throw new UsageError('merge needs at least one report');
  const names = reports.map((r, i) => labels?.[i] ?? `#${i + 1} (${r.createdAt})`);
  const notes: string[] = [];

  const durationMs = Math.max(...reports.map((r) => r.durationMs));
  notes.push('durationMs is the longest input: the runs are taken to have run at the same time');

  const byMode = {} as Record<Mode, ModeReport>;
  const histograms = {} as Record<Mode, EncodedModeAccumulator>;
  for (const m of MODES) {
    const acc = new ModeAccumulator();
    try {
      for (const r of reports) {
        const part = ModeAccumulator.decode(r.histograms[m]);
        acc.merge(part);
        part.dispose();
      }
      byMode[m] = modeReport(acc, durationMs);
      histograms[m] = acc.encode();
    } finally {
      acc.dispose();
    }
  }

  const errors: Report['errors'] = {};
  const errorMessages: Report['errorMessages'] = {};
  for (const r of reports) {
    for (const [code, n] of Object.entries(r.errors) as Array<[ErrorCode, number | undefined]>) {
      errors[code] = (errors[code] ?? 0) + (n ?? 0);
      // Keep the first message seen: any one is a sample, and the first input is the reference.
      const msg = r.errorMessages[code];
      if (msg !== undefined && errorMessages[code] === undefined) errorMessages[code] = msg;
    }
  }

  const sum = (pick: (r: Report) => number): number => reports.reduce((a, r) => a + pick(r), 0);
  const totals = totalsOf(byMode, durationMs, {
    dropped: sum((r) => r.totals.dropped),
    warmup: sum((r) => r.totals.warmup),
    cancelled: sum((r) => r.totals.cancelled),
  });

  // Per-segment reports hold summaries, not histograms, so segments from different runs cannot be
  // combined exactly. A single segment per input is just the whole run (already merged above);
  // several are kept side by side, tagged with their input.
  const segments: MergedSegment[] = [];
  if (reports.some((r) => r.segments.length > 1)) {
    let index = 0;
    for (const [source, r] of reports.entries()) for (const p of r.segments) segments.push({ ...p, index: index++, source });
    notes.push('segments are listed per input (source = input index, times from its own start), not merged');
  } else {
    notes.push('segments omitted: every input had a single load setting, which the merged totals already cover');
  }

  const timeline = mergeTimelines(reports.map((r) => r.timeline));
  if (timeline.length > 0) notes.push('timeline: counts summed per second; its percentiles are the worst input, not exact');

  // The built-in simulator listens on a fresh port each run, so its URL is not compared.
  const targets = new Set(
    reports.map((r) => `${r.target.api} ${r.target.simulated ? 'built-in simulator' : redactUrl(r.target.baseUrl)} ${r.target.model}`),
  );
  if (targets.size > 1) notes.push(`inputs target different endpoints or models (${[...targets].join('; ')}); target shows the first`);
  const versions = new Set(reports.map((r) => r.tool.version));
  if (versions.size > 1) notes.push(`inputs come from different streamtop versions (${[...versions].join(', ')})`);

  const interrupted = reports.find((r) => r.interrupted);
  const extras = mergeExtras(reports);
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'streamtop', version: first.tool.version },
    createdAt: new Date().toISOString(),
    interrupted: interrupted !== undefined,
    stopReason: interrupted?.stopReason ?? first.stopReason,
    target: { ...first.target, baseUrl: redactUrl(first.target.baseUrl), simulated: reports.every((r) => r.target.simulated) },
    settings: { mergedFrom: names, mergeNotes: notes, inputs: reports.map((r) => r.settings) },
    durationMs,
    totals,
    byMode,
    errors,
    errorMessages,
    segments,
    timeline,
    histograms,
    ...(extras ? { extras } : {}),
  };
}

/**
 * Per-second entries keyed by their second since start. Counts and load add up across
 * concurrent runs. Percentiles of different seconds' distributions cannot be combined without
 * their histograms (the timeline keeps only three numbers), so the worst of the inputs stands in:
 * an upper bound, good enough to spot when latency rose.
 */
export function mergeTimelines(timelines: ReadonlyArray<readonly TimelineEntry[]>): TimelineEntry[] {
  const bySecond = new Map<number, TimelineEntry>();
  for (const tl of timelines) {
    for (const e of tl) {
      const key = Math.round(e.tMs / 1000);
      const cur = bySecond.get(key);
      if (!cur) {
        bySecond.set(key, { ...e, tMs: key * 1000, ttftMs: { ...e.ttftMs }, e2eMs: { ...e.e2eMs }, ...copyByMode(e.byMode) });
        continue;
      }
      const byMode = mergeByMode(cur.byMode, e.byMode);
      if (byMode !== undefined) cur.byMode = byMode;
      cur.inFlight += e.inFlight;
      cur.concurrency += e.concurrency;
      if (e.rate !== undefined) cur.rate = (cur.rate ?? 0) + e.rate;
      cur.completions += e.completions;
      cur.errors += e.errors;
      cur.outputTokens += e.outputTokens;
      for (const p of ['p50', 'p95', 'p99'] as const) {
        cur.ttftMs[p] = Math.max(cur.ttftMs[p], e.ttftMs[p]);
        cur.e2eMs[p] = Math.max(cur.e2eMs[p], e.e2eMs[p]);
      }
    }
  }
  return [...bySecond.values()].sort((a, b) => a.tMs - b.tMs);
}

type TimelineModes = NonNullable<TimelineEntry['byMode']>;

function copyByMode(m: TimelineEntry['byMode']): Pick<TimelineEntry, 'byMode'> {
  return m === undefined ? {} : { byMode: mergeByMode(undefined, m) };
}

/** Counts add, means are weighted by them, percentiles take the worst input (see mergeTimelines). */
function mergeSummary(a: WindowSummary | undefined, b: WindowSummary | undefined): WindowSummary | undefined {
  if (a === undefined) return b === undefined ? undefined : { ...b };
  if (b === undefined) return { ...a };
  const count = a.count + b.count;
  return {
    count,
    mean: count > 0 ? (a.mean * a.count + b.mean * b.count) / count : 0,
    p50: Math.max(a.p50, b.p50),
    p95: Math.max(a.p95, b.p95),
    p99: Math.max(a.p99, b.p99),
  };
}

function mergeMode(a: TimelineMode | undefined, b: TimelineMode | undefined): TimelineMode | undefined {
  if (a === undefined && b === undefined) return undefined;
  const zero: WindowSummary = { count: 0, mean: 0, p50: 0, p95: 0, p99: 0 };
  const ttfo = mergeSummary(a?.ttfoMs, b?.ttfoMs);
  const itl = mergeSummary(a?.itlMs, b?.itlMs);
  return {
    ttftMs: mergeSummary(a?.ttftMs, b?.ttftMs) ?? zero,
    e2eMs: mergeSummary(a?.e2eMs, b?.e2eMs) ?? zero,
    ...(ttfo !== undefined ? { ttfoMs: ttfo } : {}),
    ...(itl !== undefined ? { itlMs: itl } : {}),
  };
}

function mergeByMode(a: TimelineModes | undefined, b: TimelineModes | undefined): TimelineModes | undefined {
  if (a === undefined && b === undefined) return undefined;
  const stream = mergeMode(a?.stream, b?.stream);
  const nonstream = mergeMode(a?.nonstream, b?.nonstream);
  return { ...(stream !== undefined ? { stream } : {}), ...(nonstream !== undefined ? { nonstream } : {}) };
}

/**
 * Only extras that are plain counts survive a merge: goodput counts add up exactly. Gates, cost
 * and goodput rates were judged per input and are recomputed on the merged report if asked for.
 */
function mergeExtras(reports: readonly Report[]): Record<string, unknown> | undefined {
  let met = 0;
  let total = 0;
  for (const r of reports) {
    const g = r.extras?.goodputCounts;
    if (typeof g !== 'object' || g === null) return undefined;
    const { met: m, total: t } = g as { met?: unknown; total?: unknown };
    if (typeof m !== 'number' || typeof t !== 'number') return undefined;
    met += m;
    total += t;
  }
  return { goodputCounts: { met, total } };
}

/** One target of a multi-target report as a run report of its own (what mergeReports and compare read). */
export function targetAsReport(r: Report, t: TargetReport): Report {
  const { name: _name, ...body } = t;
  return { schema: REPORT_SCHEMA, tool: r.tool, createdAt: r.createdAt, ...body };
}

/** "a, b" */
const namesOf = (r: Report): string[] => (r.targets ?? []).map((t) => t.name);

/**
 * Multi-target runs (--target) made at the same time on several machines: each target merged with
 * the same target of the other files, exactly as mergeReports merges runs. Only runs of the same
 * targets merge. The paired verdict is not carried over: a report keeps each target's
 * histograms, not the pairs the bootstrap resamples, so no verdict over every input can be made.
 */
export function mergeTargetReports(reports: readonly Report[], files: readonly string[]): Report {
  const m = reports.findIndex((r) => r.targets !== undefined);
  const first = reports[m];
  if (first === undefined) throw new UsageError('merge: no multi-target run among the inputs');
  const file = (i: number): string => files[i] ?? `input ${i + 1}`;
  const names = namesOf(first);
  const key = [...names].sort().join('\n');
  for (const [i, r] of reports.entries()) {
    if (r.targets === undefined)
      throw new UsageError(`merge: ${file(m)} is a multi-target run (${names.join(', ')}) but ${file(i)} is a run of one endpoint: merge only merges runs of the same targets`);
    if ([...namesOf(r)].sort().join('\n') !== key)
      throw new UsageError(`merge: ${file(i)} has the targets ${namesOf(r).join(', ')}, but ${file(m)} has ${names.join(', ')}: merge only merges runs of the same targets`);
  }
  const targets: TargetReport[] = names.map((name) => {
    const merged = mergeReports(
      reports.map((r) => targetAsReport(r, (r.targets ?? []).find((t) => t.name === name) as TargetReport)),
      files,
    );
    const { schema: _s, tool: _t, createdAt: _c, targets: _ts, comparison: _cmp, ...body } = merged;
    return { name, ...body };
  });
  const ref = targets[0] as TargetReport;
  const { name: _name, ...refBody } = ref;
  const note =
    'comparison: not merged (a report keeps each target\'s histograms, not the pairs the bootstrap resamples); each input\'s verdict stands for its own run';
  const settings = { ...refBody.settings, mergeNotes: [...(Array.isArray(refBody.settings.mergeNotes) ? (refBody.settings.mergeNotes as unknown[]) : []), note] };
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'streamtop', version: first.tool.version },
    createdAt: new Date().toISOString(),
    ...refBody,
    settings,
    targets: targets.map((t, i) => (i === 0 ? { ...t, settings } : t)),
  };
}
