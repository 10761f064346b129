import { parseEarlyStop } from './early-stop.ts';
import { loadTargetsFile, parseTargetFlag, TARGET_GRAMMAR } from './targets.ts';
import { checkOutputPath } from '../shared/output-path.ts';
import { CONCURRENCY, RATE } from '../engine/limits.ts';
import { FAIL_IF_GRAMMAR, parseFailIf } from '../report/gates.ts';
import { parseSlo } from '../report/slo.ts';
import { flag, type FlagTable } from '../flags/types.ts';
import { choice, decimal, duration, fromParser, listenAddress, MAX_RUN_MS, MAX_WAIT_MS, onOff, parseUrl, ratio, repeatable, secretText, text, wholeNumber } from '../flags/values.ts';
import { durationSpecAllowed, lengthAllowed, parseDurationSpec, parseLength, type CountUnit } from './length-spec.ts';
import { MIN_UNIQUE_TOKENS } from '../engine/synthetic.ts';
import { MAX_TURNS } from '../engine/session-synthetic.ts';
import { BODY_ALLOWED, HEADER_ALLOWED, HEADER_ENV_ALLOWED, parseBody, parseHeader, parseHeaderEnv } from './endpoint.ts';
import { z } from 'zod';
import { invalidFlag } from '../shared/usage-error.ts';
import { DATASET_FORMATS } from './dataset/types.ts';

/**
 * The main command's flags (a run: dashboard or headless). The experiment commands inherit them
 * (src/flags/experiment-flags.ts); the `--sim-*` flags come from the simulator's own table
 * (src/flags/sim-flags.ts).
 */

export const API_CHOICES = ['openai', 'anthropic'] as const;
export const ARRIVALS = ['constant', 'poisson'] as const;
export const CONNECTIONS = ['keepalive', 'fresh', 'prewarm', 'h2'] as const;
export const MAX_TOKENS_FIELDS = ['auto', 'max_tokens', 'max_completion_tokens'] as const;
export const HISTORY_MODES = ['live', 'dataset'] as const;
/** Longest --think-time: a user who pauses longer has left the conversation. */
export const MAX_THINK_MS = 3_600_000;
const TURNS: CountUnit = { unit: 'turns', examples: '5, 5:2, 2-8' };
/** Longest synthetic prompt and answer: far beyond any context window, short of absurd. */
export const MAX_INPUT_TOKENS = 2_000_000;
export const MAX_OUTPUT_TOKENS = 10_000_000;

/** --replay-speed bounds: a day's trace in about 15 minutes at most, a minute's in under two hours at least. */
export const REPLAY_SPEED = { min: 0.01, max: 100 } as const;

/** Closed loop keeps this many in flight; open loop caps them at OPEN_LOOP_CONCURRENCY. */
export const CLOSED_LOOP_CONCURRENCY = 8;
export const OPEN_LOOP_CONCURRENCY = 1000;
/** A headless run must end by itself: without -n or -d it runs this long. */
export const HEADLESS_DURATION_MS = 10_000;
/** The first backoff, unless --retry-max is shorter. */
export const RETRY_BASE_MS = 500;
/**
 * --timeout when not given: the longest one request may take, from its first attempt. Without a
 * total limit a server that trickles a byte a second (the idle timeout never fires) keeps a -n run
 * alive for ever; 10 minutes leaves room for the longest LLM answers.
 */
export const DEFAULT_TOTAL_TIMEOUT_MS = 600_000;
/** Bounds of the duration flags: a run's length, and one wait or one request's limit. */
const RUN = { maxMs: MAX_RUN_MS };
const WAIT = { maxMs: MAX_WAIT_MS };

const outputFile = (inPlace: boolean) =>
  fromParser((flag, raw) => {
    checkOutputPath(flag, raw, { inPlace });
    return raw;
  }, 'a file path in an existing, writable directory');

const dollarsPerMillion = decimal(0, 1e6, 'dollars per million tokens, a number >= 0');

const PER_MONTH = 'requests a month, e.g. 1000000/month or 2.5m/month';
/** "1000000/month", "2.5m/month", "50k". */
const perMonth = fromParser((flag, raw) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|m)?\s*(\/\s*month)?\s*$/i.exec(raw);
  if (!m || m[1] === undefined) throw invalidFlag(flag, raw, PER_MONTH);
  const mult = m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1;
  return Number(m[1]) * mult;
}, PER_MONTH);

const needsRate = (flag: string, why: string) => ({ flag: 'rate', message: `--${flag} only applies to open-loop runs${why}: add --rate R (requests per second)` });

export const RUN_FLAGS = {
  // ---- target
  url: flag({
    name: 'url', valueName: 'URL', section: 'target',
    help: 'endpoint base URL (OpenAI: include /v1, e.g. https://api.openai.com/v1; Anthropic: https://api.anthropic.com)',
    defaultText: 'start the built-in simulator',
    value: fromParser(parseUrl, 'an http:// or https:// URL without user:password'),
  }),
  api: flag({
    name: 'api', valueName: 'API', section: 'target', help: 'wire format',
    value: choice(API_CHOICES), default: 'openai' as (typeof API_CHOICES)[number],
  }),
  model: flag({
    name: 'model', valueName: 'NAME', section: 'target', help: 'model name sent with each request',
    defaultText: 'streamtop-sim (simulator), gpt-4o-mini (openai) or claude-haiku-4-5 (anthropic)',
    value: text('a model name, e.g. gpt-4o-mini'),
  }),
  apiKeyEnv: flag({
    name: 'api-key-env', valueName: 'VAR', section: 'target', help: 'environment variable holding the API key',
    defaultText: 'OPENAI_API_KEY or ANTHROPIC_API_KEY, by --api',
    value: secretText(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), 'the NAME of an environment variable (letters, digits, _) that holds the key, not the key itself'),
  }),
  apiKey: flag({
    name: 'api-key', valueName: 'KEY', section: 'target', help: 'refused: name an environment variable with --api-key-env', hidden: true, secret: true,
    value: secretText(z.string(), 'nothing: keys are not taken on the command line'),
    refused: { message: 'API keys are not accepted on the command line (they end up in shell history and ps): put the key in an environment variable and name it with --api-key-env VAR' },
  }),
  insecure: flag({
    name: 'insecure', section: 'target', help: 'do not verify TLS certificates (prints a warning)', value: onOff, default: false,
  }),
  target: flag({
    name: 'target', valueName: 'SPEC', section: 'target',
    help: 'compare endpoints in one run, the same requests to each (the first is the reference): NAME=URL or NAME=sim:PROFILE, then ,FIELD=VALUE (see docs/targets.md)',
    value: repeatable(fromParser(parseTargetFlag, TARGET_GRAMMAR)),
    conflicts: [
      { flag: 'url', message: '--target and --url are alternatives: with --target each target names its own URL (NAME=URL)' },
      { flag: 'targets', message: '--target and --targets are alternatives: put every target in the file, or give them all with --target' },
    ],
  }),
  targets: flag({
    name: 'targets', valueName: 'FILE', section: 'target', help: 'the targets to compare, from a JSON file (see docs/targets.md)',
    value: fromParser((f, raw) => loadTargetsFile(f, raw), 'a JSON file: an array of {"name", "url", ...} (see docs/targets.md)'),
    conflicts: [{ flag: 'url', message: '--targets and --url are alternatives: with --targets each target names its own URL' }],
  }),
  header: flag({
    name: 'header', short: 'H', valueName: 'NAME: VALUE', section: 'target',
    help: 'send this header with every request (replaces one streamtop would send, e.g. Authorization)',
    value: repeatable(fromParser(parseHeader, HEADER_ALLOWED)), default: [] as { name: string; value: string }[], defaultText: 'none',
  }),
  headerEnv: flag({
    name: 'header-env', valueName: 'NAME: VAR', section: 'target',
    help: 'send a secret header whose value is in environment variable VAR (never shown, masked in everything written)',
    value: repeatable(fromParser(parseHeaderEnv, HEADER_ENV_ALLOWED)), default: [] as { name: string; env: string }[], defaultText: 'none',
  }),
  connection: flag({
    name: 'connection', valueName: 'MODE', section: 'target',
    help: 'keepalive (reuse connections) | fresh (new connection per request) | prewarm (open the pool first) | h2 (HTTP/2 over TLS)',
    value: choice(CONNECTIONS), default: 'keepalive' as (typeof CONNECTIONS)[number],
  }),

  // ---- load
  concurrency: flag({
    name: 'concurrency', short: 'c', valueName: 'N', section: 'load',
    help: 'closed loop: requests in flight; open loop (--rate, --replay): cap on requests in flight; the dashboard keys change it within the same limits',
    defaultText: `${CLOSED_LOOP_CONCURRENCY} (closed loop), ${OPEN_LOOP_CONCURRENCY} (open loop)`,
    value: wholeNumber(CONCURRENCY.min, CONCURRENCY.max),
  }),
  rate: flag({
    name: 'rate', valueName: 'R', section: 'load', unit: 'requests/s',
    help: 'open loop: arrivals per second (latency counted from the intended start)',
    defaultText: 'off (closed loop)',
    value: decimal(RATE.min, RATE.max, `requests per second, a number from ${RATE.min} to ${RATE.max}`),
  }),
  replay: flag({
    name: 'replay', section: 'load',
    help: 'open loop: send each --dataset line at its timestamp (ms from the start); the run ends with the trace',
    value: onOff, default: false,
    requires: [{ flag: 'dataset', message: '--replay sends the lines of a trace at their timestamps: add --dataset FILE (a Mooncake trace, or JSONL lines with "timestamp")' }],
    conflicts: [
      { flag: 'rate', message: '--replay sends each line at its timestamp, so the trace sets the rate: drop --rate (use --replay-speed X to send it faster or slower)' },
      { flag: 'arrival', message: '--replay sends each line at its timestamp: drop --arrival' },
      { flag: 'ramp', message: '--replay sends each line at its timestamp, whatever is in flight: drop --ramp' },
      {
        flag: 'target',
        message: '--replay is not available with several targets yet (pairing requests across targets would move their send times): replay against one --url at a time, or drop --replay',
      },
      { flag: 'targets', message: '--replay is not available with several targets yet: replay against one --url at a time, or drop --replay' },
      {
        flag: 'turns',
        message: '--replay sends single trace lines at their timestamps, while --turns plays sessions whose turns follow their answers: drop --turns, or drop --replay',
      },
      { flag: 'multiTurn', message: '--replay sends single trace lines at their timestamps, while a session sends each turn after the last answer: drop --multi-turn, or drop --replay' },
    ],
  }),
  replaySpeed: flag({
    name: 'replay-speed', valueName: 'X', section: 'load',
    help: 'scale the trace\'s time: 2 sends it twice as fast, 0.5 at half speed',
    value: decimal(REPLAY_SPEED.min, REPLAY_SPEED.max, `a speed factor from ${REPLAY_SPEED.min} to ${REPLAY_SPEED.max}, e.g. 2 (twice as fast)`), default: 1,
    requires: [{ flag: 'replay', message: '--replay-speed scales the time of a --replay: add --replay' }],
  }),
  arrival: flag({
    name: 'arrival', valueName: 'KIND', section: 'load', help: 'open-loop arrivals: evenly spaced or a Poisson process',
    value: choice(ARRIVALS), default: 'constant' as (typeof ARRIVALS)[number],
    requires: [needsRate('arrival', '')],
  }),
  maxQueueDelay: flag({
    name: 'max-queue-delay', valueName: 'TIME', section: 'load', unit: 'ms',
    help: 'open loop (--rate, --replay): requests waiting longer than this for a slot are dropped',
    value: duration('ms', WAIT), default: 30_000, defaultText: '30s',
    requires: [{ flag: 'rate', or: ['replay'], message: '--max-queue-delay only applies to open-loop runs (requests wait for a slot there): add --rate R or --replay, or drop it' }],
  }),
  streamRatio: flag({
    name: 'stream-ratio', valueName: 'R', section: 'load', help: 'fraction of requests that stream, 0..1 or a %',
    value: ratio(), default: 0.5,
  }),
  requests: flag({
    name: 'requests', short: 'n', valueName: 'N', section: 'load', help: 'stop after N measured requests',
    value: wholeNumber(1, 1e9),
  }),
  duration: flag({
    name: 'duration', short: 'd', valueName: 'TIME', section: 'load', unit: 's',
    help: 'stop after this long, e.g. 30s, 5m, 2h, up to 30d',
    defaultText: `headless: ${HEADLESS_DURATION_MS / 1000}s unless -n is given; dashboard: until you quit`,
    value: duration('s', { aboveMs: 0, maxMs: MAX_RUN_MS }),
  }),
  grace: flag({
    name: 'grace', valueName: 'TIME', section: 'load', unit: 'ms',
    help: 'after --duration, let requests in flight finish for up to this long, then cancel them',
    value: duration('ms', WAIT), default: 30_000, defaultText: '30s',
  }),
  warmup: flag({
    name: 'warmup', valueName: 'N', section: 'load', help: 'the first N requests are not counted in statistics',
    value: wholeNumber(0, 1e9), default: 0,
  }),
  ramp: flag({
    name: 'ramp', valueName: 'TIME', section: 'load', unit: 's', help: 'closed loop: reach the pool size gradually over this long',
    value: duration('s', RUN), default: 0, defaultText: '0 (at once)',
    conflicts: [{ flag: 'rate', message: '--ramp applies to closed-loop runs (it grows the pool, -c N); with --rate the arrival rate sets the pace: drop one' }],
  }),
  seed: flag({
    name: 'seed', valueName: 'N', section: 'load', help: 'seed for the stream/non-stream mix, prompt choice, arrivals and backoff',
    value: wholeNumber(0, 4_294_967_295), default: 1,
  }),

  // ---- workload
  inputTokens: flag({
    name: 'input-tokens', valueName: 'N|MEAN:SD|MIN-MAX', section: 'workload',
    help: 'synthetic prompts of this many tokens (o200k), each unique; lengths drawn from --seed',
    defaultText: 'off (the built-in prompts)',
    value: fromParser((f, raw) => parseLength(f, raw, MIN_UNIQUE_TOKENS, MAX_INPUT_TOKENS), lengthAllowed(MIN_UNIQUE_TOKENS, MAX_INPUT_TOKENS)),
    conflicts: [
      { flag: 'prompt', message: '--input-tokens builds its own prompts: drop --prompt, or drop --input-tokens' },
      { flag: 'prompts', message: '--input-tokens builds its own prompts: drop --prompts, or drop --input-tokens' },
    ],
  }),
  outputTokens: flag({
    name: 'output-tokens', valueName: 'N|MEAN:SD|MIN-MAX', section: 'workload',
    help: "each request's output cap, drawn per prompt (exact answer lengths with --ignore-eos)",
    defaultText: "the server's",
    value: fromParser((f, raw) => parseLength(f, raw, 1, MAX_OUTPUT_TOKENS), lengthAllowed(1, MAX_OUTPUT_TOKENS)),
    conflicts: [{ flag: 'maxTokens', message: '--output-tokens and --max-tokens both set the output cap: give one' }],
  }),
  maxTokensField: flag({
    name: 'max-tokens-field', valueName: 'FIELD', section: 'workload',
    help: "OpenAI format: the body field of the output cap; auto = max_completion_tokens on OpenAI's and Azure OpenAI's hosts (their reasoning models refuse max_tokens), else max_tokens",
    value: choice(MAX_TOKENS_FIELDS), default: 'auto' as (typeof MAX_TOKENS_FIELDS)[number],
  }),
  ignoreEos: flag({
    name: 'ignore-eos', section: 'workload',
    help: 'ask OpenAI-compatible servers that support it (vLLM, SGLang) for exactly the output cap: ignore_eos and min_tokens',
    value: onOff, default: false,
  }),
  sharedPrefix: flag({
    name: 'shared-prefix', valueName: 'TOKENS', section: 'workload',
    help: 'synthetic prompts open with a prefix of this many tokens common to many requests (counted within --input-tokens)',
    defaultText: 'none', value: wholeNumber(1, MAX_INPUT_TOKENS),
    requires: [{ flag: 'inputTokens', message: '--shared-prefix is the opening of a synthetic prompt: add --input-tokens N (the prefix counts within it)' }],
  }),
  prefixGroups: flag({
    name: 'prefix-groups', valueName: 'K', section: 'workload', help: 'distinct shared prefixes; each request with one draws which',
    value: wholeNumber(1, 100_000), default: 1,
    requires: [{ flag: 'sharedPrefix', message: '--prefix-groups needs --shared-prefix TOKENS' }],
  }),
  prefixRatio: flag({
    name: 'prefix-ratio', valueName: 'R', section: 'workload', help: 'share of requests that carry a shared prefix, 0..1 or a %',
    value: ratio(), default: 1,
    requires: [{ flag: 'sharedPrefix', message: '--prefix-ratio needs --shared-prefix TOKENS' }],
  }),
  dataset: flag({
    name: 'dataset', valueName: 'FILE', section: 'workload',
    help: 'send the prompts of a dataset: streamtop JSONL, ShareGPT JSON or a Mooncake trace (see docs/workloads.md)',
    value: text('a file path'),
    conflicts: [
      { flag: 'prompt', message: '--dataset and --prompt are alternatives: give one' },
      { flag: 'prompts', message: '--dataset reads --prompts files too (streamtop JSONL): give one of them' },
      { flag: 'inputTokens', message: '--input-tokens builds its own prompts and --dataset brings them: give one' },
    ],
  }),
  datasetFormat: flag({
    name: 'dataset-format', valueName: 'FORMAT', section: 'workload',
    help: 'the --dataset file format; auto tells it from the first line',
    value: choice(DATASET_FORMATS), default: 'auto' as (typeof DATASET_FORMATS)[number],
    requires: [{ flag: 'dataset', message: '--dataset-format names the format of a --dataset FILE: add --dataset, or drop --dataset-format' }],
  }),
  turns: flag({
    name: 'turns', valueName: 'N|MEAN:SD|MIN-MAX', section: 'workload',
    help: 'multi-turn sessions of this many turns (drawn per session from --seed), each turn resending the conversation; -c counts sessions',
    defaultText: 'off (one prompt per request)',
    value: fromParser((f, raw) => parseLength(f, raw, 1, MAX_TURNS, TURNS), lengthAllowed(1, MAX_TURNS, TURNS)),
    conflicts: [
      { flag: 'prompt', message: '--turns builds its own conversations (short questions, or --input-tokens prompts): drop --prompt, or drop --turns' },
      { flag: 'prompts', message: '--turns builds its own conversations: drop --prompts, or drop --turns' },
      {
        flag: 'target',
        message: '--turns is not available with several targets yet (their requests are paired by order, and sessions interleave differently on each): compare one target at a time, or drop --turns',
      },
      { flag: 'targets', message: '--turns is not available with several targets yet: compare one target at a time, or drop --turns' },
      { flag: 'dataset', message: "--turns builds its own conversations; to play a dataset's conversations use --dataset FILE --multi-turn, or drop --turns" },
    ],
  }),
  multiTurn: flag({
    name: 'multi-turn', section: 'workload',
    help: "play the conversations of a --dataset (ShareGPT, or JSONL lines sharing a session) as multi-turn sessions instead of single prompts; -c counts sessions",
    value: onOff, default: false,
    requires: [{ flag: 'dataset', message: '--multi-turn plays the conversations of a dataset: add --dataset FILE (ShareGPT, or streamtop JSONL with "session" and "turn"), or use --turns N for synthetic ones' }],
    conflicts: [
      { flag: 'replay', message: '--replay sends single trace lines at their timestamps, while a session sends each turn after the last answer: drop --multi-turn, or drop --replay' },
      {
        flag: 'target',
        message: '--multi-turn is not available with several targets yet (their requests are paired by order, and sessions interleave differently on each): compare one target at a time',
      },
      { flag: 'targets', message: '--multi-turn is not available with several targets yet: compare one target at a time' },
    ],
  }),
  history: flag({
    name: 'history', valueName: 'MODE', section: 'workload',
    help: "multi-turn: the assistant turns each turn resends: live (the answers the server actually returned) or dataset (the dataset's replies, --multi-turn)",
    defaultText: 'live', value: choice(HISTORY_MODES),
  }),
  thinkTime: flag({
    name: 'think-time', valueName: 'TIME|MEAN:SD', section: 'workload', unit: 'ms',
    help: 'multi-turn: pause between an answer and the next turn of its session, drawn per pause (the session keeps its slot)',
    defaultText: '0 (the next turn at once)',
    value: fromParser((f, raw) => parseDurationSpec(f, raw, MAX_THINK_MS), durationSpecAllowed(MAX_THINK_MS)),
  }),
  prompt: flag({
    name: 'prompt', valueName: 'TEXT', section: 'workload', help: 'send this prompt',
    defaultText: 'a built-in set of prompts', value: text('non-empty text'),
    conflicts: [{ flag: 'prompts', message: '--prompt and --prompts are alternatives: give one' }],
  }),
  prompts: flag({
    name: 'prompts', valueName: 'FILE', section: 'workload', help: 'JSONL file, one {"prompt": "..."} or {"messages": [...]} per line',
    value: text('a file path'),
  }),
  system: flag({
    name: 'system', valueName: 'TEXT', section: 'workload', help: 'system prompt', value: fromParser((_f, raw) => raw, 'any text'),
  }),
  body: flag({
    name: 'body', valueName: 'JSON|@FILE', section: 'workload',
    help: 'fields merged into every request body (temperature, reasoning_effort, provider fields); a --prompts line overrides them',
    value: fromParser(parseBody, BODY_ALLOWED),
  }),
  maxTokens: flag({
    name: 'max-tokens', valueName: 'N', section: 'workload', help: 'max output tokens per request',
    defaultText: "the server's", value: wholeNumber(1, 10_000_000),
  }),

  // ---- resilience
  retries: flag({
    name: 'retries', valueName: 'N', section: 'resilience', help: 'retry connection errors, 429 and 5xx before any content, with backoff',
    value: wholeNumber(0, 100), default: 0,
  }),
  retryBase: flag({
    name: 'retry-base', valueName: 'TIME', section: 'resilience', unit: 'ms',
    help: 'first backoff (doubles per attempt, jittered over the upper half; retry-after wins)',
    defaultText: `${RETRY_BASE_MS}ms, or --retry-max if shorter`, value: duration('ms', WAIT),
  }),
  retryMax: flag({
    name: 'retry-max', valueName: 'TIME', section: 'resilience', unit: 'ms', help: 'longest backoff',
    value: duration('ms', WAIT), default: 20_000, defaultText: '20s',
  }),
  connectTimeout: flag({
    name: 'connect-timeout', valueName: 'TIME', section: 'resilience', unit: 'ms', help: 'TCP/TLS connect timeout',
    value: duration('ms', WAIT), default: 10_000, defaultText: '10s',
  }),
  ttftTimeout: flag({
    name: 'ttft-timeout', valueName: 'TIME', section: 'resilience', unit: 'ms', help: 'streams: give up if no content this long after sending',
    value: duration('ms', WAIT), default: 0, defaultText: 'off',
  }),
  idleTimeout: flag({
    name: 'idle-timeout', valueName: 'TIME', section: 'resilience', unit: 'ms', help: 'give up after this long without a byte',
    value: duration('ms', WAIT), default: 60_000, defaultText: '60s',
  }),
  timeout: flag({
    name: 'timeout', valueName: 'TIME', section: 'resilience', unit: 'ms', help: 'total time limit per request, retries included (0 = off)',
    value: duration('ms', WAIT), default: DEFAULT_TOTAL_TIMEOUT_MS, defaultText: '10m',
  }),
  bail: flag({
    name: 'bail', valueName: 'N', section: 'resilience', help: 'stop the run after N consecutive failures',
    defaultText: 'never', value: wholeNumber(1, 1e9),
  }),
  earlyStop: flag({
    name: 'early-stop', valueName: 'RULES', section: 'resilience', help: 'abort streams early: "min-tokens=N,max-tokens=N,stop=REGEX" (stop= last)',
    defaultText: 'off', value: fromParser(parseEarlyStop, 'comma-separated rules: min-tokens=N, max-tokens=N, stop=REGEX'),
  }),

  // ---- outputs
  headless: flag({
    name: 'headless', section: 'outputs',
    help: 'no dashboard: progress on stderr, summary on stdout (automatic when stdout is not a terminal or CI is set)',
    value: onOff, default: false,
  }),
  json: flag({ name: 'json', valueName: 'FILE', section: 'outputs', help: 'write the full report (streamtop.report/1) as JSON', value: outputFile(false) }),
  ndjson: flag({ name: 'ndjson', valueName: 'FILE', section: 'outputs', help: 'write one JSON line per request', value: outputFile(true) }),
  markdown: flag({ name: 'markdown', valueName: 'FILE', section: 'outputs', help: 'write a Markdown summary (for a pull request)', value: outputFile(false) }),
  html: flag({
    name: 'html', valueName: 'FILE', section: 'outputs',
    help: 'write a self-contained HTML report with charts (runs, sweeps and comparisons; opens offline in any browser)',
    value: outputFile(false),
  }),
  prometheus: flag({
    name: 'prometheus', valueName: '[HOST:]PORT', section: 'outputs',
    help: 'serve live Prometheus metrics at http://HOST:PORT/metrics while the run lasts (docs/prometheus.md)',
    value: listenAddress(),
  }),
  slo: flag({
    name: 'slo', valueName: 'SLOS', section: 'outputs', help: 'objectives for goodput, e.g. "ttft<500ms,tpot<50ms,e2e<10s" (also ttfo, reasoning)',
    value: fromParser((f, raw) => (parseSlo(f, raw), raw), 'comma-separated objectives like "ttft<500ms,tpot<50ms,e2e<10s" (metrics: ttft, tpot, e2e)'),
  }),
  failIf: flag({
    name: 'fail-if', valueName: 'GATES', section: 'outputs', help: 'exit 1 if any holds false, e.g. "p95(ttft)<800ms,error-rate<1%,p99(e2e)<10s"; with --target, METRIC@NAME and "p95(ttft@gw)<p95(ttft@direct)+50ms"',
    value: fromParser((f, raw) => ({ text: raw, gates: parseFailIf(f, raw) }), FAIL_IF_GRAMMAR),
  }),
  priceIn: flag({
    name: 'price-in', valueName: 'USD', section: 'outputs', help: 'input price, dollars per million tokens',
    defaultText: 'built-in table by model', value: dollarsPerMillion,
  }),
  priceOut: flag({
    name: 'price-out', valueName: 'USD', section: 'outputs', help: 'output price, dollars per million tokens',
    defaultText: 'built-in table by model', value: dollarsPerMillion,
  }),
  project: flag({
    name: 'project', valueName: 'N/month', section: 'outputs', help: 'cost projection for N requests a month, e.g. 1000000/month',
    value: perMonth,
  }),
  window: flag({
    name: 'window', valueName: 'TIME', section: 'outputs', unit: 's', help: 'rolling window of the live charts and timeline percentiles',
    value: duration('s', { minMs: 1000, maxMs: 600_000, allowed: 'a window from 1s to 10m' }), default: 10_000, defaultText: '10s',
  }),
} satisfies FlagTable;

export type RunFlags = typeof RUN_FLAGS;
