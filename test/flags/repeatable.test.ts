import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { addFlags } from '../../src/flags/commander.ts';
import { parseFlags, type RawOptions } from '../../src/flags/parse.ts';
import { flag, type CommandSpec } from '../../src/flags/types.ts';
import { repeatable, wholeNumber } from '../../src/flags/values.ts';
import { UsageError } from '../../src/shared/usage-error.ts';

const SPEC = {
  name: 'probe',
  description: 'a command with one repeatable flag',
  flags: {
    level: flag({ name: 'level', short: 'l', valueName: 'N', section: 'load', help: 'a level', value: repeatable(wholeNumber(1, 9)), default: [] as number[] }),
    once: flag({ name: 'once', valueName: 'N', section: 'load', help: 'a plain flag', value: wholeNumber(1, 9) }),
  },
} satisfies CommandSpec;

/** Parses argv the way the CLI does: commander collects, parseFlags validates. */
function viaCommander(argv: string[]): ReturnType<typeof parseFlags<typeof SPEC.flags>> {
  let raw: RawOptions = {};
  const cmd = addFlags(new Command('probe'), SPEC).exitOverride().action((opts: RawOptions) => {
    raw = opts;
  });
  cmd.parse(argv, { from: 'user' });
  return parseFlags(SPEC, raw);
}

test('a repeatable flag keeps every occurrence, in order, and validates each', () => {
  assert.deepEqual(viaCommander(['-l', '3', '--level', '1', '-l', '7']).values.level, [3, 1, 7]);
  assert.deepEqual(viaCommander([]).values.level, []);
  assert.deepEqual(viaCommander(['-l', '2']).values.level, [2]);
  assert.throws(() => viaCommander(['-l', '2', '-l', '12']), (e: unknown) => e instanceof UsageError && /invalid value "12" for --level/.test(e.message));
});

test('a repeatable flag says so in its allowed text; a plain flag given twice keeps the last', () => {
  assert.match(SPEC.flags.level.value.allowed, /may be given more than once/);
  assert.equal(viaCommander(['--once', '2', '--once', '5']).values.once, 5);
  // Callers other than commander (experiments, tests) may pass a single string.
  assert.deepEqual(parseFlags(SPEC, { level: '4' }).values.level, [4]);
});
