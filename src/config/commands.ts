import { COMPARE_CONNECTIONS_FLAGS, COMPARE_MODES_FLAGS, SWEEP_FLAGS } from './experiment-flags.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { SIM_COMMAND, simFlagTable } from '../sim/flags.ts';
import { flag, type CommandSpec, type FlagTable } from '../flags/types.ts';
import { fromParser } from '../flags/values.ts';
import { checkOutputPath } from '../shared/output-path.ts';

/** Every command's spec: what cli.tsx wires into commander and what docs/cli.md documents. */

const SIM_FLAGS_PREFIXED = simFlagTable('sim-', 'simulator: ');

export const MAIN_COMMAND = {
  name: '',
  description:
    'Live dashboard and headless benchmark for streaming LLM chat APIs (OpenAI and Anthropic formats).\nWith no --url it starts a built-in simulator, so it works offline.',
  flags: RUN_FLAGS,
  simFlags: SIM_FLAGS_PREFIXED,
} satisfies CommandSpec;

export const SWEEP_COMMAND = {
  name: 'sweep',
  description: 'run each pool size (or rate) in turn; report throughput, latency and goodput per level and recommend one',
  flags: SWEEP_FLAGS,
  simFlags: SIM_FLAGS_PREFIXED,
} satisfies CommandSpec;

export const COMPARE_MODES_COMMAND = {
  name: 'compare-modes',
  description: 'the same prompts streaming and non-streaming, interleaved: TTFT, whole-answer time, bytes, cost',
  flags: COMPARE_MODES_FLAGS,
  simFlags: SIM_FLAGS_PREFIXED,
} satisfies CommandSpec;

export const COMPARE_CONNECTIONS_COMMAND = {
  name: 'compare-connections',
  description: 'keep-alive vs a new connection per request vs pre-warmed pool (vs HTTP/2 over TLS), interleaved',
  flags: COMPARE_CONNECTIONS_FLAGS,
  simFlags: SIM_FLAGS_PREFIXED,
} satisfies CommandSpec;

const outputFile = fromParser((flagName, raw) => {
  checkOutputPath(flagName, raw);
  return raw;
}, 'a file path in an existing, writable directory');

export const REPORT_COMMAND = {
  name: 'report',
  description: 're-render a saved run (--json file); --html also renders sweep and compare-* results',
  args: [{ name: 'RUN.json', help: 'a report written by --json (a run, a sweep or a compare-* result)' }],
  flags: {
    markdown: flag({ name: 'markdown', valueName: 'FILE', section: 'outputs', help: 'also write it as Markdown (runs only, one target or several)', value: outputFile }),
    html: flag({
      name: 'html', valueName: 'FILE', section: 'outputs',
      help: 'also write a self-contained HTML page with charts (a run, sweep or compare-* --json file)', value: outputFile,
    }),
  },
} satisfies CommandSpec;

export const COMPARE_COMMAND = {
  name: 'compare',
  description: 'compare two saved runs: deltas with the direction of change (runs of several targets: target by target)',
  args: [
    { name: 'A.json', help: 'the reference run' },
    { name: 'B.json', help: 'the run compared with it' },
  ],
  flags: {} satisfies FlagTable,
} satisfies CommandSpec;

export const MERGE_COMMAND = {
  name: 'merge',
  description: 'combine runs made on several processes or machines into one exact report (runs of several targets: the same targets only)',
  args: [{ name: 'RUN.json', help: 'two or more reports written by --json', variadic: true }],
  flags: {
    output: flag({ name: 'output', short: 'o', valueName: 'FILE', section: 'outputs', help: 'where to write the merged report', value: outputFile, required: true }),
  },
} satisfies CommandSpec;

/** In the order --help lists them and docs/cli.md documents them. */
export const ALL_COMMANDS: readonly CommandSpec[] = [
  MAIN_COMMAND,
  SWEEP_COMMAND,
  COMPARE_MODES_COMMAND,
  COMPARE_CONNECTIONS_COMMAND,
  REPORT_COMMAND,
  COMPARE_COMMAND,
  MERGE_COMMAND,
  SIM_COMMAND,
];
