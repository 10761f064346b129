// Proxy targets (`--target gateway=proxy:direct,added-latency=30`): an emulated gateway in front of
// a simulator target of the same run, parsed and planned; the run itself is test/cli/proxy-target.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadTargetsFile, parseTargetFlag } from '../../src/config/targets.ts';
import { parseRunOptions } from '../../src/config/run-options.ts';
import { PROXY_UPSTREAM_PLACEHOLDER } from '../../src/config/target-plans.ts';
import { MAIN_COMMAND } from '../../src/config/commands.ts';
import { addFlags } from '../../src/flags/commander.ts';
import type { RawOptions } from '../../src/flags/parse.ts';
import { usageMessage } from '../helpers/usage.ts';

function rawOf(args: string[]): RawOptions {
  let got: RawOptions = {};
  const cmd = addFlags(new Command('streamtop').exitOverride(), MAIN_COMMAND).action((o: RawOptions) => {
    got = o;
  });
  cmd.parse(args, { from: 'user' });
  return got;
}

test('--target NAME=proxy:TARGET takes the added latencies', () => {
  const t = parseTargetFlag('--target', 'gw=proxy:direct,added-latency=30:5,added-chunk-latency=0.5,c=4');
  assert.deepEqual(t.proxy, { upstream: 'direct', addedLatency: { mean: 30, sd: 5 }, addedChunkLatencyMs: 0.5 });
  assert.equal(t.url, undefined);
  assert.equal(t.sim, undefined);
  assert.equal(t.concurrency, 4);
  assert.deepEqual(parseTargetFlag('--target', 'gw=proxy:direct').proxy?.addedLatency, { mean: 0, sd: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'streamtop-proxy-targets-'));
  const file = join(dir, 't.json');
  writeFileSync(file, JSON.stringify([{ name: 'direct', url: 'sim:fast' }, { name: 'gw', url: 'proxy:direct', 'added-latency': 30 }]));
  assert.deepEqual(loadTargetsFile('--targets', file)[1]?.proxy?.addedLatency, { mean: 30, sd: 0 });
});

test('proxy targets: bad input names the target and the field', () => {
  assert.match(usageMessage(() => parseTargetFlag('--target', 'gw=proxy:')), /--target gw: url: proxy: takes the name of another target/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'gw=proxy:direct,added-latency=fast')), /--target gw: added-latency: expected MS or MEAN:SD/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'gw=proxy:direct,added-chunk-latency=-1')), /--target gw: added-chunk-latency: expected milliseconds/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'a=sim:fast,added-latency=30')), /--target a: added-latency: applies only to proxy: targets/);
  assert.match(usageMessage(() => parseTargetFlag('--target', 'gw=proxy:direct,ttft=5')), /--target gw: ttft: is a simulator knob: it applies only to sim: targets/);
  const run = (args: string[]): string => usageMessage(() => parseRunOptions(rawOf(['--headless', ...args]), { stdoutIsTTY: false }));
  assert.match(run(['--target', 'a=sim:fast', '--target', 'gw=proxy:b']), /--target gw: proxy:b: no target is named "b"; name a sim: target of this run \(a\)/);
  assert.match(run(['--target', 'a=http://127.0.0.1:1/v1', '--target', 'gw=proxy:a']), /--target gw: proxy:a: a proxy target forwards to a sim: target/);
  assert.match(run(['--target', 'a=sim:fast', '--target', 'gw=proxy:gw']), /a proxy target forwards to a sim: target/);
  assert.match(run(['--sim-tls', '--target', 'a=sim:fast', '--target', 'gw=proxy:a']), /--target gw: a proxy target does not work with --sim-tls/);
});

test('the plan: a proxy target is a simulator config with proxy settings, its upstream filled in at open', () => {
  const plan = parseRunOptions(rawOf(['--headless', '-n', '5', '--sim-api-key', 'sk-local', '--target', 'gw=proxy:direct,added-latency=30', '--target', 'direct=sim:fast']), { stdoutIsTTY: false });
  const [gw, direct] = plan.targets ?? [];
  assert.equal(gw?.proxyOf, 'direct');
  assert.deepEqual(gw?.plan.sim?.proxy, { to: PROXY_UPSTREAM_PLACEHOLDER, addedLatency: { mean: 30, sd: 0 }, addedChunkLatencyMs: 0 });
  // The client sends the run's simulator key through the proxy to the simulator that checks it.
  assert.equal(gw?.plan.sim?.apiKey, 'sk-local');
  assert.equal(gw?.plan.engine.target.model, 'streamtop-sim');
  assert.equal(direct?.proxyOf, undefined);
  assert.equal(direct?.plan.sim?.proxy, undefined);
});
