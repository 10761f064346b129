import { readFileSync } from 'node:fs';
import { SIM_FLAG_SPECS, SIM_PROFILE_NAMES, type SimProfileName } from '../sim/config.ts';
import { ADDED_LATENCY_ALLOWED, MAX_ADDED_LATENCY_MS, parseLatencySpec } from '../sim/proxy-settings.ts';
import { CONCURRENCY } from '../engine/limits.ts';
import { parseUrl } from '../flags/values.ts';
import { redactUrl } from '../shared/url-secrets.ts';
import { UsageError } from '../shared/usage-error.ts';

/**
 * Several endpoints in one run (`--target NAME=URL[,key=value...]`, repeatable, or `--targets
 * FILE`): what each target is, validated here so that a mistake names the target and the field.
 * The run plan (run-options.ts) turns each into the settings of its own engine.
 */

export const TARGET_GRAMMAR =
  'NAME=URL, NAME=sim:PROFILE or NAME=proxy:TARGET, then optional ,api=openai|anthropic ,model=NAME ,key-env=VAR ,header=NAME:VALUE ' +
  ',header-env=NAME:VAR ,body=JSON ,c=N (simulator targets also take its knobs, e.g. ttft=400 or ttft=+50; ' +
  'proxy targets added-latency=MS[:SD] and added-chunk-latency=MS)';

/** Built-in simulator targets: a profile and knobs over it (`sim:fast,ttft=+50`). */
export interface SimTargetSpec {
  profile: SimProfileName;
  /** Knob name (as `streamtop sim` spells it) -> value as typed; `+N`/`-N` are relative to the profile. */
  knobs: Record<string, string>;
}

/**
 * An emulated gateway (`streamtop sim --proxy-to`) in front of another target of the run, a
 * simulator one, started with it: `gateway=proxy:direct,added-latency=30`.
 */
export interface ProxyTargetSpec {
  /** The name of the sim: target it forwards to. */
  upstream: string;
  addedLatency: { mean: number; sd: number };
  addedChunkLatencyMs: number;
}

export interface TargetSpec {
  name: string;
  /** An http(s) base URL; absent for a simulator or proxy target. */
  url?: string;
  sim?: SimTargetSpec;
  proxy?: ProxyTargetSpec;
  api?: 'openai' | 'anthropic';
  model?: string;
  keyEnv?: string;
  /** Header name -> value, sent as typed (not secret). */
  headers: Record<string, string>;
  /** Header name -> environment variable holding its value (secret: scrubbed from every output). */
  headerEnvs: Record<string, string>;
  /** Request body fields added to every request of this target. */
  body?: Record<string, unknown>;
  /** Pool size of this target; -c when absent. */
  concurrency?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Simulator knobs a target may not set: where it listens and its key belong to the run. */
const RUN_OWNED_KNOBS = new Set(['host', 'port', 'api-key', 'profile']);
const SIM_KNOBS = new Set(SIM_FLAG_SPECS.map((s) => s.name).filter((n) => !RUN_OWNED_KNOBS.has(n)));
/** Fields of proxy targets only. */
const PROXY_FIELDS = ['added-latency', 'added-chunk-latency'] as const;
/** Target fields other than the simulator's knobs. */
const FIELDS = ['api', 'model', 'key-env', 'header', 'header-env', 'body', 'c'] as const;
type Field = (typeof FIELDS)[number];

/** Splits on commas outside JSON braces, brackets and strings (a body= value has commas of its own). */
function splitFields(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((p) => p.trim());
}

/** Where a target came from, for messages: `--target fast` or `targets.json: target 2 ("fast")`. */
type Where = (field?: string) => string;

function fail(where: Where, field: string | undefined, what: string): never {
  throw new UsageError(`${where(field)}: ${what}`);
}

function splitPair(where: Where, field: string, raw: string, second: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon > 0 ? raw.slice(0, colon).trim() : '';
  const value = colon > 0 ? raw.slice(colon + 1).trim() : '';
  if (!HEADER_NAME.test(name) || value === '') fail(where, field, `expected NAME:${second}, e.g. ${field}=x-team:${second === 'VAR' ? 'TEAM_TOKEN' : 'search'}`);
  return [name.toLowerCase(), value];
}

/** The URL part: `sim:PROFILE`, `proxy:TARGET` or an http(s) URL. */
function readEndpoint(where: Where, raw: string): Pick<TargetSpec, 'url' | 'sim' | 'proxy'> {
  const text = raw.trim();
  if (text.startsWith('proxy:')) {
    const upstream = text.slice(6).trim();
    if (!NAME.test(upstream)) fail(where, 'url', `proxy: takes the name of another target (a sim: one) to forward to, e.g. proxy:direct; got ${JSON.stringify(upstream)}`);
    return { proxy: { upstream, addedLatency: { mean: 0, sd: 0 }, addedChunkLatencyMs: 0 } };
  }
  if (text === 'sim' || text.startsWith('sim:')) {
    const profile = text === 'sim' ? 'default' : text.slice(4).trim();
    if (!(SIM_PROFILE_NAMES as readonly string[]).includes(profile))
      fail(where, 'url', `unknown simulator profile ${JSON.stringify(profile)}: expected sim: followed by one of ${SIM_PROFILE_NAMES.join(', ')}`);
    return { sim: { profile: profile as SimProfileName, knobs: {} } };
  }
  try {
    return { url: parseUrl('url', text) };
  } catch {
    return fail(where, 'url', `${JSON.stringify(redactUrl(text))} is not an endpoint: expected an http:// or https:// URL without user:password, or sim:PROFILE (${SIM_PROFILE_NAMES.join(', ')})`);
  }
}

/** One field (`model=gpt-4o`, `ttft=400`) applied to the spec being built. */
function applyField(spec: TargetSpec, where: Where, key: string, value: string): void {
  if (value === '') fail(where, key, 'has no value');
  if ((FIELDS as readonly string[]).includes(key)) {
    const field = key as Field;
    switch (field) {
      case 'api':
        if (value !== 'openai' && value !== 'anthropic') fail(where, key, `expected openai or anthropic, got ${JSON.stringify(value)}`);
        spec.api = value;
        return;
      case 'model':
        spec.model = value;
        return;
      case 'key-env':
        // Never echoed: a key pasted where the variable's name belongs must not reach the terminal.
        if (!ENV_VAR.test(value)) fail(where, key, 'expected the NAME of an environment variable (letters, digits, _) that holds the key, not the key itself (value not shown)');
        spec.keyEnv = value;
        return;
      case 'header': {
        const [name, v] = splitPair(where, key, value, 'VALUE');
        spec.headers[name] = v;
        return;
      }
      case 'header-env': {
        const [name, v] = splitPair(where, key, value, 'VAR');
        if (!ENV_VAR.test(v)) fail(where, key, 'expected NAME:VAR with VAR the name of an environment variable (value not shown)');
        spec.headerEnvs[name] = v;
        return;
      }
      case 'body': {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          fail(where, key, 'expected a JSON object, e.g. body={"temperature":0}');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail(where, key, 'expected a JSON object, e.g. body={"temperature":0}');
        for (const owned of ['model', 'messages', 'stream']) if (owned in parsed) fail(where, key, `may not set "${owned}" (streamtop sets it)`);
        spec.body = parsed as Record<string, unknown>;
        return;
      }
      case 'c': {
        const n = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!(n >= CONCURRENCY.min && n <= CONCURRENCY.max)) fail(where, key, `expected a whole number from ${CONCURRENCY.min} to ${CONCURRENCY.max}, got ${JSON.stringify(value)}`);
        spec.concurrency = n;
        return;
      }
    }
  }
  if ((PROXY_FIELDS as readonly string[]).includes(key)) {
    if (spec.proxy === undefined) fail(where, key, 'applies only to proxy: targets (an emulated gateway, e.g. gateway=proxy:direct,added-latency=30)');
    if (key === 'added-latency') {
      const latency = parseLatencySpec(value);
      if (latency === undefined) fail(where, key, `expected ${ADDED_LATENCY_ALLOWED}, got ${JSON.stringify(value)}`);
      spec.proxy.addedLatency = latency;
    } else {
      const ms = /^(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : NaN;
      if (!(ms <= MAX_ADDED_LATENCY_MS)) fail(where, key, `expected milliseconds from 0 to ${MAX_ADDED_LATENCY_MS}, got ${JSON.stringify(value)}`);
      spec.proxy.addedChunkLatencyMs = ms;
    }
    return;
  }
  if (SIM_KNOBS.has(key)) {
    if (spec.sim === undefined) fail(where, key, `is a simulator knob: it applies only to sim: targets`);
    spec.sim.knobs[key] = value;
    return;
  }
  const knobs =
    spec.sim !== undefined ? `, or a simulator knob (${[...SIM_KNOBS].join(', ')})` : spec.proxy !== undefined ? `, or ${PROXY_FIELDS.join(', ')}` : '';
  fail(where, key, `unknown field: expected one of ${FIELDS.join(', ')}${knobs}`);
}

function emptySpec(name: string): TargetSpec {
  return { name, headers: {}, headerEnvs: {} };
}

function checkName(where: Where, name: string): void {
  if (!NAME.test(name)) fail(where, 'name', `${JSON.stringify(name)} is not a target name: expected 1-32 letters, digits, _ . - (starting with a letter or digit)`);
}

/** `--target NAME=URL[,key=value...]`. */
export function parseTargetFlag(flag: string, raw: string): TargetSpec {
  const eq = raw.indexOf('=');
  const name = eq > 0 ? raw.slice(0, eq).trim() : '';
  const where: Where = (field) => `${flag} ${name !== '' ? name : JSON.stringify(redactUrl(raw))}${field !== undefined ? `: ${field}` : ''}`;
  if (eq <= 0) fail(where, undefined, `expected ${TARGET_GRAMMAR}`);
  checkName(where, name);
  const [endpoint = '', ...fields] = splitFields(raw.slice(eq + 1));
  const spec: TargetSpec = { ...emptySpec(name), ...readEndpoint(where, endpoint) };
  for (const f of fields) {
    const i = f.indexOf('=');
    if (i <= 0) fail(where, undefined, `${JSON.stringify(f.length > 40 ? `${f.slice(0, 40)}...` : f)} is not KEY=VALUE (fields are separated by commas)`);
    applyField(spec, where, f.slice(0, i).trim(), f.slice(i + 1).trim());
  }
  return spec;
}

/** Line (1-based) of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Offsets where each element of the first JSON array in `text` begins (the text is valid JSON):
 * so a field error can name the line of its target.
 */
function arrayElementOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let arrayDepth = -1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (expectElement && ch !== ']') {
      out.push(i);
      expectElement = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (ch === '[' && arrayDepth < 0) {
        arrayDepth = depth;
        expectElement = true;
      }
    } else if (ch === ']' || ch === '}') {
      if (depth === arrayDepth) return out;
      depth--;
    } else if (ch === ',' && depth === arrayDepth) expectElement = true;
  }
  return out;
}

/** JSON.parse's message names a position; turn it into line:column. */
function syntaxWhere(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const pos = Number(m[1]);
  const line = lineOf(text, pos);
  const col = pos - text.lastIndexOf('\n', pos - 1);
  return ` at line ${line}, column ${col}`;
}

const FILE_SHAPE =
  'a JSON array of targets, or {"targets": [...]}, each {"name": "fast", "url": "sim:fast", "proxy:TARGET" or "https://...", and optional "api", "model", "key-env", "header" {NAME: VALUE}, "header-env" {NAME: VAR}, "body" {...}, "c" N, simulator knobs, proxy fields}';

/** Reads and validates a --targets file (JSON: no YAML parser is a dependency of streamtop). */
export function loadTargetsFile(flag: string, path: string): TargetSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const hint = /^\s*[A-Za-z_-]+\s*:/m.test(text) && !text.trimStart().startsWith('{') && !text.trimStart().startsWith('[') ? ' (YAML is not read: write the file as JSON)' : '';
    throw new UsageError(`${flag} ${path}: not valid JSON${syntaxWhere(text, (e as Error).message)}${hint}; expected ${FILE_SHAPE}`);
  }
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null && Array.isArray((doc as { targets?: unknown }).targets) ? (doc as { targets: unknown[] }).targets : undefined;
  if (list === undefined) throw new UsageError(`${flag} ${path}: expected ${FILE_SHAPE}`);
  const offsets = arrayElementOffsets(text);
  return list.map((item, i) => {
    const line = offsets[i] !== undefined ? lineOf(text, offsets[i]) : undefined;
    const label = (): string => {
      const name = typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
      return `${path}${line !== undefined ? `:${line}` : ''}: target ${i + 1}${typeof name === 'string' ? ` (${JSON.stringify(name)})` : ''}`;
    };
    const where: Where = (field) => `${flag} ${label()}${field !== undefined ? `, field "${field}"` : ''}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(where, undefined, 'expected an object {"name": ..., "url": ...}');
    const entries = item as Record<string, unknown>;
    const name = entries.name;
    if (typeof name !== 'string') fail(where, 'name', 'missing or not a string');
    checkName(where, name);
    const url = entries.url;
    if (typeof url !== 'string') fail(where, 'url', 'missing or not a string: an http(s) URL, sim:PROFILE or proxy:TARGET');
    const spec: TargetSpec = { ...emptySpec(name), ...readEndpoint(where, url) };
    for (const [key, value] of Object.entries(entries)) {
      if (key === 'name' || key === 'url') continue;
      if ((key === 'header' || key === 'header-env') && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const [h, v] of Object.entries(value as Record<string, unknown>)) {
          if (typeof v !== 'string') fail(where, `${key}.${h}`, 'expected a string');
          applyField(spec, where, key, `${h}:${v}`);
        }
      } else if (key === 'body') {
        applyField(spec, where, key, JSON.stringify(value));
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        applyField(spec, where, key, String(value));
      } else fail(where, key, 'expected a string or a number');
    }
    return spec;
  });
}

/** Names must differ: every table, pane and gate names the target. */
export function checkDistinctNames(specs: readonly TargetSpec[]): void {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new UsageError(`target name "${s.name}" is used twice: give each target its own name`);
    seen.add(s.name);
  }
}

/**
 * A proxy target forwards to a simulator target of the same run (started first, so the proxy
 * knows its address): not to itself, another proxy or a URL target (a real endpoint is put behind
 * `streamtop sim --proxy-to` started by hand, and given as a URL target).
 */
export function checkProxyUpstreams(specs: readonly TargetSpec[]): void {
  for (const s of specs) {
    if (s.proxy === undefined) continue;
    const up = specs.find((t) => t.name === s.proxy?.upstream);
    const where = `--target ${s.name}: proxy:${s.proxy.upstream}`;
    if (up === undefined) throw new UsageError(`${where}: no target is named "${s.proxy.upstream}"; name a sim: target of this run (${specs.filter((t) => t.sim).map((t) => t.name).join(', ') || 'there is none'})`);
    if (up.sim === undefined)
      throw new UsageError(`${where}: a proxy target forwards to a sim: target of the run; for a real endpoint start \`streamtop sim --proxy-to URL\` yourself and give its URL as a target`);
  }
}
