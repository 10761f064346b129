import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

/**
 * One whole headless run on the Anthropic wire: the real CLI starts the built-in simulator, speaks
 * /v1/messages to it (streaming and not), and writes the summary, --json and --ndjson. The
 * simulator's fixed timings (40 ms to first token, 5 ms per token, 8 tokens, no jitter) give floors
 * every measured latency must respect; the counts must be exact.
 */
interface NdLine {
  mode: 'stream' | 'nonstream';
  outcome: string;
  finishReason?: string;
  contentEvents: number;
  itlCount: number;
  outputTokens: number;
  tokenSource: string;
  ttftMs: number;
  e2eMs: number;
  ttfbMs: number;
  tpotMs?: number;
  httpStatus: number;
}

test('headless run with --api anthropic against the built-in simulator: exact counts, Anthropic semantics, latencies above the configured floors', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-anthropic-'));
  try {
    const json = join(dir, 'r.json');
    const ndjson = join(dir, 'r.ndjson');
    const r = await runCli([
      '--api', 'anthropic', '--headless', '-n', '12', '-c', '3', '--stream-ratio', '0.5', '--seed', '7',
      '--sim-ttft', '40', '--sim-itl', '5', '--sim-output-tokens', '8', '--sim-jitter', '0',
      '--json', json, '--ndjson', ndjson,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /built-in simulator .*anthropic/);
    assert.match(r.stdout, /12 requests: 12 ok, 0 failed/);

    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      target: { api: string; simulated: boolean };
      totals: { requests: number; succeeded: number; failed: number; outputTokens: number; tokenSource: { usage: number; tokenizer: number } };
    };
    assert.equal(report.target.api, 'anthropic');
    assert.equal(report.target.simulated, true);
    assert.equal(report.totals.succeeded, 12);
    assert.equal(report.totals.failed, 0);
    assert.deepEqual(report.totals.tokenSource, { usage: 96, tokenizer: 0 }, '8 tokens each, from message_delta usage');

    const lines = readFileSync(ndjson, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as NdLine);
    assert.equal(lines.length, 12);
    const streams = lines.filter((l) => l.mode === 'stream');
    assert.ok(streams.length > 0 && streams.length < 12, `a seeded mix of both modes (${streams.length} streams)`);
    for (const l of lines) {
      assert.equal(l.outcome, 'ok');
      assert.equal(l.httpStatus, 200);
      assert.equal(l.finishReason, 'end_turn', "Anthropic's stop_reason");
      assert.equal(l.outputTokens, 8);
      assert.equal(l.tokenSource, 'usage');
      assert.ok(l.ttftMs >= 39, `TTFT at least the simulator's 40 ms: ${l.ttftMs}`);
      assert.ok(l.ttfbMs <= l.ttftMs, 'headers before the first token');
    }
    for (const l of streams) {
      // Eight content_block_delta events: seven gaps; message_start and ping do not count.
      assert.equal(l.contentEvents, 8);
      assert.equal(l.itlCount, 7);
      // The server sends the last token 40 + 7 x 5 ms after it got the request; the client may
      // read the tokens bunched together, so only the end has a floor, not each gap.
      assert.ok(l.e2eMs >= 74, `E2E covers the whole generation (75 ms): ${l.e2eMs}`);
      assert.ok(Math.abs((l.tpotMs ?? NaN) - (l.e2eMs - l.ttftMs) / 7) < 1e-6, 'TPOT over the 7 tokens after the first');
    }
    for (const l of lines.filter((x) => x.mode === 'nonstream')) {
      assert.equal(l.ttftMs, l.e2eMs, 'non-streaming: the first token is seen with the whole body');
      assert.ok(l.ttftMs >= 74, `the whole generation (75 ms): ${l.ttftMs}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
