// A realistic, deterministic EngineSnapshot for component tests, app tests and demos.
// Numbers follow what the built-in simulator produces at pool size 16 with half the requests
// streaming: streams show their first token in ~0.2s, non-streaming requests only when the
// whole body (~2.4s) is done. That TTFT contrast is what the dashboard is built to show.
import type {
  ChartKey,
  EngineSnapshot,
  MetricSummary,
  ModeStats,
  PaneSnapshot,
  SeriesPoint,
} from '../engine/types.ts';
import { CHART_KEYS } from '../engine/types.ts';

export function makeSummary(p50: number, count = 100): MetricSummary {
  if (count === 0) return emptySummary();
  return {
    count,
    mean: round(p50 * 1.08),
    min: round(p50 * 0.55),
    p50,
    p90: round(p50 * 1.45),
    p95: round(p50 * 1.7),
    p99: round(p50 * 2.4),
    max: round(p50 * 3.1),
  };
}

export function emptySummary(): MetricSummary {
  return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
}

export function emptyModeStats(): ModeStats {
  return {
    requests: 0,
    succeeded: 0,
    failed: 0,
    earlyStopped: 0,
    outputTokens: 0,
    outputTokensPerSec: 0,
    inputTokens: 0,
    cachedTokens: 0,
    ttft: emptySummary(),
    ttfb: emptySummary(),
    itl: emptySummary(),
    tpot: emptySummary(),
    e2e: emptySummary(),
    queue: emptySummary(),
    ...noReasoning(),
  };
}

/** The reasoning fields of a mode whose responses did not reason. */
function noReasoning(): Pick<ModeStats, 'ttfr' | 'ttfo' | 'reasoning' | 'reasoningRequests' | 'reasoningTokens' | 'toolCalls'> {
  return { ttfr: emptySummary(), ttfo: emptySummary(), reasoning: emptySummary(), reasoningRequests: 0, reasoningTokens: 0, toolCalls: 0 };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** A deterministic wavy series around `base` ms, one point per 500 ms up to `endMs`. */
export function makeSeries(base: number, points: number, endMs: number, stepMs = 500): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let i = 0; i < points; i++) {
    const tMs = endMs - (points - 1 - i) * stepMs;
    // Two incommensurate waves, plus a step up after the load change at 60% of the window,
    // so charts have visible structure and the segment marker lines up with something.
    const wave = 1 + 0.12 * Math.sin(i / 3) + 0.06 * Math.sin(i / 1.7);
    const step = i > points * 0.6 ? 1.35 : 1;
    const p50 = round(base * wave * step);
    out.push({ tMs, mean: round(p50 * 1.08), p50, p95: round(p50 * 1.7), p99: round(p50 * 2.4), count: 40 });
  }
  return out;
}

const LOREM =
  'The quick brown fox jumps over the lazy dog. Streaming responses arrive token by token,\n' +
  'so the first words show up long before the answer is complete. Latency percentiles tell ' +
  'you how the tail behaves under load, and the tail is what your users remember.';

function makePanes(): PaneSnapshot[] {
  return [
    { id: 1201, mode: 'stream', state: 'streaming', elapsedMs: 1840, tokens: 61, tokensPerSec: 37.9, text: LOREM.slice(0, 230) },
    { id: 1202, mode: 'nonstream', state: 'waiting', elapsedMs: 1320, tokens: 0, tokensPerSec: 0, text: '' },
    { id: 1203, mode: 'stream', state: 'waiting', elapsedMs: 140, tokens: 0, tokensPerSec: 0, text: '' },
    { id: 1198, mode: 'nonstream', state: 'done', elapsedMs: 2410, tokens: 96, tokensPerSec: 39.8, text: LOREM },
    { id: 1204, mode: 'stream', state: 'connecting', elapsedMs: 12, tokens: 0, tokensPerSec: 0, text: '' },
    { id: 1199, mode: 'stream', state: 'failed', elapsedMs: 960, tokens: 14, tokensPerSec: 14.6, text: 'The quick brown fox jumps over', errorCode: 'timeout_idle' },
    { id: 1205, mode: 'stream', state: 'streaming', elapsedMs: 720, tokens: 22, tokensPerSec: 40.1, text: LOREM.slice(40, 130) },
    { id: 1206, mode: 'nonstream', state: 'queued', elapsedMs: 0, tokens: 0, tokensPerSec: 0, text: '' },
  ];
}

/** Builds a snapshot; `overrides` replace top-level fields (shallow). */
export function makeSnapshot(overrides: Partial<EngineSnapshot> = {}): EngineSnapshot {
  const elapsedMs = overrides.elapsedMs ?? 83_400;
  const chartBase: Record<ChartKey, number> = {
    'ttft.stream': 180,
    'ttfo.stream': 180,
    'ttft.nonstream': 2400,
    'e2e.stream': 2500,
    'e2e.nonstream': 2420,
    'itl.stream': 22,
  };
  const charts = {} as Record<ChartKey, SeriesPoint[]>;
  for (const key of CHART_KEYS) charts[key] = makeSeries(chartBase[key], 120, elapsedMs);
  const stream: ModeStats = {
    requests: 617,
    succeeded: 609,
    failed: 5,
    earlyStopped: 0,
    outputTokens: 58_400,
    outputTokensPerSec: 702,
    inputTokens: 0,
    cachedTokens: 0,
    ttft: makeSummary(182, 614),
    ttfb: makeSummary(41, 614),
    itl: makeSummary(22.4, 57_800),
    tpot: makeSummary(23.1, 609),
    e2e: makeSummary(2510, 609),
    queue: makeSummary(0.4, 614),
    ...noReasoning(),
  };
  const nonstream: ModeStats = {
    requests: 601,
    succeeded: 599,
    failed: 2,
    earlyStopped: 0,
    outputTokens: 57_200,
    outputTokensPerSec: 686,
    inputTokens: 0,
    cachedTokens: 0,
    ttft: makeSummary(2390, 599),
    ttfb: makeSummary(2380, 599),
    itl: emptySummary(),
    tpot: makeSummary(23.4, 599),
    e2e: makeSummary(2390, 599),
    queue: makeSummary(0.4, 601),
    ...noReasoning(),
  };
  return {
    state: 'running',
    elapsedMs,
    loadMode: 'closed',
    concurrency: 16,
    streamRatio: 0.5,
    inFlight: 16,
    queued: 0,
    started: 1234,
    completed: 1218,
    requestsPerSec: 14.6,
    outputTokensPerSec: 1388,
    errorsTotal: 7,
    earlyStopEnabled: false,
    segment: 1,
    byMode: { stream: stream, nonstream },
    charts,
    segmentMarksMs: [elapsedMs - 23_500],
    panes: makePanes(),
    errors: [
      { code: 'http_429', count: 4, lastMessage: 'Rate limit exceeded: retry after 1s' },
      { code: 'timeout_idle', count: 2, lastMessage: 'no event for 5000 ms' },
      { code: 'http_503', count: 1, lastMessage: 'Service Unavailable (simulated fault)' },
    ],
    ...overrides,
  };
}
