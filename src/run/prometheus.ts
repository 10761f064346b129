import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LoadNow } from '../engine/engine.ts';
import { GapHistogram, type GapSeries } from './gap-histogram.ts';
import { MODES, type Mode, type RequestRecord } from '../engine/types.ts';

/**
 * Live Prometheus metrics of one run (`--prometheus`), in a registry of their own.
 *
 * Counters and histograms are fed by the engine's per-request records, which it emits after a
 * request has finished: each record costs a few counter increments, one observation per latency
 * and a bucket search per inter-token gap (gap-histogram.ts, for why ITL is not a prom-client
 * Histogram); nothing here runs per network chunk. The gauges
 * (in flight, pool size, rate, queue) are read from the engine when a scrape asks for them; a
 * scrape only serialises the registry and never waits on the engine, nor the engine on it.
 *
 * The counts follow the report's rules, so that at the end of a run they equal it: warm-up
 * requests are counted apart; latencies come from requests that succeeded or were stopped early
 * (E2E from those that succeeded only: a stream stopped early has no end).
 */

/** Every metric name the exporter registers (docs/prometheus.md, examples/grafana-dashboard.json). */
export const METRIC_NAMES = {
  requests: 'streamtop_requests_total',
  warmupRequests: 'streamtop_warmup_requests_total',
  outputTokens: 'streamtop_output_tokens_total',
  ttft: 'streamtop_ttft_seconds',
  ttfo: 'streamtop_ttfo_seconds',
  itl: 'streamtop_itl_seconds',
  e2e: 'streamtop_e2e_seconds',
  inFlight: 'streamtop_in_flight_requests',
  poolSize: 'streamtop_pool_size',
  rate: 'streamtop_rate_requests_per_second',
  queued: 'streamtop_queued_requests',
  runInfo: 'streamtop_run_info',
  runStart: 'streamtop_run_start_time_seconds',
} as const;

/**
 * Histogram buckets, in seconds, for the spans LLM latencies take: TTFT from a fast cache hit
 * (25 ms) to a long queue (60 s); inter-token gaps from a batched 1 ms to a 2 s stall; whole
 * answers from 100 ms to 10 minutes (the longest --timeout default).
 */
export const BUCKETS = {
  ttft: [0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 60],
  itl: [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2],
  e2e: [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600],
} as const;

/** What the exporter needs of an engine: its records as they finish, and its load at any moment. */
export interface MetricsSource {
  addRecordListener(fn: (r: RequestRecord) => void): () => void;
  load(): LoadNow;
}

/** One target's identity, as labels. No value may hold a secret (see live-metrics.ts). */
export interface TargetLabels {
  /** Its engine's run id (the tag in each x-request-id). */
  runId: string;
  /**
   * The `target` label of every series: for a run of one endpoint the target as the report shows
   * it ("built-in simulator", or the URL with credentials masked); with several (--target), its name.
   */
  target: string;
  model: string;
  api: string;
  /** With several targets: the endpoint behind the name, as the report shows it (streamtop_run_info only). */
  endpoint?: string;
}

/** The run's identity, as labels of streamtop_run_info. No value may hold a secret (see live-metrics.ts). */
export interface RunLabels extends TargetLabels {
  version: string;
  /** When the run's metrics began, ms since the epoch: a restart shows as a new start time. */
  startedAtMs: number;
}

/**
 * TTFO (time to first output token) of a record that carries it: the field comes with the
 * engine's reasoning metrics, and records without it (older engines, no answer token) are
 * simply not observed.
 */
function hasTtfo(r: RequestRecord): r is RequestRecord & { ttfoMs: number } {
  return 'ttfoMs' in r && typeof r.ttfoMs === 'number' && Number.isFinite(r.ttfoMs);
}

type Observe = (seconds: number) => void;

interface ModeSeries {
  ttft: Observe;
  ttfo: Observe;
  itl: GapSeries;
  e2e: Observe;
  outputTokens: (n: number) => void;
}

const REQUEST_LABELS = ['target', 'mode', 'outcome', 'error_code'] as const;
const MODE_LABELS = ['target', 'mode'] as const;
const TARGET_LABEL = ['target'] as const;

type Families = {
  requests: Counter<(typeof REQUEST_LABELS)[number]>;
  warmup: Counter<(typeof REQUEST_LABELS)[number]>;
  tokens: Counter<(typeof MODE_LABELS)[number]>;
  ttft: Histogram<(typeof MODE_LABELS)[number]>;
  ttfo: Histogram<(typeof MODE_LABELS)[number]>;
  e2e: Histogram<(typeof MODE_LABELS)[number]>;
  runInfo: Gauge<(typeof RUN_INFO_LABELS)[number]>;
  runStart: Gauge<(typeof TARGET_LABEL)[number]>;
};

const RUN_INFO_LABELS = ['run_id', 'version', 'target', 'model', 'api', 'endpoint'] as const;

/** One target's engine and its label handles. */
interface TargetEntry {
  source: MetricsSource;
  target: string;
  /** Per mode, label handles made once: a record does not build label objects for its observations. */
  series: Record<Mode, ModeSeries>;
  unsubscribe: () => void;
}

/**
 * The exporter of a run: one target (the constructor), or several (`addTarget` for each further
 * one, --target), all in one registry so every family is one family with a `target` label.
 */
export class PrometheusExporter {
  readonly registry = new Registry();
  private readonly families: Families;
  /** ITL is one sample per token: kept outside prom-client's Histogram, see gap-histogram.ts. */
  private readonly itl: GapHistogram;
  private readonly entries: TargetEntry[] = [];
  private readonly version: string;
  private readonly startedAtMs: number;

  constructor(source: MetricsSource, run: RunLabels) {
    const registers = [this.registry];
    this.version = run.version;
    this.startedAtMs = run.startedAtMs;
    const histogram = (name: string, help: string, buckets: readonly number[]): Histogram<(typeof MODE_LABELS)[number]> =>
      new Histogram({ name, help, labelNames: MODE_LABELS, buckets: [...buckets], registers });
    this.families = {
      requests: new Counter({
        name: METRIC_NAMES.requests,
        help: 'Measured requests that ended, by mode, outcome (ok, failed, early_stopped, cancelled, dropped) and error code ("" when none)',
        labelNames: REQUEST_LABELS,
        registers,
      }),
      warmup: new Counter({
        name: METRIC_NAMES.warmupRequests,
        help: 'Warm-up requests (--warmup) that ended; not in the latency histograms, as in the report',
        labelNames: REQUEST_LABELS,
        registers,
      }),
      tokens: new Counter({
        name: METRIC_NAMES.outputTokens,
        help: 'Output tokens of requests that succeeded or were stopped early (server usage, else the tokenizer)',
        labelNames: MODE_LABELS,
        registers,
      }),
      ttft: histogram(METRIC_NAMES.ttft, 'Time to first token: first content event after the request was written (intended start in open loop)', BUCKETS.ttft),
      ttfo: histogram(METRIC_NAMES.ttfo, 'Time to first output token (answer or tool call, after any reasoning); observed when the engine reports it', BUCKETS.ttft),
      e2e: histogram(METRIC_NAMES.e2e, 'End-to-end latency of requests that succeeded: last content event after the request was written', BUCKETS.e2e),
      runInfo: new Gauge({
        name: METRIC_NAMES.runInfo,
        help: 'The run: its id (as in each x-request-id), streamtop version, target, model and API (and endpoint, with several targets); always 1',
        labelNames: RUN_INFO_LABELS,
        registers,
      }),
      runStart: new Gauge({
        name: METRIC_NAMES.runStart,
        help: 'When the run started, seconds since the epoch: a new value means a new run (counters restart from 0)',
        labelNames: TARGET_LABEL,
        registers,
      }),
    };
    this.itl = new GapHistogram(METRIC_NAMES.itl, 'Inter-token latency: each gap between consecutive content events of a stream', BUCKETS.itl, MODE_LABELS);

    const entries = this.entries;
    const loadGauge = (name: string, help: string, pick: (l: LoadNow) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: TARGET_LABEL,
        registers,
        collect() {
          for (const e of entries) {
            const v = pick(e.source.load());
            // Absent rather than 0 when it does not apply (the rate of a closed-loop run).
            if (v === undefined) this.remove({ target: e.target });
            else this.set({ target: e.target }, v);
          }
        },
      });
    };
    loadGauge(METRIC_NAMES.inFlight, 'Requests in flight now', (l) => l.inFlight);
    loadGauge(METRIC_NAMES.poolSize, 'Pool size now: the most requests allowed in flight (-c, changed live from the dashboard)', (l) => l.concurrency);
    loadGauge(METRIC_NAMES.rate, 'Open loop: the arrival rate now, requests per second (absent in a closed-loop run)', (l) => l.rate);
    loadGauge(METRIC_NAMES.queued, 'Open loop: arrivals waiting for a slot now', (l) => l.queued);

    this.addTarget(source, run);
  }

  /**
   * Another target of the run (--target): its engine's records and load under its own `target`
   * label. Names must differ (they do: target names are checked unique before the run).
   */
  addTarget(source: MetricsSource, labels: TargetLabels): void {
    const f = this.families;
    const target = labels.target;
    const series = {} as Record<Mode, ModeSeries>;
    for (const mode of MODES) {
      const l = { target, mode };
      const t = f.ttft.labels(l);
      const o = f.ttfo.labels(l);
      const e = f.e2e.labels(l);
      const k = f.tokens.labels(l);
      series[mode] = { ttft: t.observe, ttfo: o.observe, itl: this.itl.seriesFor([target, mode]), e2e: e.observe, outputTokens: (n) => k.inc(n) };
      // Series that exist from the start read 0 rather than "no data" until the first request ends.
      // TTFO is left out: it exists only once the engine reports it.
      f.requests.inc({ target, mode, outcome: 'ok', error_code: '' }, 0);
      k.inc(0);
      f.ttft.zero(l);
      f.e2e.zero(l);
    }
    f.runInfo.set(
      { run_id: labels.runId, version: this.version, target, model: labels.model, api: labels.api, ...(labels.endpoint !== undefined ? { endpoint: labels.endpoint } : {}) },
      1,
    );
    f.runStart.set({ target }, this.startedAtMs / 1000);
    const entry: TargetEntry = { source, target, series, unsubscribe: () => undefined };
    entry.unsubscribe = source.addRecordListener((r) => this.observe(r, entry));
    this.entries.push(entry);
  }

  /** The text exposition format, and its content type. */
  async metrics(): Promise<string> {
    // Families are separated by a blank line, as prom-client separates its own.
    return `${await this.registry.metrics()}\n${this.itl.render()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to the engines; what was counted stays readable. */
  detach(): void {
    for (const e of this.entries) e.unsubscribe();
  }

  private observe(r: RequestRecord, entry: TargetEntry): void {
    const labels = { target: entry.target, mode: r.mode, outcome: r.outcome, error_code: r.errorCode ?? '' };
    if (r.warmup) {
      this.families.warmup.inc(labels);
      return;
    }
    this.families.requests.inc(labels);
    if (r.outcome !== 'ok' && r.outcome !== 'early_stopped') return;
    const s = entry.series[r.mode];
    s.outputTokens(r.outputTokens);
    if (r.ttftMs !== undefined) s.ttft(r.ttftMs / 1000);
    if (hasTtfo(r)) s.ttfo(r.ttfoMs / 1000);
    this.itl.addMs(s.itl, r.itlMs);
    if (r.outcome === 'ok' && r.e2eMs !== undefined) s.e2e(r.e2eMs / 1000);
  }
}
