import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

/**
 * The experiment subcommands end to end, small: the real CLI against its built-in simulator
 * (short, jitter-free answers so each level or round takes a fraction of a second).
 */
const SIM = ['--sim-ttft', '30', '--sim-itl', '2', '--sim-output-tokens', '8', '--sim-jitter', '0'];

const dir = mkdtempSync(join(tmpdir(), 'streamtop-exp-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('sweep: one row per level, a recommendation, and streamtop.sweep/1 with every level', async () => {
  const json = join(dir, 'sweep.json');
  const r = await runCli(['sweep', '--concurrency-levels', '1,4', '--step-requests', '6', '--json', json, ...SIM], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1\s+[\d.]+/m, 'a row for pool 1');
  assert.match(r.stdout, /^4\s+[\d.]+/m, 'a row for pool 4');
  assert.match(r.stdout, /recommended pool: (1|4) \(highest goodput/);
  const out = JSON.parse(readFileSync(json, 'utf8')) as { schema: string; levels: { level: number; succeeded: number }[]; recommended: number };
  assert.equal(out.schema, 'streamtop.sweep/1');
  assert.deepEqual(out.levels.map((l) => l.level), [1, 4]);
  for (const l of out.levels) assert.ok(l.succeeded >= 6, `level ${l.level}: ${l.succeeded} succeeded`);
  assert.ok([1, 4].includes(out.recommended));
});

test('compare-modes: both modes complete every request and streaming reaches the first token sooner', async () => {
  const json = join(dir, 'modes.json');
  const r = await runCli(['compare-modes', '--rounds', '2', '--round-requests', '3', '-c', '2', '--json', json, ...SIM], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^streaming\s+6\/6/m);
  assert.match(r.stdout, /^non-streaming\s+6\/6/m);
  assert.match(r.stdout, /first token [\d.]+x sooner when streaming/);
  const out = JSON.parse(readFileSync(json, 'utf8')) as { experiment: string; rounds: number; results: { label: string }[] };
  assert.equal(out.experiment, 'compare-modes');
  assert.equal(out.rounds, 2);
  assert.equal(out.results.length, 2);
});

test('compare-connections: keep-alive, fresh and pre-warmed over plain HTTP (h2 needs TLS); fresh opens one connection per request', async () => {
  const json = join(dir, 'conns.json');
  const r = await runCli(['compare-connections', '--rounds', '1', '--round-requests', '4', '-c', '2', '--json', json, ...SIM], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  for (const s of ['keepalive', 'fresh', 'prewarm']) assert.match(r.stdout, new RegExp(`^${s}\\s+4/4`, 'm'), s);
  assert.doesNotMatch(r.stdout, /^h2\s/m);
  const out = JSON.parse(readFileSync(json, 'utf8')) as { experiment: string; results: { label: string; newConnections: number }[] };
  assert.equal(out.experiment, 'compare-connections');
  const fresh = out.results.find((x) => x.label === 'fresh');
  const keep = out.results.find((x) => x.label === 'keepalive');
  assert.equal(fresh?.newConnections, 4, 'one new connection per request');
  assert.ok((keep?.newConnections ?? 99) <= 2, `keep-alive reuses its pool: ${keep?.newConnections}`);
});
