// Every key binding in one table. The input handler, the footer and the help overlay all read it,
// so what the screen says a key does is what the key does.
import type { Key } from 'ink';
import type { EngineSnapshot, TargetInfo } from '../engine/types.ts';
import type { DashboardCommands } from './dashboard-commands.ts';
import { CONCURRENCY, RATE, clampConcurrency, clampRate } from '../engine/limits.ts';

// The keys move the pool and the rate within the engine's own bounds, the same ones the flags
// accept: a pool started with -c 20000 grows by one on `+`, it is not clamped to a smaller cap.
export const MIN_CONCURRENCY = CONCURRENCY.min;
export const MAX_CONCURRENCY = CONCURRENCY.max;
export { clampConcurrency };
/** Open-loop rate changes are multiplicative: a fixed step is too coarse at 1/s and too fine at 500/s. */
export const RATE_FACTOR = 1.25;
export const MIN_RATE = RATE.min;
export const MAX_RATE = RATE.max;
export const RATIO_STEP = 0.1;

/** UI-side effects a binding may trigger (the rest go to the engine's commands). */
export interface UiActions {
  toggleHelp(): void;
  closeHelp(): void;
  cycleChart(): void;
  /** q: the normal end of a dashboard run (exit 0). */
  quit(): void;
  /** Ctrl-C: an interruption, as the signal would be outside raw mode (exit 130, report marked interrupted). */
  interrupt(): void;
  /** With several targets: select the next one (the keys' pool commands go to it). */
  cycleTarget?(): void;
}

/** With several targets (`--target`): their names, the reference first, and the one selected. */
export interface TargetSelection {
  names: readonly string[];
  selected: number;
}

/**
 * What a key acts on. With several targets, `snapshot` is the selected target's and `commands`
 * send the pool commands to it alone and the others (stream share, rate, pause, segment, early
 * stop) to every target: a pair must keep one stream/non-stream draw and one arrival plan.
 */
export interface KeyContext {
  snapshot: EngineSnapshot;
  commands: DashboardCommands;
  target: TargetInfo;
  ui: UiActions;
  helpOpen: boolean;
  targets?: TargetSelection;
}

/** What decides whether a binding applies. */
export type AvailabilityContext = Pick<KeyContext, 'snapshot' | 'commands' | 'target' | 'targets'>;

export type ActionId =
  | 'quit'
  | 'help'
  | 'closeHelp'
  | 'pause'
  | 'poolUp'
  | 'poolDown'
  | 'poolUp10'
  | 'poolDown10'
  | 'selectTarget'
  | 'poolAll'
  | 'ratioUp'
  | 'ratioDown'
  | 'rateUp'
  | 'rateDown'
  | 'newSegment'
  | 'cycleChart'
  | 'earlyStop'
  | 'latencySpike'
  | 'faultBurst'
  | 'autoTune';

export interface KeyBinding {
  id: ActionId;
  /** Keys as shown in the help overlay and docs. */
  keys: string;
  /** Compact key label and word for the footer; omitted bindings are help-only. */
  footer?: { keys: string; label: string; priority: number };
  description: string;
  /** When the binding does something; unavailable bindings are listed but greyed and ignored. */
  available?: (ctx: AvailabilityContext) => boolean;
  /** Why it may be unavailable, shown in help. */
  availability?: string;
  /** Only for several targets: not listed in a single-target dashboard's help at all. */
  onlyWithTargets?: boolean;
  /** With several targets, which the key acts on (said in the help). */
  targetScope?: 'selected' | 'every';
  match: (input: string, key: Key) => boolean;
  run: (ctx: KeyContext, input: string, key: Key) => void;
}

/** Steps of exactly 0.1 (no float drift after many presses), clamped to 0..1. */
export function stepRatio(ratio: number, delta: number): number {
  const tenths = Math.round(ratio * 10) + Math.round(delta * 10);
  return Math.min(10, Math.max(0, tenths)) / 10;
}

/** Multiplies the rate by RATE_FACTOR (up) or divides (down), kept to 3 significant digits. */
export function stepRate(rate: number | undefined, up: boolean): number {
  const base = rate !== undefined && rate > 0 ? rate : 1;
  const next = up ? base * RATE_FACTOR : base / RATE_FACTOR;
  return clampRate(Number(next.toPrecision(3)));
}

const isOpenLoop = ({ snapshot }: Pick<KeyContext, 'snapshot'>): boolean => snapshot.loadMode === 'open';
const severalTargets = ({ targets }: Pick<KeyContext, 'targets'>): boolean => targets !== undefined && targets.names.length > 1;
const canPause = (s: EngineSnapshot): boolean => s.state === 'running' || s.state === 'starting';

export const KEYMAP: readonly KeyBinding[] = [
  {
    id: 'quit',
    keys: 'q, Ctrl-C',
    footer: { keys: 'q', label: 'quit', priority: 0 },
    description: 'end the run, print the summary: q exits 0, Ctrl-C 130 (interrupted)',
    match: (input, key) => input === 'q' || (key.ctrl && input === 'c'),
    // Raw mode turns Ctrl-C into a key; it still means what the signal means: an interruption.
    run: ({ ui }, _input, key) => (key.ctrl ? ui.interrupt() : ui.quit()),
  },
  {
    id: 'help',
    keys: '?',
    footer: { keys: '?', label: 'help', priority: 0 },
    description: 'show / hide this help',
    match: (input) => input === '?',
    run: ({ ui }) => ui.toggleHelp(),
  },
  {
    id: 'closeHelp',
    keys: 'esc',
    description: 'close this help',
    match: (_input, key) => key.escape,
    run: ({ ui }) => ui.closeHelp(),
  },
  {
    id: 'pause',
    targetScope: 'every',
    keys: 'space',
    footer: { keys: '␣', label: 'pause', priority: 1 },
    description: 'pause new requests / resume',
    available: ({ snapshot }) => canPause(snapshot) || snapshot.state === 'paused',
    match: (input) => input === ' ',
    run: ({ snapshot, commands }) => {
      if (canPause(snapshot)) commands.pause();
      else if (snapshot.state === 'paused') commands.resume();
    },
  },
  {
    id: 'poolUp',
    targetScope: 'selected',
    keys: '+, up',
    footer: { keys: '+-', label: 'pool', priority: 1 },
    description: 'pool size +1',
    match: (input, key) => input === '+' || input === '=' || key.upArrow,
    run: ({ snapshot, commands }) => commands.setConcurrency(clampConcurrency(snapshot.concurrency + 1)),
  },
  {
    id: 'poolDown',
    targetScope: 'selected',
    keys: '-, down',
    description: 'pool size -1',
    match: (input, key) => input === '-' || key.downArrow,
    run: ({ snapshot, commands }) => commands.setConcurrency(clampConcurrency(snapshot.concurrency - 1)),
  },
  {
    id: 'poolUp10',
    targetScope: 'selected',
    keys: ']',
    footer: { keys: '][', label: '±10', priority: 2 },
    description: 'pool size +10',
    match: (input) => input === ']',
    run: ({ snapshot, commands }) => commands.setConcurrency(clampConcurrency(snapshot.concurrency + 10)),
  },
  {
    id: 'poolDown10',
    targetScope: 'selected',
    keys: '[',
    description: 'pool size -10',
    match: (input) => input === '[',
    run: ({ snapshot, commands }) => commands.setConcurrency(clampConcurrency(snapshot.concurrency - 10)),
  },
  {
    id: 'selectTarget',
    keys: 't',
    footer: { keys: 't', label: 'target', priority: 1 },
    description: 'select the next target (the pool keys act on it)',
    availability: 'with several targets (--target)',
    onlyWithTargets: true,
    available: severalTargets,
    match: (input) => input === 't',
    run: ({ ui }) => ui.cycleTarget?.(),
  },
  {
    id: 'poolAll',
    keys: '*',
    footer: { keys: '*', label: 'pool all', priority: 2 },
    description: "every target's pool to the selected target's size",
    availability: 'with several targets (--target)',
    onlyWithTargets: true,
    available: (ctx) => severalTargets(ctx) && ctx.commands.setEveryConcurrency !== undefined,
    match: (input) => input === '*',
    run: ({ snapshot, commands }) => commands.setEveryConcurrency?.(snapshot.concurrency),
  },
  {
    id: 'ratioUp',
    targetScope: 'every',
    keys: 's',
    footer: { keys: 'sS', label: 'stream%', priority: 2 },
    description: 'streaming share +10%',
    match: (input) => input === 's',
    run: ({ snapshot, commands }) => commands.setStreamRatio(stepRatio(snapshot.streamRatio, RATIO_STEP)),
  },
  {
    id: 'ratioDown',
    targetScope: 'every',
    keys: 'S',
    description: 'streaming share -10%',
    match: (input) => input === 'S',
    run: ({ snapshot, commands }) => commands.setStreamRatio(stepRatio(snapshot.streamRatio, -RATIO_STEP)),
  },
  {
    id: 'rateUp',
    targetScope: 'every',
    keys: 'r',
    footer: { keys: 'rR', label: 'rate', priority: 2 },
    description: `arrival rate ×${RATE_FACTOR}`,
    availability: 'open loop (--rate) only',
    available: isOpenLoop,
    match: (input) => input === 'r',
    run: ({ snapshot, commands }) => commands.setRate(stepRate(snapshot.rate, true)),
  },
  {
    id: 'rateDown',
    targetScope: 'every',
    keys: 'R',
    description: `arrival rate ÷${RATE_FACTOR}`,
    availability: 'open loop (--rate) only',
    available: isOpenLoop,
    match: (input) => input === 'R',
    run: ({ snapshot, commands }) => commands.setRate(stepRate(snapshot.rate, false)),
  },
  {
    id: 'newSegment',
    targetScope: 'every',
    keys: 'z',
    footer: { keys: 'z', label: 'reset', priority: 3 },
    description: 'start a new statistics segment',
    match: (input) => input === 'z',
    run: ({ commands }) => commands.newSegment(),
  },
  {
    id: 'cycleChart',
    keys: 'tab',
    footer: { keys: 'tab', label: 'chart', priority: 2 },
    description: 'cycle the charted metric',
    match: (_input, key) => key.tab && !key.shift,
    run: ({ ui }) => ui.cycleChart(),
  },
  {
    id: 'earlyStop',
    targetScope: 'every',
    keys: 'e',
    footer: { keys: 'e', label: 'early-stop', priority: 4 },
    description: 'toggle early stop',
    match: (input) => input === 'e',
    run: ({ commands }) => commands.toggleEarlyStop(),
  },
  {
    id: 'latencySpike',
    targetScope: 'selected',
    keys: 'l',
    footer: { keys: 'l', label: 'spike', priority: 3 },
    description: 'inject a latency spike',
    availability: 'built-in simulator only',
    available: ({ target, commands }) => target.simulated && commands.injectLatencySpike !== undefined,
    match: (input) => input === 'l',
    run: ({ commands }) => commands.injectLatencySpike?.(),
  },
  {
    id: 'faultBurst',
    targetScope: 'selected',
    keys: 'f',
    footer: { keys: 'f', label: 'faults', priority: 3 },
    description: 'inject a burst of faults',
    availability: 'built-in simulator only',
    available: ({ target, commands }) => target.simulated && commands.injectFaultBurst !== undefined,
    match: (input) => input === 'f',
    run: ({ commands }) => commands.injectFaultBurst?.(),
  },
  {
    id: 'autoTune',
    keys: 'a',
    footer: { keys: 'a', label: 'autotune', priority: 4 },
    description: 'autotune: find the pool size with the best goodput',
    availability: 'when autotune is available',
    available: ({ commands }) => commands.autoTune !== undefined,
    match: (input) => input === 'a',
    run: ({ commands }) => commands.autoTune?.(),
  },
];

/** Bindings that still work while the help overlay is open (it is modal otherwise). */
const WHILE_HELP: ReadonlySet<ActionId> = new Set<ActionId>(['quit', 'help', 'closeHelp']);

export function isAvailable(b: KeyBinding, ctx: AvailabilityContext): boolean {
  return b.available === undefined || b.available(ctx);
}

/** The binding a keypress selects, or undefined. Pure: the input hook and tests share it. */
export function resolveKey(input: string, key: Key, ctx: KeyContext): KeyBinding | undefined {
  const b = KEYMAP.find((candidate) => candidate.match(input, key));
  if (b === undefined) return undefined;
  if (ctx.helpOpen && !WHILE_HELP.has(b.id)) return undefined;
  if (!isAvailable(b, ctx)) return undefined;
  return b;
}

/** Handles one keypress; returns the action taken, if any. */
export function dispatchKey(input: string, key: Key, ctx: KeyContext): ActionId | undefined {
  const b = resolveKey(input, key, ctx);
  b?.run(ctx, input, key);
  return b?.id;
}
