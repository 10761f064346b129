// Server-side counters and latency summaries of what the simulator actually sent. Histograms hold
// integer microseconds (HdrHistogram's contract); summaries are reported in milliseconds.

import * as hdr from 'hdr-histogram-js';
import { FastHistogram } from './fast-histogram.ts';
import { FAULT_NAMES, type FaultName } from './faults.ts';

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export const REJECT_REASONS = ['invalid', 'auth', 'notFound', 'tooLarge', 'rateLimit', 'queueFull', 'fault'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface SimStats {
  /** Chat / messages requests received (admin, health and models calls are not counted). */
  received: number;
  running: number;
  queued: number;
  completed: number;
  /** Client went away before the generation ended. */
  cancelled: number;
  /** Answered with an error status instead of a generation, any reason (see rejectedBy). */
  rejected: number;
  rejectedBy: Record<RejectReason, number>;
  /** Generations the simulator cut itself (disconnect fault). */
  disconnected: number;
  errorsInjected: Record<FaultName, number>;
  tokensSent: number;
  /** First token written (streaming) or body written (non-streaming) minus received. */
  ttftMs: LatencySummary;
  /** Gaps between consecutive token writes of one stream, pooled. */
  itlMs: LatencySummary;
  /** Last token (or body) written minus received. */
  e2eMs: LatencySummary;
  /** Wait for a slot: admitted minus received. */
  queueMs: LatencySummary;
  /** How late each token write was against its schedule (scheduler health). */
  latenessMs: LatencySummary;
  uptimeMs: number;
  /** The simulator process: resident memory and CPU time used since start (user / system, ms). */
  process: { rssBytes: number; cpuUserMs: number; cpuSystemMs: number };
  /** performance.timeOrigin of the server process (epoch ms); record times are relative to it. */
  timeOrigin: number;
}

function newHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
}

function summarize(h: hdr.Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const max = h.maxValue;
  // Percentiles come back as the top of their bucket, which can exceed the exact max: clamp.
  const ms = (us: number): number => Math.round(Math.min(us, max)) / 1000;
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(max),
  };
}

function processInfo(): SimStats['process'] {
  const cpu = process.cpuUsage();
  return { rssBytes: process.memoryUsage.rss(), cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000) };
}

function summarizeFast(h: FastHistogram): LatencySummary {
  if (h.count === 0) return { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const r = (ms: number): number => Math.round(ms * 1000) / 1000;
  return { count: h.count, mean: r(h.sum / h.count), p50: r(h.percentile(50)), p95: r(h.percentile(95)), p99: r(h.percentile(99)), max: r(h.max) };
}

const toMicros = (ms: number): number => (ms > 0 ? Math.round(ms * 1000) : 0);

export class StatsCollector {
  received = 0;
  completed = 0;
  cancelled = 0;
  disconnected = 0;
  tokensSent = 0;
  readonly rejectedBy = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  readonly errorsInjected = Object.fromEntries(FAULT_NAMES.map((f) => [f, 0])) as Record<FaultName, number>;
  private ttft = newHistogram();
  // Per-token metrics use the cheaper fixed-bucket histogram (see fast-histogram.ts).
  private itl = new FastHistogram();
  private e2e = newHistogram();
  private queue = newHistogram();
  private lateness = new FastHistogram();
  private startedAt = performance.now();

  reject(reason: RejectReason): void {
    this.rejectedBy[reason] += 1;
  }
  recordTtft(ms: number): void {
    this.ttft.recordValue(toMicros(ms));
  }
  recordItl(ms: number, n = 1): void {
    this.itl.record(ms, n);
  }
  recordE2e(ms: number): void {
    this.e2e.recordValue(toMicros(ms));
  }
  recordQueue(ms: number): void {
    this.queue.recordValue(toMicros(ms));
  }
  recordLateness(ms: number): void {
    this.lateness.record(ms);
  }

  snapshot(running: number, queued: number): SimStats {
    const rejected = REJECT_REASONS.reduce((s, r) => s + this.rejectedBy[r], 0);
    return {
      received: this.received,
      running,
      queued,
      completed: this.completed,
      cancelled: this.cancelled,
      rejected,
      rejectedBy: { ...this.rejectedBy },
      disconnected: this.disconnected,
      errorsInjected: { ...this.errorsInjected },
      tokensSent: this.tokensSent,
      ttftMs: summarize(this.ttft),
      itlMs: summarizeFast(this.itl),
      e2eMs: summarize(this.e2e),
      queueMs: summarize(this.queue),
      latenessMs: summarizeFast(this.lateness),
      uptimeMs: Math.round(performance.now() - this.startedAt),
      process: processInfo(),
      timeOrigin: performance.timeOrigin,
    };
  }

  /** Zeroes counters and histograms (POST /admin/stats/reset), e.g. between benchmark phases. */
  reset(): void {
    this.received = this.completed = this.cancelled = this.disconnected = this.tokensSent = 0;
    for (const r of REJECT_REASONS) this.rejectedBy[r] = 0;
    for (const f of FAULT_NAMES) this.errorsInjected[f] = 0;
    for (const h of [this.ttft, this.e2e, this.queue, this.itl, this.lateness]) h.reset();
    this.startedAt = performance.now();
  }
}
