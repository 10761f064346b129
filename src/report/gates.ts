import { invalidFlag } from '../shared/usage-error.ts';
import { LatencyHistogram } from '../engine/histogram.ts';
import { METRIC_NAMES, MODES, type MetricName, type Mode } from '../engine/types.ts';
import { fmtMs, fmtNum } from './text.ts';
import type { Report } from './report.ts';
import { UsageError } from '../shared/usage-error.ts';

/**
 * CI gates: `--fail-if "p95(ttft)<800ms,error-rate<1%,p99(e2e)<10s"`. Each condition must hold
 * for the run to pass; a failed one says by how much it missed, so a red CI job explains itself.
 *
 * With several targets (--target) a metric can name one (`p95(ttft@gateway)`), and a latency's
 * limit can be another measurement plus a margin (`p95(ttft@gateway) < p95(ttft@direct) + 50ms`):
 * "the gateway adds at most 50 ms" as a gate. A metric without @ is the reference target's.
 */

export type GateFunc = 'mean' | 'min' | 'max' | 'p50' | 'p90' | 'p95' | 'p99';
export type GateOp = '<' | '<=' | '>' | '>=';
export type ScalarMetric = 'error-rate' | 'success-rate' | 'rps' | 'tokens-per-sec' | 'goodput';

/** One latency measurement: a function of a metric, in a mode, of a target. */
export interface LatencyOperand {
  func: GateFunc;
  metric: MetricName;
  /** Undefined: both modes merged. */
  mode?: Mode;
  /** Undefined: the run's only target, or the reference of several. */
  target?: string;
}

export type Gate =
  | (LatencyOperand & {
      kind: 'latency';
      /** The condition as written, normalised (no spaces), e.g. "p95(ttft)<800ms". */
      source: string;
      op: GateOp;
      /** The limit in ms; with `relative`, the margin added to the other measurement. */
      limitMs: number;
      /** The unit the user wrote, so messages speak it back. */
      unit: 'ms' | 's';
      /** The limit is another measurement (times `factor`) plus `limitMs`: `p95(ttft@direct)+50ms`. */
      relative?: LatencyOperand & { factor: number };
    })
  | {
      kind: 'scalar';
      source: string;
      metric: ScalarMetric;
      /** Undefined: the run's only target, or the reference of several. */
      target?: string;
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
  'RATE: error-rate|success-rate (in % or as a fraction 0-1), rps, tokens-per-sec, goodput); ' +
  'with several targets (--target), METRIC@TARGET or RATE@TARGET picks one (without @: the reference), and a latency ' +
  'may be compared with another: "p95(ttft@gateway)<p95(ttft@direct)+50ms" (the margin may be -VALUE; *FACTOR after the measurement scales it)';

const NUM = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
const OP = '(<=|>=|<|>)';
/** A target name as --target takes it (src/config/targets.ts): case kept, matched exactly. */
const TARGET = String.raw`(?:@([A-Za-z0-9_.-]+))?`;
const OPERAND = String.raw`([a-z0-9]+)\(([a-z0-9]+)(?:\.([a-z-]+))?${TARGET}\)`;
const LATENCY_RE = new RegExp(String.raw`^${OPERAND}${OP}(.*)$`, 'i');
const FIXED_RE = new RegExp(String.raw`^${NUM}([a-z%]*)$`, 'i');
const RELATIVE_RE = new RegExp(String.raw`^${OPERAND}(?:\*${NUM})?(?:([+-])${NUM}([a-z%]*))?$`, 'i');
const SCALAR_RE = new RegExp(String.raw`^([a-z-]+)${TARGET}${OP}${NUM}([a-z%/]*)$`, 'i');

export function parseFailIf(flag: string, raw: string): Gate[] {
  // Case is ignored everywhere but in target names (lowered where each part is read).
  const parts = raw
    .split(',')
    .map((s) => s.replace(/\s+/g, ''))
    .filter((s) => s !== '');
  if (parts.length === 0) throw invalidFlag(flag, raw, FAIL_IF_GRAMMAR);
  return parts.map((p) => parseOne(flag, raw, p));
}

/** "p95(ttft.stream@gw)": an operand as the gate's source and messages write it. */
export function operandText(o: LatencyOperand): string {
  return `${o.func}(${o.metric}${o.mode ? `.${o.mode}` : ''}${o.target !== undefined ? `@${o.target}` : ''})`;
}

/** The target names a gate reads, in order. */
function targetsOf(g: Gate): string[] {
  const out: string[] = [];
  if (g.target !== undefined) out.push(g.target);
  if (g.kind === 'latency' && g.relative?.target !== undefined) out.push(g.relative.target);
  return out;
}

/**
 * Every @TARGET a gate names must be one of the run's targets (`names`; undefined for a run of
 * one endpoint, where no gate may name one): checked before the run starts, or before a saved
 * report is judged, so a typo fails at once with the names that exist.
 */
export function checkGateTargets(flag: string, raw: string, gates: readonly Gate[], names: readonly string[] | undefined): void {
  for (const g of gates) {
    for (const t of targetsOf(g)) {
      if (names === undefined)
        throw new UsageError(`${flag} ${JSON.stringify(raw)}: "${g.source}" names target "${t}", but the run has one endpoint; @TARGET picks one of several (--target NAME=URL, repeated): drop "@${t}"`);
      if (!names.includes(t))
        throw new UsageError(`${flag} ${JSON.stringify(raw)}: "${g.source}" names target "${t}", which is not one of this run's targets: ${names.join(', ')} (names are case-sensitive)`);
    }
  }
}

function parseOne(flag: string, raw: string, part: string): Gate {
  // Name the offending condition and the specific problem before the full grammar: with
  // several conditions in one flag, "expected <grammar>" alone leaves the user guessing which.
  const bad = (why: string): Error => invalidFlag(flag, raw, `${FAIL_IF_GRAMMAR}; in "${part}": ${why}`);
  const operand = (func: string, metric: string, mode: string | undefined, target: string | undefined): LatencyOperand => {
    const f = func.toLowerCase();
    const m = metric.toLowerCase();
    if (!isOneOf(f, FUNCS)) throw bad(`unknown function "${func}" (use ${FUNCS.join(', ')})`);
    if (!isOneOf(m, METRIC_NAMES)) throw bad(`unknown metric "${metric}" (use ${METRIC_NAMES.join(', ')})`);
    const out: LatencyOperand = { func: f, metric: m };
    if (mode !== undefined) {
      // "non-stream" is how the summary labels the mode, so accept it as typed from there.
      const low = mode.toLowerCase();
      const norm = low === 'non-stream' ? 'nonstream' : low;
      if (!isOneOf(norm, MODES)) throw bad(`unknown mode "${mode}" (use stream or nonstream)`);
      out.mode = norm;
    }
    if (target !== undefined) out.target = target;
    return out;
  };
  const latencyUnit = (unit: string): 'ms' | 's' => {
    const u = unit.toLowerCase();
    if (u !== '' && u !== 'ms' && u !== 's') throw bad(`unknown unit "${unit}" (use ms or s)`);
    return u === 's' ? 's' : 'ms';
  };
  const lat = LATENCY_RE.exec(part);
  if (lat) {
    const [, func = '', metric = '', mode, target, op = '<', rest = ''] = lat;
    const left = operand(func, metric, mode, target);
    const fixed = FIXED_RE.exec(rest);
    if (fixed) {
      const [, num = '', unit = ''] = fixed;
      const u = latencyUnit(unit);
      const limitMs = Number(num) * (u === 's' ? 1000 : 1);
      if (!Number.isFinite(limitMs)) throw bad(`"${num}" is not a number`);
      return { kind: 'latency', source: `${operandText(left)}${op}${num}${u}`, ...left, op: op as GateOp, limitMs, unit: u };
    }
    const rel = RELATIVE_RE.exec(rest);
    if (!rel) throw bad(`after ${op} a limit: a time (800ms) or a measurement with an optional margin (p95(ttft@direct)+50ms)`);
    const [, rf = '', rm = '', rmode, rtarget, factorText, sign, marginText, marginUnit = ''] = rel;
    const right = operand(rf, rm, rmode, rtarget);
    const factor = factorText !== undefined ? Number(factorText) : 1;
    if (!(factor > 0)) throw bad(`the factor ${factorText ?? ''} must be above 0`);
    const u = latencyUnit(marginUnit);
    const margin = marginText !== undefined ? Number(marginText) * (u === 's' ? 1000 : 1) * (sign === '-' ? -1 : 1) : 0;
    const rightText = `${operandText(right)}${factorText !== undefined ? `*${factorText}` : ''}${marginText !== undefined ? `${sign ?? '+'}${marginText}${u}` : ''}`;
    return {
      kind: 'latency',
      source: `${operandText(left)}${op}${rightText}`,
      ...left,
      op: op as GateOp,
      limitMs: margin,
      unit: u,
      relative: { ...right, factor },
    };
  }
  const sc = SCALAR_RE.exec(part);
  if (sc) {
    const [, metricText = '', target, op = '<', num = '', unitText = ''] = sc;
    const metric = metricText.toLowerCase();
    const unit = unitText.toLowerCase();
    if (isOneOf(metric, FUNCS) || isOneOf(metric, METRIC_NAMES))
      throw bad(`latency conditions need a function and a metric in parentheses, e.g. p95(${isOneOf(metric, METRIC_NAMES) ? metric : 'ttft'})<800ms`);
    if (!isOneOf(metric, SCALARS)) throw bad(`unknown condition "${metricText}" (use ${SCALARS.join(', ')}, or FUNC(METRIC))`);
    let limit = Number(num);
    if (metric === 'error-rate' || metric === 'success-rate') {
      if (unit === '%') {
        if (limit > 100) throw bad('a percentage from 0% to 100%');
      } else if (unit === '') {
        // A bare number is a fraction (0.01 = 1 %); 5 would mean 500 %, surely a missing "%".
        if (limit > 1) throw bad(`a bare number is a fraction from 0 to 1; write ${num}% for a percentage`);
        limit *= 100;
      } else {
        throw bad(`unknown unit "${unitText}" (use % or a fraction from 0 to 1)`);
      }
    } else if (unit !== '' && unit !== '/s') {
      throw bad(`${metric} is a number per second; drop the unit "${unitText}"`);
    }
    const at = target !== undefined ? `@${target}` : '';
    return { kind: 'scalar', source: `${metric}${at}${op}${num}${unit}`, metric, ...(target !== undefined ? { target } : {}), op: op as GateOp, limit };
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

/** What a gate reads of one target's run: a single-target report, or one entry of `targets`. */
export type GateRun = Pick<Report, 'histograms' | 'byMode' | 'totals' | 'extras'>;

/** The run of the target a gate names; undefined names the only target, or the reference of several. */
function runOf(report: Report, target: string | undefined): { run: GateRun; name?: string } | undefined {
  const targets = report.targets;
  if (targets === undefined || targets.length === 0) return target === undefined ? { run: report } : undefined;
  const t = target === undefined ? targets[0] : targets.find((x) => x.name === target);
  return t === undefined ? undefined : { run: t, name: t.name };
}

export function evaluateGates(report: Report, gates: readonly Gate[]): GateEvaluation {
  const results = gates.map((g) => (g.kind === 'latency' ? latencyGate(report, g) : scalarGate(report, g)));
  return { pass: results.every((r) => r.pass), results };
}

type LatencyGate = Extract<Gate, { kind: 'latency' }>;
type ScalarGate = Extract<Gate, { kind: 'scalar' }>;

type Measured = { value: number; count: number } | { missing: true };

/** The distribution of one metric over the modes asked for, from the report's lossless histograms. */
function measure(report: GateRun, g: LatencyOperand): Measured {
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

/**
 * An operand as messages name it: with several targets, one without @ is shown with the
 * reference's name, so a CI log says which target a number belongs to.
 */
function shownName(o: LatencyOperand, resolved: string | undefined): string {
  return operandText(resolved !== undefined ? { ...o, target: resolved } : o);
}

/** A measurement, or why there is none (the text names the operand). */
type Operand = { ok: true; value: number } | { ok: false; why: string; cannotCheck: boolean };

/** Measures one operand of a gate in the run of the target it names. */
function measureOperand(report: Report, o: LatencyOperand): Operand & { name: string } {
  const run = runOf(report, o.target);
  const name = shownName(o, run?.name);
  if (run === undefined) return { ok: false, why: `${name}: no target "${o.target ?? ''}" in this report`, cannotCheck: false, name };
  const m = measure(run.run, o);
  if ('missing' in m) return { ok: false, why: `${name}: the report has no histograms for it`, cannotCheck: true, name };
  // A gate on nothing must fail: a CI job whose stream requests all errored must not go green on TTFT.
  if (m.count === 0) return { ok: false, why: `${name}: no samples${o.mode ? ` in ${o.mode} mode` : ''}`, cannotCheck: false, name };
  return { ok: true, value: m.value, name };
}

function latencyGate(report: Report, g: LatencyGate): GateResult {
  const fmtLimit = (ms: number): string => `${g.unit === 's' ? trimNum(ms / 1000, 3) : trimNum(ms, 3)} ${g.unit}`;
  const left = measureOperand(report, g);
  // The limit: as typed (800 ms, not "800" or "1.00 ms"), or another measurement with its margin.
  let limitMs = g.limitMs;
  let limitText = `limit ${g.op} ${fmtLimit(g.limitMs)}`;
  let right: ReturnType<typeof measureOperand> | undefined;
  if (g.relative !== undefined) {
    right = measureOperand(report, g.relative);
    const factor = g.relative.factor !== 1 ? ` * ${trimNum(g.relative.factor, 6)}` : '';
    const margin = g.limitMs !== 0 ? ` ${g.limitMs < 0 ? '-' : '+'} ${fmtLimit(Math.abs(g.limitMs))}` : '';
    limitText = `limit ${g.op} ${right.name}${factor}${margin}`;
    if (right.ok) {
      limitMs = right.value * g.relative.factor + g.limitMs;
      limitText += ` = ${fmtLatency(limitMs, g.unit)}`;
    }
  }
  const base = { gate: g.source, limit: limitMs };
  if (!left.ok) return { ...base, pass: false, actual: NaN, text: `${left.why} (${limitText})${left.cannotCheck ? '; cannot check' : ''}` };
  const head = `${left.name} = ${fmtLatency(left.value, g.unit)}, ${limitText}`;
  if (right !== undefined && !right.ok)
    return { ...base, limit: NaN, pass: false, actual: left.value, text: `${head}: the limit cannot be measured, ${right.why}${right.cannotCheck ? '; cannot check' : ''}` };
  const pass = holds(left.value, g.op, limitMs);
  return {
    ...base,
    pass,
    actual: left.value,
    text: pass ? `${head}: ok` : `${head}: ${miss(left.value, limitMs, g.op, (v) => fmtLatency(v, g.unit))}`,
  };
}

interface GoodputShape {
  perSec: number;
  basis?: string;
}

function goodputFrom(report: GateRun): GoodputShape | undefined {
  const g = report.extras?.goodput;
  if (typeof g !== 'object' || g === null) return undefined;
  const perSec = (g as { perSec?: unknown }).perSec;
  const basis = (g as { basis?: unknown }).basis;
  if (typeof perSec !== 'number') return undefined;
  return typeof basis === 'string' ? { perSec, basis } : { perSec };
}

function scalarGate(report: Report, g: ScalarGate): GateResult {
  const base = { gate: g.source, limit: g.limit };
  const target = runOf(report, g.target);
  const label = target?.name !== undefined ? `${g.metric}@${target.name}` : g.metric;
  if (target === undefined) return { ...base, pass: false, actual: NaN, text: `${g.metric}@${g.target ?? ''}: no target "${g.target ?? ''}" in this report` };
  const run = target.run;
  const t = run.totals;
  const isRate = g.metric === 'error-rate' || g.metric === 'success-rate';
  const unit = isRate ? ' %' : g.metric === 'tokens-per-sec' ? ' tok/s' : ' req/s';
  const show = (v: number): string => `${fmtNum(v, isRate ? 2 : 1)}${unit}`;
  const limitText = `limit ${g.op} ${show(g.limit)}`;
  let actual: number;
  let note = '';
  switch (g.metric) {
    case 'error-rate':
    case 'success-rate': {
      if (t.requests === 0) return { ...base, pass: false, actual: NaN, text: `${label}: no requests (${limitText})` };
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
      const gp = goodputFrom(run);
      if (!gp)
        return { ...base, pass: false, actual: NaN, text: `${label}: not measured, no --slo given (${limitText}); add --slo "ttft<500ms,..."` };
      actual = gp.perSec;
      if (gp.basis !== undefined && gp.basis !== 'per request') note = ` (${gp.basis})`;
      break;
    }
  }
  const pass = holds(actual, g.op, g.limit);
  const head = `${label} = ${show(actual)}${note}, ${limitText}`;
  return { ...base, pass, actual, text: pass ? `${head}: ok` : `${head}: ${miss(actual, g.limit, g.op, show, isRate)}` };
}
