import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { CONCURRENCY, RATE } from '../../src/engine/limits.ts';
import { MAX_CONCURRENCY, MAX_RATE, MIN_RATE } from '../../src/ui/keymap.ts';
import { ALL_COMMANDS, COMPARE_MODES_COMMAND, MAIN_COMMAND, SWEEP_COMMAND } from '../../src/config/commands.ts';
import { addFlags } from '../../src/flags/commander.ts';
import { parseFlags } from '../../src/flags/parse.ts';
import { RUN_FLAGS } from '../../src/config/run-flags.ts';
import { camel } from '../../src/sim/flags.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import { usageMessage } from '../helpers/usage.ts';


test('the flags, the keys and the engine share one set of limits', () => {
  assert.equal(MAX_CONCURRENCY, CONCURRENCY.max);
  assert.equal(MIN_RATE, RATE.min);
  assert.equal(MAX_RATE, RATE.max);
  assert.equal(RUN_FLAGS.concurrency.value.read('--concurrency', String(CONCURRENCY.max)), CONCURRENCY.max);
  assert.match(usageMessage(() => RUN_FLAGS.concurrency.value.read('--concurrency', String(CONCURRENCY.max + 1))), /from 1 to 100000/);
  assert.equal(RUN_FLAGS.rate.value.read('--rate', String(RATE.max)), RATE.max);
  assert.throws(() => RUN_FLAGS.rate.value.read('--rate', String(RATE.max * 2)), UsageError);
});

test('every table key is what commander calls the flag (camelCase of its long name)', () => {
  for (const spec of ALL_COMMANDS) {
    for (const [key, def] of [...Object.entries(spec.flags), ...Object.entries(spec.simFlags ?? {})]) assert.equal(key, camel(def.name), `${spec.name}: --${def.name}`);
  }
});

test('no command declares a flag twice (long or short)', () => {
  for (const spec of ALL_COMMANDS) {
    const defs = [...Object.values(spec.flags), ...Object.values(spec.simFlags ?? {})];
    const names = defs.flatMap((d) => [`--${d.name}`, ...(d.short !== undefined ? [`-${d.short}`] : [])]);
    assert.equal(new Set(names).size, names.length, spec.name);
    // commander itself refuses a clash; building each command proves the table is well formed.
    addFlags(new Command(spec.name || 'streamtop'), spec);
  }
});

test('rules name flags of the same table', () => {
  for (const spec of ALL_COMMANDS) {
    const keys = new Set([...Object.keys(spec.flags), ...Object.keys(spec.simFlags ?? {})]);
    for (const def of [...Object.values(spec.flags), ...Object.values(spec.simFlags ?? {})])
      for (const r of [...(def.requires ?? []), ...(def.conflicts ?? [])]) assert.ok(keys.has(r.flag), `${spec.name} --${def.name}: ${r.flag}`);
  }
});

test('values get their defaults; given values are parsed', () => {
  const { values, given } = parseFlags(MAIN_COMMAND, { concurrency: '20000', grace: '2s', streamRatio: '70%' });
  assert.equal(values.concurrency, 20_000);
  assert.equal(values.grace, 2000);
  assert.equal(values.streamRatio, 0.7);
  assert.equal(values.retryMax, 20_000);
  assert.equal(values.api, 'openai');
  assert.equal(values.rate, undefined);
  assert.deepEqual([...given].sort(), ['concurrency', 'grace', 'streamRatio']);
});

test('a flag a command does not use is refused with what to use instead', () => {
  assert.equal(
    usageMessage(() => parseFlags(COMPARE_MODES_COMMAND, { requests: '40' })),
    'compare-modes does not take -n/--requests (each round sends --round-requests N per mode); use --round-requests N',
  );
  assert.match(usageMessage(() => parseFlags(COMPARE_MODES_COMMAND, { duration: '5s' })), /compare-modes does not take -d\/--duration .*use --rounds N/);
  assert.match(usageMessage(() => parseFlags(COMPARE_MODES_COMMAND, { streamRatio: '1' })), /does not take --stream-ratio .*both streaming and non-streaming\); drop it/);
  assert.match(usageMessage(() => parseFlags(SWEEP_COMMAND, { requests: '9' })), /sweep does not take -n\/--requests .*--step-requests N/);
});

test('rules between flags: needs and not-with', () => {
  assert.match(usageMessage(() => parseFlags(MAIN_COMMAND, { arrival: 'poisson' })), /--arrival only applies to open-loop runs/);
  assert.doesNotThrow(() => parseFlags(MAIN_COMMAND, { arrival: 'poisson', rate: '5' }));
  assert.match(usageMessage(() => parseFlags(MAIN_COMMAND, { prompt: 'a', prompts: 'b' })), /alternatives/);
  assert.match(usageMessage(() => parseFlags(MAIN_COMMAND, { url: 'http://127.0.0.1:9/v1', simTtft: '5' })), /--sim-ttft only applies to the built-in simulator/);
  // sweep: -c is the in-flight cap of a rate sweep, and refused for pool-size levels.
  assert.doesNotThrow(() => parseFlags(SWEEP_COMMAND, { rates: '1,2', concurrency: '50' }));
  assert.match(usageMessage(() => parseFlags(SWEEP_COMMAND, { concurrency: '50' })), /sweep sets the pool size of each level/);
});

test('values keep the message form "invalid value X for --flag: expected ..."', () => {
  assert.equal(
    usageMessage(() => parseFlags(MAIN_COMMAND, { concurrency: 'abc' })),
    'invalid value "abc" for --concurrency: expected a whole number from 1 to 100000',
  );
  assert.equal(usageMessage(() => parseFlags(MAIN_COMMAND, { window: '20m' })), 'invalid value "20m" for --window: expected a window from 1s to 10m');
  assert.match(usageMessage(() => parseFlags(MAIN_COMMAND, { apiKeyEnv: 'sk-123' })), /not shown/);
});
