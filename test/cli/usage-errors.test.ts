import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

/** Bad input: one clear line naming the flag, the value and what is allowed; exit 2; no stack. */
/** [arguments, expected message, the issue item a case guards (in the test's name)]. */
const cases: [string[], RegExp, string?][] = [
  [['-c', 'zero'], /"zero" for --concurrency.*whole number/],
  [['-c', '0'], /--concurrency.*whole number from 1/],
  [['--stream-ratio', '1.5'], /"1.5" for --stream-ratio.*fraction from 0 to 1/],
  [['--api', 'gemini'], /"gemini" for --api.*openai, anthropic/],
  [['--duration', 'soon'], /"soon" for --duration.*duration such as/],
  [['--rate', '-3'], /--rate/],
  [['--arrival', 'poisson'], /--arrival only applies to open-loop runs/],
  [['--url', 'ftp://x'], /--url.*http:\/\/ or https:\/\//],
  [['--url', 'http://127.0.0.1:1/v1', '--headless', '-n', '1'], /cannot reach --url http:\/\/127.0.0.1:1: connection refused/],
  [['--connection', 'pigeon'], /--connection.*keepalive, fresh, prewarm, h2/],
  [['--early-stop', 'min-tokens=5'], /--early-stop.*at least one of max-tokens/],
  [['--fail-if', 'p95(ttft)<fast'], /--fail-if/],
  [['--slo', 'ttft>5ms'], /--slo/],
  [['--sim-ttft', 'abc'], /"abc" for --sim-ttft.*milliseconds/],
  [['--sim-faults', 'meteor=0.5'], /--sim-faults/],
  [['--api-key', 'sk-test'], /not accepted on the command line.*--api-key-env/],
  [['--api-key-env', 'sk-abc-123'], /--api-key-env.*NAME of an environment variable/],
  [['--frobnicate'], /unknown option '--frobnicate'/],
  [['--rate', '5', '--ramp', '5s'], /--ramp applies to closed-loop runs/],
  [['--max-queue-delay', '5s'], /--max-queue-delay only applies to open-loop runs/],
  [['--retry-base', '30s', '--retry-max', '1s'], /--retry-base \(30000 ms\) is longer than --retry-max \(1000 ms\)/],
  [['--fail-if', 'goodput>1'], /--fail-if goodput needs objectives.*--slo/],
  [['--json', '/proc/streamtop-x.json'], /--json \/proc\/streamtop-x.json: cannot write there \(\/proc accepts no new files\)/],
  [['--ndjson', '/nonexistent-dir/x.ndjson'], /--ndjson \/nonexistent-dir\/x.ndjson: cannot write there \(no directory \/nonexistent-dir\)/],
  [['--markdown', tmpdir()], /--markdown .*: that is a directory; give a file name/],
  [['sweep', '--fail-if', 'p95(ttft)<1ms'], /sweep does not take --fail-if/],
  [['compare-modes', '--markdown', 'x.md'], /compare-modes does not take --markdown/],
  [['compare-connections', '--ndjson', 'x.ndjson'], /compare-connections does not take --ndjson/],
  [['sweep', '--step', '0'], /"0" for --step/],
  [['compare-modes', '-n', '40'], /compare-modes does not take -n\/--requests .*use --round-requests N/],
  [['compare-connections', '-d', '30s'], /compare-connections does not take -d\/--duration .*use --rounds N/],
  [['sweep', '-n', '40'], /sweep does not take -n\/--requests .*--step-requests N/],
  [['sweep', '-c', '4'], /sweep sets the pool size of each level/],
  [['merge', 'a.json', 'b.json', '-o', '/proc/streamtop-m.json'], /--output \/proc\/streamtop-m.json: cannot write there/],
  [['report', 'a.json', '--markdown', '/nonexistent-dir/r.md'], /--markdown \/nonexistent-dir\/r.md: cannot write there/],
  [['compar', 'a', 'b'], /unknown command 'compar' \(did you mean compare\?\)/],
  [['--prompts', '/nonexistent/file.jsonl'], /--prompts \/nonexistent\/file.jsonl: cannot read the file \(no such file or directory\)/],
  // item 5: no duration is unbounded; each limit is stated.
  [['-d', '800h'], /invalid value "800h" for --duration: expected a duration of at most 30d/, 'item 5'],
  [['--timeout', '48h'], /invalid value "48h" for --timeout: expected a duration of at most 24h/, 'item 5'],
  [['sweep', '--step', '31d'], /invalid value "31d" for --step: expected a duration of at most 30d/, 'item 5'],
  // item 9: a prompts "file" that never ends is refused at the line limit.
  [['--prompts', '/dev/zero'], /--prompts \/dev\/zero:1: line longer than 16 MiB \(the limit for one prompt\)/, 'item 9'],
  // item 10: two outputs on one path.
  [['--json', 'same.out', '--ndjson', 'same.out'], /--json and --ndjson both write same.out: one would overwrite the other; give each output its own file/, 'item 10'],
  [['--json', 'r.json', '--markdown', './r.json'], /--json and --markdown both write \.\/r.json/, 'item 10'],
];

for (const [args, re, item] of cases) {
  test(`${item !== undefined ? `${item}: ` : ''}streamtop ${args.join(' ')} -> exit 2 with a clear message`, async () => {
    const r = await runCli(args, { timeoutMs: 30_000 });
    assert.equal(r.code, 2, `stderr: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /sk-test|sk-abc-123/, 'a value that looks like a key is never echoed');
  });
}

test('a prompts file with a bad line names the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-'));
  const f = join(dir, 'p.jsonl');
  writeFileSync(f, '{"prompt": "ok"}\n\n{"messages": [{"role": "robot", "content": "x"}]}\n');
  const r = await runCli(['--prompts', f, '-n', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /p\.jsonl:3: messages\[0\] must be/);
});

test('--help and --version exit 0', async () => {
  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--concurrency/);
  assert.match(h.stdout, /--sim-ttft/);
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
});

test('item 14: a prompts line that sets a field streamtop owns names the line and the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-'));
  const f = join(dir, 'p.jsonl');
  writeFileSync(f, '{"prompt": "ok", "temperature": 0.1}\n{"prompt": "x", "model": "gpt-5"}\n');
  const r = await runCli(['--prompts', f, '-n', '1']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /p\.jsonl:2: "model" is set by streamtop \(the model is --model\); remove it from the line/);
});

test('item 9: a report file over 256 MiB is refused before it is read (report, compare, merge)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-big-'));
  const big = join(dir, 'big.json');
  // Sparse: 300 MiB on paper, no disk or memory used until something reads it.
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 300 * 1024 * 1024);
  closeSync(fd);
  for (const args of [['report', big], ['compare', big, big], ['merge', big, big, '-o', join(dir, 'm.json')]]) {
    const r = await runCli(args, { timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot read report .*big\.json: it is 300 MiB, over the 256 MiB limit for a report/);
    assert.doesNotMatch(r.stderr, /ERR_STRING_TOO_LONG|\n\s+at /);
  }
});
