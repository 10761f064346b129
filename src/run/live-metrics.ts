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
