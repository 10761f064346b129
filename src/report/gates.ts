import { invalidFlag } from '../shared/usage-error.ts';
import { LatencyHistogram } from '../engine/histogram.ts';
import { METRIC_NAMES, MODES, type MetricName, type Mode } from '../engine/types.ts';
import { fmtMs, fmtNum } from './text.ts';
import type { Report } from './report.ts';

/**
 * CI gates: `--fail-if "p95(ttft)<800ms,error-rate<1%,p99(e2e)<10s"`. Each condition must hold
 * for the run to pass; a failed one says by how much it missed, so a red CI job explains itself.
 */

export type GateFunc = 'mean' | 'min' | 'max' | 'p50' | 'p90' | 'p95' | 'p99';
export type GateOp = '<' | '<=' | '>' | '>=';
export type ScalarMetric = 'error-rate' | 'success-rate' | 'rps' | 'tokens-per-sec' | 'goodput';

export type Gate =
  | {
      kind: 'latency';
      /** The condition as written, normalised (no spaces), e.g. "p95(ttft)<800ms". */
      source: string;
      func: GateFunc;
      metric: MetricName;
      /** Undefined: both modes merged. */
      mode?: Mode;
      op: GateOp;
      /** The limit in ms. */
      limitMs: number;
      /** The unit the user wrote, so messages speak it back. */
      unit: 'ms' | 's';
    }
  | {
      kind: 'scalar';
      source: string;
      metric: ScalarMetric;
      op: GateOp;
      /** Rates in percent (0-100); rps, tokens-per-sec and goodput per second. */
      limit: number;
    };

export interface GateResult {
  /** The condition, e.g. "p95(ttft)<800ms". */
  gate: string;
  pass: boolean;
  /** Measured value (ms, percent or per second); NaN when there was nothing to measure. */
  actual: number;
  limit: number;
  /** One line for people, e.g. "p95(ttft) = 912 ms, limit < 800 ms: over by 112 ms (14 %)". */
  text: string;
}

export interface GateEvaluation {
  pass: boolean;
  results: GateResult[];
}

const FUNCS: readonly GateFunc[] = ['mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99'];
const SCALARS: readonly ScalarMetric[] = ['error-rate', 'success-rate', 'rps', 'tokens-per-sec', 'goodput'];

export const FAIL_IF_GRAMMAR =
  'comma-separated conditions FUNC(METRIC[.MODE]) OP VALUE[ms|s] or RATE OP VALUE, e.g. ' +
  '"p95(ttft)<800ms,error-rate<1%,p99(e2e.stream)<10s" ' +
  `(FUNC: ${FUNCS.join('|')}; METRIC: ${METRIC_NAMES.join('|')}; MODE: stream|nonstream; OP: < <= > >=; ` +
  'RATE: error-rate|success-rate (in % or as a fraction 0-1), rps, tokens-per-sec, goodput)';

const NUM = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
const OP = '(<=|>=|<|>)';
const LATENCY_RE = new RegExp(String.raw`^([a-z0-9]+)\(([a-z0-9]+)(?:\.([a-z-]+))?\)${OP}${NUM}([a-z%]*)$`);
const SCALAR_RE = new RegExp(String.raw`^([a-z-]+)${OP}${NUM}([a-z%/]*)$`);

export function parseFailIf(flag: string, raw: string): Gate[] {
  const parts = raw
    .split(',')
    .map((s) => s.replace(/\s+/g, '').toLowerCase())
    .filter((s) => s !== '');
  if (parts.length === 0) throw invalidFlag(flag, raw, FAIL_IF_GRAMMAR);
  return parts.map((p) => parseOne(flag, raw, p));
}

function parseOne(flag: string, raw: string, part: string): Gate {
  // Name the offending condition and the specific problem before the full grammar: with
  // several conditions in one flag, "expected <grammar>" alone leaves the user guessing which.
  const bad = (why: string): Error => invalidFlag(flag, raw, `${FAIL_IF_GRAMMAR}; in "${part}": ${why}`);
  const lat = LATENCY_RE.exec(part);
  if (lat) {
    const [, func = '', metric = '', mode, op = '<', num = '', unit = ''] = lat;
    if (!isOneOf(func, FUNCS)) throw bad(`unknown function "${func}" (use ${FUNCS.join(', ')})`);
    if (!isOneOf(metric, METRIC_NAMES)) throw bad(`unknown metric "${metric}" (use ${METRIC_NAMES.join(', ')})`);
    let m: Mode | undefined;
    if (mode !== undefined) {
      // "non-stream" is how the summary labels the mode, so accept it as typed from there.
      const norm = mode === 'non-stream' ? 'nonstream' : mode;
      if (!isOneOf(norm, MODES)) throw bad(`unknown mode "${mode}" (use stream or nonstream)`);
      m = norm;
    }
    if (unit !== '' && unit !== 'ms' && unit !== 's') throw bad(`unknown unit "${unit}" (use ms or s)`);
    const u = unit === 's' ? 's' : 'ms';
    const limitMs = Number(num) * (u === 's' ? 1000 : 1);
    if (!Number.isFinite(limitMs)) throw bad(`"${num}" is not a number`);
    return {
      kind: 'latency',
      source: `${func}(${metric}${m ? `.${m}` : ''})${op}${num}${u}`,
      func,
      metric,
      ...(m ? { mode: m } : {}),
      op: op as GateOp,
      limitMs,
      unit: u,
    };
  }
  const sc = SCALAR_RE.exec(part);
  if (sc) {
    const [, metric = '', op = '<', num = '', unit = ''] = sc;
    if (isOneOf(metric, FUNCS) || isOneOf(metric, METRIC_NAMES))
      throw bad(`latency conditions need a function and a metric in parentheses, e.g. p95(${isOneOf(metric, METRIC_NAMES) ? metric : 'ttft'})<800ms`);
    if (!isOneOf(metric, SCALARS)) throw bad(`unknown condition "${metric}" (use ${SCALARS.join(', ')}, or FUNC(METRIC))`);
    let limit = Number(num);
    if (metric === 'error-rate' || metric === 'success-rate') {
      if (unit === '%') {
        if (limit > 100) throw bad('a percentage from 0% to 100%');
      } else if (unit === '') {
        // A bare number is a fraction (0.01 = 1 %); 5 would mean 500 %, surely a missing "%".
        if (limit > 1) throw bad(`a bare number is a fraction from 0 to 1; write ${num}% for a percentage`);
        limit *= 100;
      } else {
        throw bad(`unknown unit "${unit}" (use % or a fraction from 0 to 1)`);
      }
    } else if (unit !== '' && unit !== '/s') {
      throw bad(`${metric} is a number per second; drop the unit "${unit}"`);
    }
    return { kind: 'scalar', source: `${metric}${op}${num}${unit}`, metric, op: op as GateOp, limit };
  }
  if (!/(<=|>=|<|>)/.test(part)) throw bad('no comparison (<, <=, > or >=)');
  throw bad('not a condition');
}

function isOneOf<T extends string>(v: string, list: readonly T[]): v is T {
  return (list as readonly string[]).includes(v);
}

function holds(actual: number, op: GateOp, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
  }
}

export function evaluateGates(report: Report, gates: readonly Gate[]): GateEvaluation {
  const results = gates.map((g) => (g.kind === 'latency' ? latencyGate(report, g) : scalarGate(report, g)));
  return { pass: results.every((r) => r.pass), results };
}

type LatencyGate = Extract<Gate, { kind: 'latency' }>;
type ScalarGate = Extract<Gate, { kind: 'scalar' }>;

/** The distribution of one metric over the modes asked for, from the report's lossless histograms. */
function measure(report: Report, g: LatencyGate): { value: number; count: number } | { missing: true } {
  const modes = g.mode ? [g.mode] : MODES;
  const h = new LatencyHistogram();
  try {
    for (const m of modes) {
      // Optional chaining on purpose: a hand-edited or older report may lack histograms.
      const enc = report.histograms?.[m]?.histograms?.[g.metric];
      if (!enc) {
        if ((report.byMode[m]?.[`${g.metric}Ms`]?.count ?? 0) > 0) return { missing: true };
        continue;
      }
      const d = LatencyHistogram.decode(enc);
      h.add(d);
      d.dispose();
    }
    const value =
      g.func === 'mean' ? h.mean : g.func === 'min' ? h.minMs : g.func === 'max' ? h.maxMs : h.percentile(Number(g.func.slice(1)));
    return { value, count: h.count };
  } finally {
    h.dispose();
  }
}

function fmtLatency(ms: number, unit: 'ms' | 's'): string {
  if (unit === 's') return `${trimNum(ms / 1000, 3)} s`;
  // fmtMs switches to "12.3s" past 10 s; keep the unit the user chose instead.
  return ms >= 10_000 ? `${trimNum(ms, 0)} ms` : `${fmtMs(ms)} ms`;
}

function trimNum(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}

/**
 * "over by 112 ms (14 %)" or "under by ..."; the percentage is relative to the limit. For
 * rates (already percentages) a relative percentage would read as nonsense ("3 % is 200 % over
 * 1 %"), so those say percentage points instead.
 */
function miss(actual: number, limit: number, op: GateOp, show: (v: number) => string, isRate = false): string {
  const diff = Math.abs(actual - limit);
  if (diff === 0) return `at the limit, which ${op} excludes`;
  const word = op === '<' || op === '<=' ? 'over' : 'under';
  if (isRate) return `${word} by ${fmtNum(diff, 2)} percentage points`;
  // Past 10x a percentage stops being readable ("509400 %"); a ratio says the same plainly.
  const ratio = limit !== 0 ? diff / Math.abs(limit) : Infinity;
  const pct = !Number.isFinite(ratio) ? '' : ratio < 10 ? ` (${Math.round(ratio * 100)} %)` : ` (${fmtNum(actual / limit, 0)}x the limit)`;
  return `${word} by ${show(diff)}${pct}`;
}

function latencyGate(report: Report, g: LatencyGate): GateResult {
  const name = `${g.func}(${g.metric}${g.mode ? `.${g.mode}` : ''})`;
  // The limit as typed (800 ms, not "800" or "1.00 ms").
  const limitText = `limit ${g.op} ${g.unit === 's' ? trimNum(g.limitMs / 1000, 3) : trimNum(g.limitMs, 3)} ${g.unit}`;
  const base = { gate: g.source, limit: g.limitMs };
  const r = measure(report, g);
  if ('missing' in r)
    return { ...base, pass: false, actual: NaN, text: `${name}: the report has no histograms for it (${limitText}); cannot check` };
  // A gate on nothing must fail: a CI job whose stream requests all errored must not go green on TTFT.
  if (r.count === 0)
    return { ...base, pass: false, actual: NaN, text: `${name}: no samples${g.mode ? ` in ${g.mode} mode` : ''} (${limitText})` };
  const pass = holds(r.value, g.op, g.limitMs);
  const head = `${name} = ${fmtLatency(r.value, g.unit)}, ${limitText}`;
  return {
    ...base,
    pass,
    actual: r.value,
    text: pass ? `${head}: ok` : `${head}: ${miss(r.value, g.limitMs, g.op, (v) => fmtLatency(v, g.unit))}`,
  };
}

interface GoodputShape {
  perSec: number;
  basis?: string;
}

function goodputFrom(report: Report): GoodputShape | undefined {
  const g = report.extras?.goodput;
  if (typeof g !== 'object' || g === null) return undefined;
  const perSec = (g as { perSec?: unknown }).perSec;
  const basis = (g as { basis?: unknown }).basis;
  if (typeof perSec !== 'number') return undefined;
  return typeof basis === 'string' ? { perSec, basis } : { perSec };
}

function scalarGate(report: Report, g: ScalarGate): GateResult {
  const base = { gate: g.source, limit: g.limit };
  const t = report.totals;
  const isRate = g.metric === 'error-rate' || g.metric === 'success-rate';
  const unit = isRate ? ' %' : g.metric === 'tokens-per-sec' ? ' tok/s' : ' req/s';
  const show = (v: number): string => `${fmtNum(v, isRate ? 2 : 1)}${unit}`;
  const limitText = `limit ${g.op} ${show(g.limit)}`;
  let actual: number;
  let note = '';
  switch (g.metric) {
    case 'error-rate':
    case 'success-rate': {
      if (t.requests === 0) return { ...base, pass: false, actual: NaN, text: `${g.metric}: no requests (${limitText})` };
      // Early-stopped streams were stopped on purpose: not errors, so success-rate = 100 - error-rate.
      const err = (t.failed / t.requests) * 100;
      actual = g.metric === 'error-rate' ? err : 100 - err;
      note = ` (${t.failed} of ${t.requests} failed)`;
      break;
    }
    case 'rps':
      actual = t.requestsPerSec;
      break;
    case 'tokens-per-sec':
      actual = t.outputTokensPerSec;
      break;
    case 'goodput': {
      const gp = goodputFrom(report);
      if (!gp)
        return { ...base, pass: false, actual: NaN, text: `goodput: not measured, no --slo given (${limitText}); add --slo "ttft<500ms,..."` };
      actual = gp.perSec;
      if (gp.basis !== undefined && gp.basis !== 'per request') note = ` (${gp.basis})`;
      break;
    }
  }
  const pass = holds(actual, g.op, g.limit);
  const head = `${g.metric} = ${show(actual)}${note}, ${limitText}`;
  return { ...base, pass, actual, text: pass ? `${head}: ok` : `${head}: ${miss(actual, g.limit, g.op, show, isRate)}` };
}
