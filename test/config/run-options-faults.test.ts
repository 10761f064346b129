import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunOptions, type RawOptions } from '../../src/config/run-options.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import { duration, MAX_RUN_MS, MAX_WAIT_MS } from '../../src/flags/values.ts';

/** Issue 13's flag-level faults: bounded durations, a default total timeout, one path per output. */

const parse = (raw: RawOptions) => parseRunOptions({ url: 'http://127.0.0.1:9/v1', ...raw }, { stdoutIsTTY: false });

function refuses(raw: RawOptions, re: RegExp): void {
  assert.throws(() => parse(raw), (e: unknown) => e instanceof UsageError && re.test(e.message), `expected ${re}`);
}

test('item 5: --duration 600h is accepted as 600 hours (past the 24.8-day limit of one Node timer)', () => {
  assert.equal(parse({ duration: '600h' }).engine.load.durationMs, 600 * 3_600_000);
  assert.equal(parse({ duration: '30d' }).engine.load.durationMs, MAX_RUN_MS);
});

test('item 5: every duration flag has a stated maximum and names it', () => {
  refuses({ duration: '31d' }, /invalid value "31d" for --duration: expected a duration of at most 30d/);
  refuses({ duration: '1000000000' }, /--duration: expected a duration of at most 30d/);
  refuses({ ramp: '800h' }, /--ramp: expected a duration of at most 30d/);
  for (const [key, flag] of [
    ['timeout', '--timeout'],
    ['idleTimeout', '--idle-timeout'],
    ['ttftTimeout', '--ttft-timeout'],
    ['connectTimeout', '--connect-timeout'],
    ['grace', '--grace'],
    ['retryMax', '--retry-max'],
  ] as const) {
    refuses({ [key]: '25h' }, new RegExp(`"25h" for ${flag}: expected a duration of at most 24h`));
    assert.doesNotThrow(() => parse({ [key]: '24h' }), flag);
  }
  refuses({ window: '11m' }, /--window: expected a window from 1s to 10m/);
  // The parser itself never returns more than the bound it was given.
  assert.throws(() => duration('ms', { maxMs: 1 }).read('--x', '2ms'), /at most 1ms/);
  assert.equal(duration('s', { maxMs: MAX_RUN_MS }).read('--x', '1d'), 86_400_000);
  assert.ok(MAX_WAIT_MS < 2 ** 31 - 1, 'per-request limits fit one Node timer');
});

test('item 13: --timeout defaults to 10 minutes, so a trickling server cannot hold a run for ever', () => {
  assert.equal(parse({}).engine.resilience.timeouts.totalMs, 600_000);
  assert.equal(parse({ timeout: '0' }).engine.resilience.timeouts.totalMs, 0, '0 still turns it off');
  assert.equal(parse({ timeout: '30m' }).engine.resilience.timeouts.totalMs, 1_800_000);
});

test('item 10: two outputs on one path are refused, however the path is spelled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-paths-'));
  const x = join(dir, 'x.json');
  refuses({ json: x, ndjson: x }, /--json and --ndjson both write .*x\.json: one would overwrite the other/);
  refuses({ json: x, markdown: join(dir, '.', 'x.json') }, /--json and --markdown both write/);
  writeFileSync(x, '');
  symlinkSync(x, join(dir, 'link.json'));
  refuses({ ndjson: x, markdown: join(dir, 'link.json') }, /--ndjson and --markdown both write/);
  assert.doesNotThrow(() => parse({ json: x, ndjson: join(dir, 'x.ndjson'), markdown: join(dir, 'x.md') }));
});
