import type { ListenAddress } from '../flags/values.ts';
import { SecretScrubber, secretsOf } from '../engine/secrets.ts';
import { VERSION } from '../version.ts';
import { serveMetrics, type MetricsServer } from './metrics-server.ts';
import { PrometheusExporter } from './prometheus.ts';
import type { Session } from './session.ts';

/**
 * `--prometheus` for one run: the exporter on the session's engine and its HTTP endpoint. Started
 * before the engine, so the first scrape sees the run from its first request; closed once the
 * run's summary has been printed (see docs/prometheus.md, "Lifecycle").
 */
export interface LiveMetrics extends MetricsServer {
  readonly exporter: PrometheusExporter;
}

export async function startLiveMetrics(session: Pick<Session, 'engine' | 'target'>, at: ListenAddress, now = Date.now()): Promise<LiveMetrics> {
  const { engine, target } = session;
  // The target label is the report's (credentials in the URL masked); the scrubber is a second
  // guard for a key that shows up anywhere else in a label, e.g. in a model name given by mistake.
  const scrubber = new SecretScrubber(secretsOf(engine.config));
  const exporter = new PrometheusExporter(engine, {
    runId: engine.runId,
    version: VERSION,
    target: scrubber.scrub(target.label),
    model: scrubber.scrub(target.model),
    api: target.api,
    startedAtMs: now,
  });
  return serveExporter(exporter, at);
}

/**
 * `--prometheus` for a run of several targets (--target): one exporter and one endpoint, each
 * target's engine under its name as the `target` label (and its endpoint, masked, in
 * streamtop_run_info). Each target's labels are scrubbed of its own secrets.
 */
export async function startTargetsMetrics(targets: readonly { name: string; session: Pick<Session, 'engine' | 'target'> }[], at: ListenAddress, now = Date.now()): Promise<LiveMetrics> {
  const labelsOf = (name: string, s: Pick<Session, 'engine' | 'target'>): { runId: string; target: string; model: string; api: string; endpoint: string } => {
    const scrubber = new SecretScrubber(secretsOf(s.engine.config));
    return { runId: s.engine.runId, target: name, model: scrubber.scrub(s.target.model), api: s.target.api, endpoint: scrubber.scrub(s.target.label) };
  };
  const [first, ...rest] = targets;
  if (first === undefined) throw new Error('startTargetsMetrics: no target');
  const exporter = new PrometheusExporter(first.session.engine, { ...labelsOf(first.name, first.session), version: VERSION, startedAtMs: now });
  for (const t of rest) exporter.addTarget(t.session.engine, labelsOf(t.name, t.session));
  return serveExporter(exporter, at);
}

/** Serves the exporter at the address; closing detaches it from its engines, then closes the endpoint. */
async function serveExporter(exporter: PrometheusExporter, at: ListenAddress): Promise<LiveMetrics> {
  try {
    const server = await serveMetrics(exporter, at);
    return {
      exporter,
      url: server.url,
      async close() {
        exporter.detach();
        await server.close();
      },
    };
  } catch (e) {
    exporter.detach();
    throw e;
  }
}
