import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

/** Bad input: one clear line naming the flag, the value and what is allowed; exit 2; no stack. */
const cases: [string[], RegExp][] = [
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
];

for (const [args, re] of cases) {
  test(`streamtop ${args.join(' ')} -> exit 2 with a clear message`, async () => {
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
