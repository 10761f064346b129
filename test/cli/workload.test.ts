import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import type { Report } from '../../src/report/schema.ts';

/** Issue 14 against the built-in simulator: what the workload asks for is what the server counts. */
async function run(args: string[]): Promise<{ report: Report; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-workload-'));
  const file = join(dir, 'r.json');
  const r = await runCli(['--headless', '--sim-ttft', '5', '--sim-itl', '0', '--sim-jitter', '0', '--json', file, ...args], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  return { report: JSON.parse(readFileSync(file, 'utf8')) as Report, stdout: r.stdout };
}

test('--input-tokens 1000 --output-tokens 200 --ignore-eos: the server counts 1000 + the template and sends exactly 200 tokens', async () => {
  const { report, stdout } = await run(['-n', '30', '-c', '4', '--input-tokens', '1000', '--output-tokens', '200', '--ignore-eos']);
  const w = report.workload;
  assert.ok(w !== undefined);
  assert.deepEqual([w.inputTokens.count, w.inputTokens.min, w.inputTokens.max], [30, 1006, 1006], 'o200k count + 6 template tokens, every request');
  assert.deepEqual([w.outputTokens.count, w.outputTokens.min, w.outputTokens.max], [30, 200, 200]);
  assert.equal(w.asked.inputTokens, '1000');
  assert.equal(w.cache, undefined, 'unique prompts: nothing cached');
  assert.match(stdout, /workload: input 1000 tokens, output 200 \(ignore_eos\)/);
  assert.match(stdout, /server counted: input p50 1006/);
});

test('--shared-prefix 800 --prefix-groups 2: most prompt tokens come from the cache after warm-up, and hits start sooner', async () => {
  const { report, stdout } = await run([
    '-n', '40', '-c', '2', '--warmup', '4', '--stream-ratio', '1', '--input-tokens', '1000', '--output-tokens', '20',
    '--shared-prefix', '800', '--prefix-groups', '2', '--sim-prefill-per-token', '0.1',
  ]);
  const c = report.workload?.cache;
  assert.ok(c !== undefined, JSON.stringify(report.workload));
  assert.ok(c.hitRatio > 0.7, `hit ratio ${c.hitRatio}`);
  assert.equal(c.misses, 0, 'both prefixes were cached during warm-up');
  assert.match(stdout, /prefix cache: \d+\.\d% of prompt tokens cached/);
});
