/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written from the
 * format's rules rather than from the exporter, so a test can tell whether a scrape would load:
 * metric and label names, label value escapes, numbers (NaN, +Inf), one TYPE per family before
 * its samples, families not split, no duplicate series, and histograms whose buckets are
 * cumulative, end with le="+Inf" and agree with _count. prom-client has no parser of its own.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export class ExpositionError extends Error {}

function fail(line: number, why: string): never {
  throw new ExpositionError(`line ${line}: ${why}`);
}

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(line, `not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `s` at `i` (just after the metric name); returns the labels and the index after `}`. */
function parseLabels(s: string, i: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  i++; // '{'
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '}') return { labels, end: i + 1 };
    const eq = s.indexOf('=', i);
    if (eq < 0) fail(line, 'label without =');
    const name = s.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) fail(line, `bad label name ${JSON.stringify(name)}`);
    if (name in labels) fail(line, `label ${name} twice`);
    i = eq + 1;
    if (s[i] !== '"') fail(line, `label ${name}: value not quoted`);
    i++;
    let value = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) fail(line, `label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = s[i + 1];
        if (n === '\\') value += '\\';
        else if (n === '"') value += '"';
        else if (n === 'n') value += '\n';
        else fail(line, `label ${name}: bad escape \\${n ?? ''}`);
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[name] = value;
    i++; // closing quote
    while (s[i] === ' ') i++;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') fail(line, `label ${name}: expected , or } after the value`);
  }
}

/** The family a sample name belongs to, given the TYPE lines seen (histogram `_bucket`, `_sum`, `_count`). */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

const seriesKey = (s: Sample): string =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: Family | undefined;
  if (text !== '' && !text.endsWith('\n')) fail(0, 'the text must end with a line feed');
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const n = idx + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(raw);
      if (!m) return; // an ordinary comment
      const [, kind, name = '', rest = ''] = m;
      if (!METRIC_NAME.test(name)) fail(n, `bad metric name ${JSON.stringify(name)}`);
      let f = families.get(name);
      if (closed.has(name)) fail(n, `${name}: its lines are split`);
      if (!f) {
        f = { name, type: 'untyped', samples: [] };
        families.set(name, f);
      }
      if (current && current !== f) closed.add(current.name);
      current = f;
      if (kind === 'TYPE') {
        if (f.samples.length > 0) fail(n, `${name}: TYPE after its samples`);
        if (!TYPES.includes(rest.trim() as MetricType)) fail(n, `${name}: unknown type ${JSON.stringify(rest)}`);
        f.type = rest.trim() as MetricType;
      } else {
        if (f.help !== undefined) fail(n, `${name}: HELP twice`);
        f.help = rest;
      }
      return;
    }
    const nameEnd = raw.search(/[{ ]/);
    if (nameEnd <= 0) fail(n, 'sample without a value');
    const name = raw.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) fail(n, `bad metric name ${JSON.stringify(name)}`);
    let labels: Record<string, string> = {};
    let i = nameEnd;
    if (raw[i] === '{') ({ labels, end: i } = parseLabels(raw, i, n));
    const fields = raw.slice(i).trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '') fail(n, 'expected a value and an optional timestamp');
    const value = parseValue(fields[0] ?? '', n);
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) fail(n, `bad timestamp ${fields[1]}`);
    let f = familyOf(name, families);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    }
    if (closed.has(f.name)) fail(n, `${f.name}: its lines are split`);
    if (current && current !== f) closed.add(current.name);
    current = f;
    const s: Sample = { name, labels, value };
    const key = seriesKey(s);
    if (seen.has(key)) fail(n, `duplicate series ${key}`);
    seen.add(key);
    f.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** Buckets by series (labels without le): cumulative, ending at +Inf, +Inf equal to _count. */
function checkHistogram(f: Family): void {
  const groups = new Map<string, { buckets: { le: number; v: number }[]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = seriesKey({ name: '', labels: rest, value: 0 });
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new ExpositionError(`${f.name}: a bucket without le`);
      g.buckets.push({ le: parseValue(le, 0), v: s.value });
    } else if (s.name === `${f.name}_count`) g.count = s.value;
    else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else throw new ExpositionError(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, g] of groups) {
    const b = g.buckets;
    if (b.length === 0 || b[b.length - 1]?.le !== Infinity) throw new ExpositionError(`${f.name}${key}: no le="+Inf" bucket last`);
    for (let i = 1; i < b.length; i++) {
      const prev = b[i - 1];
      const cur = b[i];
      if (!prev || !cur) continue;
      if (!(cur.le > prev.le)) throw new ExpositionError(`${f.name}${key}: bucket bounds not increasing`);
      if (cur.v < prev.v) throw new ExpositionError(`${f.name}${key}: buckets not cumulative`);
    }
    if (g.count === undefined || g.sum === undefined) throw new ExpositionError(`${f.name}${key}: _count or _sum missing`);
    if (b[b.length - 1]?.v !== g.count) throw new ExpositionError(`${f.name}${key}: le="+Inf" differs from _count`);
  }
}

/** The value of the one sample of `name` whose labels include `match`; sums when several match. */
export function valueOf(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const f of families.values())
    for (const s of f.samples) if (s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  return total;
}

/** Every series of the counters (and histogram _count/_bucket/_sum), keyed, for monotonicity checks. */
export function counterSeries(families: Map<string, Family>): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of families.values()) {
    if (f.type !== 'counter' && f.type !== 'histogram') continue;
    for (const s of f.samples) out.set(seriesKey(s), s.value);
  }
  return out;
}
