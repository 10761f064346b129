import { CONCURRENCY, RATE } from '../engine/limits.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { flag, type AnyFlagDef, type FlagTable, type Refusal } from '../flags/types.ts';
import { duration, MAX_RUN_MS, numberList, wholeNumber, wholeNumberList } from '../flags/values.ts';

/**
 * The experiment commands (sweep, compare-modes, compare-connections) take the run flags, except
 * the ones they do not use: those are refused with what to use instead, never silently ignored.
 */

type Changes<T extends FlagTable> = { readonly [K in keyof T]?: Partial<AnyFlagDef> };

/** `base` with some entries changed; a refused flag is hidden from help. */
function inherit<T extends FlagTable>(base: T, changes: Changes<T>): T {
  const out: Record<string, AnyFlagDef> = { ...base };
  for (const [key, change] of Object.entries(changes) as [string, Partial<AnyFlagDef>][]) {
    const def = out[key];
    if (def === undefined) continue;
    out[key] = { ...def, ...change, ...(change.refused !== undefined ? { hidden: true } : {}) };
  }
  return out as T;
}

const refuse = (refused: Refusal): Partial<AnyFlagDef> => ({ refused });

/** Outputs of one run: per-request lines, a run's Markdown, pass/fail gates over one run. */
function singleRunOutputs(flagName: string): Partial<AnyFlagDef> {
  return refuse({ why: 'it applies to a single run', instead: `--json FILE for its results, or run streamtop --headless with ${flagName}` });
}

const NO_CHARTS = refuse({ why: 'it has no live charts or timeline' });

/** An experiment sets the load of each level or round itself; a trace sets its own. */
const NO_REPLAY = {
  replay: refuse({ why: 'it sets the load of each level or round itself, and a replay follows the trace', instead: 'streamtop --headless --dataset FILE --replay' }),
  replaySpeed: refuse({ why: 'it does not replay traces', instead: 'streamtop --headless --dataset FILE --replay --replay-speed X' }),
};

/** Experiments measure one endpoint; several are compared by a run with --target. */
const ONE_TARGET = {
  target: refuse({ why: 'it measures one endpoint', instead: '--url, or compare endpoints with streamtop --headless --target A=URL --target B=URL' }),
  targets: refuse({ why: 'it measures one endpoint', instead: '--url, or compare endpoints with streamtop --headless --targets FILE' }),
};
/** Live metrics are fed by the one engine of a run; an experiment runs a fresh engine per level or batch in the main process. */
const NO_LIVE_METRICS = refuse({
  why: 'live metrics follow the engine of a single run, and an experiment runs a fresh engine per level or batch',
  instead: 'streamtop --headless --prometheus [HOST:]PORT for one setting at a time, or --json FILE for the results',
});

export const SWEEP_FLAGS = {
  concurrencyLevels: flag({
    name: 'concurrency-levels', valueName: 'LIST', section: 'command', help: 'pool sizes to try, in order',
    value: wholeNumberList(CONCURRENCY.min, CONCURRENCY.max), default: [1, 2, 4, 8, 16, 32, 64], defaultText: '1,2,4,8,16,32,64',
    conflicts: [{ flag: 'rates', message: '--concurrency-levels and --rates are alternatives: sweep one of them' }],
  }),
  rates: flag({
    name: 'rates', valueName: 'LIST', section: 'command', unit: 'requests/s', help: 'open-loop rates to try instead of pool sizes, e.g. 1,2,5,10',
    value: numberList(RATE.min, RATE.max),
  }),
  step: flag({
    name: 'step', valueName: 'TIME', section: 'command', unit: 's', help: 'time per level',
    defaultText: '10s, unless --step-requests is given',
    value: duration('s', { minMs: 100, maxMs: MAX_RUN_MS }),
  }),
  stepRequests: flag({
    name: 'step-requests', valueName: 'N', section: 'command', help: 'requests per level instead of a time',
    value: wholeNumber(1, 1e9),
  }),
  ...inherit(RUN_FLAGS, {
    requests: refuse({ why: 'each level runs for --step TIME or --step-requests N', instead: '--step-requests N' }),
    duration: refuse({ why: 'each level runs for --step TIME or --step-requests N', instead: '--step TIME' }),
    rate: refuse({ why: 'the rate of each level comes from the list', instead: '--rates LIST' }),
    concurrency: {
      help: 'with --rates: cap on requests in flight (pool sizes are swept with --concurrency-levels)',
      defaultText: '1000 (with --rates)',
      requires: [{ flag: 'rates', message: 'sweep sets the pool size of each level (--concurrency-levels LIST): drop -c/--concurrency' }],
    },
    ramp: {
      conflicts: [{ flag: 'rates', message: 'sweep --rates: --ramp applies to pool-size levels (--concurrency-levels LIST); drop --ramp' }],
    },
    arrival: {
      requires: [{ flag: 'rates', message: 'sweep: --arrival applies to open-loop levels; sweep rates with --rates LIST, or drop --arrival' }],
    },
    maxQueueDelay: {
      requires: [{ flag: 'rates', message: 'sweep: --max-queue-delay applies to open-loop levels; sweep rates with --rates LIST, or drop --max-queue-delay' }],
    },
    streamRatio: { default: 1, defaultText: '1 (TTFT of streams and of whole answers do not mix in one percentile)' },
    priceIn: refuse({ why: 'it reports no cost', instead: 'compare-modes or a single run for costs' }),
    priceOut: refuse({ why: 'it reports no cost', instead: 'compare-modes or a single run for costs' }),
    project: refuse({ why: 'it reports no cost', instead: 'a single run (streamtop --headless --project N/month)' }),
    window: NO_CHARTS,
    failIf: singleRunOutputs('--fail-if'),
    markdown: singleRunOutputs('--markdown'),
    ndjson: singleRunOutputs('--ndjson'),
    ...ONE_TARGET,
    ...NO_REPLAY,
    prometheus: NO_LIVE_METRICS,
  }),
} satisfies FlagTable;

const rounds = flag({
  name: 'rounds', valueName: 'N', section: 'command', help: 'interleaved rounds', value: wholeNumber(1, 1000), default: 5,
});

/** Rounds compare single requests, one variant against another: a conversation spans rounds and variants. */
const SINGLE_REQUESTS_WHY = 'its rounds compare single requests; a multi-turn session would span rounds';
const SINGLE_REQUESTS: Changes<typeof RUN_FLAGS> = {
  turns: refuse({ why: SINGLE_REQUESTS_WHY, instead: 'a single run or streamtop sweep with --turns' }),
  multiTurn: refuse({ why: SINGLE_REQUESTS_WHY, instead: 'a single run or streamtop sweep with --multi-turn' }),
  history: refuse({ why: SINGLE_REQUESTS_WHY }),
  thinkTime: refuse({ why: SINGLE_REQUESTS_WHY }),
};

/** What compare-modes and compare-connections both refuse: they run rounds of a fixed count. */
function roundsOnly(perWhat: string): Changes<typeof RUN_FLAGS> {
  return {
    requests: refuse({ why: `each round sends --round-requests N per ${perWhat}`, instead: '--round-requests N' }),
    duration: refuse({ why: 'it runs a number of rounds, not a time', instead: '--rounds N (and --round-requests N)' }),
    grace: refuse({ why: 'rounds end when their requests finish, not at a time' }),
    slo: refuse({ why: 'it reports no goodput', instead: 'streamtop sweep --slo for goodput per pool size' }),
    project: refuse({ why: 'it projects no monthly cost', instead: 'a single run (streamtop --headless --project N/month)' }),
    window: NO_CHARTS,
    failIf: singleRunOutputs('--fail-if'),
    markdown: singleRunOutputs('--markdown'),
    ndjson: singleRunOutputs('--ndjson'),
    ...ONE_TARGET,
    ...NO_REPLAY,
    prometheus: NO_LIVE_METRICS,
    ...SINGLE_REQUESTS,
  };
}

export const COMPARE_MODES_FLAGS = {
  rounds,
  roundRequests: flag({
    name: 'round-requests', valueName: 'N', section: 'command', help: 'requests per mode per round', value: wholeNumber(1, 1e6), default: 20,
  }),
  ...inherit(RUN_FLAGS, {
    ...roundsOnly('mode'),
    streamRatio: refuse({ why: 'it sends every prompt both streaming and non-streaming' }),
  }),
} satisfies FlagTable;

export const COMPARE_CONNECTIONS_FLAGS = {
  rounds,
  roundRequests: flag({
    name: 'round-requests', valueName: 'N', section: 'command', help: 'requests per strategy per round', value: wholeNumber(1, 1e6), default: 20,
  }),
  ...inherit(RUN_FLAGS, {
    ...roundsOnly('strategy'),
    connection: refuse({ message: 'compare-connections tries every --connection strategy itself; drop --connection' }),
    streamRatio: { default: 1, defaultText: '1 (every request streams)' },
    priceIn: refuse({ why: 'it reports no cost', instead: 'compare-modes for cost per request' }),
    priceOut: refuse({ why: 'it reports no cost', instead: 'compare-modes for cost per request' }),
  }),
} satisfies FlagTable;
