import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutputPath } from '../../src/shared/output-path.ts';
import { UsageError } from '../../src/shared/usage-error.ts';
import { writeFileAtomic } from '../../src/shared/atomic-write.ts';
import { NdjsonSink } from '../../src/run/ndjson.ts';
import { finishRun } from '../../src/run/outputs.ts';
import { okRecord, rec, reportOf } from '../report/helpers/synthetic.ts';

test('checkOutputPath: a writable place passes and leaves no probe file behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-out-'));
  try {
    checkOutputPath('--json', join(dir, 'run.json'));
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkOutputPath: a missing directory, a directory and a file system without new files are usage errors', () => {
  assert.throws(() => checkOutputPath('--json', '/nonexistent-streamtop-dir/run.json'), (e: unknown) => e instanceof UsageError && /no directory \/nonexistent-streamtop-dir/.test(e.message));
  assert.throws(() => checkOutputPath('--markdown', tmpdir()), (e: unknown) => e instanceof UsageError && /that is a directory; give a file name, e\.g\. .*run\.md/.test(e.message));
  assert.throws(() => checkOutputPath('--ndjson', '/proc/streamtop.ndjson'), (e: unknown) => e instanceof UsageError && /\/proc accepts no new files/.test(e.message));
});

test('checkOutputPath: an existing pipe or device only needs to be writable (--ndjson /dev/stdout, --json /dev/null)', () => {
  checkOutputPath('--ndjson', '/dev/null', { inPlace: true });
  checkOutputPath('--json', '/dev/null');
  assert.throws(() => checkOutputPath('--json', ''), (e: unknown) => e instanceof UsageError && /invalid value "" for --json: expected a file path/.test(e.message));
});

test('writeFileAtomic: a failure names the file asked for, never the temporary one', () => {
  assert.throws(
    () => writeFileAtomic('/nonexistent-streamtop-dir/run.json', '{}'),
    (e: unknown) => e instanceof Error && e.message === 'could not write /nonexistent-streamtop-dir/run.json: no such file or directory' && !/\.tmp/.test(e.message),
  );
});

test('NdjsonSink: lines are written; a file that cannot be opened is reported, and writing on is harmless', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-nd-'));
  try {
    const good = new NdjsonSink(join(dir, 'r.ndjson'));
    good.write(okRecord('stream', 100));
    await good.close();
    await good.close(); // twice: the same close
    assert.equal(good.failure, undefined);
    const line = JSON.parse(readFileSync(join(dir, 'r.ndjson'), 'utf8').trim()) as { ttftMs: number; itlCount: number };
    assert.equal(line.ttftMs, 100);
    assert.equal(line.itlCount, 2);

    const bad = new NdjsonSink(join(dir, 'missing', 'r.ndjson'));
    bad.write(okRecord('stream', 100));
    await bad.close();
    bad.write(okRecord('stream', 100));
    assert.match(bad.failure ?? '', /^could not write .*missing\/r\.ndjson: no such file or directory$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('finishRun: sink failures make the exit status 1 and are listed', () => {
  const report = reportOf([okRecord('stream', 50)]);
  const done = finishRun(report, { headless: true }, ['could not write x.ndjson: no space left on the device']);
  assert.equal(done.exitCode, 1);
  assert.deepEqual(done.failures, ['could not write x.ndjson: no space left on the device']);
  assert.deepEqual(done.notices, []);
});

test('finishRun: a run in which nothing succeeded says so, with its commonest error, and keeps exit 0', () => {
  const failed = (code: 'http_401' | 'http_500') => rec({ mode: 'stream', outcome: 'failed', errorCode: code, contentEvents: 0 });
  const report = reportOf([failed('http_401'), failed('http_401'), failed('http_500')], { errors: { http_401: 2, http_500: 1 } });
  const done = finishRun(report, { headless: true });
  assert.equal(done.exitCode, 0);
  assert.equal(done.notices.length, 1);
  assert.match(done.notices[0] ?? '', /no request succeeded \(3 measured; most common error: http_401 \(2\)\); add --fail-if "error-rate<1%"/);
  const gated = finishRun(report, { headless: true, failIf: 'error-rate<50%' });
  assert.equal(gated.exitCode, 1, 'the gate fails it');
  assert.doesNotMatch(gated.notices[0] ?? '', /add --fail-if/, 'no advice to add what is there');
});
