import type { RunPlan } from '../config/run-options.ts';
import { lookupPrice } from '../report/prices.ts';
import { fmtMs, fmtNum, table } from '../report/text.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { writeResultHtml } from '../report/html/index.ts';
import { redactUrl } from '../shared/url-secrets.ts';
import { VERSION } from '../version.ts';
import { runVariants, type Variant, type VariantResult, type VariantRun } from './variants.ts';

/**
 * `streamtop compare-modes` and `streamtop compare-connections`: the claims articles make about
 * streaming and connection reuse, measured on your endpoint in one interleaved run.
 */

type Io = { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

export interface ExperimentOptions {
  rounds: number;
  requestsPerRound: number;
}

/** What compare-modes and compare-connections write with --json (and `report --html` renders). */
export interface ComparisonResult extends ExperimentOptions {
  experiment: 'compare-modes' | 'compare-connections';
  tool: { name: 'streamtop'; version: string };
  target: { baseUrl: string; api: string; model: string; simulated: boolean };
  concurrency: number;
  results: VariantResult[];
  interrupted: boolean;
}

function comparisonResult(experiment: ComparisonResult['experiment'], plan: RunPlan, o: ExperimentOptions, run: VariantRun): ComparisonResult {
  const t = run.target;
  return {
    experiment,
    ...o,
    tool: { name: 'streamtop', version: VERSION },
    target: { baseUrl: redactUrl(t.baseUrl), api: plan.engine.target.api, model: plan.engine.target.model, simulated: t.info.simulated },
    concurrency: plan.engine.load.concurrency,
    results: run.results,
    interrupted: run.interrupted,
  };
}

function priceFor(plan: RunPlan): { in: number; out: number } | undefined {
  const known = lookupPrice(plan.engine.target.model);
  const pin = plan.output.priceIn ?? known?.in;
  const pout = plan.output.priceOut ?? known?.out;
  if (pin === undefined && pout === undefined) return undefined;
  return { in: pin ?? 0, out: pout ?? 0 };
}

function costPerRequest(r: VariantResult, price: { in: number; out: number } | undefined): string {
  const done = r.report.succeeded + r.report.earlyStopped;
  if (!price || done === 0) return '-';
  const usd = (r.report.inputTokens * price.in + r.report.outputTokens * price.out) / 1e6 / done;
  return `$${usd.toPrecision(3)}`;
}

export async function compareModes(plan: RunPlan, o: ExperimentOptions, io: Io): Promise<number> {
  const variants: Variant[] = [
    { label: 'streaming', patch: { load: { streamRatio: 1 } } },
    { label: 'non-streaming', patch: { load: { streamRatio: 0 } } },
  ];
  const run = await runVariants(plan, variants, { ...o, stderr: io.stderr });
  await run.target.close();
  const price = priceFor(plan);
  const [s, n] = run.results;
  const rows = [
    ['', 'requests', 'TTFT p50', 'TTFT p95', 'whole answer p50', 'p95', 'total time', 'bytes/req', 'tokens/req', 'cost/req'],
    ...run.results.map((r) => {
      const done = Math.max(1, r.report.succeeded);
      return [
        r.label,
        `${r.report.succeeded}/${r.report.requests}`,
        fmtMs(r.report.ttftMs.p50),
        fmtMs(r.report.ttftMs.p95),
        fmtMs(r.report.e2eMs.p50),
        fmtMs(r.report.e2eMs.p95),
        `${(r.wallMs / 1000).toFixed(1)}s`,
        fmtNum(r.report.bytesReceived / done, 0),
        fmtNum(r.report.outputTokens / done, 1),
        costPerRequest(r, price),
      ];
    }),
  ];
  const lines = [
    `streaming vs non-streaming, same prompts, ${o.rounds} interleaved rounds of ${o.requestsPerRound} requests each at concurrency ${plan.engine.load.concurrency}`,
    `target: ${run.target.info.label} (${plan.engine.target.api}, ${plan.engine.target.model}); times in ms`,
    '',
    table(rows, (c) => c > 0),
  ];
  if (s && n && s.report.ttftMs.p50 > 0) {
    lines.push(
      '',
      `first token ${(n.report.ttftMs.p50 / s.report.ttftMs.p50).toFixed(1)}x sooner when streaming (p50); ` +
        `whole answer ${fmtMs(s.report.e2eMs.p50)} vs ${fmtMs(n.report.e2eMs.p50)} ms (${pct(s.report.e2eMs.p50, n.report.e2eMs.p50)}); ` +
        `streaming sends ${fmtNum(s.report.bytesReceived / Math.max(1, s.report.succeeded) / Math.max(1, n.report.bytesReceived / Math.max(1, n.report.succeeded)), 1)}x the bytes`,
    );
  }
  if (!price) lines.push('cost: unknown for this model; give --price-in and --price-out ($ per million tokens)');
  io.stdout.write(`${lines.join('\n')}\n`);
  writeOutputs(plan, comparisonResult('compare-modes', plan, o, run), io);
  return run.exitCode;
}

function pct(a: number, b: number): string {
  if (b === 0) return '-';
  const d = ((a - b) / b) * 100;
  return `${d >= 0 ? '+' : ''}${d.toFixed(1)}%`;
}

export async function compareConnections(plan: RunPlan, o: ExperimentOptions, io: Io): Promise<number> {
  const https = plan.sim ? plan.sim.tls : (plan.engine.target.baseUrl ?? '').startsWith('https:');
  const variants: Variant[] = [
    { label: 'keepalive', patch: { target: { connection: 'keepalive' } } },
    { label: 'fresh', patch: { target: { connection: 'fresh' } } },
    { label: 'prewarm', patch: { target: { connection: 'prewarm' } } },
    ...(https ? [{ label: 'h2', patch: { target: { connection: 'h2' as const } } }] : []),
  ];
  const run = await runVariants(plan, variants, { ...o, stderr: io.stderr });
  await run.target.close();
  const base = run.results[0];
  const rows = [
    ['strategy', 'ok', 'new conns', 'connect', 'TLS', 'TTFB p50', 'TTFT p50', 'TTFT p95', 'incl. connect p50', 'p95', 'E2E p50', 'vs keepalive'],
    ...run.results.map((r) => [
      r.label,
      `${r.report.succeeded}/${r.report.requests}`,
      String(r.newConnections),
      r.report.connectMs.count > 0 ? fmtMs(r.report.connectMs.mean) : '-',
      r.report.tlsMs.count > 0 ? fmtMs(r.report.tlsMs.mean) : '-',
      fmtMs(r.report.ttfbMs.p50),
      fmtMs(r.report.ttftMs.p50),
      fmtMs(r.report.ttftMs.p95),
      fmtMs(r.ttftFromIssueMs.p50),
      fmtMs(r.ttftFromIssueMs.p95),
      fmtMs(r.report.e2eMs.p50),
      base && base.ttftFromIssueMs.p50 > 0 ? `${(r.ttftFromIssueMs.p50 / base.ttftFromIssueMs.p50).toFixed(2)}x` : '-',
    ]),
  ];
  const lines = [
    `connection strategies, ${o.rounds} interleaved rounds of ${o.requestsPerRound} requests each at concurrency ${plan.engine.load.concurrency}`,
    `target: ${run.target.info.label}${https ? ' (TLS)' : ' (plain HTTP: no TLS handshake to save; h2 needs TLS)'}; times in ms; connect/TLS are means over new connections`,
    'TTFT starts when the request is written (after any connect); "incl. connect" starts when it was issued, so it pays for new connections',
    '',
    table(rows, (c) => c > 0),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  writeOutputs(plan, comparisonResult('compare-connections', plan, o, run), io);
  return run.exitCode;
}

function writeOutputs(plan: RunPlan, data: ComparisonResult, io: Io): void {
  if (plan.output.json) {
    writeFileAtomic(plan.output.json, `${JSON.stringify(data, null, 2)}\n`);
    io.stderr.write(`streamtop: wrote ${plan.output.json}\n`);
  }
  if (plan.output.html) {
    writeResultHtml(plan.output.html, { kind: 'comparison', comparison: data });
    io.stderr.write(`streamtop: wrote ${plan.output.html}\n`);
  }
}
